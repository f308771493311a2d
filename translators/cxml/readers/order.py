"""cXML OrderRequest -> canonical ``order``.

OrderRequestHeader gives the order: ``orderID`` the PO number, ``orderDate`` its date, ``type``
(new/update/delete; the DTD's default ``new`` when absent) the purpose, ``orderType`` the order
type, Total its amount and currency, ShipTo/BillTo/Contact its parties, PaymentTerm its terms,
Comments its notes, Extrinsic/IdReference/DocumentReference its references. Each ItemOut is a
line: ItemID/ItemDetail give its ids, price, unit and description; its own ShipTo is a line
party; its Comments join the document's notes, as X12 line NTEs do.
"""

from __future__ import annotations

from translators.canonical.codes import cxml_purpose
from translators.cxml.common import MANUFACTURER_PART, Element
from translators.cxml.readers.common import (
    CANONICAL_DECIMAL,
    DATES,
    ID_QUALIFIER,
    Json,
    add_comment,
    amount,
    attr,
    attr_decimal,
    contact,
    date,
    date_refs,
    decimal_value,
    description,
    document,
    document_reference,
    extrinsic,
    first_child,
    id_reference,
    item_fields,
    item_ids_of_reference,
    money,
    ship_bill_to,
    terms,
    text,
)

#: Header date attributes kept in ``dates`` (orderDate is ``po_date``).
_HEADER_DATES = ("requestedDeliveryDate", "pickUpDate", "effectiveDate", "expirationDate")


def read_order(root: Element, request: Element) -> Json:
    doc = document("order", root, request)
    parties: list[Json] = doc["parties"]
    references: list[Json] = doc["references"]
    notes: list[str] = doc["notes"]
    header = first_child(request, "OrderRequestHeader")
    total = currency = None
    payment_terms: list[Element] = []
    if header is not None:
        for child in header:
            tag = child.tag
            if tag == "Total":
                total, currency = money(child)
            elif tag == "ShipTo" or tag == "BillTo":
                ship_bill_to(child, parties)
            elif tag == "Contact":
                parties.append(contact(child))
            elif tag == "PaymentTerm":
                payment_terms.append(child)
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
        doc["dates"] = date_refs(header, _HEADER_DATES)
        code = attr(header, "type") or "new"
        doc["po_number"] = attr(header, "orderID")
        doc["po_date"] = date(header, "orderDate")
        doc["release_number"] = None
        doc["purpose_code"] = code
        doc["purpose"] = cxml_purpose(code)
        doc["order_type_code"] = attr(header, "orderType")
        doc["currency"] = currency
        doc["requested_delivery_date"] = date(header, "requestedDeliveryDate")
    else:
        doc.update(
            po_number=None,
            po_date=None,
            release_number=None,
            purpose_code=None,
            purpose=None,
            order_type_code=None,
            currency=None,
            requested_delivery_date=None,
        )
    doc["total_amount"] = total
    doc["terms"] = terms(payment_terms)
    doc["lines"] = [order_line(item, notes) for item in request.iterchildren("ItemOut")]
    return doc


def order_line(item: Element, notes: list[str]) -> Json:
    """An ItemOut as an order line.

    This runs once per line and is most of the time `read_cxml` spends on a large order, so it
    reads in one pass over the children and inlines the shared helpers' common cases (plain
    text, canonical decimals, a date already seen, ids that are only ItemID's part numbers);
    anything unusual still goes through them.
    """
    ids: list[Json] = []
    parties: list[Json] = []
    unit_price = uom = desc = maker = None
    vendor = buyer = None  # the first VP and BP while `ids` holds nothing else
    other_ids = False  # an IdReference or a ManufacturerPartID: derive from `ids` in full
    for child in item:
        tag = child.tag
        if tag == "ItemID":
            for part in child:
                qualifier = ID_QUALIFIER.get(part.tag)
                if qualifier is not None:
                    value = part.text
                    if value and (value := value.strip()):
                        ids.append({"qualifier": qualifier, "value": value})
                        if qualifier == "VP":
                            if vendor is None:
                                vendor = value
                        elif qualifier == "BP" and buyer is None:
                            buyer = value
                elif part.tag == "IdReference":
                    ids.extend(item_ids_of_reference(part))
                    other_ids = True
        elif tag == "ItemDetail" or tag == "BlanketItemDetail":
            for field in child:
                name = field.tag
                if name == "UnitPrice":
                    money = field[0] if len(field) else None
                    if money is not None and money.tag == "Money":
                        value = money.text
                        if value and (value := value.strip()):
                            unit_price = (
                                value
                                if CANONICAL_DECIMAL.fullmatch(value)
                                else decimal_value(money, None, value)
                            )
                        else:
                            unit_price = None
                    else:
                        unit_price = amount(field)
                elif name == "Description":
                    if desc is None:
                        value = field.text
                        if value and not len(field):
                            desc = value.strip() or None
                        else:
                            desc = description(field)
                elif name == "UnitOfMeasure":
                    value = field.text
                    uom = value.strip() or None if value else None
                elif name == "ManufacturerPartID":
                    maker = text(field)
        elif tag == "ShipTo":
            ship_bill_to(child, parties)
        elif tag == "Comments":
            add_comment(child, notes)
    if maker is not None:
        ids.append({"qualifier": MANUFACTURER_PART, "value": maker})
        other_ids = True
    number = item.get("lineNumber")
    quantity = item.get("quantity")
    if quantity is None or not CANONICAL_DECIMAL.fullmatch(quantity):
        quantity = attr_decimal(item, "quantity")
    day = item.get("requestedDeliveryDate")
    if day is not None:
        known = DATES.get(day)
        day = known[0] if known is not None else date(item, "requestedDeliveryDate")
    line = {
        "line_number": number.strip() or None if number else None,
        "quantity": quantity,
        "uom": uom,
        "unit_price": unit_price,
        "item_ids": ids,
        "buyer_part_number": buyer,
        "vendor_part_number": vendor,
        "upc": None,
        "gtin": None,
        "description": desc,
        "requested_delivery_date": day,
        "parties": parties,
    }
    if other_ids:
        line.update(item_fields(ids, desc))
    return line
