"""A raw X12 payload as the message page shows it: one numbered line per segment, with the
segments and elements the validator flagged marked (ST = segment 1 of each set, as in the
997's AK3 and in `TransactionSet.errors`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_SEGMENTS = 20000


@dataclass(slots=True)
class Segment:
    number: int  # 1-based, in the file
    elements: list[str]
    error_elements: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RawView:
    segments: list[Segment]
    element_separator: str
    text: str | None = None  # when it is not X12: the payload as text
    truncated: bool = False


def _delimiters(text: str) -> tuple[str, str] | None:
    if not text.startswith("ISA") or len(text) < 106:
        return None
    element = text[3]
    terminator = text[105]
    if terminator in "\r\n":
        return element, "\n"
    return element, terminator


def render(data: bytes, set_errors: list[list[dict[str, Any]]]) -> RawView:
    """`set_errors`: each transaction set's stored errors, in file order."""
    text = data.decode("latin-1")
    stripped = text.lstrip()
    found = _delimiters(stripped)
    if found is None:
        return RawView([], "", text=text[:200_000], truncated=len(text) > 200_000)
    element, terminator = found
    raw_segments = [s.strip("\r\n") for s in stripped.split(terminator)]
    raw_segments = [s for s in raw_segments if s.strip()]
    truncated = len(raw_segments) > MAX_SEGMENTS
    segments = [Segment(i + 1, s.split(element)) for i, s in enumerate(raw_segments[:MAX_SEGMENTS])]
    st_lines = [seg.number for seg in segments if seg.elements[0] == "ST"]
    for st_line, errors in zip(st_lines, set_errors, strict=False):
        for err in errors:
            position = err.get("segment_position")
            if not isinstance(position, int):
                continue
            index = st_line + position - 2
            if 0 <= index < len(segments):
                seg = segments[index]
                if isinstance(err.get("element_position"), int):
                    seg.error_elements.add(err["element_position"])
                seg.errors.append(_describe(err))
    return RawView(segments, element, truncated=truncated)


def _describe(err: dict[str, Any]) -> str:
    where = str(err.get("segment_id") or "")
    if isinstance(err.get("element_position"), int):
        where += f"{err['element_position']:02d}"
    text = str(err.get("message") or "error")
    if err.get("bad_value") is not None:
        text += f" (value {err['bad_value']!r})"
    return f"{where}: {text}" if where else text
