"""XML bytes -> canonical documents: the one entry point for every XML format.

The document is parsed once, safely (`translators.xml.safe`), and handed to the reader its
root element names: cXML or UBL 2.x (Order, OrderResponseSimple, DespatchAdvice, Invoice).
Partner-specific XML goes through the partner's XSLT (`gateway.xmlmaps`), which needs the
registry. A root no reader knows raises `UnsupportedError` ("unsupported: Foo (an XML document
in namespace ..., not cXML or UBL)").
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from translators.cxml.readers import is_cxml, read_root
from translators.errors import UnsupportedError
from translators.ubl.common import is_ubl
from translators.ubl.readers import read_ubl_root
from translators.xml.safe import DEFAULT_LIMITS, XmlLimits, parse_xml


def read_xml(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS) -> list[dict[str, Any]]:
    """The canonical documents of one XML document (one per cXML request)."""
    root = parse_xml(data, limits=limits)
    if is_cxml(root):
        return [read_root(root)]
    if is_ubl(root):
        return [read_ubl_root(root)]
    raise not_supported(root)


def not_supported(root: etree._Element) -> UnsupportedError:
    qname = etree.QName(root)
    where = f" in namespace {qname.namespace}" if qname.namespace else ""
    return UnsupportedError(
        f"unsupported: {qname.localname} (an XML document{where}, not cXML or UBL)",
        kind=qname.localname,
    )
