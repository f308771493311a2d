"""Canonical documents -> cXML requests, valid against the cXML 1.2.071 DTDs.

    data = write_cxml(doc, WriteOptions(payload_id="...", timestamp="..."))

``doc`` is a canonical document (a JSON-decoded dict or a model); it is validated against the
canonical model first. The writer for its ``document_type`` builds the request; the result
starts with the DOCTYPE of the DTD that request type is valid against (`DTD_FILE`).
`RenderError` names what cXML needs and the document lacks; a ``functional_ack`` has no cXML
form and is refused as unsupported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from translators.canonical import CanonicalDocument, Document, dump_document, parse_document
from translators.cxml.common import REQUEST_TYPES, Element
from translators.cxml.writers.common import DTD_FILE, Json, WriteOptions, root, serialize
from translators.cxml.writers.invoice import write_invoice
from translators.cxml.writers.order import write_order
from translators.cxml.writers.order_ack import write_order_ack
from translators.cxml.writers.ship_notice import write_ship_notice
from translators.errors import UnsupportedError

Writer = Callable[[Element, Json], None]

WRITERS: dict[str, Writer] = {
    "order": write_order,
    "order_ack": write_order_ack,
    "ship_notice": write_ship_notice,
    "invoice": write_invoice,
}


def write_cxml(
    doc: CanonicalDocument | Mapping[str, Any], options: WriteOptions | None = None
) -> bytes:
    """One canonical document as a cXML request (UTF-8 bytes with DOCTYPE)."""
    data = dump_document(doc if isinstance(doc, Document) else parse_document(doc))
    kind = data["document_type"]
    writer = WRITERS.get(kind)
    if writer is None:
        raise UnsupportedError(f"unsupported: {kind} has no cXML form", kind=kind)
    cxml, request = root(data, options or WriteOptions())
    writer(request, data)
    return serialize(cxml, REQUEST_TYPES[kind])


__all__ = ["DTD_FILE", "WRITERS", "WriteOptions", "write_cxml"]
