"""Canonical ``ship_notice`` -> cXML ShipNoticeRequest (valid against Fulfill.dtd).

The reverse of `translators.cxml.readers.ship_notice`. Each pack's items become ShipNoticeItems
whose Packaging elements name the pack's SSCC and those of the packs around it (innermost
first, each with its ShippingContainerSerialCodeReference); an item split over several packs
is written once per pack, with that pack's quantity. Loose items are written without
Packaging. The X12 HL tree (``hierarchy``) has no cXML form and is not written.
"""

from __future__ import annotations

from typing import Final

from translators.cxml.common import Element
from translators.cxml.writers.common import (
    Json,
    comments,
    contact,
    date_time,
    description,
    extrinsics,
    find_dates,
    item_id,
    lang_sub,
    split_ids,
    sub,
    take_references,
)
from translators.cxml.writers.order import PURPOSE_WORDS, purpose_word

ROUTE_METHODS: Final = frozenset(
    ("air", "motor", "rail", "ship", "mail", "multimodal", "fixedTransport", "inlandWater")
)
#: TD504 transportation method codes with a cXML Route method.
_TD504: Final = {"A": "air", "M": "motor", "R": "rail", "S": "ship", "U": "mail", "X": "multimodal"}
_SCAC_QUALIFIERS: Final = frozenset(("2", "SCAC"))


def write_ship_notice(request: Element, doc: Json) -> None:
    notice = sub(request, "ShipNoticeRequest")
    notice_date = find_dates(doc, "noticeDate")
    shipment_date = find_dates(doc, "shipmentDate")
    ship = date_time(doc["ship_date"], doc["ship_time"])
    if shipment_date is not None:
        shipped = date_time(shipment_date["date"], shipment_date["time"])
    elif notice_date is not None and notice_date["date"] == doc["ship_date"]:
        shipped = None  # the reader took the notice date as the ship date
    else:
        shipped = ship
    attrs: dict[str, str | None] = {
        "shipmentID": doc["shipment_id"] or "",
        "operation": purpose_word(doc["purpose_code"], doc["purpose"], PURPOSE_WORDS),
        "noticeDate": (date_time(notice_date["date"], notice_date["time"]) if notice_date else ship)
        or "",
        "shipmentDate": shipped,
    }
    for name in ("deliveryDate", "requestedDeliveryDate"):
        ref = find_dates(doc, name)
        if ref is not None:
            attrs[name] = date_time(ref["date"], ref["time"])
    header = sub(notice, "ShipNoticeHeader", **attrs)
    refs = doc["references"]
    for payload_id in take_references(refs, "DocumentReference")[:1]:
        sub(header, "DocumentReference", payloadID=payload_id)
    for party in doc["parties"]:
        contact(header, party)
    comments(header, doc["notes"])
    weight = doc["gross_weight"]
    if weight is not None and weight["value"] is not None:
        dim = sub(
            sub(header, "Packaging"), "Dimension", quantity=weight["value"], type="grossWeight"
        )
        sub(dim, "UnitOfMeasure", weight["uom"] or "")
    extrinsics(header, refs, frozenset(("DocumentReference",)))
    _ship_control(notice, doc)
    for order in doc["orders"]:
        _portion(notice, order)


def _ship_control(notice: Element, doc: Json) -> None:
    carrier: Json = doc["carrier"] or {}
    scac = doc["carrier_scac"]
    if not (carrier or scac or doc["tracking_numbers"] or doc["bill_of_lading"]):
        return
    control = sub(notice, "ShipControl")
    written = False
    if scac is not None:
        sub(control, "CarrierIdentifier", scac, domain="SCAC")
        written = True
    carrier_id, qualifier = carrier.get("id"), carrier.get("qualifier")
    if carrier_id is not None and not (carrier_id == scac and qualifier in _SCAC_QUALIFIERS):
        domain = "SCAC" if qualifier in _SCAC_QUALIFIERS else qualifier or ""
        sub(control, "CarrierIdentifier", carrier_id, domain=domain)
        written = True
    if carrier.get("name") is not None or not written:
        sub(control, "CarrierIdentifier", carrier.get("name") or "", domain="companyName")
    for number in doc["tracking_numbers"]:
        sub(control, "ShipmentIdentifier", number, domain="trackingNumber")
    if doc["bill_of_lading"] is not None:
        sub(control, "ShipmentIdentifier", doc["bill_of_lading"], domain="billOfLading")
    if not doc["tracking_numbers"] and doc["bill_of_lading"] is None:
        sub(control, "ShipmentIdentifier", "")  # required; read back as no tracking number
    method = doc["transport_method"]
    method = method if method in ROUTE_METHODS else _TD504.get(method or "")
    if method is not None:
        sub(control, "Route", method=method)


def _portion(notice: Element, order: Json) -> None:
    portion = sub(notice, "ShipNoticePortion")
    refs = order["references"]
    reference = sub(
        portion,
        "OrderReference",
        orderID=order["po_number"],
        orderDate=date_time(order["po_date"]),
    )
    payload = take_references(refs, "OrderReference")
    sub(reference, "DocumentReference", payloadID=payload[0] if payload else "")
    for party in order["parties"]:
        contact(portion, party)
    extrinsics(portion, refs, frozenset(("OrderReference",)))
    parents = {p["sscc"]: p["parent_sscc"] for p in order["packs"] if p["sscc"]}
    for pack in order["packs"]:
        for item in pack["items"]:
            _item(portion, item, _chain(pack["sscc"], parents))
    for item in order["items"]:
        _item(portion, item, [])


def _chain(sscc: str | None, parents: dict[str, str | None]) -> list[tuple[str, str | None]]:
    """``(sscc, parent sscc)`` from a pack out to its outermost container."""
    chain: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    while sscc is not None and sscc not in seen:
        seen.add(sscc)
        parent = parents.get(sscc)
        chain.append((sscc, parent))
        sscc = parent
    return chain


def _item(portion: Element, item: Json, chain: list[tuple[str, str | None]]) -> None:
    el = sub(
        portion,
        "ShipNoticeItem",
        quantity=item["quantity_shipped"] or "",
        lineNumber=item["line_number"] or "",
    )
    ids = split_ids(item["item_ids"])
    item_id(el, ids, optional=True)
    if item["description"] is not None or ids.manufacturer is not None:
        detail = sub(el, "ShipNoticeItemDetail")
        if item["description"] is not None:
            description(detail, item["description"])
        if ids.manufacturer is not None:
            sub(detail, "ManufacturerPartID", ids.manufacturer)
    sub(el, "UnitOfMeasure", item["uom"] or "")
    for sscc, parent in chain:
        packaging = sub(el, "Packaging")
        lang_sub(packaging, "PackagingCode", "")  # required; the model carries no code
        sub(packaging, "ShippingContainerSerialCode", sscc)
        if parent is not None:
            sub(packaging, "ShippingContainerSerialCodeReference", parent)
