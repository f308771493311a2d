"""Envelopes: interchanges, functional groups and transaction sets, streamed.

`read_interchanges` turns the tokenizer's output into a stream of events, one per finished
transaction set, group and interchange, checking the envelope on the way: ISA/IEA, GS/GE and
ST/SE control numbers and counts. Each set is validated against its spec as soon as its SE
arrives and is then handed on whole (a set is the unit the gateway translates, so it is the
one thing held in memory); groups and interchanges keep only per-set summaries, so memory stays
flat however many sets a file holds.

Events, in file order::

    InterchangeStart  isa header, warnings
    SetRead           one transaction set: its segments, spec, errors (empty when valid)
    GroupEnd          the group's summary (sets, errors) - what a 997/999 acknowledges
    InterchangeEnd    the interchange's summary and interchange-level (TA1) errors
    Ta1Received       a TA1 segment found in the interchange (an acknowledgment to reconcile)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, BinaryIO

from translators.errors import ControlNumbers, EnvelopeError, SegmentError
from translators.x12 import leniency
from translators.x12.spec.model import TransactionSetSpec
from translators.x12.spec.registry import get_spec
from translators.x12.tokenizer import Delimiters, IsaHeader, Tokenizer, TokenWarning
from translators.x12.validator import SetValidator

SUPPORTED_VERSIONS = ("004010", "005010")
# AK502 / IK502 transaction set error codes
SET_NOT_SUPPORTED = "1"
SET_TRAILER_MISSING = "2"
SET_CONTROL_MISMATCH = "3"
SET_COUNT_MISMATCH = "4"
SET_SEGMENTS_IN_ERROR = "5"
SET_BAD_ID = "6"
SET_BAD_CONTROL_NUMBER = "7"
SET_CONTROL_NOT_UNIQUE = "23"
# AK905 / IK905 functional group error codes
GROUP_TRAILER_MISSING = "3"
GROUP_CONTROL_MISMATCH = "4"
GROUP_COUNT_MISMATCH = "5"
GROUP_BAD_CONTROL_NUMBER = "6"
GROUP_VERSION_NOT_SUPPORTED = "2"
# TA1 interchange note codes
TA1_NO_ERROR = "000"
TA1_CONTROL_MISMATCH = "001"
TA1_BAD_CONTROL_NUMBER = "018"
TA1_BAD_ACK_REQUESTED = "019"
TA1_BAD_TEST_INDICATOR = "020"
TA1_BAD_GROUP_COUNT = "021"
TA1_BAD_CONTROL_STRUCTURE = "022"
TA1_PREMATURE_END = "023"
TA1_BAD_CONTENT = "024"


def spec_version(gs08: str) -> tuple[str, str | None]:
    """The supported spec version for a GS08 value, and a warning when it is not exact."""
    base = gs08[:6]
    if base in SUPPORTED_VERSIONS:
        return base, None
    nearest = "005010" if base >= "005010" else "004010"
    return nearest, f"version {gs08 or '(empty)'} read with the nearest supported spec {nearest}"


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE set, as readers see it."""

    set_id: str
    control_number: str
    version: str  # the spec version used: "004010" or "005010"
    delimiters: Delimiters
    segments: list[list[str]]  # ST..SE, each [segment id, element 1, element 2, ...]
    envelope: dict[str, Any]  # the canonical `envelope` object
    warnings: list[str]
    control: ControlNumbers
    position_in_group: int
    spec: TransactionSetSpec | None = None
    errors: list[SegmentError] = field(default_factory=list)
    set_errors: list[EnvelopeError] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    exact_spec: bool = True  # False when read with the spec of another version

    @property
    def accepted(self) -> bool:
        return all(e.forgiven for e in self.errors) and all(e.forgiven for e in self.set_errors)

    def ak5_codes(self) -> list[str]:
        codes = [e.set_code for e in self.set_errors if e.set_code]
        if self.errors and SET_SEGMENTS_IN_ERROR not in codes:
            codes.append(SET_SEGMENTS_IN_ERROR)
        return codes[:5]


@dataclass(slots=True)
class SetSummary:
    set_id: str
    control_number: str
    accepted: bool
    codes: list[str]
    errors: list[SegmentError]
    implementation_reference: str | None = None
    noted: bool = False  # accepted, but with errors noted (AK501 "E")


@dataclass(slots=True)
class Group:
    functional_id: str
    control_number: str
    gs: list[str]
    version: str  # GS08 as sent
    sets: list[SetSummary] = field(default_factory=list)
    errors: list[EnvelopeError] = field(default_factory=list)
    declared_count: int | None = None  # GE01

    @property
    def accepted_count(self) -> int:
        return sum(1 for s in self.sets if s.accepted)

    @property
    def rejected(self) -> bool:
        return any(not e.forgiven for e in self.errors)


@dataclass(slots=True)
class Interchange:
    isa: IsaHeader
    groups: list[Group] = field(default_factory=list)
    errors: list[EnvelopeError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ta1s: list[list[str]] = field(default_factory=list)

    @property
    def control_number(self) -> str:
        return self.isa.control_number

    @property
    def rejected(self) -> bool:
        return any(not e.forgiven for e in self.errors)


@dataclass(slots=True)
class InterchangeStart:
    interchange: Interchange


@dataclass(slots=True)
class SetRead:
    transaction_set: TransactionSet
    interchange: Interchange
    group: Group


@dataclass(slots=True)
class GroupEnd:
    group: Group
    interchange: Interchange


@dataclass(slots=True)
class InterchangeEnd:
    interchange: Interchange


@dataclass(slots=True)
class Ta1Received:
    segment: list[str]
    interchange: Interchange


Event = InterchangeStart | SetRead | GroupEnd | InterchangeEnd | Ta1Received


class _Reader:
    def __init__(self, stream: BinaryIO, strict: bool):
        self.tokens = Tokenizer(stream, strict=strict)
        self.strict = strict

    def events(self) -> Iterator[Event]:
        ic: Interchange | None = None
        group: Group | None = None
        current: TransactionSet | None = None
        group_count = 0
        seen_set_numbers: set[str] = set()
        d = Delimiters()
        sep = "*"
        add_segment: Callable[[list[str]], None] = _no_set
        add_raw: Callable[[str], None] = _no_set
        # chained in C: no generator is resumed per segment
        for tok in chain.from_iterable(self.tokens.batches()):
            if current is not None and tok.__class__ is str:
                # the hot path: a segment inside a set
                assert isinstance(tok, str)
                elements = tok.split(sep)
                if elements[0] not in _SET_BREAKS:
                    add_segment(elements)
                    add_raw(tok)
                    continue
            if tok.__class__ is TokenWarning:
                assert isinstance(tok, TokenWarning)
                if ic is not None:
                    ic.warnings.append(tok.message)
                    if current is not None:
                        current.warnings.append(tok.message)
                continue
            if isinstance(tok, IsaHeader):
                if ic is not None:
                    # previous interchange never ended
                    if current is not None:
                        yield from self._end_set(current, ic, group, None)
                        current = None
                    if group is not None:
                        self._group_error(group, ic, "GE segment is missing", GROUP_TRAILER_MISSING)
                        yield GroupEnd(group, ic)
                        group = None
                    ic.errors.append(
                        self._ic_error(ic, "IEA segment is missing", TA1_PREMATURE_END)
                    )
                    yield InterchangeEnd(ic)
                ic = Interchange(tok, warnings=list(tok.warnings))
                self._check_isa(ic)
                d = tok.delimiters
                sep = d.element
                group_count = 0
                yield InterchangeStart(ic)
                continue
            assert isinstance(tok, str)
            if ic is None:
                # after an IEA the tokenizer did not take for one: outside any interchange
                self.stray_errors.append(
                    EnvelopeError(
                        f"text outside any interchange: {tok[:40]!r}",
                        level="interchange",
                        ta1_code=TA1_BAD_CONTROL_STRUCTURE,
                    )
                )
                continue
            elements = tok.split(sep)
            sid = elements[0]
            if current is not None:
                current.segments.append(elements)
                current.raws.append(tok)
                if sid == "SE":
                    yield from self._end_set(current, ic, group, elements)
                    current = None
                    continue
                if sid not in ("ST", "GE", "IEA", "GS"):
                    continue
                # an envelope segment inside a set: the set ended without SE
                current.segments.pop()
                current.raws.pop()
                yield from self._end_set(current, ic, group, None)
                current = None
            if sid == "ST":
                if group is None:
                    ic.errors.append(
                        self._ic_error(
                            ic,
                            "ST segment outside a functional group (no GS)",
                            TA1_BAD_CONTROL_STRUCTURE,
                        )
                    )
                    group = Group("", "", ["GS"], "")
                    ic.groups.append(group)
                current = self._start_set(elements, tok, ic, group, d, seen_set_numbers)
                add_segment, add_raw = current.segments.append, current.raws.append
            elif sid == "GS":
                if group is not None:
                    self._group_error(group, ic, "GE segment is missing", GROUP_TRAILER_MISSING)
                    yield GroupEnd(group, ic)
                group = Group(_el(elements, 1), _el(elements, 6), elements, _el(elements, 8))
                ic.groups.append(group)
                group_count += 1
                seen_set_numbers = set()
                if not _is_number(group.control_number):
                    self._group_error(
                        group,
                        ic,
                        f"GS06 {group.control_number!r} is not a number",
                        GROUP_BAD_CONTROL_NUMBER,
                    )
            elif sid == "GE":
                if group is None:
                    ic.errors.append(
                        self._ic_error(ic, "GE segment without GS", TA1_BAD_CONTROL_STRUCTURE)
                    )
                    continue
                self._check_ge(group, ic, elements)
                yield GroupEnd(group, ic)
                group = None
            elif sid == "IEA":
                if group is not None:
                    self._group_error(group, ic, "GE segment is missing", GROUP_TRAILER_MISSING)
                    yield GroupEnd(group, ic)
                    group = None
                self._check_iea(ic, elements, group_count)
                yield InterchangeEnd(ic)
                ic = None
            elif sid == "TA1":
                ic.ta1s.append(elements)
                yield Ta1Received(elements, ic)
            elif sid in ("ISB", "ISE"):
                continue
            else:
                ic.errors.append(
                    self._ic_error(
                        ic,
                        f"segment {sid[:10]!r} outside a transaction set",
                        TA1_BAD_CONTROL_STRUCTURE,
                    )
                )
        # end of input
        if ic is not None:
            if current is not None:
                yield from self._end_set(current, ic, group, None)
            if group is not None:
                self._group_error(group, ic, "GE segment is missing", GROUP_TRAILER_MISSING)
                yield GroupEnd(group, ic)
            ic.errors.append(
                self._ic_error(
                    ic, "input ends before IEA (truncated interchange)", TA1_PREMATURE_END
                )
            )
            yield InterchangeEnd(ic)
        for text in self.tokens.stray_text:
            if text.strip():
                raise_later = EnvelopeError(
                    f"text outside any interchange: {text[:40]!r}",
                    level="interchange",
                    ta1_code=TA1_BAD_CONTROL_STRUCTURE,
                )
                self.stray_errors.append(raise_later)

    stray_errors: list[EnvelopeError]

    # -- interchange -----------------------------------------------------------------------

    def _ic_error(
        self,
        ic: Interchange,
        msg: str,
        code: str,
        segment_id: str | None = None,
        *,
        forgivable: bool = False,
    ) -> EnvelopeError:
        forgiven = forgivable and not self.strict
        if forgiven:
            ic.warnings.append(msg)
        return EnvelopeError(
            msg,
            level="interchange",
            control=ControlNumbers(ic.control_number),
            ta1_code=code,
            segment_id=segment_id,
            forgiven=forgiven,
        )

    def _check_isa(self, ic: Interchange) -> None:
        e = ic.isa.elements
        if len(e) != 16:
            ic.errors.append(
                self._ic_error(
                    ic, f"ISA has {len(e)} elements, 16 expected", TA1_BAD_CONTENT, "ISA"
                )
            )
            return
        if not _is_number(e[12]):
            ic.errors.append(
                self._ic_error(
                    ic, f"ISA13 {e[12]!r} is not a control number", TA1_BAD_CONTROL_NUMBER, "ISA"
                )
            )
        elif len(e[12]) != 9:
            self._leniency(ic, f"ISA13 {e[12]!r} is not 9 digits", TA1_BAD_CONTROL_NUMBER)
        if e[13] not in ("0", "1"):
            ic.errors.append(
                self._ic_error(ic, f"ISA14 {e[13]!r} must be 0 or 1", TA1_BAD_ACK_REQUESTED, "ISA")
            )
        if e[14] not in ("P", "T", "I"):
            ic.errors.append(
                self._ic_error(ic, f"ISA15 {e[14]!r} must be P or T", TA1_BAD_TEST_INDICATOR, "ISA")
            )
        v = e[11]
        if not _CONTROL_VERSION.fullmatch(v):
            self._leniency(ic, f"ISA12 {v!r} is not a valid version; read as 00401", "017")

    def _leniency(self, ic: Interchange, msg: str, code: str) -> None:
        if self.strict:
            ic.errors.append(self._ic_error(ic, msg, code, "ISA"))
        else:
            ic.warnings.append(msg)

    def _check_iea(self, ic: Interchange, e: list[str], group_count: int) -> None:
        iea02, isa13 = _el(e, 2), ic.control_number
        if iea02 != isa13:
            same_number = _is_number(iea02) and _is_number(isa13) and int(iea02) == int(isa13)
            ic.errors.append(
                self._ic_error(
                    ic,
                    f"IEA02 {iea02!r} does not match ISA13 {isa13!r}",
                    TA1_CONTROL_MISMATCH,
                    "IEA",
                    forgivable=True,
                )
                if not same_number
                else self._ic_error(
                    ic,
                    f"IEA02 {iea02!r} is not padded like ISA13 {isa13!r}",
                    TA1_CONTROL_MISMATCH,
                    "IEA",
                    forgivable=True,
                )
            )
        declared = _el(e, 1)
        # Some senders count a TA1 as a group; accept either reading.
        counts = {group_count, group_count + len(ic.ta1s)}
        if not (_is_number(declared) and int(declared) in counts):
            ic.errors.append(
                self._ic_error(
                    ic,
                    f"IEA01 says {declared!r} functional groups, the interchange has {group_count}",
                    TA1_BAD_GROUP_COUNT,
                    "IEA",
                    forgivable=True,
                )
            )

    # -- groups ----------------------------------------------------------------------------

    def _group_error(
        self, group: Group, ic: Interchange, msg: str, code: str, *, forgivable: bool = False
    ) -> None:
        forgiven = forgivable and not self.strict
        group.errors.append(
            EnvelopeError(
                msg,
                level="group",
                control=ControlNumbers(ic.control_number, group.control_number),
                group_code=code,
                segment_id="GE",
                forgiven=forgiven,
            )
        )
        if forgiven:
            ic.warnings.append(f"GS06 {group.control_number}: {msg}")

    def _check_ge(self, group: Group, ic: Interchange, e: list[str]) -> None:
        if _el(e, 2) != group.control_number:
            self._group_error(
                group,
                ic,
                f"GE02 {_el(e, 2)!r} does not match GS06 {group.control_number!r}",
                GROUP_CONTROL_MISMATCH,
                forgivable=True,
            )
        count = _el(e, 1)
        group.declared_count = int(count) if _is_number(count) else None
        if group.declared_count != len(group.sets):
            self._group_error(
                group,
                ic,
                f"GE01 says {count!r} transaction sets, the group has {len(group.sets)}",
                GROUP_COUNT_MISMATCH,
                forgivable=True,
            )

    # -- sets ------------------------------------------------------------------------------

    def _start_set(
        self,
        e: list[str],
        raw: str,
        ic: Interchange,
        group: Group,
        d: Delimiters,
        seen: set[str],
    ) -> TransactionSet:
        set_id, number = _el(e, 1), _el(e, 2)
        version, warning = spec_version(group.version)
        control = ControlNumbers(ic.control_number, group.control_number, number, set_id)
        warnings = list(ic.warnings)
        if warning:
            warnings.append(warning)
        isa = ic.isa.elements
        envelope = {
            "standard": "x12",
            "sender_id": isa[5] if len(isa) > 5 else None,
            "sender_qualifier": isa[4] if len(isa) > 4 else None,
            "receiver_id": isa[7] if len(isa) > 7 else None,
            "receiver_qualifier": isa[6] if len(isa) > 6 else None,
            "interchange_control_number": ic.control_number,
            "group_control_number": group.control_number,
            "functional_id": group.functional_id,
            "version": group.version,
            "transaction_set": set_id,
            "transaction_control_number": number,
            "test": len(isa) > 14 and isa[14] == "T",
            "payload_id": None,
            "timestamp": None,
        }
        ts = TransactionSet(
            set_id,
            number,
            version,
            d,
            [e],
            envelope,
            warnings,
            control,
            len(group.sets) + 1,
            raws=[raw],
        )
        if not number:
            ts.set_errors.append(
                self._set_error(ts, "ST02 control number is missing", SET_BAD_CONTROL_NUMBER)
            )
        elif number in seen:
            ts.set_errors.append(
                self._set_error(
                    ts,
                    f"ST02 {number} is used twice in this group",
                    SET_CONTROL_NOT_UNIQUE,
                    forgivable=True,
                )
            )
        seen.add(number)
        ts.exact_spec = warning is None
        ts.spec = get_spec(set_id, version)
        if ts.spec is None:
            ts.set_errors.append(
                self._set_error(
                    ts, f"unsupported transaction set {set_id or '(none)'}", SET_NOT_SUPPORTED
                )
            )
        elif warning and self.strict:
            ts.set_errors.append(self._set_error(ts, warning, SET_NOT_SUPPORTED))
        return ts

    def _set_error(
        self,
        ts: TransactionSet,
        msg: str,
        code: str,
        segment_id: str = "ST",
        *,
        forgivable: bool = False,
    ) -> EnvelopeError:
        forgiven = forgivable and not self.strict
        if forgiven:
            ts.warnings.append(msg)
        return EnvelopeError(
            msg,
            level="set",
            control=ts.control,
            set_code=code,
            segment_id=segment_id,
            forgiven=forgiven,
        )

    def _end_set(
        self, ts: TransactionSet, ic: Interchange, group: Group | None, se: list[str] | None
    ) -> Iterator[Event]:
        if se is None:
            ts.set_errors.append(
                self._set_error(ts, "SE segment is missing", SET_TRAILER_MISSING, "SE")
            )
        else:
            if _el(se, 2) != ts.control_number:
                ts.set_errors.append(
                    self._set_error(
                        ts,
                        f"SE02 {_el(se, 2)!r} does not match ST02 {ts.control_number!r}",
                        SET_CONTROL_MISMATCH,
                        "SE",
                        forgivable=True,
                    )
                )
            count = _el(se, 1)
            if not _is_number(count) or int(count) != len(ts.segments):
                ts.set_errors.append(
                    self._set_error(
                        ts,
                        f"SE01 says {count!r} segments, the set has {len(ts.segments)}",
                        SET_COUNT_MISMATCH,
                        "SE",
                        forgivable=True,
                    )
                )
        if ts.spec is not None and se is not None:
            if not self.strict:
                ts.warnings.extend(
                    leniency.realign_pairs(ts.segments, ts.raws, ts.delimiters.element)
                )
            errors = SetValidator(ts.spec, ts.delimiters).validate(ts.segments, ts.raws)
            for err in errors:
                err.control = ts.control
            if not self.strict:
                ts.warnings.extend(leniency.apply(errors, ts.set_id, exact_spec=ts.exact_spec))
            ts.errors = errors
        if group is None:
            group = Group("", "", ["GS"], "")
        impl = _el(ts.segments[0], 3) or None
        noted = ts.accepted and bool(ts.set_errors or ts.errors)
        group.sets.append(
            SetSummary(
                ts.set_id, ts.control_number, ts.accepted, ts.ak5_codes(), ts.errors, impl, noted
            )
        )
        yield SetRead(ts, ic, group)


_CONTROL_VERSION = re.compile(r"00[2-9]0\d")
# Segments that end a transaction set (SE) or show that it ended without one.
_SET_BREAKS = frozenset(("SE", "ST", "GE", "GS", "IEA"))


def _no_set(_item: Any) -> None:
    raise AssertionError("a segment outside a set took the inside-a-set path")


def _is_number(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "¹" or "²", which ``int`` refuses."""
    return value.isascii() and value.isdigit()


def _el(elements: list[str], i: int) -> str:
    return elements[i].strip() if i < len(elements) else ""


def read_interchanges(stream: BinaryIO, *, strict: bool = False) -> Iterator[Event]:
    """Events for every interchange in the stream; see the module docstring.

    Raises `UnusableInputError` when the input is not X12 at all. Text outside interchanges is
    reported as an `EnvelopeError` raised after the last event.
    """
    reader = _Reader(stream, strict)
    reader.stray_errors = []
    yield from reader.events()
    if reader.stray_errors:
        raise reader.stray_errors[0]
