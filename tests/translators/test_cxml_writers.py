"""cXML writers: canonical -> cXML, valid against the local 1.2.071 DTDs, and back again.

Round trips: every cXML sample and public corpus document read, written and read again gives
the same canonical document. Documents read from X12 samples render as valid cXML too, and
keep what cXML carries (lines, parties, amounts). The DTDs come from the public corpus
(../shared/corpus or EDI_CORPUS), never copied here.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.commands.translate import run_translate
from tests.conftest import SAMPLES, corpus_dir
from translators.cxml import read_cxml
from translators.cxml.writers import DTD_FILE, WriteOptions, write_cxml
from translators.errors import RenderError, UnsupportedError
from translators.xml.safe import load_dtd, parse_xml, validate_dtd

Doc = dict[str, Any]
CXML_SAMPLES = sorted((SAMPLES / "cxml").glob("*.xml"))
X12_SAMPLES = sorted(p for p in (SAMPLES / "x12").glob("8*/*.x12"))
OPTIONS = WriteOptions(payload_id="1711900000.1@acmedist.example", timestamp="2024-03-31T12:00:00Z")
CORPUS = corpus_dir()


def _corpus_cxml() -> list[Path]:
    if CORPUS is None:
        return []
    skip = ("StatusUpdate", "unch")  # unsupported types: PunchOut..., StatusUpdateRequest
    return [
        p
        for p in sorted((CORPUS / "xml" / "cxml").glob("*.xml"))
        if not any(s in p.name for s in skip)
    ]


def valid(data: bytes, corpus: Path) -> list[str]:
    kind = read_cxml(data)["envelope"]["transaction_set"]
    dtd = load_dtd(corpus / "schemas" / "cxml" / "1.2.071" / DTD_FILE[kind])
    return validate_dtd(data, dtd)


def x12_documents(path: Path) -> list[Doc]:
    out = io.BytesIO()
    with path.open("rb") as stream:
        assert run_translate(stream, path.name, strict=False, out=out, err=io.StringIO()) == 0
    documents: list[Doc] = json.loads(out.getvalue())
    return documents


@pytest.mark.corpus
@pytest.mark.parametrize("path", CXML_SAMPLES, ids=lambda p: p.name)
def test_sample_round_trip(path: Path, corpus: Path) -> None:
    doc = read_cxml(path.read_bytes())
    written = write_cxml(doc)
    assert valid(written, corpus) == []
    assert read_cxml(written) == doc
    assert write_cxml(read_cxml(written)) == written  # and the writer is deterministic


@pytest.mark.corpus
@pytest.mark.parametrize("path", _corpus_cxml(), ids=lambda p: p.name)
def test_corpus_round_trip(path: Path, corpus: Path) -> None:
    doc = read_cxml(path.read_bytes())
    written = write_cxml(doc)
    assert valid(written, corpus) == []
    back = read_cxml(written)
    # References are kept, but an invoice's order payloadIDs without PO numbers cannot be tied
    # back to their lines: such orders merge into one on writing (see the invoice writer).
    assert {k: v for k, v in back.items() if k != "references"} == {
        k: v for k, v in doc.items() if k != "references"
    }
    assert all(ref in doc["references"] for ref in back["references"])


def _line_view(line: Doc) -> Doc:
    keys = (
        "line_number",
        "quantity",
        "uom",
        "unit_price",
        "buyer_part_number",
        "vendor_part_number",
        "upc",
        "gtin",
        "description",
    )
    view = {k: line.get(k) for k in keys if k in line}
    view["item_ids"] = sorted((i["qualifier"], i["value"]) for i in line.get("item_ids", []))
    return view


_NO_IDS: Doc = {
    "buyer_part_number": None,
    "vendor_part_number": None,
    "upc": None,
    "gtin": None,
    "description": None,
    "item_ids": [],
}


def _party_view(party: Doc) -> Doc:
    return {k: party[k] for k in ("role", "name", "id", "id_qualifier", "address")}


@pytest.mark.corpus
@pytest.mark.parametrize("path", X12_SAMPLES, ids=lambda p: p.relative_to(SAMPLES).as_posix())
def test_x12_samples_render_as_valid_cxml(path: Path, corpus: Path) -> None:
    for doc in x12_documents(path):
        if doc["document_type"] == "order" and not any(
            p["role"] == "bill_to" for p in doc["parties"]
        ):
            with pytest.raises(RenderError, match="needs a BillTo"):
                write_cxml(doc, OPTIONS)
            continue
        written = write_cxml(doc, OPTIONS)
        assert valid(written, corpus) == []
        back = read_cxml(written)
        # ShipTo and BillTo come first in cXML, whatever the order of the N1 loops
        assert sorted(map(_party_view, back["parties"]), key=repr) == sorted(
            map(_party_view, doc["parties"]), key=repr
        )
        for field in ("po_number", "invoice_number", "shipment_id", "total_amount", "tax_amount"):
            assert back.get(field) == doc.get(field), field
        if "lines" in doc:
            expected = [_line_view(ln) for ln in doc["lines"]]
            if doc["document_type"] == "order_ack":
                # a ConfirmationItem names its line by number only: no item ids in cXML
                expected = [{**view, **_NO_IDS} for view in expected]
            assert [_line_view(ln) for ln in back["lines"]] == expected
        if doc["document_type"] == "ship_notice":

            def items(d: Doc) -> list[Doc]:
                found = [i for o in d["orders"] for p in o["packs"] for i in p["items"]]
                return [_line_view(i) for i in found + [i for o in d["orders"] for i in o["items"]]]

            assert items(back) == items(doc)


def test_written_document_names_its_dtd() -> None:
    doc = read_cxml((SAMPLES / "cxml" / "invoice-multi-po.xml").read_bytes())
    written = write_cxml(doc)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE cXML SYSTEM ")
    assert b"/cXML/1.2.071/InvoiceDetail.dtd" in written.split(b"\n")[1]
    assert parse_xml(written).get("payloadID") == "20240325070000.314@acmedist.example"


def test_envelope_from_options_and_shared_secret() -> None:
    (doc,) = x12_documents(SAMPLES / "x12" / "850" / "basic-004010.x12")
    written = write_cxml(doc, WriteOptions(payload_id="p1", timestamp="ts", shared_secret="s3"))
    root = parse_xml(written)
    assert (root.get("payloadID"), root.get("timestamp"), root.get("version")) == ("p1", "ts", None)
    assert root.findtext("Header/From/Credential/Identity") == "NWHARDWARE"
    assert root.find("Header/From/Credential").get("domain") == "ZZ"  # type: ignore[union-attr]
    assert root.findtext("Header/Sender/Credential/SharedSecret") == "s3"


def test_a_document_from_x12_needs_a_payload_id() -> None:
    (doc,) = x12_documents(SAMPLES / "x12" / "850" / "basic-004010.x12")
    with pytest.raises(RenderError, match="payloadID"):
        write_cxml(doc)


def test_test_deployment_mode_round_trips() -> None:
    doc = read_cxml((SAMPLES / "cxml" / "order-update.xml").read_bytes())
    assert parse_xml(write_cxml(doc)).find("Request").get("deploymentMode") == "test"  # type: ignore[union-attr]


def test_functional_acks_have_no_cxml_form() -> None:
    (doc,) = x12_documents(SAMPLES / "x12" / "997" / "accepted-004010.x12")
    with pytest.raises(UnsupportedError, match="functional_ack"):
        write_cxml(doc, OPTIONS)


def test_an_invalid_canonical_document_is_refused() -> None:
    with pytest.raises(ValueError):
        write_cxml({"document_type": "order", "po_number": 5, "unknown_field": 1})
