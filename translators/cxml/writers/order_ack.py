"""Canonical ``order_ack`` -> cXML ConfirmationRequest (valid against Fulfill.dtd).

The reverse of `translators.cxml.readers.order_ack`. Acknowledgment and line statuses keep
their cXML words when they are ones (``detail``, ``backordered``); codes from X12 (BAK02 AC,
ACK01 IB) are written as the cXML word of their meaning. An ack date goes to ``deliveryDate``
or ``shipmentDate`` by its qualifier (cXML names, or X12 067/017/002 delivery, 068/010 ship).
"""

from __future__ import annotations

from typing import Final

from translators.cxml.common import Element
from translators.cxml.writers.common import (
    Json,
    comments,
    contact,
    date_time,
    extrinsics,
    money,
    need,
    sub,
    take_references,
)

HEADER_TYPES: Final = frozenset(
    ("accept", "allDetail", "detail", "backordered", "except", "reject", "requestToPay", "replace")
)
STATUS_TYPES: Final = frozenset(
    ("accept", "allDetail", "detail", "backordered", "reject", "unknown", "requestToPay")
)
#: Canonical statuses (codes.ORDER_ACK_STATUS / LINE_ACK_STATUS meanings) as cXML words.
_HEADER_WORD: Final = {
    "accepted": "accept",
    "accepted_with_changes": "detail",
    "rejected": "reject",
    "on_hold": "except",
    "no_ack_needed": "accept",
}
_LINE_WORD: Final = {
    "accepted": "accept",
    "backordered": "backordered",
    "rejected": "reject",
    "deleted": "reject",
    "changed": "detail",
    "price_changed": "detail",
    "quantity_changed": "detail",
    "rescheduled": "detail",
    "substituted": "detail",
}
_DELIVERY: Final = frozenset(("deliveryDate", "067", "017", "002"))
_SHIPMENT: Final = frozenset(("shipmentDate", "068", "010"))
_PLACED: Final = frozenset(("OrderReference", "DocumentReference", "invoiceID"))


def write_order_ack(request: Element, doc: Json) -> None:
    confirmation = sub(request, "ConfirmationRequest")
    code = doc["ack_type_code"]
    kind = code if code in HEADER_TYPES else _HEADER_WORD.get(doc["status"] or "")
    refs = doc["references"]
    header = sub(
        confirmation,
        "ConfirmationHeader",
        confirmID=doc["seller_order_number"],
        invoiceID=next(iter(take_references(refs, "invoiceID")), None),
        noticeDate=date_time(doc["ack_date"]) or "",
        type=need(kind, "status", "ConfirmationHeader needs a type"),
    )
    for payload_id in take_references(refs, "DocumentReference")[:1]:
        sub(header, "DocumentReference", payloadID=payload_id)
    currency = doc["currency"]
    if currency and not any(line["unit_price"] for line in doc["lines"]):
        money(header, "Total", None, currency)  # the only place left to say the currency
    for party in doc["parties"]:
        contact(header, party)
    comments(header, doc["notes"])
    extrinsics(header, refs, _PLACED)
    reference = sub(
        confirmation,
        "OrderReference",
        orderID=doc["po_number"],
        orderDate=date_time(doc["po_date"]),
    )
    order_payload = take_references(refs, "OrderReference")
    sub(reference, "DocumentReference", payloadID=order_payload[0] if order_payload else "")
    for line in doc["lines"]:
        _item(confirmation, line, currency)


def _item(confirmation: Element, line: Json, currency: str | None) -> None:
    where = f"lines[{line['line_number']}].acks"
    acks = need(line["acks"], where, "ConfirmationItem needs a ConfirmationStatus")
    item = sub(
        confirmation,
        "ConfirmationItem",
        quantity=line["quantity"] or "",
        lineNumber=line["line_number"] or "",
    )
    sub(item, "UnitOfMeasure", line["uom"] or "")
    for party in line["parties"]:
        contact(item, party)
    for i, ack in enumerate(acks):
        code = ack["status_code"]
        kind = code if code in STATUS_TYPES else _LINE_WORD.get(ack["status"] or "", "unknown")
        qualifier = ack["date_qualifier"]
        day = date_time(ack["date"])
        status = sub(
            item,
            "ConfirmationStatus",
            quantity=ack["quantity"] or "",
            type=kind,
            deliveryDate=day if qualifier in _DELIVERY else None,
            shipmentDate=day if qualifier in _SHIPMENT else None,
        )
        sub(status, "UnitOfMeasure", ack["uom"] or "")
        if i == 0 and line["unit_price"] is not None:
            money(status, "UnitPrice", line["unit_price"], currency)
