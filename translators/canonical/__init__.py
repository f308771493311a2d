"""Canonical documents: the one model X12 and cXML are read into and written from.

The models know nothing of X12 or cXML; readers and writers elsewhere in ``translators`` do.
JSON is the contract (see CONTRACT.md, "Canonical documents"): decimals as exact strings,
ISO dates, absent data as null or [].

    doc = parse_document({"document_type": "order", "po_number": "4500012345", ...})
    dump_document(doc)   # JSON-mode dict
    to_json_bytes(doc)   # UTF-8 JSON

``parse_document`` raises ``pydantic.ValidationError`` for a document that breaks the contract;
the boundary that received it turns that into a readable error.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeAlias

import orjson
from pydantic import BaseModel, Field, TypeAdapter

from translators.canonical.common import (
    Address,
    Amount,
    CanonicalModel,
    Count,
    DateRef,
    Document,
    Envelope,
    IsoDate,
    ItemFields,
    ItemId,
    Party,
    Reference,
    Terms,
    TimeOfDay,
)
from translators.canonical.functional_ack import AckCounts, AckedSet, AckError, FunctionalAck
from translators.canonical.invoice import AllowanceCharge, Invoice, InvoiceLine
from translators.canonical.order import Order, OrderLine
from translators.canonical.order_ack import LineAck, OrderAck, OrderAckLine
from translators.canonical.ship_notice import (
    Carrier,
    HierarchyLevel,
    Pack,
    ShipItem,
    ShipNotice,
    ShipOrder,
    Weight,
)

CanonicalDocument: TypeAlias = Annotated[
    Order | OrderAck | ShipNotice | Invoice | FunctionalAck,
    Field(discriminator="document_type"),
]

DOCUMENT_ADAPTER: TypeAdapter[CanonicalDocument] = TypeAdapter(CanonicalDocument)


def parse_document(data: Mapping[str, Any]) -> CanonicalDocument:
    """Validate one canonical document (a JSON-decoded dict); ``document_type`` picks the model."""
    return DOCUMENT_ADAPTER.validate_python(data)


def dump_document(doc: CanonicalDocument) -> dict[str, Any]:
    """The JSON form of a document as a dict: decimals as strings, dates as ISO strings."""
    return doc.model_dump(mode="json")


def _json_default(value: Any) -> Any:
    # Dicts handed to to_json_bytes may still hold Python values orjson cannot encode itself.
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):  # orjson encodes only real dicts
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json_bytes(doc_or_dict: CanonicalDocument | Mapping[str, Any]) -> bytes:
    """UTF-8 JSON of a document, or of an already dumped (or hand-built) dict."""
    data = dump_document(doc_or_dict) if isinstance(doc_or_dict, Document) else doc_or_dict
    return orjson.dumps(data, default=_json_default)


__all__ = [
    "DOCUMENT_ADAPTER",
    "AckCounts",
    "AckError",
    "AckedSet",
    "Address",
    "AllowanceCharge",
    "Amount",
    "CanonicalDocument",
    "CanonicalModel",
    "Carrier",
    "Count",
    "DateRef",
    "Document",
    "Envelope",
    "FunctionalAck",
    "HierarchyLevel",
    "Invoice",
    "InvoiceLine",
    "IsoDate",
    "ItemFields",
    "ItemId",
    "LineAck",
    "Order",
    "OrderAck",
    "OrderAckLine",
    "OrderLine",
    "Pack",
    "Party",
    "Reference",
    "ShipItem",
    "ShipNotice",
    "ShipOrder",
    "Terms",
    "TimeOfDay",
    "Weight",
    "dump_document",
    "parse_document",
    "to_json_bytes",
]
