"""What cXML readers and writers share: the error type, the code tables and value rules.

cXML names its parties, dates and item ids with words where X12 uses codes; the tables here
say which canonical meaning each word has, in both directions, so readers and writers agree.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from translators.errors import TranslatorError

Element = etree._Element


class CxmlError(TranslatorError):
    """A well-formed cXML document whose content cannot be read (a bad number, a bad date).

    ``path`` is the element's XPath in the document (``/cXML/Request/OrderRequest/ItemOut[2]``),
    ``attribute`` the attribute when the value was one, ``bad_value`` what was sent.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        attribute: str | None = None,
        bad_value: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.path = path
        self.attribute = attribute
        self.bad_value = bad_value

    def __str__(self) -> str:
        where = self.path or ""
        if self.attribute:
            where += f"@{self.attribute}"
        text = f"{where}: {self.message}" if where else self.message
        if self.bad_value is not None:
            text += f" (value {self.bad_value!r})"
        return text


def tag_name(el: Element) -> str:
    """An element's tag as a str (lxml types tags loosely; parsed cXML tags are always str)."""
    tag = el.tag
    return tag if isinstance(tag, str) else str(tag)


def value_error(el: Element, attribute: str | None, value: str, what: str) -> CxmlError:
    return CxmlError(
        what,
        path=el.getroottree().getpath(el),
        attribute=attribute,
        bad_value=value,
    )


#: The four request types the gateway reads and writes, and their canonical document types.
DOCUMENT_TYPES: Final = {
    "OrderRequest": "order",
    "ConfirmationRequest": "order_ack",
    "ShipNoticeRequest": "ship_notice",
    "InvoiceDetailRequest": "invoice",
}
REQUEST_TYPES: Final = {doc: request for request, doc in DOCUMENT_TYPES.items()}

#: cXML Contact ``role`` words (and the ShipTo/BillTo elements) with a canonical party role;
#: other words become their own role in snake_case (``endUser`` -> ``end_user``), as N101
#: codes outside the X12 table become their own role lowercased.
PARTY_ROLE: Final = {
    "shipTo": "ship_to",
    "billTo": "bill_to",
    "buyer": "buyer",
    "shipFrom": "ship_from",
    "remitTo": "remit_to",
    "supplierCorporate": "supplier",
    "soldTo": "sold_to",
}
#: Canonical roles back to cXML words; any other role is written in camelCase (``ordered_by``
#: -> ``orderedBy``), which reads back as the same role.
ROLE_WORD: Final = {role: word for word, role in PARTY_ROLE.items()}

#: ItemID children and the X12 product id qualifiers (235) they are read as: VP vendor's part
#: number, VS vendor's supplemental item number, BP buyer's part number; ManufacturerPartID
#: (an ItemDetail child) is MG.
ITEM_ID_QUALIFIER: Final = {
    "SupplierPartID": "VP",
    "SupplierPartAuxiliaryID": "VS",
    "BuyerPartID": "BP",
}
MANUFACTURER_PART = "MG"
#: ItemID IdReference domains read as X12 qualifiers (UP UPC, EN EAN-13, UK GTIN-14); other
#: domains are kept as the qualifier as sent, and written back the same way.
ID_DOMAIN_QUALIFIER: Final = {"UPC": "UP", "EAN": "EN", "GTIN": "UK"}
QUALIFIER_ID_DOMAIN: Final = {
    qualifier: domain for domain, qualifier in ID_DOMAIN_QUALIFIER.items()
}

#: Invoice amounts cXML names by element, as the X12 SAC02 codes an 810 carries for them
#: (the codes Ariba's 810 mapping uses): freight/shipping, special handling, discount.
SHIPPING_CODE = "G830"
SPECIAL_HANDLING_CODE = "H090"
DISCOUNT_CODE = "C310"

#: Canonical purposes back to the cXML ``type``/``operation`` words (codes.CXML_PURPOSE reversed;
#: X12's "change" is a cXML update too).
CXML_PURPOSE_WORD: Final = {
    "original": "new",
    "replace": "update",
    "change": "update",
    "cancel": "delete",
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def party_role(word: str | None) -> str | None:
    """A cXML role word to the canonical party role."""
    if word is None:
        return None
    return PARTY_ROLE.get(word) or _CAMEL.sub("_", word).lower()


def role_word(role: str | None, role_code: str | None) -> str | None:
    """The cXML role word for a canonical party: its own word when it came from cXML."""
    if role_code is not None and role_code[:1].islower() and party_role(role_code) == role:
        return role_code
    if role is None:
        return None
    word = ROLE_WORD.get(role)
    if word is not None:
        return word
    head, *rest = role.split("_")
    return head + "".join(part.capitalize() for part in rest)
