"""The file commands: `translate`, `ack` and `render` (no store, no partners)."""

from __future__ import annotations

import io
import sys
from datetime import datetime
from typing import IO, Any, BinaryIO

import orjson

from translators.errors import GatewayError, UnusableInputError, XmlError
from translators.x12.acks import AckOptions, acknowledge
from translators.x12.interchange import GroupEnd, InterchangeEnd, read_interchanges
from translators.x12.translate import Document, Problem, translate_events
from translators.xml.documents import read_xml
from translators.xml.safe import DEFAULT_LIMITS, XmlLimits

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def _peek(stream: BinaryIO, n: int = 64) -> bytes:
    if isinstance(stream, io.BufferedReader):
        return stream.peek(n)[:n]
    return b""


# A document's first bytes in UTF-16/32 (with or without a byte order mark), where "<" is wide.
_WIDE_XML_STARTS = (b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"<\x00", b"\x00<", b"\x00\x00\x00<")


def looks_like_xml(head: bytes) -> bool:
    if head.startswith(_WIDE_XML_STARTS):
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _err(name: str, message: str, err: IO[str] | None = None) -> None:
    (err or sys.stderr).write(f"{name}: {message}\n")


def run_translate(
    stream: BinaryIO,
    name: str,
    *,
    strict: bool,
    out: BinaryIO,
    err: IO[str] | None = None,
) -> int:
    """Stream a JSON array of canonical documents to ``out``; return the exit code."""
    if looks_like_xml(_peek(stream)):
        return _translate_xml(stream, name, out=out, err=err)
    rejected = False
    first = True
    out.write(b"[")
    try:
        for item in translate_events(read_interchanges(stream, strict=strict)):
            if isinstance(item, Document):
                out.write(b"\n" if first else b",\n")
                out.write(orjson.dumps(item.data))
                first = False
            elif isinstance(item, Problem):
                prefix = "warning: " if item.severity == "warning" else ""
                _err(name, prefix + item.message, err)
                if item.severity == "error":
                    rejected = True
    except UnusableInputError as exc:
        out.write(b"]\n")
        _err(name, str(exc), err)
        return EXIT_UNUSABLE
    except GatewayError as exc:
        out.write(b"\n]\n" if not first else b"]\n")
        _err(name, str(exc), err)
        return EXIT_REJECTED
    out.write(b"\n]\n" if not first else b"]\n")
    return EXIT_REJECTED if rejected else EXIT_OK


def _translate_xml(
    stream: BinaryIO,
    name: str,
    *,
    out: BinaryIO,
    err: IO[str] | None,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> int:
    """One XML document (cXML) to its canonical document: 0, 1 (unsupported or rejected
    content) or 2 (hostile, oversized or not well-formed XML)."""
    # Read one byte past the limit: enough to refuse an oversized document without reading it.
    data = stream.read(limits.max_bytes + 1)
    try:
        documents = read_xml(data, limits=limits)
    except XmlError as exc:
        out.write(b"[]\n")
        _err(name, str(exc), err)
        return EXIT_UNUSABLE
    except GatewayError as exc:  # unsupported request types, unreadable values
        out.write(b"[]\n")
        _err(name, str(exc), err)
        return EXIT_REJECTED
    out.write(b"[\n" + b",\n".join(orjson.dumps(doc) for doc in documents) + b"\n]\n")
    return EXIT_OK


def run_ack(
    stream: BinaryIO,
    name: str,
    *,
    kind: str,
    control_number: int,
    when: datetime,
    out: BinaryIO,
    err: IO[str] | None = None,
) -> int:
    """Write one acknowledgment interchange per input interchange."""
    if looks_like_xml(_peek(stream)):
        _err(name, "XML documents are not acknowledged with 997/999", err)
        return EXIT_UNUSABLE
    number = control_number
    group_number = control_number
    try:
        for ev in read_interchanges(stream):
            if isinstance(ev, InterchangeEnd):
                text, used = acknowledge(
                    ev.interchange, AckOptions(kind, number, when), group_number
                )
                if text:
                    out.write(text.encode("utf-8"))
                    number += 1
                    group_number += used
            elif isinstance(ev, GroupEnd):
                continue
    except UnusableInputError as exc:
        _err(name, str(exc), err)
        return EXIT_UNUSABLE
    except GatewayError as exc:
        # e.g. text after the last IEA: the acknowledgments already written stand
        _err(name, str(exc), err)
        return EXIT_OK if number > control_number else EXIT_UNUSABLE
    return EXIT_OK


def run_render(
    data: bytes,
    name: str,
    *,
    sender: tuple[str, str],
    receiver: tuple[str, str],
    version: str,
    control_number: int,
    out: BinaryIO,
    err: IO[str] | None = None,
) -> int:
    from translators.canonical import dump_document, parse_document
    from translators.x12.writers import render
    from translators.x12.writers.envelope import EnvelopeProfile

    try:
        loaded: Any = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        _err(name, f"not JSON: {exc}", err)
        return EXIT_UNUSABLE
    docs = loaded if isinstance(loaded, list) else [loaded]
    checked = []
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict):
            _err(name, f"document {i + 1}: expected a JSON object", err)
            return EXIT_UNUSABLE
        try:
            checked.append(dump_document(parse_document(doc)))
        except ValueError as exc:
            _err(name, f"document {i + 1} is not a valid canonical document: {exc}", err)
            return EXIT_REJECTED
    if version not in ("004010", "005010"):
        _err(name, f"unsupported version {version!r}: use 004010 or 005010", err)
        return EXIT_UNUSABLE
    profile = EnvelopeProfile(
        sender_qualifier=sender[0],
        sender_id=sender[1],
        receiver_qualifier=receiver[0],
        receiver_id=receiver[1],
        version="005010" if version == "005010" else "004010",
        interchange_control_number=control_number,
    )
    try:
        text = render(checked, profile)
    except GatewayError as exc:
        _err(name, str(exc), err)
        return EXIT_REJECTED
    out.write(text.encode("utf-8"))
    return EXIT_OK
