"""997, 999 and TA1 acknowledgments for inbound interchanges.

Built from the same validation results `translate` uses (`Interchange`, `Group`, `SetSummary`),
so an acknowledgment always says exactly what the translation did: one 997 (or 999 for 005010)
per functional group with an AK2/AK5 (IK5) loop for every transaction set, an AK3/AK4 (IK3/IK4)
pair for every located error, and AK9 counts; a TA1 before the groups when the sender asked for
one (ISA14 = 1) or the interchange envelope itself is in error. Acknowledgments are never
acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from translators.errors import RenderError, SegmentError, TranslatorError
from translators.x12.interchange import Group, Interchange, SetSummary
from translators.x12.tokenizer import Delimiters

ACK_SET_IDS = frozenset({"997", "999", "TA1"})
ACK_DELIMITERS_4010 = Delimiters("*", ">", "~", None)
ACK_DELIMITERS_5010 = Delimiters("*", ">", "~", "^")
_LINE_BREAKS = str.maketrans("", "", "\r\n")


@dataclass(slots=True)
class AckOptions:
    kind: str = "997"  # "997" or "999"
    control_number: int = 1
    when: datetime = field(default_factory=datetime.now)
    newline: bool = True


def is_acknowledgment(ic: Interchange) -> bool:
    """Interchanges made only of acknowledgments (997/999 groups, TA1s) get no reply."""
    if not ic.groups:
        return bool(ic.ta1s)
    return all(g.functional_id == "FA" for g in ic.groups)


def acknowledged_groups(ic: Interchange) -> list[Group]:
    """The groups a 997/999 answers: all but the partner's own acknowledgments (FA)."""
    return [g for g in ic.groups if g.functional_id != "FA"]


def acknowledgment_due(ic: Interchange) -> bool:
    """Whether `acknowledge` has something to send for the interchange: not when it is made
    of acknowledgments, nor when it has no group and no TA1 is due. (A sender takes the
    reply's control numbers only for interchanges that get one: the sequences stay gap-free.)"""
    if is_acknowledgment(ic):
        return False
    return bool(ic.groups) or ta1_segment(ic) is not None


def _version(ic: Interchange) -> str:
    v = ic.isa.version
    return "00501" if v.isdigit() and v >= "00501" else "00401"


def _clean(value: str | None, d: Delimiters, limit: int = 99) -> str:
    """A bad value copied into AK404/IK404: it must not carry our delimiters."""
    if not value:
        return ""
    value = value.translate(_LINE_BREAKS)
    if any(ch in value for ch in d.all()):
        return ""
    return value[:limit]


def _copied(value: str, d: Delimiters) -> str:
    """An identifier copied from the input (GS01, GS06, ST01, ST02, ...) into the ack.

    A file wrapped at 80 columns leaves line breaks inside values, and an input with other
    delimiters may carry ours as data; neither may reach the ack, where they would end or split
    a segment. An identifier cannot be left out like AK404, so those characters are dropped.
    """
    mine = d.all()
    return "".join(ch for ch in value.translate(_LINE_BREAKS) if ch not in mine)


def _application_code(value: str, isa_id: str, d: Delimiters) -> str:
    """GS02/GS03 of the ack: the input's GS03/GS02. X12 allows 2 to 15 characters there; an
    input code outside that range is replaced by the same party's ISA id, so the ack stays
    valid."""
    for candidate in (_copied(value, d), _copied(isa_id, d)):
        if 2 <= len(candidate) <= 15:
            return candidate
    return (_copied(value, d) or _copied(isa_id, d))[:15]


def _element_code(code: str, kind: str, version: str) -> str:
    """AK403 of a 4010 997: element 723's 004010 code list stops at 10, so 12 (too many
    repetitions) and 13 (too many components) are reported as 3 (too many data elements)."""
    if kind == "997" and version == "00401" and code in ("12", "13"):
        return "3"
    return code


def _ak3_ak4(err: SegmentError, kind: str, d: Delimiters, version: str) -> list[list[str]]:
    seg_code = err.segment_error_code or "8"
    if err.element_position is not None and seg_code != "8":
        seg_code = "8"
    out = [
        [
            "AK3" if kind == "997" else "IK3",
            _copied(err.segment_id, d)[:3],
            str(err.segment_position),
            (err.loop_id or "")[:6],
            seg_code if err.element_error_code or err.segment_error_code else "8",
        ]
    ]
    if err.element_position is not None and err.element_error_code:
        position = str(err.element_position)
        if err.component_position is not None:
            position += d.component + str(err.component_position)
        ref = err.element_reference or ""
        ref = ref if ref.isdigit() else ""
        out.append(
            [
                "AK4" if kind == "997" else "IK4",
                position,
                ref,
                _element_code(err.element_error_code, kind, version),
                _clean(err.bad_value, d),
            ]
        )
    return out


def _grouped(errors: list[SegmentError]) -> Iterator[tuple[SegmentError, list[SegmentError]]]:
    """Errors of the same segment share one AK3 (IK3); each element error gets an AK4."""
    order: list[tuple[str, int]] = []
    by_segment: dict[tuple[str, int], list[SegmentError]] = {}
    for e in errors:
        key = (e.segment_id, e.segment_position)
        if key not in by_segment:
            order.append(key)
            by_segment[key] = []
        by_segment[key].append(e)
    for key in order:
        errs = by_segment[key]
        yield errs[0], errs


def _set_loop(s: SetSummary, kind: str, d: Delimiters, version: str) -> list[list[str]]:
    ak2 = ["AK2", _copied(s.set_id, d), _copied(s.control_number, d)]
    if kind == "999" and s.implementation_reference:
        ak2.append(_copied(s.implementation_reference, d))
    segs = [ak2]
    for first, errs in _grouped(s.errors):
        seg_code = first.segment_error_code or "8"
        element_errors = [e for e in errs if e.element_position is not None]
        if element_errors:
            seg_code = "8"
        head = _ak3_ak4(first, kind, d, version)[0]
        head[4] = seg_code
        segs.append(head)
        seen: set[tuple[str, ...]] = set()
        for e in element_errors[:99]:
            for ak4 in _ak3_ak4(e, kind, d, version)[1:]:
                # two syntax notes may blame the same element: one AK4 says it
                if tuple(ak4) not in seen:
                    seen.add(tuple(ak4))
                    segs.append(ak4)
    status = ("E" if s.noted or s.codes else "A") if s.accepted else "R"
    segs.append(["AK5" if kind == "997" else "IK5", status, *s.codes[:5]])
    return segs


def group_status(group: Group) -> str:
    accepted = group.accepted_count
    if group.rejected or (group.sets and accepted == 0) or not group.sets:
        return "R"
    if accepted < len(group.sets):
        return "P"
    if group.errors or any(s.noted or s.codes for s in group.sets):
        return "E"
    return "A"


def ack_set_segments(
    group: Group, kind: str, d: Delimiters, version: str = "00401"
) -> list[list[str]]:
    """The segments of one 997/999, AK1 to AK9 (ST and SE are added by the caller).

    ``version`` is the acknowledgment's ISA12 (00401 or 00501): it decides the code list.
    """
    ak1 = ["AK1", _copied(group.functional_id, d), _copied(group.control_number, d)]
    if kind == "999":
        ak1.append(_copied(group.version, d))
    segs = [ak1]
    for s in group.sets:
        segs.extend(_set_loop(s, kind, d, version))
    included = group.declared_count if group.declared_count is not None else len(group.sets)
    group_codes = [e.group_code for e in group.errors if e.group_code][:5]
    segs.append(
        [
            "AK9",
            group_status(group),
            str(included),
            str(len(group.sets)),
            str(group.accepted_count),
            *group_codes,
        ]
    )
    return segs


def ta1_segment(ic: Interchange, d: Delimiters = ACK_DELIMITERS_4010) -> list[str] | None:
    """The TA1 for an interchange, or None when none is due."""
    errors = ic.errors
    if not errors and ic.isa.elements[13:14] != ["1"]:
        return None
    hard = [e for e in errors if not e.forgiven]
    if hard:
        status, code = "R", hard[0].ta1_code or "024"
    elif errors:
        status, code = "E", errors[0].ta1_code or "000"
    else:
        status, code = "A", "000"
    isa = ic.isa.elements
    # TA102/TA103 echo ISA09/ISA10; keep only their digits so a sloppy "18:04" stays valid
    when_date = "".join(ch for ch in isa[8] if ch.isdigit())[:6].ljust(6, "0")
    when_time = "".join(ch for ch in isa[9] if ch.isdigit())[:4].ljust(4, "0")
    number = _copied(ic.control_number, d)
    if number.isdigit() and len(number) < 9:
        number = number.zfill(9)
    return ["TA1", number, when_date, when_time, status, code]


def _render(segments: Iterable[list[str]], d: Delimiters, newline: bool) -> str:
    end = d.segment + ("\n" if newline else "")
    out = []
    for seg in segments:
        while len(seg) > 1 and seg[-1] == "":
            seg = seg[:-1]
        out.append(d.element.join(seg) + end)
    return "".join(out)


def _isa(ic: Interchange, version: str, number: int, when: datetime, d: Delimiters) -> list[str]:
    isa = ic.isa.elements
    return [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        _copied(isa[6], d).ljust(2)[:2],
        _copied(isa[7], d).ljust(15)[:15],
        _copied(isa[4], d).ljust(2)[:2],
        _copied(isa[5], d).ljust(15)[:15],
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        d.repetition if version >= "00501" and d.repetition else "U",
        version,
        f"{number:09d}",
        "0",
        isa[14] if isa[14] in ("P", "T") else "P",
        d.component,
    ]


def acknowledge(ic: Interchange, options: AckOptions, group_number: int) -> tuple[str, int]:
    """The acknowledgment interchange for one inbound interchange, and the groups it used.

    Returns an empty string when nothing is due (an interchange of acknowledgments).
    """
    if not acknowledgment_due(ic):
        return "", 0
    version = _version(ic)
    d = ACK_DELIMITERS_5010 if version == "00501" else ACK_DELIMITERS_4010
    ta1 = ta1_segment(ic, d)
    if options.kind == "999" and version < "00501":
        raise TranslatorError(
            f"ISA13 {ic.control_number}: a 999 needs 005010 input; this interchange is "
            f"{ic.isa.version} (use --kind 997)"
        )
    if options.control_number > 999_999_999:
        raise RenderError("control numbers have at most 9 digits", field="control_number")
    when = options.when
    segments: list[list[str]] = [_isa(ic, version, options.control_number, when, d)]
    if ta1:
        segments.append(ta1)
    groups = acknowledged_groups(ic)
    isa = ic.isa.elements
    for i, group in enumerate(groups):
        number = str(group_number + i)
        gs = group.gs
        segments.append(
            [
                "GS",
                "FA",
                _application_code(gs[3] if len(gs) > 3 else "", isa[7], d),
                _application_code(gs[2] if len(gs) > 2 else "", isa[5], d),
                when.strftime("%Y%m%d"),
                when.strftime("%H%M"),
                number,
                "X",
                "005010" if version == "00501" else "004010",
            ]
        )
        body = ack_set_segments(group, options.kind, d, version)
        segments.append(["ST", options.kind, "0001"])
        segments.extend(body)
        segments.append(["SE", str(len(body) + 2), "0001"])
        segments.append(["GE", "1", number])
    segments.append(["IEA", str(len(groups)), f"{options.control_number:09d}"])
    return _render(segments, d, options.newline), len(groups)
