"""UBL 2.0/2.1 documents -> canonical documents (plain JSON-ready dicts, as the cXML readers').

    Order               -> order        (ID po_number, IssueDate po_date, OrderLine/LineItem lines)
    OrderResponseSimple -> order_ack    (AcceptedIndicator status, OrderReference po_number)
    DespatchAdvice      -> ship_notice  (ID shipment_id, DespatchLines grouped by order)
    Invoice             -> invoice      (ID invoice_number, InvoiceLines, AllowanceCharges)

Shared rules: parties by element (`common.PARTY_ROLE`; the element name is the role_code),
references are the document references (qualifier: DocumentTypeCode, else the element name;
description: DocumentType) and contracts; notes are every cbc:Note, header then lines; item ids
by identification element (`common.ITEM_ID_QUALIFIER`, StandardItemIdentification by schemeID).
UBL has no envelope: ``envelope.standard`` is ``ubl``, ``version`` the UBLVersionID and
``transaction_set`` the root element name; ``payload_id`` is the document's UUID.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from translators.canonical.codes import item_conveniences
from translators.errors import UnsupportedError
from translators.ubl.common import (
    ACCEPTED_STATUS,
    CAC,
    CBC,
    DOCUMENT_TYPES,
    ITEM_ID_QUALIFIER,
    PARTY_ROLE,
    SCHEME_QUALIFIER,
    STANDARD_ITEM,
    Element,
    date,
    decimal,
    is_ubl,
    text,
    time,
)

Json = dict[str, Any]


def _b(name: str) -> str:
    return f"{{{CBC}}}{name}"


def _a(name: str) -> str:
    return f"{{{CAC}}}{name}"


def b(el: Element | None, name: str) -> Element | None:
    return None if el is None else el.find(_b(name))


def a(el: Element | None, name: str) -> Element | None:
    return None if el is None else el.find(_a(name))


def a_all(el: Element, name: str) -> list[Element]:
    return el.findall(_a(name))


def btext(el: Element | None, name: str) -> str | None:
    return text(b(el, name))


def local(el: Element) -> str:
    return etree.QName(el).localname


# -- shared parts ------------------------------------------------------------------------------


def envelope(root: Element) -> Json:
    return {
        "standard": "ubl",
        "sender_id": None,
        "sender_qualifier": None,
        "receiver_id": None,
        "receiver_qualifier": None,
        "interchange_control_number": None,
        "group_control_number": None,
        "functional_id": None,
        "version": btext(root, "UBLVersionID"),
        "transaction_set": local(root),
        "transaction_control_number": None,
        "test": False,
        "payload_id": btext(root, "UUID"),
        "timestamp": None,
    }


def document(doc_type: str, root: Element) -> Json:
    return {
        "document_type": doc_type,
        "envelope": envelope(root),
        "warnings": [],
        "parties": parties(root),
        "references": references(root),
        "dates": [],
        "notes": notes(root),
    }


def notes(el: Element) -> list[str]:
    return [value for n in el.findall(_b("Note")) if (value := text(n)) is not None]


def address(el: Element | None) -> Json | None:
    if el is None:
        return None
    lines: list[str] = []
    street = btext(el, "StreetName")
    number = btext(el, "BuildingNumber")
    if street is not None:
        lines.append(f"{street} {number}" if number else street)
    extra = btext(el, "AdditionalStreetName")
    if extra is not None:
        lines.append(extra)
    for line in a_all(el, "AddressLine"):
        value = btext(line, "Line")
        if value is not None:
            lines.append(value)
    return {
        "lines": lines,
        "city": btext(el, "CityName"),
        "state": btext(el, "CountrySubentity"),
        "postal_code": btext(el, "PostalZone"),
        "country": btext(a(el, "Country"), "IdentificationCode"),
    }


_BARE_PARTIES = frozenset({"PayeeParty", "FreightForwarderParty"})


def party(el: Element, role_code: str) -> Json | None:
    """A UBL party (a CustomerParty/SupplierParty wrapper, a Party, or a Location)."""
    role = PARTY_ROLE.get(role_code, role_code)
    if role_code == "DeliveryLocation":
        addr = a(el, "Address")
        if addr is None:
            return None
        ident = b(el, "ID")
        return {
            "role": role,
            "role_code": role_code,
            "name": btext(el, "Name"),
            "id_qualifier": ident.get("schemeID") if ident is not None else None,
            "id": text(ident),
            "address": address(addr),
        }
    # PayeeParty and FreightForwarderParty are parties themselves, the others wrap a Party
    body = el if role_code in _BARE_PARTIES else a(el, "Party")
    if body is None:
        return None
    ident = b(a(body, "PartyIdentification"), "ID")
    if ident is None:
        ident = b(body, "EndpointID")
    return {
        "role": role,
        "role_code": role_code,
        "name": btext(a(body, "PartyName"), "Name"),
        "id_qualifier": ident.get("schemeID") if ident is not None else None,
        "id": text(ident),
        "address": address(a(body, "PostalAddress")),
    }


def parties(root: Element) -> list[Json]:
    found: list[Json] = []
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != CAC:
            continue
        name = local(child)
        if name in PARTY_ROLE and name != "DeliveryLocation":
            p = party(child, name)
            if p is not None:
                found.append(p)
        elif name == "Delivery":
            location = a(child, "DeliveryLocation")
            if location is not None:
                p = party(location, "DeliveryLocation")
                if p is not None:
                    found.append(p)
    return found


_REFERENCE_ELEMENTS = frozenset(
    {
        "QuotationDocumentReference",
        "OrderDocumentReference",
        "OriginatorDocumentReference",
        "AdditionalDocumentReference",
        "ContractDocumentReference",
        "DespatchDocumentReference",
        "Contract",
    }
)


def references(root: Element) -> list[Json]:
    refs: list[Json] = []
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != CAC:
            continue
        name = local(child)
        if name in _REFERENCE_ELEMENTS:
            refs.append(
                {
                    "qualifier": btext(child, "DocumentTypeCode") or name,
                    "value": btext(child, "ID"),
                    "description": btext(child, "DocumentType") or btext(child, "ContractType"),
                }
            )
    return refs


def period_dates(el: Element | None, name: str) -> list[Json]:
    """Start and end of a Period as ``dates[]`` entries qualified ``<name>.StartDate``..."""
    if el is None:
        return []
    found = []
    for edge in ("Start", "End"):
        day = date(b(el, f"{edge}Date"))
        if day is not None:
            found.append(
                {"qualifier": f"{name}.{edge}Date", "date": day, "time": time(b(el, f"{edge}Time"))}
            )
    return found


def item(el: Element | None) -> Json:
    """Item identification and description as the canonical item fields."""
    ids: list[Json] = []
    desc = None
    if el is not None:
        descriptions = [v for d in el.findall(_b("Description")) if (v := text(d)) is not None]
        desc = " ".join(descriptions) or btext(el, "Name")
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = local(child)
            qualifier = ITEM_ID_QUALIFIER.get(name)
            ident = b(child, "ID")
            scheme = ident.get("schemeID") if ident is not None else None
            if qualifier is not None and scheme in ("IN", "VN"):
                qualifier = scheme  # the X12 buyer's / vendor's item number, kept as sent
            elif name == STANDARD_ITEM:
                qualifier = SCHEME_QUALIFIER.get(scheme or "", scheme or "SN")
            elif name == "AdditionalItemIdentification":
                qualifier = scheme or "ZZ"
            if qualifier is not None:
                value = btext(child, "ID")
                if value is not None:
                    ids.append({"qualifier": qualifier, "value": value})
    return {"item_ids": ids, **item_conveniences(ids), "description": desc}


def quantity(el: Element | None) -> tuple[str | None, str | None]:
    if el is None:
        return None, None
    return decimal(el), el.get("unitCode")


def terms(root: Element) -> Json | None:
    payment = a(root, "PaymentTerms")
    if payment is None:
        return None
    texts = [v for n in payment.findall(_b("Note")) if (v := text(n)) is not None]
    percent = decimal(b(payment, "SettlementDiscountPercent"))
    return {
        "type_code": None,
        "basis_date_code": None,
        "discount_percent": percent,
        "discount_days": None,
        "net_days": None,
        "description": " ".join(texts) or None,
    }


def allowance_charge(el: Element, line_number: str | None) -> Json:
    indicator = btext(el, "ChargeIndicator")
    return {
        "type": "charge" if indicator in ("true", "1") else "allowance",
        "code": btext(el, "AllowanceChargeReasonCode"),
        "amount": decimal(b(el, "Amount")),
        "description": btext(el, "AllowanceChargeReason"),
        "line_number": line_number,
    }


# -- the four documents ------------------------------------------------------------------------


def read_order(root: Element) -> Json:
    doc = document("order", root)
    delivery = a(root, "Delivery")
    doc["dates"] = period_dates(a(root, "ValidityPeriod"), "ValidityPeriod") + period_dates(
        a(delivery, "RequestedDeliveryPeriod"), "RequestedDeliveryPeriod"
    )
    total = a(root, "AnticipatedMonetaryTotal")
    doc.update(
        po_number=btext(root, "ID"),
        po_date=date(b(root, "IssueDate")),
        release_number=None,
        purpose_code=None,
        purpose=None,
        order_type_code=btext(root, "OrderTypeCode"),
        currency=btext(root, "DocumentCurrencyCode"),
        requested_delivery_date=date(b(a(delivery, "RequestedDeliveryPeriod"), "StartDate")),
        total_amount=decimal(b(total, "PayableAmount")),
        terms=terms(root),
    )
    lines = []
    for order_line in a_all(root, "OrderLine"):
        doc["notes"].extend(notes(order_line))
        line_item = a(order_line, "LineItem")
        if line_item is None:
            continue
        qty, uom = quantity(b(line_item, "Quantity"))
        line_delivery = a(line_item, "Delivery")
        lines.append(
            {
                "line_number": btext(line_item, "ID"),
                "quantity": qty,
                "uom": uom,
                "unit_price": decimal(b(a(line_item, "Price"), "PriceAmount")),
                **item(a(line_item, "Item")),
                "requested_delivery_date": date(
                    b(a(line_delivery, "RequestedDeliveryPeriod"), "StartDate")
                ),
                "parties": [],
            }
        )
    doc["lines"] = lines
    return doc


def read_order_response_simple(root: Element) -> Json:
    doc = document("order_ack", root)
    accepted = btext(root, "AcceptedIndicator")
    order_ref = a(root, "OrderReference")
    doc["notes"].extend(v for n in root.findall(_b("RejectionNote")) if (v := text(n)))
    doc["references"].insert(
        0, {"qualifier": "OrderResponseSimple", "value": btext(root, "ID"), "description": None}
    )
    doc.update(
        po_number=btext(order_ref, "ID"),
        po_date=date(b(order_ref, "IssueDate")),
        ack_type_code=accepted,
        status=ACCEPTED_STATUS.get(accepted or "", "other") if accepted else None,
        seller_order_number=btext(order_ref, "SalesOrderID"),
        ack_date=date(b(root, "IssueDate")),
        currency=None,
        lines=[],
    )
    return doc


def read_despatch_advice(root: Element) -> Json:
    doc = document("ship_notice", root)
    shipment = a(root, "Shipment")
    delivery = a(shipment, "Delivery")
    despatch = a(delivery, "Despatch")
    consignment = a(shipment, "Consignment")
    carrier_party = a(consignment, "CarrierParty")
    carrier = None
    scac = None
    if carrier_party is not None:
        ident = b(a(carrier_party, "PartyIdentification"), "ID")
        qualifier = ident.get("schemeID") if ident is not None else None
        carrier = {
            "qualifier": "2" if qualifier == "SCAC" else qualifier,
            "id": text(ident),
            "name": btext(a(carrier_party, "PartyName"), "Name"),
        }
        scac = carrier["id"] if qualifier == "SCAC" else None
    weight = b(shipment, "GrossWeightMeasure")
    packages = btext(shipment, "TotalTransportHandlingUnitQuantity")
    tracking = btext(delivery, "TrackingID")
    doc["dates"] = period_dates(a(delivery, "RequestedDeliveryPeriod"), "RequestedDeliveryPeriod")
    doc.update(
        shipment_id=btext(root, "ID"),
        purpose_code=None,
        purpose=None,
        ship_date=date(b(despatch, "ActualDespatchDate")) or date(b(root, "IssueDate")),
        ship_time=time(b(despatch, "ActualDespatchTime")),
        carrier_scac=scac,
        carrier=carrier,
        transport_method=btext(a(shipment, "ShipmentStage"), "TransportModeCode"),
        tracking_numbers=[tracking] if tracking else [],
        bill_of_lading=None,
        gross_weight=(
            {"value": decimal(weight), "uom": weight.get("unitCode")}
            if weight is not None
            else None
        ),
        package_count=int(packages) if packages and packages.isdigit() else None,
        hierarchy=[],
    )
    orders: list[Json] = []
    by_po: dict[str | None, Json] = {}
    for ref in a_all(root, "OrderReference"):
        entry = _ship_order(btext(ref, "ID"), date(b(ref, "IssueDate")))
        orders.append(entry)
        by_po.setdefault(entry["po_number"], entry)
    for line in a_all(root, "DespatchLine"):
        doc["notes"].extend(notes(line))
        line_ref = a(a(line, "OrderLineReference"), "OrderReference")
        po = btext(line_ref, "ID")
        if po is None and len(orders) == 1:
            po = orders[0]["po_number"]
        found = by_po.get(po)
        if found is None:
            found = by_po[po] = _ship_order(po, date(b(line_ref, "IssueDate")))
            orders.append(found)
        qty, uom = quantity(b(line, "DeliveredQuantity"))
        found["items"].append(
            {
                "line_number": btext(line, "ID"),
                **item(a(line, "Item")),
                "quantity_shipped": qty,
                "uom": uom,
            }
        )
    doc["orders"] = orders
    return doc


def _ship_order(po_number: str | None, po_date: str | None) -> Json:
    return {
        "po_number": po_number,
        "po_date": po_date,
        "parties": [],
        "references": [],
        "packs": [],
        "items": [],
    }


def read_invoice(root: Element) -> Json:
    doc = document("invoice", root)
    order_ref = a(root, "OrderReference")
    po_number = btext(order_ref, "ID")
    doc["dates"] = period_dates(a(root, "InvoicePeriod"), "InvoicePeriod")
    due = date(b(root, "DueDate")) or date(b(a(root, "PaymentMeans"), "PaymentDueDate"))
    if due is not None:
        doc["dates"].append({"qualifier": "DueDate", "date": due, "time": None})
    tax = a(root, "TaxTotal")
    total = a(root, "LegalMonetaryTotal")
    charges = [allowance_charge(el, None) for el in a_all(root, "AllowanceCharge")]
    lines = []
    for line in a_all(root, "InvoiceLine"):
        number = btext(line, "ID")
        doc["notes"].extend(notes(line))
        qty, uom = quantity(b(line, "InvoicedQuantity"))
        line_ref = a(a(line, "OrderLineReference"), "OrderReference")
        line_po = btext(line_ref, "ID")
        lines.append(
            {
                "line_number": number,
                "quantity": qty,
                "uom": uom,
                "unit_price": decimal(b(a(line, "Price"), "PriceAmount")),
                **item(a(line, "Item")),
                "po_number": line_po if line_po != po_number else None,
            }
        )
        charges.extend(allowance_charge(el, number) for el in a_all(line, "AllowanceCharge"))
    doc.update(
        invoice_number=btext(root, "ID"),
        invoice_date=date(b(root, "IssueDate")),
        po_number=po_number,
        po_date=date(b(order_ref, "IssueDate")),
        currency=btext(root, "DocumentCurrencyCode"),
        terms=terms(root),
        lines=lines,
        allowances_charges=charges,
        tax_amount=decimal(b(tax, "TaxAmount")),
        total_amount=decimal(b(total, "TaxInclusiveAmount")) or decimal(b(total, "PayableAmount")),
    )
    return doc


READERS: dict[str, Callable[[Element], Json]] = {
    "Order": read_order,
    "OrderResponseSimple": read_order_response_simple,
    "DespatchAdvice": read_despatch_advice,
    "Invoice": read_invoice,
}
assert set(READERS) == set(DOCUMENT_TYPES)


def read_ubl_root(root: Element) -> Json:
    """The canonical document of a parsed UBL document; other UBL types are unsupported."""
    name = etree.QName(root).localname
    reader = READERS.get(name) if is_ubl(root) else None
    if reader is None:
        raise UnsupportedError(f"unsupported: {name} (UBL document type)", kind=name)
    return reader(root)
