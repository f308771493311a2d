"""Canonical ``invoice`` -> cXML InvoiceDetailRequest (valid against InvoiceDetail.dtd).

The reverse of `translators.cxml.readers.invoice`. Lines are grouped into one
InvoiceDetailOrder per PO (the lines' ``po_number`` on multi-PO invoices, else the invoice's),
in order of first appearance. Allowances and charges: shipping (G830, and X12 freight D240),
special handling (H090 and any other charge) and discounts (C310 and any other allowance);
line-level ones go on their line (a line's shipping, which cXML ties to a full
InvoiceDetailShipping, goes into the summary), and the summary carries each kind's total, as
cXML summaries do. cXML has one Comments per invoice header: several notes are joined with
line breaks. ``purpose``/``operation`` references become the header attributes again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Final

from translators.cxml.common import (
    DISCOUNT_CODE,
    SHIPPING_CODE,
    SPECIAL_HANDLING_CODE,
    Element,
)
from translators.cxml.writers.common import (
    Json,
    contact,
    date_time,
    description,
    extrinsics,
    find_dates,
    item_id,
    lang_sub,
    money,
    need,
    split_ids,
    sub,
    take_references,
)

PURPOSES: Final = frozenset(
    ("standard", "creditMemo", "debitMemo", "lineLevelCreditMemo", "lineLevelDebitMemo")
)
_FREIGHT = frozenset((SHIPPING_CODE, "D240"))
_SHIPPING_ROLES = frozenset(("ship_from", "ship_to"))
_PLACED = frozenset(("purpose", "operation", "OrderReference", "DocumentReference"))


def _kind(charge: Json) -> str:
    if charge["type"] == "allowance":
        return DISCOUNT_CODE
    return SHIPPING_CODE if charge["code"] in _FREIGHT else SPECIAL_HANDLING_CODE


def _sum(amounts: list[str]) -> str | None:
    if not amounts:
        return None
    return format(sum((Decimal(a) for a in amounts), Decimal(0)), "f")


def write_invoice(request: Element, doc: Json) -> None:
    currency = doc["currency"]
    refs = doc["references"]
    invoice = sub(request, "InvoiceDetailRequest")
    purpose = next(iter(take_references(refs, "purpose")), None)
    operation = next(iter(take_references(refs, "operation")), None)
    header = sub(
        invoice,
        "InvoiceDetailRequestHeader",
        invoiceID=doc["invoice_number"] or "",
        invoiceDate=date_time(doc["invoice_date"]) or "",
        purpose=purpose if purpose in PURPOSES else None,
        operation=operation if operation in ("new", "delete") else None,
    )
    charges = doc["allowances_charges"]
    line_kinds = {_kind(c) for c in charges if c["line_number"] is not None}
    sub(header, "InvoiceDetailHeaderIndicator")
    sub(
        header,
        "InvoiceDetailLineIndicator",
        isSpecialHandlingInLine="yes" if SPECIAL_HANDLING_CODE in line_kinds else None,
        isDiscountInLine="yes" if DISCOUNT_CODE in line_kinds else None,
    )
    shipping = [p for p in doc["parties"] if p["role"] in _SHIPPING_ROLES]
    if len(shipping) < 2:  # InvoiceDetailShipping needs two contacts
        shipping = []
    for party in doc["parties"]:
        if party not in shipping:
            contact(sub(header, "InvoicePartner"), party)
    for payload_id in take_references(refs, "DocumentReference")[:1]:
        sub(header, "DocumentReference", payloadID=payload_id)
    if shipping:
        shipped = find_dates(doc, "shippingDate")
        el = sub(
            header,
            "InvoiceDetailShipping",
            shippingDate=date_time(shipped["date"], shipped["time"]) if shipped else None,
        )
        for party in shipping:
            contact(el, party)
    _payment_terms(header, doc["terms"])
    if doc["notes"]:
        lang_sub(header, "Comments", "\n".join(doc["notes"]))
    extrinsics(header, refs, _PLACED)
    _orders(invoice, doc, currency)
    _summary(invoice, doc, currency)


def _payment_terms(header: Element, terms: Json | None) -> None:
    if not terms:
        return
    if terms["discount_percent"] is not None and terms["discount_days"] is not None:
        term = sub(header, "PaymentTerm", payInNumberOfDays=str(terms["discount_days"]))
        sub(sub(term, "Discount"), "DiscountPercent", percent=terms["discount_percent"])
    if terms["net_days"] is not None:
        sub(header, "PaymentTerm", payInNumberOfDays=str(terms["net_days"]))


def _orders(invoice: Element, doc: Json, currency: str | None) -> None:
    multi = any(line["po_number"] is not None for line in doc["lines"])
    groups: dict[str | None, list[Json]] = {}
    for line in doc["lines"]:
        groups.setdefault(line["po_number"] if multi else doc["po_number"], []).append(line)
    if not groups:
        groups[doc["po_number"]] = []
    payloads = take_references(doc["references"], "OrderReference")
    for i, (po_number, lines) in enumerate(groups.items()):
        order = sub(invoice, "InvoiceDetailOrder")
        reference = sub(
            sub(order, "InvoiceDetailOrderInfo"),
            "OrderReference",
            orderID=po_number,
            orderDate=None if multi else date_time(doc["po_date"]),
        )
        sub(reference, "DocumentReference", payloadID=payloads[i] if i < len(payloads) else "")
        for line in need(lines, "lines", "InvoiceDetailOrder needs at least one line"):
            _item(order, line, doc["allowances_charges"], currency)


def _item(order: Element, line: Json, charges: list[Json], currency: str | None) -> None:
    number = line["line_number"]
    item = sub(
        order,
        "InvoiceDetailItem",
        invoiceLineNumber=number or "",
        quantity=line["quantity"] or "",
    )
    sub(item, "UnitOfMeasure", line["uom"] or "")
    money(item, "UnitPrice", line["unit_price"], currency)
    reference = sub(item, "InvoiceDetailItemReference", lineNumber=number or "")
    ids = split_ids(line["item_ids"])
    item_id(reference, ids, optional=True)
    if line["description"] is not None:
        description(reference, line["description"])
    if ids.manufacturer is not None:
        sub(reference, "ManufacturerPartID", ids.manufacturer)
        lang_sub(reference, "ManufacturerName", "")
    mine = [c for c in charges if c["line_number"] is not None and c["line_number"] == number]
    handling = [c for c in mine if _kind(c) == SPECIAL_HANDLING_CODE and c["amount"] is not None]
    if handling:
        el = sub(item, "InvoiceDetailLineSpecialHandling")
        text = "; ".join(c["description"] for c in handling if c["description"])
        if text:
            description(el, text)
        sub(el, "Money", _sum([c["amount"] for c in handling]), currency=currency or "")
    discounts = [c for c in mine if _kind(c) == DISCOUNT_CODE and c["amount"] is not None]
    if discounts:
        money(item, "InvoiceDetailDiscount", _sum([c["amount"] for c in discounts]), currency)


def _summary(invoice: Element, doc: Json, currency: str | None) -> None:
    summary = sub(invoice, "InvoiceDetailSummary")
    money(summary, "SubtotalAmount", _subtotal(doc["lines"]), currency)
    tax = money(summary, "Tax", doc["tax_amount"], currency)
    description(tax, None)
    charges = [c for c in doc["allowances_charges"] if c["amount"] is not None]
    # A line's shipping has no cXML place of its own here: it counts in the summary only.
    for tag, code in (
        ("SpecialHandlingAmount", SPECIAL_HANDLING_CODE),
        ("ShippingAmount", SHIPPING_CODE),
    ):
        total = _sum([c["amount"] for c in charges if _kind(c) == code])
        if total is not None:
            money(summary, tag, total, currency)
    discount = _sum([c["amount"] for c in charges if _kind(c) == DISCOUNT_CODE])
    if discount is not None:
        money(summary, "InvoiceDetailDiscount", discount, currency)
    money(summary, "NetAmount", doc["total_amount"], currency)


def _subtotal(lines: list[Json]) -> str | None:
    """The lines' extended amounts (cXML requires a SubtotalAmount; it is not read back)."""
    try:
        return _sum(
            [format(Decimal(ln["quantity"]) * Decimal(ln["unit_price"]), "f") for ln in lines]
        )
    except (TypeError, InvalidOperation):
        return None
