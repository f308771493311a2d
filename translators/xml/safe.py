"""The one way the gateway parses XML: no network, no entities, bounded size and depth.

Every XML reader (cXML, UBL, partner XSLT input) calls `parse_xml`; nothing else in the
gateway builds an lxml parser for untrusted bytes. What it refuses, and how:

- **Entity declarations** (XXE to a file or URL, billion laughs, quadratic blowup): the prolog
  is scanned *before* parsing, and a DOCTYPE whose internal subset declares an entity
  (``<!ENTITY``) is refused. The parser itself never expands or fetches entities either
  (``resolve_entities=False``), and a document that still carries entity declarations after
  parsing (an encoding the scan could not read) is refused too.
- **External DTDs** are *allowed* and never fetched: cXML documents routinely start with
  ``<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">``
  (``load_dtd=False``, ``no_network=True``). Attribute defaults from a DTD are not applied.
- **Size**: documents over ``XmlLimits.max_bytes`` (10 MB by default) are refused unparsed.
- **Depth**: libxml2 without ``huge_tree`` refuses nesting deeper than 256 levels while it
  parses (so a 100 000-level document costs nothing); a lower ``max_depth`` is checked after.

Every refusal is an `XmlError` whose message says what was refused. Validation against a
*local* DTD file (tests, writers) is `validate_dtd`; it never reads a DTD named by a document.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from lxml import etree

from translators.errors import XmlError

#: The deepest nesting libxml2 accepts without ``huge_tree`` (it raises past it).
LIBXML2_MAX_DEPTH: Final = 256


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """What a single XML document may cost: its size in bytes and its element nesting depth.

    ``max_depth`` can be lowered but not raised past libxml2's 256 (raising it would need
    ``huge_tree``, which also lifts libxml2's other size protections).
    """

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = LIBXML2_MAX_DEPTH

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_depth <= 0:
            raise ValueError("XML limits must be positive")
        if self.max_depth > LIBXML2_MAX_DEPTH:
            raise ValueError(f"max_depth cannot exceed {LIBXML2_MAX_DEPTH} (libxml2's limit)")


DEFAULT_LIMITS: Final = XmlLimits()

_local = threading.local()


def safe_parser() -> etree.XMLParser:
    """The parser every XML reader uses (one per thread: lxml parsers are not thread-safe)."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        # Not collect_ids=False: with lxml 6 it makes libxml2 try to load the external DTD
        # (refused by no_network, but then the parse fails) -- cXML always names one.
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS) -> etree._Element:
    """The root element of ``data``, parsed safely; `XmlError` says what was refused."""
    if len(data) > limits.max_bytes:
        raise XmlError(
            f"XML refused: the document is {len(data)} bytes, over the limit of "
            f"{limits.max_bytes} bytes"
        )
    check_prolog(data)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "Excessive depth" in message:
            raise XmlError(
                f"XML refused: elements nested deeper than {LIBXML2_MAX_DEPTH} levels"
            ) from None
        raise XmlError(f"not well-formed XML: {message}") from None
    except ValueError as exc:  # e.g. a str with an encoding declaration; never for bytes
        raise XmlError(f"not well-formed XML: {exc}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(dtd.iterentities(), None) is not None:
        raise XmlError("XML refused: the DOCTYPE declares entities")
    if limits.max_depth < LIBXML2_MAX_DEPTH:
        _check_depth(root, limits.max_depth)
    return root


def _check_depth(root: etree._Element, max_depth: int) -> None:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > max_depth:
                raise XmlError(f"XML refused: elements nested deeper than {max_depth} levels")
        else:
            depth -= 1


# -- the prolog scan ---------------------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
# Byte patterns of the first characters of documents in encodings that are not ASCII-compatible,
# so the scan must decode before it can look for "<!DOCTYPE" (XML 1.0, appendix F).
_WIDE_ENCODINGS: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
# What may come before and between the XML declaration, the DOCTYPE and the root element:
# XML white space, processing instructions (the declaration is one) and comments. An unclosed
# one stops the match; the parser rejects it.
_PROLOG_MISC = re.compile(rb"(?:[ \t\r\n]+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
# Outside the internal subset: quotes (system/public literals), the subset's "[", the end ">".
_DOCTYPE_TOKEN = re.compile(rb"[\"'\[>]")
# Inside it: an entity declaration, comments and literals (which may hold "]"), its end "]".
_SUBSET_TOKEN = re.compile(rb"<!ENTITY|<!--|[\"'\]]")


def check_prolog(data: bytes) -> None:
    """Refuse a DOCTYPE whose internal subset declares entities, before anything is parsed.

    Only the prolog (XML declaration, comments, processing instructions, DOCTYPE) is read;
    whatever the scan cannot make sense of is left to the parser to reject.
    """
    if data[:1] != b"<" or data[1:2] == b"\x00":  # "<" then a non-NUL: ASCII-compatible
        for pattern, codec in _WIDE_ENCODINGS:
            if data.startswith(pattern):
                data = data.decode(codec, errors="replace").encode("utf-8")
                break
    pos = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    while True:
        # white space, processing instructions, comments: one regex call for the usual prolog
        misc = _PROLOG_MISC.match(data, pos)
        if misc is not None:  # always (the pattern matches the empty string)
            pos = misc.end()
        if not data.startswith(b"<!DOCTYPE", pos):
            return  # the root element (or something the parser will reject)
        pos = _skip_doctype(data, pos + len(b"<!DOCTYPE"))


def _skip_doctype(data: bytes, pos: int) -> int:
    """The position after the DOCTYPE that starts before ``pos``; raises on an entity."""
    while True:
        match = _DOCTYPE_TOKEN.search(data, pos)
        if match is None:
            return len(data)
        token = match.group()
        if token == b">":
            return match.end()
        if token == b"[":
            pos = _skip_subset(data, match.end())
        else:
            end = data.find(token, match.end())
            pos = len(data) if end < 0 else end + 1


def _skip_subset(data: bytes, pos: int) -> int:
    while True:
        match = _SUBSET_TOKEN.search(data, pos)
        if match is None:
            return len(data)
        token = match.group()
        if token == b"<!ENTITY":
            raise XmlError(
                "XML refused: the DOCTYPE declares entities (<!ENTITY); external entities, "
                "entity expansion bombs and every other entity declaration are not accepted"
            )
        if token == b"]":
            return match.end()
        if token == b"<!--":
            end = data.find(b"-->", match.end())
            pos = len(data) if end < 0 else end + 3
        else:
            end = data.find(token, match.end())
            pos = len(data) if end < 0 else end + 1


# -- validation against a local DTD ------------------------------------------------------------


@lru_cache(maxsize=8)
def load_dtd(path: str | Path) -> etree.DTD:
    """A DTD read from a local file (cached); documents never choose which DTD is read."""
    try:
        return etree.DTD(str(path))
    except (etree.DTDParseError, OSError) as exc:
        raise XmlError(f"cannot read DTD {path}: {exc}") from exc


def validate_dtd(document: bytes | etree._Element, dtd: etree.DTD) -> list[str]:
    """The DTD validation errors of ``document`` (bytes are parsed safely first); [] if valid."""
    root = parse_xml(document) if isinstance(document, bytes) else document
    if dtd.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in dtd.error_log]
