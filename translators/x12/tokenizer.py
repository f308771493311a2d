"""Streaming X12 tokenizer.

Reads a byte stream in chunks and yields, for each interchange, one `IsaHeader` (the ISA with the
delimiters it declares) followed by the interchange's other segments as plain strings, up to and
including IEA. Memory stays bounded by the chunk size plus the longest segment, whatever the file
size.

Delimiters come from each ISA: the element separator is the character after "ISA", the component
separator is ISA16, the segment terminator is the character after ISA16, the repetition
separator is ISA11 from version 00501 on. Several interchanges in one file may use different
delimiters.

Real files are sloppy. Lenient mode (the default) accepts, each with a warning:
a UTF-8 byte-order mark, an ISA that is not 106 characters (short or unpadded fields),
NBSP padding, a newline used as the segment terminator (including a space before it),
indentation and blank lines. Strict mode refuses everything except CR/LF after terminators.
Bytes that are not UTF-8 are read as Latin-1, so no input byte is lost or turns into an error
here; the validator decides whether the characters are allowed.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from translators.errors import EnvelopeError, UnusableInputError

CHUNK_SIZE = 1 << 20
_WS = " \t\r\n"
_NBSP = "\xa0"
# Positions of the 16 element separators in a fixed-length (106 character) ISA.
_ISA_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return bytes(bad).decode("latin-1"), err.end


codecs.register_error("x12-latin1", _latin1_fallback)


_SEGMENT_START = re.compile(r"[A-Z][A-Z0-9]{1,2}(?:[^A-Za-z0-9]|$)")


def _wrapped_width(head: str) -> int | None:
    """The width of a file wrapped at a fixed number of columns, judged from its first lines,
    or None. Such files (80 columns is the classic) break lines anywhere, inside values too;
    a file with a line break after each terminator has lines of varying length instead."""
    lines = head.split("\n")
    complete = [line.rstrip("\r") for line in lines[:-1]]
    # The last complete line may be the file's last, which is short: judge by the others.
    sample = complete[:8] if len(complete) > 8 else complete[:-1]
    if len(sample) < 2:
        return None
    width = len(sample[0])
    if width < 40 or any(len(line) != width for line in sample):
        return None
    if len({line[-1] for line in sample}) == 1:
        return None  # every line ends with the same character: a terminator, not a wrap
    return width


@dataclass(frozen=True, slots=True)
class TokenWarning:
    """Something the tokenizer forgave in lenient mode, reported in stream order."""

    message: str


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    segment: str = "~"
    repetition: str | None = None

    def all(self) -> tuple[str, ...]:
        d = (self.element, self.component, self.segment)
        return (*d, self.repetition) if self.repetition else d


@dataclass(slots=True)
class IsaHeader:
    """An ISA segment: its 16 elements (trimmed of padding), delimiters and the leniency used."""

    elements: list[str]
    raw: list[str]
    delimiters: Delimiters
    warnings: list[str] = field(default_factory=list)
    newline_terminated: bool = False

    @property
    def control_number(self) -> str:
        return self.elements[12]

    @property
    def version(self) -> str:
        return self.elements[11]


class Tokenizer:
    """Iterate over ``IsaHeader`` objects and segment strings of a byte stream.

    ``errors`` collects envelope problems the tokenizer can see (text outside an interchange,
    a truncated file); they are reported through the envelope layer, which owns control numbers.
    """

    def __init__(self, stream: BinaryIO, *, strict: bool = False, chunk_size: int = CHUNK_SIZE):
        self._stream = stream
        self._strict = strict
        self._chunk_size = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="x12-latin1")
        self._eof = False
        self._wrap_checked = False
        self._unwrap = False
        self.bytes_read = 0
        self.first_interchange_seen = False
        self.stray_text: list[str] = []

    def _read(self) -> str:
        if self._eof:
            return ""
        data = self._stream.read(self._chunk_size)
        if not data:
            self._eof = True
            return self._decoder.decode(b"", final=True)
        self.bytes_read += len(data)
        text = self._decoder.decode(data)
        if self._unwrap:
            return text.replace("\r", "").replace("\n", "")
        return text

    def __iter__(self) -> Iterator[IsaHeader | TokenWarning | str]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[IsaHeader | TokenWarning | str]]:
        """The tokens in file order, as lists: each chunk's segments come in one list, so a
        consumer loops over a list instead of resuming a generator for every segment. A
        defect found in strict mode is raised after the segments before it were handed on."""
        buf = ""
        at_start = True
        while True:
            # -- find the next ISA -----------------------------------------------------------
            while True:
                buf = buf.lstrip(_WS + "\ufeff\x00")
                if len(buf) >= 4 or self._eof:
                    break
                buf += self._read()
            if not buf:
                if at_start:
                    raise UnusableInputError("empty input: no ISA segment")
                return
            if not buf.startswith("ISA"):
                if at_start:
                    snippet = buf[:40].encode("unicode_escape").decode("ascii")
                    raise UnusableInputError(
                        f"not an X12 interchange: expected 'ISA' at the start, found {snippet!r}"
                    )
                # text after an interchange: skip to the next ISA, remembering what was skipped
                stray = ""
                pos = buf.find("ISA")
                while pos < 0 and not self._eof:
                    stray = (stray + buf[:-3])[:80]
                    buf = buf[-3:] + self._read()  # "ISA" may straddle two chunks
                    pos = buf.find("ISA")
                stray += buf if pos < 0 else buf[:pos]
                self.stray_text.append(stray[:80])
                if pos < 0:
                    return
                buf = buf[pos:]
            at_start = False
            # -- read the ISA header ------------------------------------------------------------
            while len(buf) < 512 and not self._eof:
                buf += self._read()
            if not self._wrap_checked:
                self._wrap_checked = True
                width = _wrapped_width(buf)
                if width:
                    msg = f"file wrapped at {width} columns: line breaks inside segments"
                    if self._strict:
                        raise EnvelopeError(msg, level="interchange", ta1_code="024")
                    msg += " removed"
                    self._unwrap = True
                    buf = buf.replace("\r", "").replace("\n", "")
                    wrap_warning: TokenWarning | None = TokenWarning(msg)
                else:
                    wrap_warning = None
            header, consumed = self._parse_isa(buf)
            self.first_interchange_seen = True
            buf = buf[consumed:]
            yield [header] if wrap_warning is None else [header, wrap_warning]
            wrap_warning = None
            # -- segments until IEA (or a new ISA) -------------------------------------------
            term = "\n" if header.newline_terminated else header.delimiters.segment
            sep = header.delimiters.element
            iea = "IEA" + sep
            isa = "ISA" + sep
            ended = False
            while not ended:
                if not buf and self._eof:
                    return
                parts = buf.split(term)
                pending: list[str] = [] if self._eof else [parts.pop()]  # incomplete piece
                buf = ""
                batch: list[IsaHeader | TokenWarning | str] = []
                add = batch.append
                try:
                    for i, part in enumerate(parts):
                        seg = part.strip(_WS)
                        if not seg:
                            continue
                        tail: list[str] = []
                        if "\n" in seg and not header.newline_terminated:
                            # Split at line breaks; an IEA or ISA among the lines ends the
                            # interchange exactly as one after a terminator does.
                            lines = list(self._split_lines(seg, sep))
                            k = next(
                                (
                                    k
                                    for k, line in enumerate(lines)
                                    if isinstance(line, str)
                                    and (line.startswith((iea, isa)) or line == "IEA")
                                ),
                                len(lines),
                            )
                            batch.extend(lines[:k])
                            if k == len(lines):
                                continue
                            found = lines[k]
                            assert isinstance(found, str)
                            seg = found
                            tail = [line for line in lines[k + 1 :] if isinstance(line, str)]
                        if seg[0] == "I" and (seg.startswith((iea, isa)) or seg == "IEA"):
                            if seg[:3] == "IEA":
                                add(seg)
                                rest = [*tail, *parts[i + 1 :]]
                            else:
                                # a new interchange without IEA: hand it back to the header
                                rest = [seg, *tail, *parts[i + 1 :]]
                            buf = term.join(rest + pending)
                            ended = True
                            break
                        add(seg)
                    else:
                        buf = pending[0] if pending else ""
                except EnvelopeError:
                    if batch:
                        yield batch
                    raise
                if batch:
                    yield batch
                if not ended:
                    more = self._read()
                    if not more and self._eof and not buf:
                        return
                    buf += more

    def _parse_isa(self, buf: str) -> tuple[IsaHeader, int]:
        warnings: list[str] = []
        sep = buf[3] if len(buf) > 3 else ""
        if not sep or sep.isalnum() or sep in _WS:
            raise UnusableInputError(
                f"ISA segment has no usable element separator (found {sep!r} after 'ISA')"
            )
        fixed = len(buf) >= 106 and all(buf[p] == sep for p in _ISA_SEPARATORS)
        if fixed and buf.count(sep, 0, 104) == 16:
            raw = buf[4:103].split(sep)
            component = buf[104]
            end = 105
        else:
            # Lenient: locate the 16 separators wherever they are.
            positions = []
            p = 3
            for _ in range(16):
                p = buf.find(sep, p)
                if p < 0:
                    break
                positions.append(p)
                p += 1
            if len(positions) < 16 or positions[-1] + 1 >= len(buf):
                raise UnusableInputError(
                    "ISA segment is incomplete: fewer than 16 elements before the end of input"
                )
            raw = buf[4 : positions[-1]].split(sep)
            component = buf[positions[-1] + 1]
            end = positions[-1] + 2
            short = [
                f"ISA{i + 1:02d}"
                for i, (v, w) in enumerate(zip(raw, _ISA_WIDTHS, strict=False))
                if len(v) != w
            ]
            msg = "ISA is not fixed-length (106 characters)"
            if short:
                msg += f": {', '.join(short)} not padded to their fixed width"
            if self._strict:
                raise EnvelopeError(msg, level="interchange", ta1_code="024", segment_id="ISA")
            warnings.append(msg)
        if end >= len(buf):
            raise UnusableInputError("input ends inside the ISA segment")
        term = buf[end]
        newline = False
        consumed = end + 1
        if term in "\r\n" and self._isa16_missing(buf, end, component):
            # "...*T*~\n": the character we took for ISA16 ends every segment, so it is the
            # terminator and ISA16 was left out. Use ">" so composites still split somewhere.
            msg = f"ISA16 is missing: {component!r} terminates the segments"
            if self._strict:
                raise EnvelopeError(msg, level="interchange", ta1_code="027", segment_id="ISA")
            warnings.append(msg)
            term, component = component, ">"
        if term == "\r" and buf[end + 1 : end + 2] == "\n":
            newline, consumed = True, end + 2
            term = "\n"
        elif term == "\n":
            newline = True
        elif term in _WS:
            # A space (or tab) after ISA16 followed by a line break: the file is really
            # newline-terminated and its segments carry trailing blanks.
            rest = buf[end:].lstrip(" \t")
            if rest[:1] not in ("\r", "\n"):
                raise UnusableInputError(f"ISA segment terminator {term!r} is not usable")
            newline = True
            term = "\n"
            consumed = len(buf) - len(rest) + (2 if rest[:2] == "\r\n" else 1)
            msg = "segments end with blanks before a line break instead of a segment terminator"
            if self._strict:
                raise EnvelopeError(msg, level="interchange", ta1_code="004", segment_id="ISA")
            warnings.append(msg)
        if component.isalnum() or component == sep:
            raise EnvelopeError(
                f"ISA16 component separator {component!r} is not usable",
                level="interchange",
                ta1_code="027",
                segment_id="ISA",
            )
        if any(_NBSP in v for v in raw):
            fields = [f"ISA{i + 1:02d}" for i, v in enumerate(raw) if _NBSP in v]
            msg = f"{', '.join(fields)} padded with NBSP"
            if self._strict:
                raise EnvelopeError(msg, level="interchange", ta1_code="024", segment_id="ISA")
            warnings.append(msg)
        elements = [v.replace(_NBSP, " ").strip() for v in raw]
        repetition: str | None = None
        version = elements[11] if len(elements) > 11 else ""
        if len(elements) > 10 and version >= "00501" and len(raw[10]) == 1:
            candidate = raw[10]
            if not candidate.isalnum() and candidate not in (sep, component, term):
                repetition = candidate
        delimiters = Delimiters(sep, component, term, repetition)
        raw.append(component)
        elements.append(component)
        return IsaHeader(elements, raw, delimiters, warnings, newline), consumed

    def _split_lines(self, seg: str, sep: str) -> Iterator[TokenWarning | str]:
        lines = [line.strip(_WS) for line in seg.split("\n")]
        lines = [line for line in lines if line]
        if len(lines) > 1 and all(_SEGMENT_START.match(line[:4]) for line in lines[1:]):
            ids = ", ".join(line.split(sep, 1)[0] for line in lines)
            msg = f"segment terminator missing between segments {ids} (line break used)"
            if self._strict:
                raise EnvelopeError(msg, level="interchange", ta1_code="004")
            yield TokenWarning(msg)
            yield from lines
        else:
            yield seg

    @staticmethod
    def _isa16_missing(buf: str, end: int, candidate: str) -> bool:
        following = buf[end:].lstrip(_WS)
        line = following.split("\n", 1)[0].rstrip(_WS)
        return line.startswith("GS") and line.endswith(candidate)
