"""Canonical documents -> one X12 interchange: ISA/GS/ST envelopes around the set writers.

Documents are grouped by functional id (PO, PR, SH, IN, FA) in the order each id first appears;
each group gets one GS (GS06 = the group control number plus the group's index) and its sets
are numbered from ST02 ``0001``. Counts (SE01, GE01, IEA01) are computed, never taken from the
documents, and the `envelope` of a document is ignored: the profile says who sends what to whom.

Every set is validated against its spec (when the registry has one) before it is written, so
the gateway never sends X12 its own reader would reject; a refusal is a `RenderError` naming
the canonical field, the segment and the element.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from translators.errors import RenderError
from translators.x12.spec.registry import get_spec
from translators.x12.tokenizer import Delimiters
from translators.x12.validator import SetValidator
from translators.x12.writers import functional_ack, invoice, order, order_ack, ship_notice
from translators.x12.writers.common import Element, Raw, Segment, Value, field_of

Version = Literal["004010", "005010"]
SetWriter = Callable[[Mapping[str, Any], str], list[Segment]]

#: document_type -> the writer that maps it to its ST..SE segments.
WRITERS: Final[Mapping[str, SetWriter]] = {
    "order": order.write,
    "order_ack": order_ack.write,
    "ship_notice": ship_notice.write,
    "invoice": invoice.write,
    "functional_ack": functional_ack.write,
}
#: document_type -> GS01.
FUNCTIONAL_IDS: Final[Mapping[str, str]] = {
    "order": "PO",
    "order_ack": "PR",
    "ship_notice": "SH",
    "invoice": "IN",
    "functional_ack": "FA",
}
#: document_type -> ST01 (a functional_ack is a 999 in 005010 unless the profile asks for 997).
SET_IDS: Final[Mapping[str, str]] = {
    "order": "850",
    "order_ack": "855",
    "ship_notice": "856",
    "invoice": "810",
    "functional_ack": "997",
}
_ISA_VERSIONS: Final = {"004010": "00401", "005010": "00501"}
_ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1)  # ISA01..ISA15
_MAX_CONTROL: Final = 999_999_999
_PROFILE_CODES: Final = {
    "version": ("004010", "005010"),
    "ack_requested": ("0", "1"),
    "usage": ("P", "T"),
    "functional_ack_set": (None, "997", "999"),
}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(kw_only=True)
class EnvelopeProfile:
    """Who sends to whom, and how: everything ISA and GS say.

    ``delimiters`` defaults to ``* : ~`` with ``^`` as the repetition separator in 005010 (ISA11;
    004010 sends ``U`` there and has no repetition separator). GS02/GS03 default to the ISA ids.
    """

    sender_id: str
    receiver_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    version: Version = "004010"
    delimiters: Delimiters | None = None
    interchange_control_number: int = 1
    group_control_number: int | None = None
    ack_requested: Literal["0", "1"] = "0"
    usage: Literal["P", "T"] = "P"
    timestamp: dt.datetime = field(default_factory=_utc_now)
    authorization_qualifier: str = "00"
    authorization: str = ""
    security_qualifier: str = "00"
    security: str = ""
    application_sender_id: str | None = None
    application_receiver_id: str | None = None
    functional_ack_set: Literal["997", "999"] | None = None
    newline_after_segment: bool = True

    def resolved_delimiters(self) -> Delimiters:
        """The delimiters used, after checking the profile's codes and separators."""
        for name, allowed in _PROFILE_CODES.items():
            if getattr(self, name) not in allowed:
                raise RenderError(
                    f"profile {name} {getattr(self, name)!r} must be one of "
                    f"{', '.join(repr(a) for a in allowed)}",
                    field=f"profile.{name}",
                )
        d = self.delimiters or Delimiters()
        repetition = (d.repetition or "^") if self.version == "005010" else None
        resolved = Delimiters(d.element, d.component, d.segment, repetition)
        chars = resolved.all()
        if len(set(chars)) != len(chars) or any(
            len(c) != 1 or c.isalnum() or c == " " for c in chars
        ):
            raise RenderError(
                f"delimiters {chars!r} must be distinct single characters, not letters, digits "
                "or space",
                field="profile.delimiters",
            )
        return resolved


def render_segments(
    segments: Iterable[Sequence[Element]], delimiters: Delimiters, *, newline: bool = False
) -> str:
    """Segments as X12 text, each closed by the segment terminator (and a newline if asked).

    Trailing empty elements and trailing empty components are dropped. A value holding a
    delimiter (or a control character) is refused: X12 has no escape.
    """
    end = _terminator(delimiters, newline)
    return "".join(_segment_text(seg, delimiters) + end for seg in segments)


def _terminator(d: Delimiters, newline: bool) -> str:
    return d.segment + ("\n" if newline and d.segment != "\n" else "")


def _segment_text(segment: Sequence[Element], d: Delimiters) -> str:
    sid = str(segment[0])
    if isinstance(segment[0], Value):  # a segment id taken from a document (856 hierarchy)
        _refuse_delimiters(sid, 0, segment[0], d)
    texts = [_element_text(sid, pos, el, d) for pos, el in enumerate(segment[1:], start=1)]
    while texts and not texts[-1]:
        texts.pop()
    return d.element.join([sid, *texts])


def _element_text(sid: str, pos: int, element: Element, d: Delimiters) -> str:
    parts = list(element) if isinstance(element, tuple) else [element]
    for part in parts:
        _refuse_delimiters(sid, pos, part, d)
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return d.component.join(parts)


_DELIMITER_NAMES: Final = ("element separator", "component separator", "segment terminator")


def _refuse_delimiters(sid: str, pos: int, value: str, d: Delimiters) -> None:
    names = dict(zip(d.all(), (*_DELIMITER_NAMES, "repetition separator"), strict=False))
    if isinstance(value, Raw):
        names = {ch: names[ch] for ch in (d.element, d.segment)}
    bad = next((ch for ch in value if ch in names or ch < " " or ch == "\x7f"), None)
    if bad is None:
        return
    what = names.get(bad, "control character")
    position = f"{sid}{pos:02d}" if pos else f"segment id {sid!r}"
    source = field_of(value)
    where = f"{source} ({position})" if source else position
    raise RenderError(
        f"{where} contains the {what} {bad!r}; X12 has no escape for it",
        field=source or position,
        value=value,
    )


# -- the interchange -----------------------------------------------------------------------------


def render_interchange(
    documents: Iterable[Mapping[str, Any]], profile: EnvelopeProfile, *, validate: bool = True
) -> str:
    """One interchange holding every document, grouped by functional id; see the module doc."""
    d = profile.resolved_delimiters()
    newline = profile.newline_after_segment
    first_group = profile.group_control_number or profile.interchange_control_number
    _check_control("interchange_control_number", profile.interchange_control_number)
    _check_control("group_control_number", first_group)
    isa = _isa(profile, d, newline)
    groups: dict[str, list[str]] = {}  # functional id -> its sets, rendered
    for index, document in enumerate(documents):
        doc_type = _document_type(document, index)
        sets = groups.setdefault(FUNCTIONAL_IDS[doc_type], [])
        try:
            segments = _write(document, doc_type, profile)
            segments = _close_set(segments, f"{len(sets) + 1:04d}", profile.version, d, validate)
            sets.append(render_segments(segments, d, newline=newline))
        except RenderError as exc:
            raise RenderError(
                f"document {index + 1} ({doc_type}): {exc}", field=exc.field, value=exc.value
            ) from exc
    _check_control("group_control_number", first_group + max(len(groups) - 1, 0))
    parts = [isa]
    for offset, (functional_id, sets) in enumerate(groups.items()):
        number = str(first_group + offset)
        parts.append(render_segments([_gs(profile, functional_id, number)], d, newline=newline))
        parts += sets
        parts.append(render_segments([["GE", str(len(sets)), number]], d, newline=newline))
    iea: Segment = ["IEA", str(len(groups)), f"{profile.interchange_control_number:09d}"]
    parts.append(render_segments([iea], d, newline=newline))
    return "".join(parts)


def _document_type(document: Mapping[str, Any], index: int) -> str:
    doc_type = document.get("document_type") if isinstance(document, Mapping) else None
    if not isinstance(doc_type, str) or doc_type not in WRITERS:
        raise RenderError(
            f"document {index + 1}: cannot render document_type {doc_type!r}; expected one of "
            f"{', '.join(WRITERS)}",
            field="document_type",
            value=str(doc_type),
        )
    return doc_type


def _write(document: Mapping[str, Any], doc_type: str, profile: EnvelopeProfile) -> list[Segment]:
    if doc_type == "functional_ack":
        return functional_ack.write(document, profile.version, set_id=profile.functional_ack_set)
    return WRITERS[doc_type](document, profile.version)


def _close_set(
    segments: list[Segment], number: str, version: str, d: Delimiters, validate: bool
) -> list[Segment]:
    """Fill in ST02, SE01 and SE02, and validate the set against its spec."""
    segments = [list(s) for s in segments]
    segments[0][2:3] = [number]
    segments[-1] = ["SE", str(len(segments)), number]
    spec = get_spec(str(segments[0][1]), version) if validate else None
    if spec is not None:
        raws = [_segment_text(s, d) for s in segments]
        errors = SetValidator(spec, d).validate([r.split(d.element) for r in raws], raws)
        if errors:
            err = errors[0]
            element = None
            if err.element_position is not None and err.segment_position <= len(segments):
                seg = segments[err.segment_position - 1]
                element = seg[err.element_position] if err.element_position < len(seg) else None
            source = field_of(element) if element is not None else None
            where = f"{source}: " if source else ""
            raise RenderError(
                f"{where}the {segments[0][1]} would be invalid X12: {err}",
                field=source or err.segment_id,
                value=err.bad_value,
            )
    return segments


def _check_control(name: str, number: int) -> None:
    if not 0 < number <= _MAX_CONTROL:
        raise RenderError(f"{name} {number} is outside 1..{_MAX_CONTROL}", field=f"profile.{name}")


_ISA_FIELDS: Final = (
    "authorization_qualifier",
    "authorization",
    "security_qualifier",
    "security",
    "sender_qualifier",
    "sender_id",
    "receiver_qualifier",
    "receiver_id",
)


def _isa(p: EnvelopeProfile, d: Delimiters, newline: bool) -> str:
    """The fixed-length ISA: every field padded to its width, 106 characters with terminator."""
    values: list[str] = [Value(getattr(p, name), f"profile.{name}") for name in _ISA_FIELDS]
    values += [
        p.timestamp.strftime("%y%m%d"),
        p.timestamp.strftime("%H%M"),
        d.repetition or "U",
        _ISA_VERSIONS[p.version],
        f"{p.interchange_control_number:09d}",
        Value(p.ack_requested, "profile.ack_requested"),
        Value(p.usage, "profile.usage"),
    ]
    for i, (value, width) in enumerate(zip(values, _ISA_WIDTHS, strict=True)):
        name = field_of(value) or f"ISA{i + 1:02d}"
        if len(value) > width or (i >= 4 and not value.strip()):
            raise RenderError(
                f"ISA{i + 1:02d} {value!r} must be 1 to {width} characters",
                field=name,
                value=value,
            )
        if i != 10:  # ISA11 is the repetition separator in 005010
            _refuse_delimiters("ISA", i + 1, value, d)
    padded = [v.ljust(w) for v, w in zip(values, _ISA_WIDTHS, strict=True)]
    return d.element.join(["ISA", *padded, d.component]) + _terminator(d, newline)


def _gs(p: EnvelopeProfile, functional_id: str, number: str) -> Segment:
    sender = Value(p.application_sender_id or p.sender_id, "profile.application_sender_id")
    receiver = Value(p.application_receiver_id or p.receiver_id, "profile.application_receiver_id")
    for value in (sender, receiver):
        if not 2 <= len(value) <= 15:
            raise RenderError(
                f"{value.field} {value!r} must be 2 to 15 characters (GS02/GS03)",
                field=value.field,
                value=value,
            )
    stamp = p.timestamp
    date, time = stamp.strftime("%Y%m%d"), stamp.strftime("%H%M")
    return ["GS", functional_id, sender, receiver, date, time, number, "X", p.version]
