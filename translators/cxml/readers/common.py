"""What every cXML reader shares: text and value access, the envelope, parties, references.

Values are read exactly as sent: text and attributes trimmed, empty means absent (None).
Numbers become exact decimal strings (``"85.00"`` stays ``"85.00"``); cXML dates are ISO 8601
date-times, whose date part is the canonical date and whose time of day (without its zone
offset, kept in the local time the partner wrote) is the canonical time where the contract has
one. A value that is not what it should be raises `CxmlError` naming its element and attribute.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from translators.cxml.common import (
    ID_DOMAIN_QUALIFIER,
    ITEM_ID_QUALIFIER,
    MANUFACTURER_PART,
    PARTY_ROLE,
    CxmlError,
    Element,
    party_role,
    value_error,
)
from translators.x12.readers.common import decimal as _decimal

Json = dict[str, Any]

_DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ]([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_DOCTYPE_VERSION = re.compile(r"/([0-9]+\.[0-9]+(?:\.[0-9]+)?)/")


# -- text and values ---------------------------------------------------------------------------


def text(el: Element | None) -> str | None:
    """The text of a simple element, trimmed; None when absent or empty."""
    if el is None:
        return None
    value = el.text
    return value.strip() or None if value else None


def first_child(el: Element | None, tag: str) -> Element | None:
    """The first child element named ``tag``. A loop over the children: lxml's ``find`` goes
    through its Python path engine and costs five times as much, on every element read."""
    if el is None:
        return None
    for candidate in el:
        if candidate.tag == tag:
            return candidate
    return None


def child_text(el: Element, tag: str) -> str | None:
    return text(first_child(el, tag))


def mixed_text(el: Element | None) -> str | None:
    """The character data of a mixed-content element (Comments, Description), without the
    text of its child elements (Attachment URLs, ShortName), trimmed."""
    if el is None:
        return None
    parts = [el.text or ""]
    parts.extend(child.tail or "" for child in el)
    return "".join(parts).strip() or None


def attr(el: Element, name: str) -> str | None:
    value = el.get(name)
    return value.strip() or None if value else None


#: A decimal already in canonical form (the usual case): returned as is, without conversion.
CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def decimal_value(el: Element, attribute: str | None, value: str | None) -> str | None:
    if value is None:
        return None
    if CANONICAL_DECIMAL.fullmatch(value):
        return value
    try:
        return _decimal(value)
    except ValueError:
        raise value_error(el, attribute, value, "is not a decimal number") from None


def attr_decimal(el: Element, name: str) -> str | None:
    return decimal_value(el, name, attr(el, name))


def attr_int(el: Element, name: str) -> int | None:
    value = attr(el, name)
    if value is None:
        return None
    if value.isdigit() and value.isascii() and len(value) <= 9:
        return int(value)
    raise value_error(el, name, value, "is not a whole number of days")


def money(parent: Element | None) -> tuple[str | None, str | None]:
    """``(amount, currency)`` of the Money child of ``parent``; (None, None) when absent."""
    if parent is None:
        return None, None
    # Money is the first child wherever cXML has one (Total, UnitPrice, Tax, ...)
    el = next(iter(parent), None)
    if el is None or el.tag != "Money":
        el = first_child(parent, "Money")
        if el is None:
            return None, None
    return decimal_value(el, None, text(el)), attr(el, "currency")


def amount(parent: Element | None) -> str | None:
    """The amount of the Money child of ``parent`` (its currency unread)."""
    if parent is None:
        return None
    el = next(iter(parent), None)
    if el is None or el.tag != "Money":
        el = first_child(parent, "Money")
        if el is None:
            return None
    value = el.text
    return decimal_value(el, None, value.strip() or None if value else None)


def date_time(el: Element, name: str) -> tuple[str | None, str | None]:
    """``(YYYY-MM-DD, HH:MM[:SS])`` of a date(-time) attribute; the time is None if not sent."""
    value = attr(el, name)
    if value is None:
        return None, None
    known = DATES.get(value)
    if known is not None:
        return known
    if len(DATES) > DATES_KEPT:
        DATES.clear()
    DATES[value] = result = _date_time(el, name, value)
    return result


# Lines of one document mostly repeat the same few dates: parsing each once saves a regex
# match and a calendar check per line. Only valid values are kept; the size is bounded.
DATES: dict[str, tuple[str, str | None]] = {}
DATES_KEPT = 4096


def _date_time(el: Element, name: str, value: str) -> tuple[str, str | None]:
    match = _DATETIME.fullmatch(value)
    if match is not None:
        day, hh, mm, ss = match.groups()
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            pass
        else:
            if hh is None:
                return day, None
            return day, f"{hh}:{mm}:{ss}" if ss is not None else f"{hh}:{mm}"
    raise value_error(el, name, value, "is not an ISO 8601 date or date-time")


def date(el: Element, name: str) -> str | None:
    return date_time(el, name)[0]


def date_refs(el: Element, names: tuple[str, ...]) -> list[Json]:
    """``dates[]`` entries for the date attributes of ``el`` that are present, qualified by the
    attribute name (cXML has no date qualifier codes)."""
    refs = []
    for name in names:
        day, time = date_time(el, name)
        if day is not None:
            refs.append({"qualifier": name, "date": day, "time": time})
    return refs


# -- envelope ----------------------------------------------------------------------------------


def _credential(party: Element | None) -> tuple[str | None, str | None]:
    """``(Identity, domain)`` of the first Credential of a From or To element."""
    if party is None:
        return None, None
    # Credential is From's and To's first child (the DTD's order): no search in the usual case
    credential = party[0] if len(party) else None
    if credential is None or credential.tag != "Credential":
        credential = first_child(party, "Credential")
        if credential is None:
            return None, None
    return child_text(credential, "Identity"), attr(credential, "domain")


@lru_cache(maxsize=64)
def _doctype_version(system_url: str) -> str | None:
    """The cXML version a DOCTYPE's DTD URL names (.../cXML/1.2.071/cXML.dtd -> 1.2.071)."""
    match = _DOCTYPE_VERSION.search(system_url)
    return match.group(1) if match else None


def envelope(root: Element, request: Element) -> Json:
    """From/To credentials, payloadID, timestamp and deploymentMode of a cXML request."""
    sender = receiver = None
    header = first_child(root, "Header")
    if header is not None:
        for child in header:  # one pass: From and To are its first children
            tag = child.tag
            if tag == "From":
                if sender is None:
                    sender = child
            elif tag == "To" and receiver is None:
                receiver = child
    sender_id, sender_domain = _credential(sender)
    receiver_id, receiver_domain = _credential(receiver)
    version = attr(root, "version")
    if version is None:
        version = _doctype_version(root.getroottree().docinfo.system_url or "")
    parent = request.getparent()
    return {
        "standard": "cxml",
        "sender_id": sender_id,
        "sender_qualifier": sender_domain,
        "receiver_id": receiver_id,
        "receiver_qualifier": receiver_domain,
        "interchange_control_number": None,
        "group_control_number": None,
        "functional_id": None,
        "version": version,
        "transaction_set": request.tag,
        "transaction_control_number": None,
        "test": parent is not None and parent.get("deploymentMode") == "test",
        "payload_id": attr(root, "payloadID"),
        "timestamp": attr(root, "timestamp"),
    }


def document(doc_type: str, root: Element, request: Element) -> Json:
    """The common fields of every document, in contract order, lists still empty."""
    return {
        "document_type": doc_type,
        "envelope": envelope(root, request),
        "warnings": [],
        "parties": [],
        "references": [],
        "dates": [],
        "notes": [],
    }


# -- parties -----------------------------------------------------------------------------------


_ADDRESS_FIELDS: dict[object, str] = {"City": "city", "State": "state", "PostalCode": "postal_code"}


def address(postal: Element | None) -> Json:
    """A PostalAddress: its DeliverTo (attention) and Street lines in order, as a label reads.

    Runs for every party; the text rule (trimmed, empty is None) is inlined."""
    result: Json = {"lines": [], "city": None, "state": None, "postal_code": None, "country": None}
    if postal is None:
        return result
    lines = result["lines"]
    fields = _ADDRESS_FIELDS
    for child in postal:
        tag = child.tag
        value = child.text
        value = value.strip() or None if value else None
        if tag == "DeliverTo" or tag == "Street":
            if value is not None:
                lines.append(value)
        elif tag in fields:
            result[fields[tag]] = value
        elif tag == "Country":
            result["country"] = attr(child, "isoCountryCode") or value
    return result


def party(el: Element, role_code: str | None) -> Json:
    """An Address (in ShipTo/BillTo) or a Contact as a canonical party.

    Runs for every party; `text`, `attr` and `party_role`'s table lookup are inlined."""
    name = postal = None
    for part in el:
        tag = part.tag
        if tag == "Name":
            if name is None:
                value = part.text
                name = value.strip() or None if value else None
        elif tag == "PostalAddress" and postal is None:
            postal = part
    domain = el.get("addressIDDomain")
    number = el.get("addressID")
    return {
        "role": (PARTY_ROLE.get(role_code) if role_code else None) or party_role(role_code),
        "role_code": role_code,
        "name": name,
        "id_qualifier": domain.strip() or None if domain else None,
        "id": number.strip() or None if number else None,
        "address": address(postal),
    }


def ship_bill_to(el: Element, parties: list[Json]) -> None:
    """ShipTo/BillTo (holding an Address) go to ``parties`` as ship_to/bill_to."""
    addr = first_child(el, "Address")
    if addr is not None:
        word = "shipTo" if el.tag == "ShipTo" else "billTo"
        parties.append(party(addr, word))


def contact(el: Element) -> Json:
    return party(el, attr(el, "role"))


# -- references, notes, terms ------------------------------------------------------------------


def extrinsic(el: Element) -> Json:
    """An Extrinsic as a reference: its name qualifies its text."""
    return {
        "qualifier": attr(el, "name"),
        "value": "".join(el.itertext()).strip() or None,
        "description": None,
    }


def id_reference(el: Element) -> Json:
    return {"qualifier": attr(el, "domain"), "value": attr(el, "identifier"), "description": None}


def document_reference(el: Element, qualifier: str) -> Json | None:
    """The payloadID of the DocumentReference in ``el``, qualified by ``qualifier``."""
    ref = el if el.tag == "DocumentReference" else first_child(el, "DocumentReference")
    if ref is None:
        return None
    payload_id = attr(ref, "payloadID")
    if payload_id is None:
        return None
    return {"qualifier": qualifier, "value": payload_id, "description": None}


def add_comment(el: Element, notes: list[str]) -> None:
    value = mixed_text(el)
    if value is not None:
        notes.append(value)


def terms(elements: list[Element]) -> Json | None:
    """PaymentTerm (or InvoiceDetailPaymentTerm) elements as terms: one with a discount gives
    the discount percent and days, one without the net days; the first of each kind counts
    (cXML carries no terms type or basis date code)."""
    if not elements:
        return None
    result: Json = {
        "type_code": None,
        "basis_date_code": None,
        "discount_percent": None,
        "discount_days": None,
        "net_days": None,
        "description": None,
    }
    for el in elements:
        days = attr_int(el, "payInNumberOfDays")
        if el.tag == "InvoiceDetailPaymentTerm":  # percentageRate 0: the net term
            percent = attr_decimal(el, "percentageRate")
            discount = percent is not None and percent.strip("-0.") != ""
        else:
            percent_el = first_child(first_child(el, "Discount"), "DiscountPercent")
            discount = percent_el is not None
            percent = attr_decimal(percent_el, "percent") if percent_el is not None else None
        if discount:
            if result["discount_percent"] is None:
                result["discount_percent"] = percent
                result["discount_days"] = days
        elif result["net_days"] is None:
            result["net_days"] = days
    return result


# -- items -------------------------------------------------------------------------------------


#: ITEM_ID_QUALIFIER keyed for lxml's loosely typed tags.
ID_QUALIFIER: dict[object, str] = {tag: q for tag, q in ITEM_ID_QUALIFIER.items()}


def item_ids(item_id: Element | None, detail: Element | None = None) -> list[Json]:
    """ItemID children (SupplierPartID VP, SupplierPartAuxiliaryID VS, BuyerPartID BP, each
    IdReference by its domain) and the item detail's ManufacturerPartID (MG) as qualified ids."""
    ids: list[Json] = []
    if item_id is not None:
        for child in item_id:
            tag = child.tag
            qualifier = ID_QUALIFIER.get(tag)
            if qualifier is not None:
                value = text(child)
                if value is not None:  # an empty SupplierPartID holds the DTD's place only
                    ids.append({"qualifier": qualifier, "value": value})
            elif tag == "IdReference":
                ids.extend(item_ids_of_reference(child))
    if detail is not None:
        maker = child_text(detail, "ManufacturerPartID")
        if maker is not None:
            ids.append({"qualifier": MANUFACTURER_PART, "value": maker})
    return ids


def item_ids_of_reference(el: Element) -> list[Json]:
    """An ItemID IdReference as an item id: its domain (UPC -> UP, ...) qualifies it."""
    domain = attr(el, "domain")
    return [
        {
            "qualifier": ID_DOMAIN_QUALIFIER.get(domain or "", domain),
            "value": attr(el, "identifier"),
        }
    ]


def item_fields(ids: list[Json], description: str | None) -> Json:
    """``item_ids``, the conveniences derived from them, and the description."""
    first: dict[str | None, str] = {}
    for pair in ids:
        value = pair["value"]
        if value is not None:
            first.setdefault(pair["qualifier"], value)
    get = first.get
    return {
        "item_ids": ids,
        "buyer_part_number": get("BP") or get("IN"),
        "vendor_part_number": get("VP") or get("VN"),
        "upc": get("UP"),
        "gtin": get("UK") or get("EN"),
        "description": description,
    }


def description(el: Element | None) -> str | None:
    """A Description's text, else its ShortName's."""
    if el is None:
        return None
    return mixed_text(el) or child_text(el, "ShortName")


__all__ = ["CxmlError", "Json"]
