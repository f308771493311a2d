"""cXML InvoiceDetailRequest -> canonical ``invoice``.

InvoiceDetailRequestHeader: ``invoiceID``/``invoiceDate``; ``purpose`` (standard, creditMemo,
...) and ``operation`` (new, delete) are kept in ``references`` under those names (the
canonical invoice has no purpose field); InvoicePartner and InvoiceDetailShipping contacts are
parties; PaymentTerm/InvoiceDetailPaymentTerm the terms.

Each InvoiceDetailOrder names its order in InvoiceDetailOrderInfo (OrderReference, else
OrderIDInfo, ``orderID``/``orderDate``; payloadIDs and agreement ids become references). One
order: its PO is the invoice's ``po_number``. Several: the invoice covers several POs, so
``po_number`` is null and each line carries its own order's ``po_number``.

InvoiceDetailItem/InvoiceDetailServiceItem are the lines. Amounts: summary Tax is
``tax_amount`` (else the sum of line Tax); ShippingAmount, SpecialHandlingAmount and
InvoiceDetailDiscount (line-level forms, then the summary's less what the lines carry) are
charges and allowances with the SAC02 codes an 810 uses for them (G830, H090, C310);
``total_amount`` is NetAmount -- the invoice total after allowances and charges, as TDS01 --
else DueAmount, else GrossAmount.
"""

from __future__ import annotations

from decimal import Decimal

from translators.cxml.common import (
    DISCOUNT_CODE,
    SHIPPING_CODE,
    SPECIAL_HANDLING_CODE,
    Element,
)
from translators.cxml.readers.common import (
    Json,
    add_comment,
    amount,
    attr,
    attr_decimal,
    child_text,
    contact,
    date,
    date_refs,
    description,
    document,
    document_reference,
    extrinsic,
    first_child,
    id_reference,
    item_fields,
    item_ids,
    money,
    terms,
)

_ITEMS = ("InvoiceDetailItem", "InvoiceDetailServiceItem")
_ORDERS = ("InvoiceDetailOrder", "InvoiceDetailHeaderOrder")
_TOTALS = ("NetAmount", "DueAmount", "GrossAmount")


def read_invoice(root: Element, request: Element) -> Json:
    doc = document("invoice", root, request)
    references: list[Json] = doc["references"]
    notes: list[str] = doc["notes"]
    header = first_child(request, "InvoiceDetailRequestHeader")
    payment_terms: list[Element] = []
    invoice_number = invoice_date = None
    if header is not None:
        payment_terms = _header(header, doc)
        invoice_number = attr(header, "invoiceID")
        invoice_date = date(header, "invoiceDate")
        for name in ("purpose", "operation"):
            value = attr(header, name)
            if value is not None:
                references.append({"qualifier": name, "value": value, "description": None})
    lines: list[Json] = []
    charges: list[Json] = []
    line_taxes: list[str] = []
    orders = [el for el in request if el.tag in _ORDERS]
    order_ids: list[tuple[str | None, str | None]] = []
    for order in orders:
        po = _order_info(first_child(order, "InvoiceDetailOrderInfo"), references)
        order_ids.append(po)
        lines.extend(
            _line(item, po[0], charges, line_taxes, notes) for item in order if item.tag in _ITEMS
        )
    po_number = po_date = None
    if len(orders) == 1:
        po_number, po_date = order_ids[0]
        for line in lines:
            line["po_number"] = None
    summary = first_child(request, "InvoiceDetailSummary")
    currency = tax = total = None
    if summary is not None:
        currency = money(first_child(summary, "SubtotalAmount"))[1]
        tax = amount(first_child(summary, "Tax"))
        _summary_charges(summary, charges)
        total = next(
            (a for a in (amount(first_child(summary, t)) for t in _TOTALS) if a is not None), None
        )
    if currency is None:
        currency = next(
            (c for c in (money(p)[1] for p in request.iterfind(".//UnitPrice")) if c), None
        )
    if tax is None and line_taxes:
        tax = format(sum((Decimal(t) for t in line_taxes), Decimal(0)), "f")
    doc["invoice_number"] = invoice_number
    doc["invoice_date"] = invoice_date
    doc["po_number"] = po_number
    doc["po_date"] = po_date
    doc["currency"] = currency
    doc["terms"] = terms(payment_terms)
    doc["lines"] = lines
    doc["allowances_charges"] = charges
    doc["tax_amount"] = tax
    doc["total_amount"] = total
    return doc


def _header(header: Element, doc: Json) -> list[Element]:
    payment_terms: list[Element] = []
    for child in header:
        tag = child.tag
        if tag == "InvoicePartner":
            partner = first_child(child, "Contact")
            if partner is not None:
                doc["parties"].append(contact(partner))
        elif tag == "InvoiceDetailShipping":
            doc["parties"].extend(contact(c) for c in child.iterchildren("Contact"))
            doc["dates"].extend(date_refs(child, ("shippingDate",)))
        elif tag == "PaymentTerm" or tag == "InvoiceDetailPaymentTerm":
            payment_terms.append(child)
        elif tag == "Comments":
            add_comment(child, doc["notes"])
        elif tag == "Extrinsic":
            doc["references"].append(extrinsic(child))
        elif tag == "IdReference":
            doc["references"].append(id_reference(child))
        elif tag == "DocumentReference":
            ref = document_reference(child, "DocumentReference")
            if ref is not None:
                doc["references"].append(ref)
    return payment_terms


def _order_info(info: Element | None, references: list[Json]) -> tuple[str | None, str | None]:
    """``(orderID, orderDate)`` of an order's info; its other ids go to ``references``."""
    po_number = po_date = None
    if info is None:
        return po_number, po_date
    for child in info:
        tag = child.tag
        if tag == "OrderReference" or tag == "OrderIDInfo":
            if po_number is None:
                po_number, po_date = attr(child, "orderID"), date(child, "orderDate")
            ref = document_reference(child, tag) if tag == "OrderReference" else None
            if ref is not None:
                references.append(ref)
        elif tag == "MasterAgreementReference" or tag == "MasterAgreementIDInfo":
            agreement = attr(child, "agreementID")
            if agreement is not None:
                references.append({"qualifier": tag, "value": agreement, "description": None})
            else:
                ref = document_reference(child, tag)
                if ref is not None:
                    references.append(ref)
        elif tag == "SupplierOrderInfo":
            value = attr(child, "orderID")
            if value is not None:
                references.append({"qualifier": tag, "value": value, "description": None})
    return po_number, po_date


def _charge(kind: str, code: str, el: Element, line_number: str | None) -> Json | None:
    value = amount(el)
    if value is None:
        return None
    return {
        "type": kind,
        "code": code,
        "amount": value,
        "description": description(first_child(el, "Description")),
        "line_number": line_number,
    }


_LINE_CHARGES = (
    ("InvoiceDetailLineShipping", "charge", SHIPPING_CODE),
    ("InvoiceDetailLineSpecialHandling", "charge", SPECIAL_HANDLING_CODE),
    ("InvoiceDetailDiscount", "allowance", DISCOUNT_CODE),
)
_SUMMARY_CHARGES = (
    ("SpecialHandlingAmount", "charge", SPECIAL_HANDLING_CODE),
    ("ShippingAmount", "charge", SHIPPING_CODE),
    ("InvoiceDetailDiscount", "allowance", DISCOUNT_CODE),
)


def _summary_charges(summary: Element, charges: list[Json]) -> None:
    """The summary's charges and discount at invoice level.

    cXML summary amounts are totals that include the line-level ones, while canonical
    (X12 SAC) header entries come on top of the line entries; so where lines carry the same
    kind, only a non-zero remainder is an invoice-level entry.
    """
    line_level = [c for c in charges if c["line_number"] is not None]
    for tag, kind, code in _SUMMARY_CHARGES:
        el = first_child(summary, tag)
        if el is None:
            continue
        charge = _charge(kind, code, el, None)
        if charge is None:
            continue
        same = [Decimal(c["amount"]) for c in line_level if c["code"] == code]
        if same:
            rest = Decimal(charge["amount"]) - sum(same, Decimal(0))
            if not rest:
                continue
            charge["amount"] = format(rest, "f")
        charges.append(charge)


def _line(
    item: Element,
    po_number: str | None,
    charges: list[Json],
    taxes: list[str],
    notes: list[str],
) -> Json:
    line_number = attr(item, "invoiceLineNumber")
    ref = first_child(item, "InvoiceDetailItemReference")
    if ref is None:
        ref = first_child(item, "InvoiceDetailServiceItemReference")
    ids: list[Json] = []
    desc = None
    if ref is not None:
        ids = item_ids(first_child(ref, "ItemID"), ref)
        desc = description(first_child(ref, "Description"))
    tax = amount(first_child(item, "Tax"))
    if tax is not None:
        taxes.append(tax)
    for tag, kind, code in _LINE_CHARGES:
        el = first_child(item, tag)
        if el is not None:
            charge = _charge(kind, code, el, line_number)
            if charge is not None:
                charges.append(charge)
    for comments in item.iterchildren("Comments"):
        add_comment(comments, notes)
    line: Json = {
        "line_number": line_number,
        "quantity": attr_decimal(item, "quantity"),
        "uom": child_text(item, "UnitOfMeasure"),
        "unit_price": money(first_child(item, "UnitPrice"))[0],
    }
    line.update(item_fields(ids, desc))
    line["po_number"] = po_number
    return line
