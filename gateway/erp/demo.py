"""The demo ERP: a small reference ERP that answers each order with an acknowledgment.

It is the default ERP target of the embedded mode (``edi-gateway serve``), so a new user sees
the whole loop: an 850 comes in, the "ERP" checks its stock, and an 855 goes back.

What it does with an ``order``:

- each line's item is looked up by vendor part number, buyer part number, UPC, GTIN, then any
  other id on the line, in the catalogue (``DEFAULT_CATALOGUE``: the items of the sample
  orders plus a few more, 20 in all) or directly among the stock table's keys;
- a known item with enough stock is accepted (ACK ``IA``, ship date 068 = today) and the stock
  goes down; with too little, what is in stock is accepted and the shortfall backordered in a
  second ACK (``IB``, ship date 068 = today + 14 days); with none, the whole line is
  backordered. Items in the catalogue but missing from the stock table have stock 0;
- an item it does not know, or a line without a positive quantity, is rejected (``IR``);
- the acknowledgment is ``AD`` (accepted) when every line was accepted as ordered, ``RJ`` when
  every line was rejected, ``AC`` (accepted with changes) otherwise; its
  ``seller_order_number`` is derived from the document id; its parties are the order's (the
  ship-to and bill-to stay what the buyer sent), and its envelope is null (the outbound step
  addresses it back to the partner).

Test documents are treated like live ones (it is all make-believe stock). Cancellations
(purpose ``01``) and documents of other types are accepted with a reference and
no reply. Delivering a document id again returns the first answer (``already_had``) and
touches no stock. Stock and the processed map are any ``MutableMapping`` (in memory by
default), so the same code can sit on a persistent table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import orjson
from pydantic import ValidationError

from gateway.erp.base import DeliveryResult, PermanentErpError
from translators.canonical import (
    LineAck,
    Order,
    OrderAck,
    OrderAckLine,
    OrderLine,
    codes,
    dump_document,
    parse_document,
)

BACKORDER_DAYS = 14
SHIP_DATE = "068"  # ACK04: current schedule ship
_CANCEL = "01"
_CONFIG_KEYS = frozenset({"stock", "backorder_days"})


@dataclass(frozen=True, slots=True)
class DemoItem:
    """An item the demo ERP sells.

    ``sku`` is its own item number, which partners order as the vendor part number (VP);
    ``aliases`` are its other ids: UPC, GTIN, and customers' own part numbers (BP/IN).
    ``stock`` is what a fresh stock table starts with.
    """

    sku: str
    description: str
    stock: int = 0
    aliases: tuple[str, ...] = ()

    def ids(self) -> tuple[str, ...]:
        return (self.sku, *self.aliases)


def _item(sku: str, stock: int, description: str, *aliases: str) -> DemoItem:
    return DemoItem(sku, description, stock, aliases)


# The items of the sample orders (samples/x12/850), with stock chosen so that the basic order
# shows an accepted line, a split line and a backordered one, and a few more for tests.
DEFAULT_CATALOGUE: tuple[DemoItem, ...] = (
    _item("AC-HX-1420", 500, "HEX BOLT 1/2-13 X 2 IN ZINC 50PK", "073462100151", "NW-100234"),
    _item("AC-WN-0512", 240, "WING NUT 5/16-18 ZINC 100PK", "073462100229", "NW-100871"),
    _item("AC-TP-4805", 4, "DUCT TAPE 48MM X 55M SILVER 24/CS", "073462100397", "NW-204410"),
    _item("AC-DR-2010", 0, "CORDLESS DRILL 20V BRUSHLESS KIT", "073462100465", "NW-330917"),
    _item("AC-NP-1PLY", 120, "DINNER NAPKIN 1-PLY WHITE 3000/CS", "10084512200117", "GLF-880112"),
    _item("AC-CP-12H", 60, "HOT CUP 12 OZ PAPER 1000/CS", "10084512200124", "GLF-880140"),
    _item("AC-ST-775W", 40, "WRAPPED STRAW 7.75 IN WHITE 24 BX/CS", "10084512200131", "GLF-880210"),
    _item("AC-GL-NTR-M", 400, "NITRILE EXAM GLOVES MEDIUM 100/BX", "050128344012", "BRM-55120"),
    _item("AC-SY-10CC", 30, "SYRINGE 10 ML LUER LOCK STERILE 100/CS", "050128344029", "BRM-55340"),
    _item("AC-AP-ALC", 5000, "ALCOHOL PREP PAD MEDIUM STERILE", "050128344036", "BRM-56010"),
    _item("AC-HX-1430", 300, "HEX BOLT 1/2-13 X 3 IN ZINC 50PK", "073462100168"),
    _item("AC-WS-0500", 800, "FLAT WASHER 1/2 IN ZINC 100PK", "073462100236"),
    _item("AC-TP-2405", 25, "MASKING TAPE 24MM X 55M 36/CS", "073462100403"),
    _item("AC-DR-2015", 75, "DRILL BIT SET 29 PC HSS", "073462100472"),
    _item("AC-SH-0900", 150, "SAFETY GLASSES CLEAR ANTI-FOG", "073462100489"),
    _item("AC-GL-NTR-L", 350, "NITRILE EXAM GLOVES LARGE 100/BX", "050128344043"),
    _item("AC-GZ-4X4", 0, "GAUZE SPONGE 4X4 IN STERILE 50/BX", "050128344050"),
    _item("AC-CP-16H", 45, "HOT CUP 16 OZ PAPER 1000/CS", "10084512200148"),
    _item("AC-LD-12H", 80, "HOT CUP LID 12 OZ WHITE 1000/CS", "10084512200155"),
    _item("AC-NP-2PLY", 0, "DINNER NAPKIN 2-PLY WHITE 3000/CS", "10084512200162"),
)


def default_stock(catalogue: Iterable[DemoItem] = DEFAULT_CATALOGUE) -> dict[str, int]:
    """A fresh stock table (SKU -> quantity on hand) seeded from a catalogue."""
    return {item.sku: item.stock for item in catalogue}


def _digest(document_id: str) -> str:
    return hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:10].upper()


def seller_order_number(document_id: str) -> str:
    """The demo ERP's order number for a delivered order: the same for the same document."""
    return f"SO-{_digest(document_id)}"


class DemoErp:
    """An in-process reference ERP; see the module docstring for its rules."""

    def __init__(
        self,
        stock: MutableMapping[str, int] | None = None,
        *,
        name: str = "demo",
        catalogue: Iterable[DemoItem] = DEFAULT_CATALOGUE,
        processed: MutableMapping[str, bytes] | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        backorder_days: int = BACKORDER_DAYS,
    ):
        items = tuple(catalogue)
        self.name = name
        self.stock: MutableMapping[str, int] = default_stock(items) if stock is None else stock
        self.processed: MutableMapping[str, bytes] = {} if processed is None else processed
        self.backorder_days = backorder_days
        self._today = today
        self._index = {key: item.sku for item in items for key in item.ids()}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, *, name: str, config: Mapping[str, Any], secret: str | None) -> DemoErp:
        """Build from a target's configuration: optional ``stock`` overrides, ``backorder_days``."""
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            raise PermanentErpError(
                f"unknown demo setting(s) {', '.join(unknown)}; expected stock, backorder_days",
                target=name,
            )
        stock = default_stock()
        overrides = config.get("stock", {})
        if not isinstance(overrides, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in overrides.items()
        ):
            raise PermanentErpError("demo stock must map item numbers to integers", target=name)
        stock.update(overrides)
        days = config.get("backorder_days", BACKORDER_DAYS)
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise PermanentErpError("backorder_days must be a whole number >= 0", target=name)
        return cls(stock, name=name, backorder_days=days)

    def find_sku(self, line: OrderLine) -> str | None:
        """The stock key of a line's item, or None when the demo ERP does not know it."""
        candidates = [
            line.vendor_part_number,
            line.buyer_part_number,
            line.upc,
            line.gtin,
            *(item_id.value for item_id in line.item_ids),
        ]
        for key in candidates:
            if key is None:
                continue
            if key in self._index:
                return self._index[key]
            if key in self.stock:
                return key
        return None

    def deliver(
        self,
        document: Mapping[str, Any],
        *,
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryResult:
        with self._lock:
            done = self.processed.get(document_id)
            if done is not None:
                first = orjson.loads(done)
                return DeliveryResult(
                    reference=first["reference"], already_had=True, replies=first["replies"]
                )
            result = self._process(document, document_id)
            self.processed[document_id] = orjson.dumps(
                {"reference": result.reference, "replies": result.replies}
            )
            return result

    def _process(self, document: Mapping[str, Any], document_id: str) -> DeliveryResult:
        if document.get("document_type") != "order":
            return DeliveryResult(reference=f"DEMO-{_digest(document_id)}")
        try:
            order = parse_document(document)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise PermanentErpError(
                f"the demo ERP cannot read this order ({exc.error_count()} error(s); "
                f"first at {where}: {first['msg']})",
                target=self.name,
                document_id=document_id,
            ) from exc
        if not isinstance(order, Order):  # cannot happen: document_type selects the model
            raise PermanentErpError("not an order", target=self.name, document_id=document_id)
        reference = seller_order_number(document_id)
        if order.purpose_code == _CANCEL:
            return DeliveryResult(reference=reference)
        ack = self._acknowledge(order, reference)
        return DeliveryResult(reference=reference, replies=[dump_document(ack)])

    def _acknowledge(self, order: Order, reference: str) -> OrderAck:
        today = self._today()
        lines = [self._acknowledge_line(line, today) for line in order.lines]
        codes_sent = [[ack.status_code for ack in line.acks] for line in lines]
        if all(line_codes == ["IA"] for line_codes in codes_sent):
            ack_type = "AD"
        elif codes_sent and all(line_codes == ["IR"] for line_codes in codes_sent):
            ack_type = "RJ"
        else:
            ack_type = "AC"
        return OrderAck(
            envelope=None,
            parties=order.parties,
            po_number=order.po_number,
            po_date=order.po_date,
            ack_type_code=ack_type,
            status=codes.order_ack_status(ack_type),
            seller_order_number=reference,
            ack_date=today,
            currency=order.currency,
            lines=lines,
        )

    def _acknowledge_line(self, line: OrderLine, today: dt.date) -> OrderAckLine:
        quantity, uom = line.quantity, line.uom
        sku = self.find_sku(line)
        if sku is None or quantity is None or quantity <= 0:
            acks = [_ack("IR", quantity, uom)]
        else:
            on_hand = Decimal(max(self.stock.get(sku, 0), 0))
            allocated = min(quantity, on_hand)
            shortfall = quantity - allocated
            acks = []
            if allocated > 0:
                # Keep the scale the buyer used ("48.00" ordered -> "30.00" accepted).
                exponent = quantity.as_tuple().exponent
                shown = allocated
                if isinstance(exponent, int) and exponent < 0:
                    shown = allocated.quantize(quantity)
                acks.append(_ack("IA", shown, uom, today))
                remaining = (on_hand - allocated).to_integral_value(rounding=ROUND_FLOOR)
                self.stock[sku] = int(remaining)
            if shortfall > 0:
                later = today + dt.timedelta(days=self.backorder_days)
                acks.append(_ack("IB", shortfall, uom, later))
        first = acks[0]
        scheduled = next(
            (a.date for a in acks if a.date_qualifier in codes.SCHEDULED_DATE_QUALIFIERS), None
        )
        return OrderAckLine(
            **line.model_dump(),
            acks=acks,
            status_code=first.status_code,
            status=first.status,
            scheduled_date=scheduled,
        )


def _ack(
    code: str, quantity: Decimal | None, uom: str | None, ship: dt.date | None = None
) -> LineAck:
    return LineAck(
        status_code=code,
        status=codes.line_ack_status(code),
        quantity=quantity,
        uom=uom,
        date_qualifier=SHIP_DATE if ship is not None else None,
        date=ship,
    )
