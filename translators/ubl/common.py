"""What the UBL readers and writers share: namespaces, roles, item id schemes, value rules.

UBL 2.0 and 2.1 share their namespaces, so one reader takes both; the writers produce 2.1.
The tables here say which canonical meaning each UBL element has, in both directions, so a
document read and written back reads the same.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from lxml import etree

from translators.errors import TranslatorError
from translators.x12.readers.common import decimal as _decimal

Element = etree._Element

CBC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_DOC_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:{}-2"

#: UBL root elements the gateway reads and writes, and their canonical document types.
DOCUMENT_TYPES: Final = {
    "Order": "order",
    "OrderResponseSimple": "order_ack",
    "DespatchAdvice": "ship_notice",
    "Invoice": "invoice",
}
ROOTS: Final = {doc: root for root, doc in DOCUMENT_TYPES.items()}


def document_namespace(root_name: str) -> str:
    return _DOC_NS.format(root_name)


def is_ubl(root: Element) -> bool:
    """Whether ``root`` is the root of a UBL 2.x document (any type)."""
    tag = root.tag
    if not isinstance(tag, str):
        return False
    qname = etree.QName(root)
    return qname.namespace == document_namespace(qname.localname)


#: Party elements and the canonical roles they are read as (the element name is the
#: ``role_code``); written back under the same element when the document type allows it.
PARTY_ROLE: Final = {
    "BuyerCustomerParty": "buyer",
    "SellerSupplierParty": "seller",
    "OriginatorCustomerParty": "ordered_by",
    "AccountingCustomerParty": "bill_to",
    "AccountingSupplierParty": "remit_to",
    "PayeeParty": "payee",
    "DespatchSupplierParty": "ship_from",
    "DeliveryCustomerParty": "ship_to",
    "DeliveryLocation": "ship_to",
    "FreightForwarderParty": "freight_forwarder",
}

#: Item identification elements and the X12 product id qualifiers (235) they are read as.
ITEM_ID_QUALIFIER: Final = {
    "BuyersItemIdentification": "BP",
    "SellersItemIdentification": "VP",
    "ManufacturersItemIdentification": "MG",
}
#: StandardItemIdentification schemeID values read as X12 qualifiers; other schemes are kept
#: as the qualifier as sent (and written back as the schemeID).
SCHEME_QUALIFIER: Final = {"GTIN": "UK", "EAN": "EN", "UPC": "UP", "0160": "UK"}
QUALIFIER_SCHEME: Final = {"UK": "GTIN", "EN": "EAN", "UP": "UPC"}
STANDARD_ITEM = "StandardItemIdentification"

#: OrderResponseSimple AcceptedIndicator -> order_ack status (the raw code is the indicator).
ACCEPTED_STATUS: Final = {"true": "accepted", "false": "rejected", "1": "accepted", "0": "rejected"}

#: The currency written when a document names none: ISO 4217's "no currency" code.
NO_CURRENCY: Final = "XXX"


class UblError(TranslatorError):
    """A well-formed UBL document whose content cannot be read, or a canonical document that
    cannot be written as UBL. ``path`` is the element's XPath, ``bad_value`` what was sent."""

    def __init__(self, message: str, *, path: str | None = None, bad_value: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.bad_value = bad_value

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.bad_value is not None:
            text += f" (value {self.bad_value!r})"
        return text


def _path(el: Element | None) -> str | None:
    if el is None:
        return None
    return str(el.getroottree().getpath(el))


_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.[0-9]+)?)?(?:Z|[+-].*)?")


def text(el: Element | None) -> str | None:
    if el is None:
        return None
    value = el.text
    return value.strip() or None if value else None


def decimal(el: Element | None) -> str | None:
    value = text(el)
    if value is None or _CANONICAL_DECIMAL.fullmatch(value):
        return value
    try:
        return _decimal(value)
    except ValueError:
        raise UblError("is not a decimal number", path=_path(el), bad_value=value) from None


def date(el: Element | None) -> str | None:
    value = text(el)
    if value is None:
        return None
    match = _DATE.fullmatch(value)
    if match is not None:
        try:
            dt.date.fromisoformat(match.group(1))
        except ValueError:
            pass
        else:
            return match.group(1)
    raise UblError("is not a date (YYYY-MM-DD)", path=_path(el), bad_value=value)


def time(el: Element | None) -> str | None:
    value = text(el)
    if value is None:
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        raise UblError("is not a time (HH:MM:SS)", path=_path(el), bad_value=value)
    hh, mm, ss = match.groups()
    return f"{hh}:{mm}:{ss}" if ss is not None else f"{hh}:{mm}"
