"""Canonical documents -> UBL 2.1 (Order, OrderResponseSimple, DespatchAdvice, Invoice).

The mirror of `readers`: what a reader takes from an element, the writer puts back there, so a
UBL document read, written and read again gives the same canonical document (envelope aside:
the writers always produce UBLVersionID 2.1). Elements are written in the order the OASIS
schemas' sequences require; the produced documents validate against the UBL 2.1 XSDs.

A value UBL requires that the canonical document lacks (an Order's IssueDate, an invoice's
number) raises `UblError` naming the canonical field. Amounts carry the document's currency
(``XXX``, ISO 4217's "no currency", when it has none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from translators.ubl.common import (
    ACCEPTED_STATUS,
    CAC,
    CBC,
    ITEM_ID_QUALIFIER,
    NO_CURRENCY,
    QUALIFIER_SCHEME,
    ROOTS,
    STANDARD_ITEM,
    Element,
    UblError,
    document_namespace,
)

Json = Mapping[str, Any]

_QUALIFIER_ELEMENT = {q: name for name, q in ITEM_ID_QUALIFIER.items()}
_ROLE_ELEMENT = {
    "buyer": "BuyerCustomerParty",
    "seller": "SellerSupplierParty",
    "ordered_by": "OriginatorCustomerParty",
    "bill_to": "AccountingCustomerParty",
    "remit_to": "AccountingSupplierParty",
    "payee": "PayeeParty",
    "ship_from": "DespatchSupplierParty",
    "ship_to": "DeliveryCustomerParty",
    "freight_forwarder": "FreightForwarderParty",
}


def _xs_time(value: Any) -> Any:
    """A canonical time (HH:MM or HH:MM:SS) as xs:time, which requires the seconds."""
    if isinstance(value, str) and len(value) == 5:
        return value + ":00"
    return value


def _s(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class _Writer:
    """Builds one document; ``cur`` is its currency for every amount."""

    def __init__(self, root_name: str, doc: Json):
        self.doc = doc
        self.currency = doc.get("currency") or NO_CURRENCY
        self.root = etree.Element(
            f"{{{document_namespace(root_name)}}}{root_name}",
            nsmap={None: document_namespace(root_name), "cac": CAC, "cbc": CBC},
        )

    def b(self, parent: Element, name: str, value: Any, **attrs: str) -> Element | None:
        if value is None or value == "":
            return None
        el = etree.SubElement(parent, f"{{{CBC}}}{name}", {k: v for k, v in attrs.items() if v})
        el.text = _s(value)
        return el

    def a(self, parent: Element, name: str) -> Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    def amount(self, parent: Element, name: str, value: Any) -> None:
        self.b(parent, name, value, currencyID=self.currency)

    def required(self, field: str) -> Any:
        value = self.doc.get(field)
        if value is None or value == "":
            raise UblError(
                f"cannot write UBL {etree.QName(self.root).localname}: {field} is required"
            )
        return value

    # -- shared parts --------------------------------------------------------------------------

    def header(self, id_field: str, date_field: str, *, id_value: Any = None) -> None:
        root = self.root
        self.b(root, "UBLVersionID", "2.1")
        self.b(root, "ID", id_value if id_value is not None else self.required(id_field))
        envelope = self.doc.get("envelope") or {}
        self.b(root, "UUID", envelope.get("payload_id"))
        self.b(root, "IssueDate", self.required(date_field))

    def notes(self, parent: Element, notes: list[Any]) -> None:
        for note in notes:
            self.b(parent, "Note", note)

    def address(self, parent: Element, name: str, addr: Json | None) -> None:
        if not addr:
            return
        el = self.a(parent, name)
        lines = list(addr.get("lines") or [])
        if lines:
            self.b(el, "StreetName", lines.pop(0))
        if lines:
            self.b(el, "AdditionalStreetName", lines.pop(0))
        self.b(el, "CityName", addr.get("city"))
        self.b(el, "PostalZone", addr.get("postal_code"))
        self.b(el, "CountrySubentity", addr.get("state"))
        for line in lines:
            self.b(self.a(el, "AddressLine"), "Line", line)
        if addr.get("country"):
            self.b(self.a(el, "Country"), "IdentificationCode", addr["country"])

    def party_body(self, parent: Element, party: Json) -> None:
        body = self.a(parent, "Party")
        if party.get("id"):
            ident = self.a(body, "PartyIdentification")
            self.b(ident, "ID", party["id"], schemeID=party.get("id_qualifier") or "")
        if party.get("name"):
            self.b(self.a(body, "PartyName"), "Name", party["name"])
        self.address(body, "PostalAddress", party.get("address"))

    def party(self, name: str, *, required: bool = False) -> None:
        """The party written as element ``name`` (by role_code, else by role)."""
        found = self._party_for(name)
        if found is None:
            if required:
                self.a(self.root, name)
            return
        wrapper = self.a(self.root, name)
        if name == "PayeeParty" or name == "FreightForwarderParty":
            # these are PartyType themselves, not a wrapper around a Party
            tmp = etree.Element("tmp")
            self.party_body(tmp, found)
            for child in tmp[0]:
                wrapper.append(child)
        else:
            self.party_body(wrapper, found)

    def _party_for(self, name: str) -> Json | None:
        parties = self.doc.get("parties") or []
        for p in parties:
            if p.get("role_code") == name:
                return dict(p)
        for p in parties:
            if p.get("role_code") not in ROLE_CODES and _ROLE_ELEMENT.get(p.get("role")) == name:
                return dict(p)
        return None

    def delivery_location(self, parent: Element) -> None:
        found = self._party_for("DeliveryLocation")
        if found is None or not found.get("address"):
            return
        location = self.a(parent, "DeliveryLocation")
        if found.get("id"):
            self.b(location, "ID", found["id"], schemeID=found.get("id_qualifier") or "")
        self.b(location, "Name", found.get("name"))
        self.address(location, "Address", found.get("address"))

    def references(self, allowed: tuple[str, ...]) -> None:
        """References in the order the schema wants; ``allowed`` names the elements (in that
        order) this document type has; others go to AdditionalDocumentReference by code."""
        own = etree.QName(self.root).localname  # the document's own ID, written as its ID
        refs = [
            r
            for r in self.doc.get("references") or []
            if r.get("value") and r.get("qualifier") != own
        ]
        for name in allowed:
            for ref in refs:
                qualifier = ref.get("qualifier")
                target = qualifier if qualifier in allowed else "AdditionalDocumentReference"
                if target != name:
                    continue
                el = self.a(self.root, name)
                self.b(el, "ID", ref["value"])
                if name == "Contract":
                    self.b(el, "ContractType", ref.get("description"))
                    continue
                if qualifier != name:
                    self.b(el, "DocumentTypeCode", qualifier)
                self.b(el, "DocumentType", ref.get("description"))

    def period(self, parent: Element, name: str, prefix: str) -> None:
        dates = {d.get("qualifier"): d for d in self.doc.get("dates") or []}
        start, end = dates.get(f"{prefix}.StartDate"), dates.get(f"{prefix}.EndDate")
        if start is None and end is None:
            return
        el = self.a(parent, name)
        for edge, entry in (("Start", start), ("End", end)):
            if entry is not None:
                self.b(el, f"{edge}Date", entry.get("date"))
                self.b(el, f"{edge}Time", _xs_time(entry.get("time")))

    def item(self, parent: Element, line: Json) -> None:
        """Item ids in the elements the reader takes them from: the buyer's (BP, else IN) and
        seller's (VP, else VN) part numbers, manufacturer's (MG), one standard id (GTIN, EAN,
        UPC...), and every other id as an AdditionalItemIdentification with its qualifier as
        schemeID. IN and VN keep their qualifier as the schemeID."""
        el = self.a(parent, "Item")
        self.b(el, "Description", line.get("description"))
        rest: list[Json] = [i for i in line.get("item_ids") or [] if i.get("value")]

        def take(qualifiers: tuple[str, ...]) -> Json | None:
            for qualifier in qualifiers:
                for i in rest:
                    if i.get("qualifier") == qualifier:
                        rest.remove(i)
                        return i
            return None

        for name, qualifiers in (
            ("BuyersItemIdentification", ("BP", "IN")),
            ("SellersItemIdentification", ("VP", "VN")),
        ):
            found = take(qualifiers)
            if found is not None:
                scheme = found["qualifier"] if found["qualifier"] in ("IN", "VN") else ""
                self.b(self.a(el, name), "ID", found["value"], schemeID=scheme)
        while (maker := take(("MG",))) is not None:
            self.b(self.a(el, "ManufacturersItemIdentification"), "ID", maker["value"])
        standard = take(tuple(QUALIFIER_SCHEME))
        if standard is not None:
            scheme = QUALIFIER_SCHEME[standard["qualifier"]]
            self.b(self.a(el, STANDARD_ITEM), "ID", standard["value"], schemeID=scheme)
        for other in rest:
            self.b(
                self.a(el, "AdditionalItemIdentification"),
                "ID",
                other["value"],
                schemeID=other.get("qualifier") or "",
            )

    def quantity(self, parent: Element, name: str, value: Any, uom: Any) -> None:
        self.b(parent, name, value, unitCode=uom or "")

    def terms(self) -> None:
        terms = self.doc.get("terms")
        if not terms:
            return
        el = self.a(self.root, "PaymentTerms")
        self.b(el, "Note", terms.get("description"))
        self.b(el, "SettlementDiscountPercent", terms.get("discount_percent"))

    def allowance_charge(self, parent: Element, ac: Json) -> None:
        el = self.a(parent, "AllowanceCharge")
        self.b(el, "ChargeIndicator", "true" if ac.get("type") == "charge" else "false")
        self.b(el, "AllowanceChargeReasonCode", ac.get("code"))
        self.b(el, "AllowanceChargeReason", ac.get("description"))
        self.amount(el, "Amount", ac.get("amount") if ac.get("amount") is not None else "0")

    def tostring(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8"))


ROLE_CODES = frozenset(_ROLE_ELEMENT.values()) | {"DeliveryLocation"}


def _date_entry(doc: Json, qualifier: str) -> Any:
    for d in doc.get("dates") or []:
        if d.get("qualifier") == qualifier:
            return d.get("date")
    return None


def write_order(doc: Json) -> bytes:
    w = _Writer("Order", doc)
    root = w.root
    w.header("po_number", "po_date")
    w.b(root, "OrderTypeCode", doc.get("order_type_code"))
    w.notes(root, doc.get("notes") or [])
    w.b(root, "DocumentCurrencyCode", doc.get("currency"))
    w.period(root, "ValidityPeriod", "ValidityPeriod")
    w.references(
        (
            "QuotationDocumentReference",
            "OrderDocumentReference",
            "OriginatorDocumentReference",
            "AdditionalDocumentReference",
            "Contract",
        )
    )
    w.party("BuyerCustomerParty", required=True)
    w.party("SellerSupplierParty", required=True)
    w.party("OriginatorCustomerParty")
    w.party("FreightForwarderParty")
    w.party("AccountingCustomerParty")
    has_period = any(
        str(d.get("qualifier", "")).startswith("RequestedDeliveryPeriod.")
        for d in doc.get("dates") or []
    )
    if w._party_for("DeliveryLocation") or has_period or doc.get("requested_delivery_date"):
        delivery = w.a(root, "Delivery")
        w.delivery_location(delivery)
        if has_period:
            w.period(delivery, "RequestedDeliveryPeriod", "RequestedDeliveryPeriod")
        elif doc.get("requested_delivery_date"):
            w.b(
                w.a(delivery, "RequestedDeliveryPeriod"),
                "StartDate",
                doc["requested_delivery_date"],
            )
    w.terms()
    if doc.get("total_amount") is not None:
        w.amount(w.a(root, "AnticipatedMonetaryTotal"), "PayableAmount", doc["total_amount"])
    lines = doc.get("lines") or []
    if not lines:
        raise UblError("cannot write UBL Order: an order needs at least one line (lines)")
    for index, line in enumerate(lines, 1):
        order_line = w.a(root, "OrderLine")
        item = w.a(order_line, "LineItem")
        w.b(item, "ID", line.get("line_number") or str(index))
        w.quantity(item, "Quantity", line.get("quantity"), line.get("uom"))
        if line.get("requested_delivery_date"):
            period = w.a(w.a(item, "Delivery"), "RequestedDeliveryPeriod")
            w.b(period, "StartDate", line["requested_delivery_date"])
        if line.get("unit_price") is not None:
            w.amount(w.a(item, "Price"), "PriceAmount", line["unit_price"])
        w.item(item, line)
    return w.tostring()


def write_order_ack(doc: Json) -> bytes:
    w = _Writer("OrderResponseSimple", doc)
    root = w.root
    own_id = next(
        (
            r.get("value")
            for r in doc.get("references") or []
            if r.get("qualifier") == "OrderResponseSimple"
        ),
        None,
    )
    w.header("po_number", "ack_date", id_value=own_id or doc.get("seller_order_number"))
    w.notes(root, doc.get("notes") or [])
    code = doc.get("ack_type_code")
    if code not in ACCEPTED_STATUS:
        code = "false" if doc.get("status") == "rejected" else "true"
    w.b(root, "AcceptedIndicator", code)
    ref = w.a(root, "OrderReference")
    w.b(ref, "ID", w.required("po_number"))
    w.b(ref, "SalesOrderID", doc.get("seller_order_number"))
    w.b(ref, "IssueDate", doc.get("po_date"))
    w.references(("AdditionalDocumentReference",))
    w.party("SellerSupplierParty", required=True)
    w.party("BuyerCustomerParty", required=True)
    w.party("OriginatorCustomerParty")
    w.party("AccountingSupplierParty")
    w.party("AccountingCustomerParty")
    return w.tostring()


def write_ship_notice(doc: Json) -> bytes:
    w = _Writer("DespatchAdvice", doc)
    root = w.root
    w.header("shipment_id", "ship_date")
    notes = list(doc.get("notes") or [])
    w.notes(root, notes)
    orders = doc.get("orders") or []
    for order in orders:
        if order.get("po_number"):
            ref = w.a(root, "OrderReference")
            w.b(ref, "ID", order["po_number"])
            w.b(ref, "IssueDate", order.get("po_date"))
    w.references(("AdditionalDocumentReference",))
    w.party("DespatchSupplierParty", required=True)
    w.party("DeliveryCustomerParty", required=True)
    w.party("BuyerCustomerParty")
    w.party("SellerSupplierParty")
    w.party("OriginatorCustomerParty")
    shipment = w.a(root, "Shipment")
    w.b(shipment, "ID", "1")
    weight = doc.get("gross_weight") or {}
    w.b(shipment, "GrossWeightMeasure", weight.get("value"), unitCode=weight.get("uom") or "")
    if weight.get("value") is not None and not weight.get("uom"):
        raise UblError("cannot write UBL DespatchAdvice: gross_weight.uom is required with a value")
    w.b(shipment, "TotalTransportHandlingUnitQuantity", doc.get("package_count"))
    carrier = doc.get("carrier")
    if carrier:
        consignment = w.a(shipment, "Consignment")
        w.b(consignment, "ID", "1")
        party = w.a(consignment, "CarrierParty")
        if carrier.get("id"):
            qualifier = carrier.get("qualifier")
            w.b(
                w.a(party, "PartyIdentification"),
                "ID",
                carrier["id"],
                schemeID="SCAC" if qualifier == "2" else qualifier or "",
            )
        if carrier.get("name"):
            w.b(w.a(party, "PartyName"), "Name", carrier["name"])
    if doc.get("transport_method"):
        w.b(w.a(shipment, "ShipmentStage"), "TransportModeCode", doc["transport_method"])
    tracking = doc.get("tracking_numbers") or []
    has_period = any(
        str(d.get("qualifier", "")).startswith("RequestedDeliveryPeriod.")
        for d in doc.get("dates") or []
    )
    delivery = w.a(shipment, "Delivery")
    if tracking:
        w.b(delivery, "TrackingID", tracking[0])
    if has_period:
        w.period(delivery, "RequestedDeliveryPeriod", "RequestedDeliveryPeriod")
    despatch = w.a(delivery, "Despatch")
    w.b(despatch, "ActualDespatchDate", doc.get("ship_date"))
    w.b(despatch, "ActualDespatchTime", _xs_time(doc.get("ship_time")))
    count = 0
    for order in orders:
        items = list(order.get("items") or [])
        for pack in order.get("packs") or []:
            items.extend(pack.get("items") or [])
        for entry in items:
            count += 1
            line = w.a(root, "DespatchLine")
            number = entry.get("line_number") or str(count)
            w.b(line, "ID", number)
            w.quantity(line, "DeliveredQuantity", entry.get("quantity_shipped"), entry.get("uom"))
            line_ref = w.a(line, "OrderLineReference")
            w.b(line_ref, "LineID", number)
            if order.get("po_number"):
                ref = w.a(line_ref, "OrderReference")
                w.b(ref, "ID", order["po_number"])
                w.b(ref, "IssueDate", order.get("po_date"))
            w.item(line, entry)
    if not count:
        raise UblError(
            "cannot write UBL DespatchAdvice: the notice ships no items (orders[].items)"
        )
    return w.tostring()


def _line_amount(line: Json) -> str:
    try:
        return format(Decimal(str(line["quantity"])) * Decimal(str(line["unit_price"])), "f")
    except (KeyError, TypeError, InvalidOperation):
        return "0"


def write_invoice(doc: Json) -> bytes:
    w = _Writer("Invoice", doc)
    root = w.root
    w.header("invoice_number", "invoice_date")
    w.b(root, "DueDate", _date_entry(doc, "DueDate"))
    w.notes(root, doc.get("notes") or [])
    w.b(root, "DocumentCurrencyCode", doc.get("currency"))
    w.period(root, "InvoicePeriod", "InvoicePeriod")
    if doc.get("po_number"):
        ref = w.a(root, "OrderReference")
        w.b(ref, "ID", doc["po_number"])
        w.b(ref, "IssueDate", doc.get("po_date"))
    w.references(
        ("DespatchDocumentReference", "ContractDocumentReference", "AdditionalDocumentReference")
    )
    w.party("AccountingSupplierParty", required=True)
    w.party("AccountingCustomerParty", required=True)
    w.party("PayeeParty")
    w.party("BuyerCustomerParty")
    w.party("SellerSupplierParty")
    if w._party_for("DeliveryLocation"):
        w.delivery_location(w.a(root, "Delivery"))
    w.terms()
    charges = doc.get("allowances_charges") or []
    for ac in charges:
        if ac.get("line_number") is None:
            w.allowance_charge(root, ac)
    if doc.get("tax_amount") is not None:
        w.amount(w.a(root, "TaxTotal"), "TaxAmount", doc["tax_amount"])
    total = w.a(root, "LegalMonetaryTotal")
    if doc.get("total_amount") is not None:
        w.amount(total, "TaxInclusiveAmount", doc["total_amount"])
    w.amount(total, "PayableAmount", doc.get("total_amount") or "0")
    lines = doc.get("lines") or []
    if not lines:
        raise UblError("cannot write UBL Invoice: an invoice needs at least one line (lines)")
    for index, line in enumerate(lines, 1):
        el = w.a(root, "InvoiceLine")
        number = line.get("line_number") or str(index)
        w.b(el, "ID", number)
        w.quantity(el, "InvoicedQuantity", line.get("quantity"), line.get("uom"))
        w.amount(el, "LineExtensionAmount", _line_amount(line))
        if line.get("po_number"):
            line_ref = w.a(el, "OrderLineReference")
            w.b(line_ref, "LineID", number)
            w.b(w.a(line_ref, "OrderReference"), "ID", line["po_number"])
        for ac in charges:
            if ac.get("line_number") is not None and ac.get("line_number") == line.get(
                "line_number"
            ):
                w.allowance_charge(el, ac)
        w.item(el, line)
        if line.get("unit_price") is not None:
            w.amount(w.a(el, "Price"), "PriceAmount", line["unit_price"])
    return w.tostring()


WRITERS: dict[str, Callable[[Json], bytes]] = {
    "order": write_order,
    "order_ack": write_order_ack,
    "ship_notice": write_ship_notice,
    "invoice": write_invoice,
}
assert set(WRITERS) == set(ROOTS)


def write_ubl(doc: Json) -> bytes:
    """UBL 2.1 bytes (UTF-8, with an XML declaration) of one canonical document (a JSON dict)."""
    writer = WRITERS.get(str(doc.get("document_type")))
    if writer is None:
        raise UblError(
            f"cannot write {doc.get('document_type')!r} as UBL "
            "(order, order_ack, ship_notice, invoice)"
        )
    return writer(doc)
