"""What every cXML writer shares: the envelope, parties, item ids, money, serialization.

Writers take the JSON form of a canonical document and build a document that is valid against
the cXML 1.2.071 DTD of its type. Where the DTD requires an element the canonical document
has no value for (a UnitOfMeasure, a Money, a SupplierPartID, a PostalAddress's City), the
element is written empty: valid, and read back as null, so canonical -> cXML -> canonical
gives the same document. Where it requires something the canonical model cannot leave empty
without changing meaning (an order's BillTo, a confirmed line's status), `RenderError` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree

from translators.cxml.common import (
    ITEM_ID_QUALIFIER,
    MANUFACTURER_PART,
    QUALIFIER_ID_DOMAIN,
    Element,
    role_word,
)
from translators.errors import RenderError

Json = Mapping[str, Any]

CXML_VERSION: Final = "1.2.071"
XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
LANG: Final = "en"
#: The DTD file (of the cXML 1.2.071 set) each request type is valid against.
DTD_FILE: Final = {
    "OrderRequest": "cXML.dtd",
    "ConfirmationRequest": "Fulfill.dtd",
    "ShipNoticeRequest": "Fulfill.dtd",
    "InvoiceDetailRequest": "InvoiceDetail.dtd",
}
_ID_ELEMENT: Final = {qualifier: tag for tag, qualifier in ITEM_ID_QUALIFIER.items()}


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """What a cXML envelope needs beyond the canonical document.

    ``payload_id``/``timestamp`` default to the document's envelope (a document read from
    cXML); a document read from X12 has none, and the caller must give them (writers do no
    I/O and read no clock). ``shared_secret`` goes into the Sender credential when given.
    """

    payload_id: str | None = None
    timestamp: str | None = None
    user_agent: str = "edi-gateway"
    shared_secret: str | None = None


def sub(parent: Element, tag: str, text: str | None = None, **attrs: str | None) -> Element:
    """A child element; attributes whose value is None are left out."""
    el = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def lang_sub(parent: Element, tag: str, text: str | None = None) -> Element:
    """A child that the DTD gives a required ``xml:lang`` (Name, Description, Comments)."""
    el = etree.SubElement(parent, tag, {XML_LANG: LANG})
    if text is not None:
        el.text = text
    return el


def money(parent: Element, tag: str, amount: str | None, currency: str | None) -> Element:
    """``<tag><Money currency="...">amount</Money></tag>`` (Money empty when no amount)."""
    el = sub(parent, tag)
    sub(el, "Money", amount, currency=currency or "")
    return el


def date_time(date: str | None, time: str | None = None) -> str | None:
    """A canonical date (and time) as a cXML date-time attribute value."""
    if date is None:
        return None
    return f"{date}T{time}" if time else date


def find_dates(doc: Json, name: str) -> dict[str, Any] | None:
    for ref in doc["dates"]:
        if ref["qualifier"] == name and ref["date"] is not None:
            found: dict[str, Any] = ref
            return found
    return None


def root(doc: Json, options: WriteOptions) -> tuple[Element, Element]:
    """The cXML element with its Header, and the Request element to fill."""
    env: Json = doc["envelope"] or {}
    payload_id = options.payload_id or env.get("payload_id")
    timestamp = options.timestamp or env.get("timestamp")
    if not payload_id or not timestamp:
        raise RenderError(
            "cXML needs a payloadID and a timestamp: give them in WriteOptions",
            field="envelope.payload_id",
        )
    version = env.get("version") if env.get("standard") == "cxml" else None
    cxml = etree.Element(
        "cXML",
        {
            k: v
            for k, v in (
                ("version", version),
                ("payloadID", payload_id),
                ("timestamp", timestamp),
                (XML_LANG, "en-US"),
            )
            if v is not None
        },
    )
    header = sub(cxml, "Header")
    for tag, who in (("From", "sender"), ("To", "receiver")):
        credential = sub(sub(header, tag), "Credential", domain=env.get(f"{who}_qualifier") or "")
        sub(credential, "Identity", env.get(f"{who}_id") or "")
    sender = sub(header, "Sender")
    credential = sub(sender, "Credential", domain=env.get("sender_qualifier") or "")
    sub(credential, "Identity", env.get("sender_id") or "")
    if options.shared_secret is not None:
        sub(credential, "SharedSecret", options.shared_secret)
    sub(sender, "UserAgent", options.user_agent)
    request = sub(cxml, "Request", deploymentMode="test" if env.get("test") else None)
    return cxml, request


def serialize(cxml: Element, request_type: str) -> bytes:
    system_url = f"http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/{DTD_FILE[request_type]}"
    return etree.tostring(
        cxml,
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
        doctype=f'<!DOCTYPE cXML SYSTEM "{system_url}">',
    )


# -- parties -----------------------------------------------------------------------------------


def postal_address(parent: Element, address: Json | None) -> None:
    """A PostalAddress when the party has any address data (Street, City, Country required)."""
    if not address or not (
        address["lines"] or any(address[k] for k in ("city", "state", "postal_code", "country"))
    ):
        return
    postal = sub(parent, "PostalAddress")
    for line in address["lines"] or [""]:
        sub(postal, "Street", line)
    sub(postal, "City", address["city"] or "")
    if address["state"] is not None:
        sub(postal, "State", address["state"])
    if address["postal_code"] is not None:
        sub(postal, "PostalCode", address["postal_code"])
    country = address["country"] or ""
    sub(postal, "Country", country, isoCountryCode=country)


def address(parent: Element, party: Json) -> None:
    """ShipTo/BillTo content: an Address with the party's name, ids and postal address."""
    el = sub(parent, "Address", addressID=party["id"], addressIDDomain=party["id_qualifier"])
    lang_sub(el, "Name", party["name"] or "")
    postal_address(el, party["address"])


def contact(parent: Element, party: Json) -> None:
    el = sub(
        parent,
        "Contact",
        role=role_word(party["role"], party["role_code"]),
        addressID=party["id"],
        addressIDDomain=party["id_qualifier"],
    )
    lang_sub(el, "Name", party["name"] or "")
    postal_address(el, party["address"])


# -- references --------------------------------------------------------------------------------


def take_references(doc_refs: Iterable[Json], qualifier: str) -> list[str]:
    return [r["value"] for r in doc_refs if r["qualifier"] == qualifier and r["value"]]


def extrinsics(parent: Element, refs: Iterable[Json], skip: frozenset[str]) -> None:
    """References without a place of their own, as Extrinsic name=qualifier (read back as is)."""
    for ref in refs:
        if ref["qualifier"] not in skip:
            sub(parent, "Extrinsic", ref["value"], name=ref["qualifier"] or "")


# -- items -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ItemIds:
    """A line's ids sorted into the places cXML has for them."""

    elements: list[tuple[str, str]]  # ItemID children: (tag, value), DTD order
    references: list[tuple[str, str]]  # ItemID IdReference: (domain, identifier)
    manufacturer: str | None


def split_ids(item_ids: Iterable[Json]) -> ItemIds:
    first: dict[str, str] = {}
    refs: list[tuple[str, str]] = []
    maker: str | None = None
    for pair in item_ids:
        qualifier, value = pair["qualifier"], pair["value"]
        if value is None:
            continue
        if qualifier in _ID_ELEMENT and qualifier not in first:
            first[qualifier] = value
        elif qualifier == MANUFACTURER_PART and maker is None:
            maker = value
        else:
            refs.append((QUALIFIER_ID_DOMAIN.get(qualifier or "", qualifier or ""), value))
    elements = [(tag, first[q]) for tag, q in ITEM_ID_QUALIFIER.items() if q in first]
    return ItemIds(elements, refs, maker)


def item_id(parent: Element, ids: ItemIds, *, optional: bool = False) -> None:
    """An ItemID; SupplierPartID is required, written empty when the line has no VP."""
    if optional and not ids.elements and not ids.references:
        return
    el = sub(parent, "ItemID")
    if not ids.elements or ids.elements[0][0] != "SupplierPartID":
        sub(el, "SupplierPartID", "")
    for tag, value in ids.elements:
        sub(el, tag, value)
    for domain, identifier in ids.references:
        sub(el, "IdReference", identifier=identifier, domain=domain)


def description(parent: Element, text: str | None) -> None:
    lang_sub(parent, "Description", text or "")


def comments(parent: Element, notes: Iterable[str]) -> None:
    for note in notes:
        lang_sub(parent, "Comments", note)


def need(value: Any, field: str, why: str) -> Any:
    if value is None or value == []:
        raise RenderError(f"cXML {why}: {field} is missing", field=field)
    return value
