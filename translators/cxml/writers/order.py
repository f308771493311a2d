"""Canonical ``order`` -> cXML OrderRequest (valid against cXML.dtd).

The reverse of `translators.cxml.readers.order`: purpose -> ``type`` (a cXML word kept as sent,
else original/replace/change/cancel -> new/update/update/delete), the first ship_to/bill_to
parties -> ShipTo/BillTo (BillTo is required), other parties -> Contact, terms -> PaymentTerm,
notes -> Comments, references -> DocumentReference / Extrinsic. Lines -> ItemOut, their
ship_to party -> ItemOut ShipTo, other line parties -> ItemOut Contact.
"""

from __future__ import annotations

from typing import Any

from translators.cxml.common import CXML_PURPOSE_WORD, Element
from translators.cxml.writers.common import (
    Json,
    address,
    comments,
    contact,
    date_time,
    description,
    extrinsics,
    find_dates,
    item_id,
    money,
    need,
    split_ids,
    sub,
    take_references,
)

ORDER_TYPES = frozenset(
    ("release", "regular", "blanket", "stockTransport", "stockTransportRelease")
)
PURPOSE_WORDS = frozenset(("new", "update", "delete"))
_HEADER_DATES = ("pickUpDate", "effectiveDate", "expirationDate")


def purpose_word(code: str | None, meaning: str | None, words: frozenset[str]) -> str | None:
    if code in words:
        return code
    return CXML_PURPOSE_WORD.get(meaning or "")


def write_order(request: Element, doc: Json) -> None:
    currency = doc["currency"]
    order = sub(request, "OrderRequest")
    rdd = find_dates(doc, "requestedDeliveryDate")
    attrs: dict[str, str | None] = {
        "orderID": doc["po_number"] or "",
        "orderDate": date_time(doc["po_date"]) or "",
        "type": purpose_word(doc["purpose_code"], doc["purpose"], PURPOSE_WORDS),
        "orderType": doc["order_type_code"] if doc["order_type_code"] in ORDER_TYPES else None,
        "requestedDeliveryDate": date_time(rdd["date"], rdd["time"])
        if rdd and rdd["date"] == doc["requested_delivery_date"]
        else date_time(doc["requested_delivery_date"]),
    }
    for name in _HEADER_DATES:
        ref = find_dates(doc, name)
        if ref is not None:
            attrs[name] = date_time(ref["date"], ref["time"])
    header = sub(order, "OrderRequestHeader", **attrs)
    money(header, "Total", doc["total_amount"], currency)
    parties: list[Json] = list(doc["parties"])
    ship_to = _take(parties, "ship_to")
    bill_to = need(_take(parties, "bill_to"), "parties[bill_to]", "OrderRequest needs a BillTo")
    if ship_to is not None:
        address(sub(header, "ShipTo"), ship_to)
    address(sub(header, "BillTo"), bill_to)
    _payment_terms(header, doc["terms"])
    for party in parties:
        contact(header, party)
    comments(header, doc["notes"])
    for payload_id in take_references(doc["references"], "DocumentReference")[:1]:
        sub(header, "DocumentReference", payloadID=payload_id)
    extrinsics(header, doc["references"], frozenset(("DocumentReference",)))
    for line in need(doc["lines"], "lines", "OrderRequest needs at least one ItemOut"):
        _item_out(order, line, currency)


def _take(parties: list[Json], role: str) -> Json | None:
    for i, party in enumerate(parties):
        if party["role"] == role:
            return parties.pop(i)
    return None


def _payment_terms(header: Element, terms: Json | None) -> None:
    if not terms:
        return
    if terms["discount_percent"] is not None and terms["discount_days"] is not None:
        term = sub(header, "PaymentTerm", payInNumberOfDays=str(terms["discount_days"]))
        sub(sub(term, "Discount"), "DiscountPercent", percent=terms["discount_percent"])
    if terms["net_days"] is not None:
        sub(header, "PaymentTerm", payInNumberOfDays=str(terms["net_days"]))


def _item_out(order: Element, line: dict[str, Any], currency: str | None) -> None:
    item = sub(
        order,
        "ItemOut",
        quantity=line["quantity"] or "",
        lineNumber=line["line_number"],
        requestedDeliveryDate=date_time(line["requested_delivery_date"]),
    )
    ids = split_ids(line["item_ids"])
    item_id(item, ids)
    detail = sub(item, "ItemDetail")
    money(detail, "UnitPrice", line["unit_price"], currency)
    description(detail, line["description"])
    sub(detail, "UnitOfMeasure", line["uom"] or "")
    sub(detail, "Classification", "", domain="custom")  # required; the model carries none
    if ids.manufacturer is not None:
        sub(detail, "ManufacturerPartID", ids.manufacturer)
    parties: list[Json] = list(line["parties"])
    ship_to = _take(parties, "ship_to")
    if ship_to is not None:
        address(sub(item, "ShipTo"), ship_to)
    for party in parties:
        contact(item, party)
