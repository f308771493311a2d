"""cXML ConfirmationRequest -> canonical ``order_ack``.

ConfirmationHeader ``type`` is the acknowledgment type and status (accept, detail, reject,
...), ``noticeDate`` the acknowledgment date, ``confirmID`` the seller's order number; the
OrderReference names the PO. Each ConfirmationItem is a line (``lineNumber``, ``quantity``, its
UnitOfMeasure, the first UnitPrice its statuses carry) and each of its ConfirmationStatus
elements one of its ``acks``: ``type`` the status, with its quantity and unit, and its
``deliveryDate`` (else ``shipmentDate``) as the ack date, qualified by that attribute's name.
"""

from __future__ import annotations

from translators.canonical.codes import cxml_line_ack_status, cxml_order_ack_status
from translators.cxml.common import Element
from translators.cxml.readers.common import (
    Json,
    add_comment,
    attr,
    attr_decimal,
    child_text,
    contact,
    date,
    document,
    document_reference,
    extrinsic,
    first_child,
    id_reference,
    item_fields,
    money,
)

#: ConfirmationStatus date attributes, the preferred one first.
ACK_DATES = ("deliveryDate", "shipmentDate")


def read_order_ack(root: Element, request: Element) -> Json:
    doc = document("order_ack", root, request)
    parties: list[Json] = doc["parties"]
    references: list[Json] = doc["references"]
    notes: list[str] = doc["notes"]
    header = first_child(request, "ConfirmationHeader")
    currency = None
    code = seller_order = ack_date = None
    if header is not None:
        for child in header:
            tag = child.tag
            if tag == "Total":
                currency = money(child)[1]
            elif tag == "Contact":
                parties.append(contact(child))
            elif tag == "Comments":
                add_comment(child, notes)
            elif tag == "Extrinsic":
                references.append(extrinsic(child))
            elif tag == "IdReference":
                references.append(id_reference(child))
            elif tag == "DocumentReference":
                ref = document_reference(child, "DocumentReference")
                if ref is not None:
                    references.append(ref)
        invoice_id = attr(header, "invoiceID")
        if invoice_id is not None:
            references.append({"qualifier": "invoiceID", "value": invoice_id, "description": None})
        code = attr(header, "type")
        seller_order = attr(header, "confirmID")
        ack_date = date(header, "noticeDate")
    po_number = po_date = None
    order_ref = first_child(request, "OrderReference")
    if order_ref is not None:
        po_number = attr(order_ref, "orderID")
        po_date = date(order_ref, "orderDate")
        ref = document_reference(order_ref, "OrderReference")
        if ref is not None:
            references.append(ref)
    lines = [_line(item, notes) for item in request.iterchildren("ConfirmationItem")]
    if currency is None:
        currency = next((c for _, c in _prices(request) if c is not None), None)
    doc["po_number"] = po_number
    doc["po_date"] = po_date
    doc["ack_type_code"] = code
    doc["status"] = cxml_order_ack_status(code)
    doc["seller_order_number"] = seller_order
    doc["ack_date"] = ack_date
    doc["currency"] = currency
    doc["lines"] = lines
    return doc


def _prices(request: Element) -> list[tuple[str | None, str | None]]:
    return [money(p) for p in request.iterfind("ConfirmationItem/ConfirmationStatus/UnitPrice")]


def line_ack(status: Element) -> Json:
    code = attr(status, "type")
    qualifier = day = None
    for name in ACK_DATES:
        day = date(status, name)
        if day is not None:
            qualifier = name
            break
    return {
        "status_code": code,
        "status": cxml_line_ack_status(code),
        "quantity": attr_decimal(status, "quantity"),
        "uom": child_text(status, "UnitOfMeasure"),
        "date_qualifier": qualifier,
        "date": day,
    }


def _line(item: Element, notes: list[str]) -> Json:
    parties: list[Json] = []
    acks: list[Json] = []
    unit_price = None
    for child in item:
        tag = child.tag
        if tag == "Contact":
            parties.append(contact(child))
        elif tag == "ConfirmationStatus":
            acks.append(line_ack(child))
            if unit_price is None:
                unit_price = money(first_child(child, "UnitPrice"))[0]
            for comments in child.iterchildren("Comments"):
                add_comment(comments, notes)
    line: Json = {
        "line_number": attr(item, "lineNumber"),
        "quantity": attr_decimal(item, "quantity"),
        "uom": child_text(item, "UnitOfMeasure"),
        "unit_price": unit_price,
    }
    line.update(item_fields([], None))
    first = acks[0] if acks else None
    line["requested_delivery_date"] = None
    line["parties"] = parties
    line["acks"] = acks
    line["status_code"] = first["status_code"] if first else None
    line["status"] = first["status"] if first else None
    line["scheduled_date"] = next((a["date"] for a in acks if a["date"] is not None), None)
    return line
