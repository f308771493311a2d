"""cXML ShipNoticeRequest -> canonical ``ship_notice``.

ShipNoticeHeader gives the shipment: ``shipmentID``, ``operation`` (new/update/delete; ``new``
when absent, the DTD's default) the purpose, ``shipmentDate`` (else ``noticeDate``) the ship
date and time; every date attribute sent is also in ``dates``, qualified by its name. A header
Packaging Dimension of type grossWeight (else weight) is the gross weight.

ShipControl: the CarrierIdentifier of domain SCAC is ``carrier_scac`` and the carrier id (else
the first non-name identifier, qualified by its domain), the companyName one the carrier name;
ShipmentIdentifiers are the tracking numbers, except one of domain billOfLading; the first
Route ``method`` is the transport method.

Each ShipNoticePortion is one of ``orders`` (OrderReference ``orderID``/``orderDate``, its
Contacts, Extrinsics and the referenced order's payloadID). cXML has no HL tree
(``hierarchy`` stays empty): a ShipNoticeItem's Packaging elements with a
ShippingContainerSerialCode (an SSCC) are its packs. The item goes into the innermost one (the
SSCC no other Packaging of the item names as its ShippingContainerSerialCodeReference), with
the Packaging's DispatchQuantity when it has one; the outer ones are listed with their
``parent_sscc``. Items without an SSCC go into the order's ``items``.
"""

from __future__ import annotations

from translators.canonical.codes import cxml_purpose
from translators.cxml.common import Element
from translators.cxml.readers.common import (
    Json,
    add_comment,
    attr,
    attr_decimal,
    child_text,
    contact,
    date,
    date_refs,
    date_time,
    description,
    document,
    document_reference,
    extrinsic,
    first_child,
    id_reference,
    item_fields,
    item_ids,
    text,
)

_HEADER_DATES = ("noticeDate", "shipmentDate", "deliveryDate", "requestedDeliveryDate")
#: ShippingContainerSerialCode is an SSCC-18: MAN01 "GM" in X12 terms.
SSCC_QUALIFIER = "GM"
BILL_OF_LADING = "billoflading"
SCAC = "scac"
CARRIER_NAME = "companyname"


def read_ship_notice(root: Element, request: Element) -> Json:
    doc = document("ship_notice", root, request)
    header = first_child(request, "ShipNoticeHeader")
    code = shipment_id = ship_date = ship_time = None
    weight: Json | None = None
    if header is not None:
        _header(header, doc)
        shipment_id = attr(header, "shipmentID")
        code = attr(header, "operation") or "new"
        ship_date, ship_time = date_time(header, "shipmentDate")
        if ship_date is None:
            ship_date, ship_time = date_time(header, "noticeDate")
        doc["dates"] = date_refs(header, _HEADER_DATES)
        weight = _gross_weight(first_child(header, "Packaging"))
    doc["shipment_id"] = shipment_id
    doc["purpose_code"] = code
    doc["purpose"] = cxml_purpose(code)
    doc["ship_date"] = ship_date
    doc["ship_time"] = ship_time
    doc.update(_ship_control(list(request.iterchildren("ShipControl"))))
    doc["gross_weight"] = weight
    doc["package_count"] = None
    doc["hierarchy"] = []
    doc["orders"] = [
        _order(portion, doc["notes"]) for portion in request.iterchildren("ShipNoticePortion")
    ]
    return doc


def _header(header: Element, doc: Json) -> None:
    for child in header:
        tag = child.tag
        if tag == "Contact":
            doc["parties"].append(contact(child))
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


def _gross_weight(packaging: Element | None) -> Json | None:
    if packaging is None:
        return None
    found: Json | None = None
    for dim in packaging.iterchildren("Dimension"):
        kind = attr(dim, "type")
        if kind == "grossWeight" or (kind == "weight" and found is None):
            found = {
                "value": attr_decimal(dim, "quantity"),
                "uom": child_text(dim, "UnitOfMeasure"),
            }
            if kind == "grossWeight":
                break
    return found


def _ship_control(controls: list[Element]) -> Json:
    scac = carrier_id = carrier_qualifier = carrier_name = method = bill_of_lading = None
    tracking: list[str] = []
    for control in controls:
        for child in control:
            tag = child.tag
            if tag == "CarrierIdentifier":
                domain = (attr(child, "domain") or "").lower()
                value = text(child)
                if domain == CARRIER_NAME:
                    carrier_name = carrier_name or value
                elif domain == SCAC and scac is None:
                    scac = value
                    carrier_id, carrier_qualifier = value, attr(child, "domain")
                elif carrier_id is None:
                    carrier_id, carrier_qualifier = value, attr(child, "domain")
            elif tag == "ShipmentIdentifier":
                value = text(child)
                if value is None:
                    continue
                if (attr(child, "domain") or "").lower() == BILL_OF_LADING:
                    bill_of_lading = bill_of_lading or value
                else:
                    tracking.append(value)
            elif tag == "Route" and method is None:
                method = attr(child, "method")
            elif tag == "TransportInformation" and method is None:
                route = first_child(child, "Route")
                method = attr(route, "method") if route is not None else None
    carrier = None
    if controls:
        carrier = {"qualifier": carrier_qualifier, "id": carrier_id, "name": carrier_name}
    return {
        "carrier_scac": scac,
        "carrier": carrier,
        "transport_method": method,
        "tracking_numbers": tracking,
        "bill_of_lading": bill_of_lading,
    }


def _order(portion: Element, notes: list[str]) -> Json:
    po_number = po_date = None
    parties: list[Json] = []
    references: list[Json] = []
    packs: dict[str, Json] = {}
    items: list[Json] = []
    for child in portion:
        tag = child.tag
        if tag == "OrderReference":
            po_number = attr(child, "orderID")
            po_date = date(child, "orderDate")
            ref = document_reference(child, "OrderReference")
            if ref is not None:
                references.append(ref)
        elif tag == "Contact":
            parties.append(contact(child))
        elif tag == "Comments":
            add_comment(child, notes)
        elif tag == "Extrinsic":
            references.append(extrinsic(child))
        elif tag == "ShipNoticeItem":
            _place_item(child, packs, items, notes)
    return {
        "po_number": po_number,
        "po_date": po_date,
        "parties": parties,
        "references": references,
        "packs": list(packs.values()),
        "items": items,
    }


def ship_item(item: Element, quantity: str | None = None) -> Json:
    detail = first_child(item, "ShipNoticeItemDetail")
    desc = description(first_child(detail, "Description")) if detail is not None else None
    result: Json = {"line_number": attr(item, "lineNumber")}
    result.update(item_fields(item_ids(first_child(item, "ItemID"), detail), desc))
    result["quantity_shipped"] = (
        quantity if quantity is not None else attr_decimal(item, "quantity")
    )
    result["uom"] = child_text(item, "UnitOfMeasure")
    return result


def _pack(packs: dict[str, Json], sscc: str, parent: str | None) -> Json:
    pack = packs.get(sscc)
    if pack is None:
        pack = {
            "sscc": sscc,
            "marks_qualifier": SSCC_QUALIFIER,
            "parent_sscc": parent,
            "item_line_number": None,
            "items": [],
        }
        packs[sscc] = pack
    elif pack["parent_sscc"] is None:
        pack["parent_sscc"] = parent
    return pack


def _place_item(item: Element, packs: dict[str, Json], items: list[Json], notes: list[str]) -> None:
    for comments in item.iterchildren("Comments"):
        add_comment(comments, notes)
    # (sscc, parent sscc, dispatch quantity) of each Packaging that names an SSCC
    marked: list[tuple[str, str | None, str | None]] = []
    for packaging in item.iterchildren("Packaging"):
        sscc = child_text(packaging, "ShippingContainerSerialCode")
        if sscc is not None:
            dispatch = first_child(packaging, "DispatchQuantity")
            quantity = attr_decimal(dispatch, "quantity") if dispatch is not None else None
            parent = child_text(packaging, "ShippingContainerSerialCodeReference")
            marked.append((sscc, parent, quantity))
    if not marked:
        items.append(ship_item(item))
        return
    parents = {parent for _, parent, _ in marked}
    innermost = [sscc for sscc, _, _ in marked if sscc not in parents]
    for sscc, parent, quantity in marked:
        pack = _pack(packs, sscc, parent)
        if sscc in parents:
            continue
        entry = ship_item(item, quantity)
        if quantity is None and len(innermost) > 1:
            # split over several packs without a DispatchQuantity: each pack's share is unknown
            entry["quantity_shipped"] = None
        pack["items"].append(entry)
