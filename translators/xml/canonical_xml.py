"""Canonical XML: the canonical JSON written as XML, and back.

The form partner XSLTs produce (inbound) and consume (outbound)::

    <order>                              the root element is the document_type
      <po_number>4500012345</po_number>  one element per field, its text the JSON value
      <envelope><standard>xml</standard></envelope>
      <lines>                            a list is its field's element repeated,
        <line_number>1</line_number>     in order, one per entry
        <item_ids><qualifier>VP</qualifier><value>AC-1</value></item_ids>
      </lines>
      <lines>...</lines>
      <notes>first</notes><notes>second</notes>
    </order>

Null fields and empty lists are left out (and read back as null / []); booleans are ``true`` /
``false``; a list of lists (``hierarchy/segments``) holds one ``<value>`` per entry. Several
documents may be wrapped in ``<documents>``. No namespaces, no attributes.

`read_canonical_xml` knows which fields are lists from the canonical models, then validates:
a document that breaks the contract raises `CanonicalXmlError` whose ``errors`` name each bad
field by its path (``lines[2].quantity: decimals must be given ...``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, Union

from lxml import etree
from pydantic import BaseModel, ValidationError

from translators.canonical import (
    DOCUMENT_ADAPTER,
    FunctionalAck,
    Invoice,
    Order,
    OrderAck,
    ShipNotice,
    dump_document,
)
from translators.errors import TranslatorError
from translators.xml.safe import DEFAULT_LIMITS, XmlLimits, parse_xml

Json = dict[str, Any]

MODELS: dict[str, type[BaseModel]] = {
    "order": Order,
    "order_ack": OrderAck,
    "ship_notice": ShipNotice,
    "invoice": Invoice,
    "functional_ack": FunctionalAck,
}
WRAPPER = "documents"
LIST_ITEM = "value"


class CanonicalXmlError(TranslatorError):
    """Canonical XML that does not make a valid canonical document; ``errors`` lists each
    problem as ``{"path": "lines[2].quantity", "message": ...}``."""

    def __init__(self, message: str, *, errors: list[dict[str, str]] | None = None):
        self.errors = errors or []
        detail = "; ".join(f"{e['path']}: {e['message']}" for e in self.errors[:10])
        super().__init__(f"{message}: {detail}" if detail else message)


# -- writing -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: etree._Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, list):
                el = etree.SubElement(parent, name)
                for inner in entry:
                    etree.SubElement(el, LIST_ITEM).text = _text(inner)
            else:
                _append(parent, name, entry)
        return
    el = etree.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _append(el, str(key), inner)
    else:
        el.text = _text(value)


def document_element(doc: Mapping[str, Any]) -> etree._Element:
    """One canonical document (a JSON-mode dict) as a canonical XML element."""
    doc_type = str(doc.get("document_type"))
    if doc_type not in MODELS:
        raise CanonicalXmlError(f"not a canonical document type: {doc_type!r}")
    root = etree.Element(doc_type)
    for key, value in doc.items():
        if key != "document_type":
            _append(root, key, value)
    return root


def write_canonical_xml(docs: Mapping[str, Any] | list[Mapping[str, Any]]) -> bytes:
    """Canonical XML bytes of one document, or of several wrapped in ``<documents>``."""
    if isinstance(docs, list):
        root = etree.Element(WRAPPER)
        for doc in docs:
            root.append(document_element(doc))
    else:
        root = document_element(docs)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# -- reading -----------------------------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """The type inside Optional/Annotated wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is Union or origin is types.UnionType:
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _value(el: etree._Element, annotation: Any, path: str, errors: list[dict[str, str]]) -> Any:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation)
        inner = _unwrap(inner)
        if typing.get_origin(inner) is list:
            return [item.text or "" for item in el if item.tag == LIST_ITEM]
        return _value(el, inner, path, errors)
    if _is_model(annotation):
        return _object(el, annotation, path, errors)
    if len(el):
        errors.append({"path": path, "message": "expected a value, found child elements"})
        return None
    return el.text or ""


def _object(
    el: etree._Element, model: type[BaseModel], path: str, errors: list[dict[str, str]]
) -> Json:
    fields = model.model_fields
    result: Json = {}
    counts: dict[str, int] = {}
    for child in el:
        name = child.tag
        if not isinstance(name, str):
            continue
        field = fields.get(name)
        here = f"{path}.{name}" if path else name
        if field is None:
            errors.append({"path": here, "message": "no such field"})
            continue
        annotation = _unwrap(field.annotation)
        if typing.get_origin(annotation) is list:
            index = counts.get(name, 0)
            counts[name] = index + 1
            entry = _value(child, annotation, f"{here}[{index + 1}]", errors)
            result.setdefault(name, []).append(entry)
        elif name in result:
            errors.append({"path": here, "message": "given more than once"})
        else:
            result[name] = _value(child, annotation, here, errors)
    return result


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc[1:]:  # loc[0] is the discriminator's tag (the document type)
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part + 1}]" if parts else f"[{part + 1}]"
        else:
            parts.append(part)
    return ".".join(parts) or "(document)"


def read_document_element(el: etree._Element) -> Json:
    """One canonical XML element as a validated canonical document (JSON-mode dict)."""
    doc_type = el.tag if isinstance(el.tag, str) else ""
    model = MODELS.get(doc_type)
    if model is None:
        raise CanonicalXmlError(
            f"<{doc_type}> is not a canonical document (expected one of {', '.join(MODELS)})"
        )
    errors: list[dict[str, str]] = []
    data = _object(el, model, "", errors)
    data["document_type"] = doc_type
    if errors:
        raise CanonicalXmlError(f"canonical XML <{doc_type}> is not valid", errors=errors)
    try:
        doc = DOCUMENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise CanonicalXmlError(
            f"canonical XML <{doc_type}> is not valid",
            errors=[{"path": _location(e["loc"]), "message": e["msg"]} for e in exc.errors()],
        ) from None
    return dump_document(doc)


def read_canonical_root(root: etree._Element) -> list[Json]:
    if root.tag == WRAPPER:
        return [read_document_element(child) for child in root if isinstance(child.tag, str)]
    return [read_document_element(root)]


def read_canonical_xml(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS) -> list[Json]:
    """The canonical documents of canonical XML bytes (parsed safely), validated."""
    return read_canonical_root(parse_xml(data, limits=limits))
