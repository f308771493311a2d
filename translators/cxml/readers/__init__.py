"""cXML requests -> canonical documents (plain JSON-ready dicts, like the X12 readers').

One function per request type, keyed by the Request child's element name in `READERS`::

    doc = read_cxml(data)            # bytes in, one canonical document out
    request_type(parse_xml(data))    # "OrderRequest", "PunchOutOrderMessage", ...

Parsing goes through `translators.xml.parse_xml` (no network, no entities, size and depth
limits). Any other request or message type (PunchOutOrderMessage, StatusUpdateRequest, a
Response) raises `UnsupportedError` "unsupported: <type>"; a value that cannot be read raises
`CxmlError`; hostile or malformed XML raises `XmlError`. Nothing else escapes.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from lxml import etree

from translators.cxml.common import CxmlError, Element, tag_name
from translators.cxml.readers.common import Json
from translators.cxml.readers.invoice import read_invoice
from translators.cxml.readers.order import read_order
from translators.cxml.readers.order_ack import read_order_ack
from translators.cxml.readers.ship_notice import read_ship_notice
from translators.errors import TranslatorError, UnsupportedError
from translators.xml.safe import DEFAULT_LIMITS, XmlLimits, parse_xml

Reader = Callable[[Element, Element], Json]

READERS: dict[str, Reader] = {
    "OrderRequest": read_order,
    "ConfirmationRequest": read_order_ack,
    "ShipNoticeRequest": read_ship_notice,
    "InvoiceDetailRequest": read_invoice,
}
_BODIES = ("Request", "Message", "Response")


def is_cxml(root: Element) -> bool:
    """Whether ``root`` is a cXML root element (some senders write ``<cxml>``)."""
    tag = root.tag
    if tag == "cXML":  # the usual case, without building a QName
        return True
    return isinstance(tag, str) and etree.QName(root).localname.lower() == "cxml"


def request_type(root: Element) -> tuple[str, Element | None]:
    """The request or message type of a cXML document and its element.

    ``("Response", None)`` for a Response; raises `CxmlError` when there is no body.
    """
    for child in root:
        tag = tag_name(child)
        if tag in _BODIES:
            if tag == "Response":
                return tag, None
            for body in child:
                if isinstance(body.tag, str):  # not a comment or an entity reference
                    return body.tag, body
            break
    raise CxmlError("cXML document without a Request or Message", path="/" + tag_name(root))


def read_root(root: Element) -> Json:
    """The canonical document of a parsed cXML document."""
    if not is_cxml(root):
        raise CxmlError(f"<{etree.QName(root).localname}> is not a cXML document")
    kind, body = request_type(root)
    reader = READERS.get(kind)
    if reader is None or body is None:
        raise UnsupportedError(f"unsupported: {kind}", kind=kind)
    if root.tag != "cXML":
        name = tag_name(root)
        raise CxmlError(f"the root element is <{name}>, not <cXML>", path="/" + name)
    # As in the X12 readers: the cyclic collector's passes over the growing tree of dicts cost
    # more than the read itself on large documents, and that tree has no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return reader(root, body)
    except TranslatorError:
        raise
    except (LookupError, ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        # A reader bug must not become a traceback at the CLI or a worker crash loop.
        raise TranslatorError(f"cXML {kind} could not be read ({exc!r})") from exc
    finally:
        if collecting:
            gc.enable()


def read_cxml(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS) -> Json:
    """The canonical document of one cXML document given as bytes."""
    return read_root(parse_xml(data, limits=limits))


__all__ = ["READERS", "CxmlError", "is_cxml", "read_cxml", "read_root", "request_type"]
