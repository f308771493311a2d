"""cXML throughput: OrderRequest -> canonical beside a plain lxml parse of the same bytes.

    .venv/bin/python bench/xml.py [--seconds 2]

(The three measurements of a document run in interleaved rounds, best round kept, so a change
in the machine's load during the run does not favour one of them.)

Generates two realistic cXML OrderRequests (about 2 KB: one line; about 2 MB: 3,800 lines,
with ShipTo/BillTo, terms, comments, extrinsics and item ids) and prints for each, in one run:

* ``read_cxml``: safe parse (prolog scan, size/depth limits, entity check) + the canonical
  document built, exactly what `edi-gateway translate` does for the document minus the JSON;
* ``+ JSON``: the same plus ``orjson.dumps`` of the document, as `translate` prints it;
* ``lxml.etree.fromstring``: the plain parse of the same bytes with lxml's default parser -- the
  floor: nothing useful done.

Target (issue 5): read_cxml >= 1/3 of the plain parse's throughput.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translators.cxml import read_cxml  # noqa: E402

ITEMS = ["HEX BOLT", "WING NUT", "DUCT TAPE", "CORDLESS DRILL", "WASHER", "ANCHOR", "HINGE"]

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="{n}.bench@buyer.example" timestamp="2024-03-11T08:14:00-06:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN0100000001</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN0100000002</Identity></Credential></To>
    <Sender>
      <Credential domain="NetworkID">
        <Identity>AN0100000001</Identity><SharedSecret>x</SharedSecret>
      </Credential>
      <UserAgent>bench</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="PO{n:08d}" orderDate="2024-03-11T08:14:00-06:00" type="new">
        <Total><Money currency="USD">{total:.2f}</Money></Total>
        <ShipTo>
          <Address addressID="0003">
            <Name xml:lang="en">NORTHWIND HARDWARE DC 3</Name>
            <PostalAddress>
              <DeliverTo>RECEIVING</DeliverTo><Street>1450 INDUSTRIAL PKWY</Street>
              <City>MINNEAPOLIS</City><State>MN</State><PostalCode>55413</PostalCode>
              <Country isoCountryCode="US">United States</Country>
            </PostalAddress>
          </Address>
        </ShipTo>
        <BillTo>
          <Address addressID="0001">
            <Name xml:lang="en">NORTHWIND HARDWARE CO</Name>
            <PostalAddress>
              <Street>200 NICOLLET MALL</Street><Street>SUITE 900</Street>
              <City>MINNEAPOLIS</City><State>MN</State><PostalCode>55402</PostalCode>
              <Country isoCountryCode="US">United States</Country>
            </PostalAddress>
          </Address>
        </BillTo>
        <PaymentTerm payInNumberOfDays="30"/>
        <Comments xml:lang="en">Deliver to dock 4.</Comments>
        <Extrinsic name="Department">042</Extrinsic>
      </OrderRequestHeader>
"""

LINE = """      <ItemOut quantity="{qty}" lineNumber="{i}" requestedDeliveryDate="2024-03-22">
        <ItemID>
          <SupplierPartID>AC-{part}</SupplierPartID>
          <BuyerPartID>NW-{buyer}</BuyerPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">{price:.2f}</Money></UnitPrice>
          <Description xml:lang="en">{item} {size}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">31161500</Classification>
        </ItemDetail>
      </ItemOut>
"""

FOOTER = """    </OrderRequest>
  </Request>
</cXML>
"""


def order_request(lines: int, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    body = []
    total = 0.0
    for i in range(1, lines + 1):
        qty, price = rng.randint(1, 500), rng.randint(100, 99999) / 100
        total += qty * price
        body.append(
            LINE.format(
                qty=qty,
                i=i,
                part=rng.randint(1000, 9999),
                buyer=rng.randint(100000, 999999),
                price=price,
                item=rng.choice(ITEMS),
                size=rng.choice(["1/2 IN", "3/4 IN", "20V", "100PK"]),
            )
        )
    return (HEADER.format(n=seed, total=total) + "".join(body) + FOOTER).encode()


def rates(fns: list[Callable[[], object]], seconds: float, rounds: int = 15) -> list[float]:
    """Calls per second of each of ``fns`` (best round), measured in interleaved rounds so a
    change in the machine's load (other processes) weighs on all of them alike."""
    best = [0.0] * len(fns)
    for fn in fns:
        fn()
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            count, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds / rounds:
                fn()
                count += 1
            best[i] = max(best[i], count / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    documents = {"~2 KB": order_request(1), "~2 MB": order_request(3_800)}
    print(
        f"{'document':<9} {'bytes':>9} | {'read_cxml':>19} | {'+ JSON':>19} | "
        f"{'lxml fromstring':>19} | ratio"
    )
    for label, data in documents.items():
        mb = len(data) / 1e6
        ours, with_json, floor = rates(
            [
                lambda d=data: read_cxml(d),
                lambda d=data: orjson.dumps(read_cxml(d)),
                lambda d=data: etree.fromstring(d),
            ],
            args.seconds * 3,
        )
        cells = [f"{r:8.1f}/s {r * mb:6.1f} MB/s" for r in (ours, with_json, floor)]
        print(f"{label:<9} {len(data):>9} | " + " | ".join(cells) + f" | {ours / floor:.2f}")


if __name__ == "__main__":
    main()
