"""One validation engine for every transaction set spec.

Two checks per segment, both driven by the spec:

* **Position.** Each transaction set structure is compiled once into per-loop jump tables
  (`_LoopTable.forward[i][segment_id]` = the next child at or after ``i`` that starts with that
  segment). Walking a set is then a dict lookup per segment, plus the X12 rules for leaving and
  re-entering loops, max use, max repeat and mandatory segments skipped over.
* **Content.** Each segment definition is compiled, per delimiter set, into one regular
  expression that accepts exactly the valid segments (element count, usage, types, lengths,
  code lists, composites, repetitions). The common case, a valid segment, costs one
  ``fullmatch``; only a segment that fails it is taken apart element by element to find the
  precise 997/999 error. Syntax notes (P, R, C, E, L) are checked on the split elements.

Errors are `SegmentError`s carrying the 997 codes (AK304 segment, AK403 element); the 999 uses
the same numbers for these conditions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from translators.errors import SegmentError
from translators.x12.spec.model import (
    CompositeDef,
    ElementDef,
    ElementUse,
    LoopUse,
    SegmentDef,
    SegUse,
    SyntaxNote,
    TransactionSetSpec,
)
from translators.x12.tokenizer import Delimiters

# AK304 segment syntax error codes
SEG_UNRECOGNIZED = "1"
SEG_UNEXPECTED = "2"
SEG_MANDATORY_MISSING = "3"
SEG_LOOP_OVER_MAX = "4"
SEG_OVER_MAX_USE = "5"
SEG_NOT_IN_SET = "6"
SEG_OUT_OF_SEQUENCE = "7"
SEG_HAS_ELEMENT_ERRORS = "8"
# AK403 element syntax error codes
EL_MANDATORY_MISSING = "1"
EL_CONDITIONAL_MISSING = "2"
EL_TOO_MANY_ELEMENTS = "3"
EL_TOO_SHORT = "4"
EL_TOO_LONG = "5"
EL_INVALID_CHAR = "6"
EL_INVALID_CODE = "7"
EL_INVALID_DATE = "8"
EL_INVALID_TIME = "9"
EL_EXCLUSION = "10"
EL_TOO_MANY_REPETITIONS = "12"
EL_TOO_MANY_COMPONENTS = "13"

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")


# -- structure ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _LoopTable:
    loop_id: str | None
    children: tuple[SegUse | LoopUse, ...]
    max_repeat: int
    forward: list[dict[str, int]]
    sub: dict[int, _LoopTable]
    mandatory: tuple[int, ...]
    # fast[i + 1][segment id] = j: moves from child i to a plain segment j of this loop that
    # skip no mandatory child - the common case, taken without the general walk
    fast: list[dict[str, int]] = field(default_factory=list)
    max_use: tuple[int, ...] = ()
    is_loop: tuple[bool, ...] = ()
    # tail_free[i + 1]: no mandatory child after child i, so the loop may be left from there
    tail_free: tuple[bool, ...] = ()

    @property
    def trigger(self) -> str:
        first = self.children[0]
        assert isinstance(first, SegUse)
        return first.id


def _first_id(node: SegUse | LoopUse) -> str:
    if isinstance(node, SegUse):
        return node.id
    first = node.children[0]
    assert isinstance(first, SegUse)
    return first.id


def _compile_loop(
    loop_id: str | None, children: tuple[SegUse | LoopUse, ...], max_repeat: int
) -> _LoopTable:
    forward: list[dict[str, int]] = []
    for i in range(len(children) + 1):
        table: dict[str, int] = {}
        for j in range(len(children) - 1, i - 1, -1):
            table[_first_id(children[j])] = j
        forward.append(table)
    sub = {
        i: _compile_loop(c.id, c.children, c.max_repeat)
        for i, c in enumerate(children)
        if isinstance(c, LoopUse)
    }
    mandatory = tuple(i for i, c in enumerate(children) if c.usage == "M")
    fast: list[dict[str, int]] = []
    for i in range(-1, len(children)):
        start = max(i, 1) if loop_id is not None else max(i, 0)
        ahead = forward[start] if start < len(forward) else {}
        fast.append({sid: j for sid, j in ahead.items() if not any(i < m < j for m in mandatory)})
    max_use = tuple(c.max_use if isinstance(c, SegUse) else c.max_repeat for c in children)
    is_loop = tuple(isinstance(c, LoopUse) for c in children)
    tail_free = tuple(not any(m > i for m in mandatory) for i in range(-1, len(children)))
    return _LoopTable(
        loop_id, children, max_repeat, forward, sub, mandatory, fast, max_use, is_loop, tail_free
    )


def _all_segment_ids(children: tuple[SegUse | LoopUse, ...]) -> set[str]:
    ids: set[str] = set()
    for c in children:
        if isinstance(c, SegUse):
            ids.add(c.id)
        else:
            ids |= _all_segment_ids(c.children)
    return ids


# -- content -----------------------------------------------------------------------------------


# C0 control characters are never data (X12's character sets exclude them); a delimiter that
# is one (0x1C, 0x1D...) is excluded as a delimiter anyway.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"


_CONTROL_RE = re.compile(f"[{_CONTROLS}]")


def _char_class(d: Delimiters) -> str:
    return re.escape("".join(d.all())) + _CONTROLS


# Calendar dates only: 30-day months, February 28, and February 29 in leap years.
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)(?:0[1-9]|[12]\d|30)"
    r"|02(?:0[1-9]|1\d|2[0-8]))"
)
_LEAP_YY = r"(?:[02468][048]|[13579][26])"
_DATE8 = rf"(?:\d{{4}}{_MONTH_DAY}|(?:\d\d(?!00){_LEAP_YY}|{_LEAP_YY}00)0229)"
_DATE6 = rf"(?:\d\d{_MONTH_DAY}|{_LEAP_YY}0229)"


def _simple_pattern(ed: ElementDef, codes: frozenset[str] | None, seps: str) -> str:
    """The pattern of one present value. Repeats are possessive: an element ends at the next
    delimiter whatever it holds, so giving characters back can never make a segment match,
    and not saving the positions to give back is what makes a valid segment cheap."""
    lo, hi = max(ed.min_len, 1), ed.max_len
    if codes is not None:
        return "(?:" + "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True)) + ")"
    t = ed.type
    if t == "DT":
        return _DATE6 if hi <= 6 else _DATE8
    if t == "TM":
        return r"(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d(?:\d{1,2})?+)?+"
    if t.startswith("N"):
        return rf"-?+\d{{{lo},{hi}}}+"
    if t == "R":
        # lo..hi digits, at most one decimal point, a sign: the count is checked by a
        # lookahead over character runs (without a point: the digits; with one: digits and
        # point together, one more), the shape by what follows.
        return (
            rf"-?+(?=(?:\d{{{lo},{hi}}}+|(?=\d*+\.)[\d.]{{{lo + 1},{hi + 1}}}+)(?![^{seps}]))"
            r"(?:\d++(?:\.\d*+)?+|\.\d++)"
        )
    return rf"[^{seps}]{{{lo},{hi}}}+"


class _Frame:
    """An open loop while walking a set: its table, the current child and its uses so far."""

    __slots__ = ("count", "idx", "table")

    def __init__(self, table: _LoopTable, idx: int, count: int):
        self.table = table
        self.idx = idx
        self.count = count


@dataclass(slots=True)
class _SegmentChecker:
    definition: SegmentDef
    pattern: re.Pattern[str]
    notes: tuple[SyntaxNote, ...]
    # notes_broken(elements padded with `pad`) -> True when any syntax note may be broken
    notes_broken: Callable[[list[str]], bool] | None = None
    pad: list[str] = field(default_factory=list)
    elements: str = ""  # the pattern of what follows the id


@dataclass(slots=True)
class _SetPatterns:
    """A whole valid set in two matches: its content, then its structure (`_set_patterns`)."""

    content: re.Pattern[str]
    elements: re.Pattern[str]
    structure: re.Pattern[str]


@dataclass(slots=True)
class _Compiled:
    spec: TransactionSetSpec
    root: _LoopTable
    known_ids: set[str]
    checkers: dict[str, _SegmentChecker] = field(default_factory=dict)
    # whole valid sets in two matches; built once SET_PATTERN_AFTER sets of this spec and
    # delimiters have been walked (compiling takes a few tens of milliseconds)
    set_patterns: _SetPatterns | None = None
    walked: int = 0
    # segment id -> (notes_broken, pad) for the syntax notes, which the set pattern leaves out
    noted: dict[str, tuple[Callable[[list[str]], bool], list[str]]] = field(default_factory=dict)


SET_PATTERN_AFTER = 32

# Keyed by the spec object's identity: the cached value holds the spec, so the id is never
# reused while the entry exists; two specs with the same set id and version stay apart.
_COMPILED: dict[tuple[int, Delimiters], _Compiled] = {}


def _element_pattern(
    use: ElementUse, spec: TransactionSetSpec, d: Delimiters, seps: str
) -> tuple[str, bool]:
    """The pattern of a present value, and whether the element may be empty."""
    if use.composite is not None:
        parts = use.composite.components
        comp = re.escape(d.component)
        tail = ""
        for cu in reversed(parts[1:]):
            cp = _simple_pattern(spec.elements[cu.ref], cu.codes, seps)
            inner = cp if cu.usage == "M" else f"(?:{cp})?+"
            tail = f"(?:{comp}{inner}{tail})" + ("" if cu.usage == "M" else "?+")
        first = parts[0]
        fp = _simple_pattern(spec.elements[first.ref], first.codes, seps)
        fp = fp if first.usage == "M" else f"(?:{fp})?+"
        pat = f"{fp}{tail}"
    else:
        pat = _simple_pattern(spec.elements[use.ref], use.codes, seps)
    if use.repeat > 1 and d.repetition:
        pat = f"{pat}(?:{re.escape(d.repetition)}{pat}){{0,{use.repeat - 1}}}+"
    return pat, use.usage != "M"


def _elements_pattern(defn: SegmentDef, spec: TransactionSetSpec, d: Delimiters) -> str:
    """The pattern of what follows a segment's id when the segment is valid."""
    seps = _char_class(d)
    sep = re.escape(d.element)
    tail = ""
    for use in reversed(defn.elements):
        pat, optional = _element_pattern(use, spec, d, seps)
        tail = f"(?:{sep}(?:{pat})?+{tail})?+" if optional else f"{sep}{pat}{tail}"
    return tail


def _note_expr(note: SyntaxNote) -> str:
    present = [f"(e[{p}]!='')" for p in note.positions]
    first, others = present[0], present[1:]
    if note.kind == "P":
        return f"(({' + '.join(present)}) not in (0, {len(present)}))"
    if note.kind == "R":
        return f"(not ({' or '.join(present)}))"
    if note.kind == "E":
        return f"(({' + '.join(present)}) > 1)"
    if note.kind == "C":
        return f"({first} and not ({' and '.join(others)}))"
    return f"({first} and not ({' or '.join(others)}))"  # L


def _compile_notes(
    notes: tuple[SyntaxNote, ...],
) -> tuple[Callable[[list[str]], bool] | None, list[str]]:
    """One generated expression for all of a segment's syntax notes (hot path, no loops)."""
    if not notes:
        return None, []
    width = max(p for n in notes for p in n.positions)
    source = "lambda e: " + " or ".join(_note_expr(n) for n in notes)
    # the source is built only from integers of the spec, never from input data
    fn: Callable[[list[str]], bool] = eval(source, {"__builtins__": {}})
    return fn, [""] * width


def compiled(spec: TransactionSetSpec, d: Delimiters) -> _Compiled:
    key = (id(spec), d)
    c = _COMPILED.get(key)
    if c is None:
        root = _compile_loop(None, spec.structure, 1)
        c = _Compiled(spec, root, _all_segment_ids(spec.structure))
        for sid, defn in spec.segments.items():
            broken, pad = _compile_notes(defn.notes)
            tail = _elements_pattern(defn, spec, d)
            c.checkers[sid] = _SegmentChecker(
                defn, re.compile(re.escape(sid) + tail), defn.notes, broken, pad, tail
            )
        c.noted = {
            sid: (ch.notes_broken, ch.pad)
            for sid, ch in c.checkers.items()
            if ch.notes_broken is not None
        }
        _COMPILED[key] = c
    return c


def _set_patterns(
    structure: tuple[SegUse | LoopUse, ...], checkers: dict[str, _SegmentChecker], d: Delimiters
) -> _SetPatterns:
    """Two patterns that together accept exactly the valid sets (ST..SE, each segment followed
    by its terminator), syntax notes aside.

    * ``content``: every segment valid by its definition - one alternation of the segment
      patterns, grouped by the first letter of the id so a segment is told apart in two steps;
    * ``structure``, over the ids alone (``elements`` strips the rest): every position of the
      structure repeated up to its maximum, possessively, followed by a lookahead refusing one
      more of the same - from a position in use, the walk counts a repeated segment against
      that position, it never moves it to a later one, so neither may the pattern (a loop's
      trigger again is the loop's next iteration). Greedy, possessive matching places every
      segment where the walk would.

    Whatever they refuse is walked segment by segment, which finds the errors.
    """
    term = re.escape(d.segment)
    sep = re.escape(d.element)
    free = f"(?:{sep}[^{term}]*+)?+"  # a segment of the structure without a definition
    tails: dict[str, str] = {sid: ch.elements for sid, ch in checkers.items()}

    def sequence(children: tuple[SegUse | LoopUse, ...], outside: frozenset[str]) -> str:
        """``outside``: the ids that may follow this sequence's end (in the loops around it,
        a loop's own trigger included); a lookahead is needed only where one more of a
        position's segment could otherwise be taken by a later position."""
        parts = []
        for i, child in enumerate(children):
            sid = _first_id(child)
            later = outside.union(_first_id(c) for c in children[i + 1 :])
            trigger = re.escape(sid)
            if isinstance(child, SegUse):
                tails.setdefault(child.id, free)
                body, most = f"{trigger}{term}", child.max_use
            else:
                body, most = sequence(child.children, later | {sid}), child.max_repeat
            least = 1 if child.usage == "M" else 0
            part = f"(?:{body}){{{least},{most}}}+"
            # a loop's trigger again starts the loop's next iteration: no lookahead for it
            if sid in later and not (i == 0 and sid in outside):
                part += f"(?!{trigger}{term})"
            parts.append(part)
        return "".join(parts)

    structure_pattern = sequence(structure, frozenset())
    by_letter: dict[str, list[str]] = {}
    for sid in sorted(tails, key=len, reverse=True):
        by_letter.setdefault(sid[0], []).append(f"{re.escape(sid[1:])}{tails[sid]}")
    branches = "|".join(
        f"{re.escape(letter)}(?:{'|'.join(rests)})" for letter, rests in by_letter.items()
    )
    return _SetPatterns(
        re.compile(f"(?:(?:{branches}){term})*+"),
        re.compile(f"{sep}[^{term}]*+"),
        re.compile(structure_pattern),
    )


# -- the engine --------------------------------------------------------------------------------


class SetValidator:
    """Validates one transaction set at a time; create one per (spec, delimiters)."""

    def __init__(self, spec: TransactionSetSpec, delimiters: Delimiters):
        self.spec = spec
        self.d = delimiters
        self.c = compiled(spec, delimiters)

    def validate(self, segments: list[list[str]], raws: list[str]) -> list[SegmentError]:
        """Check ST..SE (inclusive). Positions are 1-based from ST."""
        if self._valid_whole(segments, raws):
            return []
        return self._walk(segments, raws)

    def _valid_whole(self, segments: list[list[str]], raws: list[str]) -> bool:
        """True when the set is valid: one match of the set pattern, then the syntax notes."""
        c = self.c
        patterns = c.set_patterns
        if patterns is None:
            c.walked += 1
            if c.walked <= SET_PATTERN_AFTER:
                return False
            patterns = c.set_patterns = _set_patterns(self.spec.structure, c.checkers, self.d)
        term = self.d.segment
        text = term.join(raws) + term
        if patterns.content.fullmatch(text) is None:
            return False
        if patterns.structure.fullmatch(patterns.elements.sub("", text)) is None:
            return False
        noted = c.noted
        for elements in segments:
            notes = noted.get(elements[0])
            if notes is not None and notes[0](elements + notes[1]):
                return False
        return True

    def _walk(self, segments: list[list[str]], raws: list[str]) -> list[SegmentError]:
        """Place and check every segment, collecting every error."""
        errors: list[SegmentError] = []
        self._segments = segments
        stack = [_Frame(self.c.root, -1, 0)]
        checkers = self.c.checkers
        place = self._place
        frame = stack[-1]
        for pos, (elements, raw) in enumerate(zip(segments, raws, strict=True), start=1):
            sid = elements[0]
            j = frame.table.fast[frame.idx + 1].get(sid)
            if j is None and len(stack) > 1:
                # leave loops whose remaining children are all optional, looking outward
                d = len(stack) - 1
                while d > 0 and stack[d].table.tail_free[stack[d].idx + 1]:
                    d -= 1
                    outer = stack[d]
                    j = outer.table.fast[outer.idx + 1].get(sid)
                    if j is not None:
                        del stack[d + 1 :]
                        frame = outer
                        break
            if j is not None:
                # fast path: a move that skips no mandatory segment
                table = frame.table
                if j == frame.idx:
                    frame.count += 1
                    if frame.count > table.max_use[j]:
                        self._over_max_use(frame, sid, pos, errors)
                else:
                    frame.idx = j
                    frame.count = 1
                if table.is_loop[j]:
                    frame = _Frame(table.sub[j], 0, 1)
                    stack.append(frame)
                loop_id: object = frame.table.loop_id
            else:
                loop_id = place(stack, sid, pos, errors)
                frame = stack[-1]
                if loop_id is _REJECTED:
                    continue
            checker = checkers.get(sid)
            if checker is None:
                continue
            if checker.pattern.fullmatch(raw) is None:
                errors.extend(self._diagnose(checker.definition, elements, pos, loop_id))
            elif checker.notes_broken is not None and checker.notes_broken(elements + checker.pad):
                errors.extend(self._notes(checker, elements, pos, loop_id))
        # mandatory segments never seen before the end
        for frame in reversed(stack):
            t = frame.table
            self._missing(t, frame.idx, frame.count, len(t.children), len(segments), errors)
        return errors

    # -- position ------------------------------------------------------------------------------

    @staticmethod
    def _over_max_use(frame: _Frame, sid: str, pos: int, errors: list[SegmentError]) -> None:
        node = frame.table.children[frame.idx]
        if isinstance(node, LoopUse):
            msg, code, loop = (
                f"loop {node.id} repeats more than {node.max_repeat} times",
                "4",
                node.id,
            )
        else:
            msg, code, loop = (
                f"segment {sid} is used more than {node.max_use} times here",
                "5",
                None,
            )
        errors.append(
            SegmentError(
                msg,
                segment_id=sid,
                segment_position=pos,
                segment_error_code=code,
                loop_id=loop or frame.table.loop_id,
            )
        )

    def _place(
        self, stack: list[_Frame], sid: str, pos: int, errors: list[SegmentError]
    ) -> str | object | None:
        # Find the innermost open loop that has this segment ahead of its current position,
        # without changing anything: an unplaceable segment must leave the state untouched.
        depth = len(stack) - 1
        j: int | None = None
        while depth >= 0:
            table, idx = stack[depth].table, stack[depth].idx
            start = max(idx, 1) if table.loop_id is not None else max(idx, 0)
            j = table.forward[start].get(sid) if start < len(table.forward) else None
            if j is not None:
                break
            depth -= 1
        if j is None:
            if sid in self.c.known_ids:
                code, msg = SEG_OUT_OF_SEQUENCE, f"segment {sid} is not in its proper place"
            elif _SEGMENT_ID.fullmatch(sid):
                code, msg = SEG_NOT_IN_SET, f"segment {sid} is not defined in a {self.spec.id}"
            else:
                code, msg = SEG_UNRECOGNIZED, f"unrecognized segment id {sid[:10]!r}"
            errors.append(
                SegmentError(msg, segment_id=sid, segment_position=pos, segment_error_code=code)
            )
            return _REJECTED
        skipped = self._skipped_mandatory(stack, depth, j)
        if skipped and skipped & self._ids_after(pos):
            # Placing this segment here would skip a mandatory segment that comes later in
            # the set: the segment is out of order, not the mandatory one missing.
            errors.append(
                SegmentError(
                    f"segment {sid} is not in its proper place (before {min(skipped)})",
                    segment_id=sid,
                    segment_position=pos,
                    segment_error_code=SEG_OUT_OF_SEQUENCE,
                )
            )
            return _REJECTED
        # close the loops we leave, reporting the mandatory segments they never had
        for closed in stack[depth + 1 :]:
            t = closed.table
            self._missing(t, closed.idx, closed.count, len(t.children), pos, errors)
        del stack[depth + 1 :]
        frame = stack[depth]
        table, idx, count = frame.table, frame.idx, frame.count
        self._missing(table, idx, count, j, pos, errors)
        count = count + 1 if j == idx else 1
        frame.idx, frame.count = j, count
        node = table.children[j]
        if isinstance(node, LoopUse):
            if count > node.max_repeat:
                errors.append(
                    SegmentError(
                        f"loop {node.id} repeats more than {node.max_repeat} times",
                        segment_id=sid,
                        segment_position=pos,
                        segment_error_code=SEG_LOOP_OVER_MAX,
                        loop_id=node.id,
                    )
                )
            stack.append(_Frame(table.sub[j], 0, 1))
            return node.id
        if count > node.max_use:
            errors.append(
                SegmentError(
                    f"segment {sid} is used more than {node.max_use} times here",
                    segment_id=sid,
                    segment_position=pos,
                    segment_error_code=SEG_OVER_MAX_USE,
                    loop_id=table.loop_id,
                )
            )
        return table.loop_id

    def _skipped_mandatory(self, stack: list[_Frame], depth: int, j: int) -> set[str]:
        # Only the loop we jump in counts: a mandatory segment missing from a closed inner
        # loop iteration may legitimately appear in the next iteration.
        skipped: set[str] = set()
        frame = stack[depth]
        for m in frame.table.mandatory:
            if frame.idx < m < j:
                skipped.add(_first_id(frame.table.children[m]))
        return skipped

    def _ids_after(self, pos: int) -> set[str]:
        return {seg[0] for seg in self._segments[pos:]}

    def _missing(
        self,
        table: _LoopTable,
        idx: int,
        count: int,
        upto: int,
        pos: int,
        errors: list[SegmentError],
    ) -> None:
        for m in table.mandatory:
            if (m > idx and m < upto) or (m == idx and count == 0):
                node = table.children[m]
                sid = _first_id(node)
                errors.append(
                    SegmentError(
                        f"mandatory segment {sid} is missing",
                        segment_id=sid,
                        segment_position=pos,
                        segment_error_code=SEG_MANDATORY_MISSING,
                        loop_id=node.id if isinstance(node, LoopUse) else table.loop_id,
                    )
                )

    # -- content -------------------------------------------------------------------------------

    def _notes(
        self, checker: _SegmentChecker, elements: list[str], pos: int, loop_id: object
    ) -> list[SegmentError]:
        errors: list[SegmentError] = []
        n = len(elements)
        for note in checker.notes:
            present = [p < n and elements[p] != "" for p in note.positions]
            bad: int | None = None
            code = EL_CONDITIONAL_MISSING
            kind = note.kind
            if kind == "P" and any(present) and not all(present):
                bad = note.positions[present.index(False)]
            elif kind == "R" and not any(present):
                bad = note.positions[0]
            elif kind == "E" and sum(present) > 1:
                bad = note.positions[[i for i, p in enumerate(present) if p][1]]
                code = EL_EXCLUSION
            elif kind == "C" and present[0] and not all(present[1:]):
                bad = note.positions[1 + present[1:].index(False)]
            elif kind == "L" and present[0] and not any(present[1:]):
                bad = note.positions[1]
            if bad is not None:
                sid = elements[0]
                label = "".join(f"{p:02d}" for p in note.positions)
                errors.append(
                    SegmentError(
                        f"syntax note {kind}{label} of {sid} is not met",
                        segment_id=sid,
                        segment_position=pos,
                        loop_id=loop_id if isinstance(loop_id, str) else None,
                        element_position=bad,
                        element_reference=self._ref(checker.definition, bad),
                        element_error_code=code,
                        bad_value=elements[bad] if bad < n and elements[bad] else None,
                    )
                )
        return errors

    @staticmethod
    def _ref(defn: SegmentDef, position: int) -> str | None:
        if 1 <= position <= len(defn.elements):
            return defn.elements[position - 1].ref
        return None

    def _diagnose(
        self, defn: SegmentDef, elements: list[str], pos: int, loop_id: object
    ) -> list[SegmentError]:
        errors: list[SegmentError] = []
        sid = elements[0]
        lid = loop_id if isinstance(loop_id, str) else None

        def err(msg: str, p: int, code: str, value: str | None, comp: int | None = None) -> None:
            ref = self._ref(defn, p)
            use = defn.elements[p - 1] if 1 <= p <= len(defn.elements) else None
            composite = use.composite if use is not None else None
            if comp is not None and composite is not None and comp <= len(composite.components):
                ref = composite.components[comp - 1].ref
            errors.append(
                SegmentError(
                    msg,
                    segment_id=sid,
                    segment_position=pos,
                    loop_id=lid,
                    element_position=p,
                    component_position=comp,
                    element_reference=ref,
                    element_error_code=code,
                    bad_value=value,
                )
            )

        values = elements[1:]
        if len(values) > len(defn.elements):
            extra = len(defn.elements) + 1
            err(
                f"{sid} has {len(values)} elements, at most {len(defn.elements)} are defined",
                extra,
                EL_TOO_MANY_ELEMENTS,
                values[extra - 1] or None,
            )
        for p, use in enumerate(defn.elements, start=1):
            value = values[p - 1] if p <= len(values) else ""
            if value == "":
                if use.usage == "M":
                    err(f"mandatory element {sid}{p:02d} is missing", p, EL_MANDATORY_MISSING, None)
                continue
            reps = [value]
            if self.d.repetition and self.d.repetition in value:
                reps = value.split(self.d.repetition)
                if len(reps) > use.repeat:
                    err(
                        f"{sid}{p:02d} repeats {len(reps)} times, at most {use.repeat}",
                        p,
                        EL_TOO_MANY_REPETITIONS,
                        value,
                    )
                    reps = reps[: use.repeat]
            for rep in reps:
                if use.composite is not None:
                    self._check_composite(use.composite, rep, p, err)
                else:
                    problem = self._check_simple(self.spec.elements[use.ref], use.codes, rep)
                    if problem:
                        err(f"{sid}{p:02d} {problem[1]}", p, problem[0], rep)
        if not errors:
            # The regex disagreed but no element check did: report the segment as a whole
            # rather than pretending it is valid.
            errors.append(
                SegmentError(
                    f"segment {sid} does not match its definition",
                    segment_id=sid,
                    segment_position=pos,
                    loop_id=lid,
                )
            )
        errors.extend(
            self._notes(_SegmentChecker(defn, re.compile(""), defn.notes), elements, pos, loop_id)
        )
        return errors

    def _check_composite(self, cd: CompositeDef, value: str, p: int, err: _Err) -> None:
        comps = value.split(self.d.component)
        if len(comps) > len(cd.components):
            err(
                f"composite {cd.ref} has {len(comps)} components, at most {len(cd.components)}",
                p,
                EL_TOO_MANY_COMPONENTS,
                value,
            )
        for k, cu in enumerate(cd.components, start=1):
            cv = comps[k - 1] if k <= len(comps) else ""
            if cv == "":
                if cu.usage == "M":
                    err(
                        f"mandatory component {k} of {cd.ref} is missing",
                        p,
                        EL_MANDATORY_MISSING,
                        None,
                        k,
                    )
                continue
            problem = self._check_simple(self.spec.elements[cu.ref], cu.codes, cv)
            if problem:
                err(f"component {k} of {cd.ref} {problem[1]}", p, problem[0], cv, k)

    def _check_simple(
        self, ed: ElementDef, codes: frozenset[str] | None, value: str
    ) -> tuple[str, str] | None:
        bad_chars = [ch for ch in self.d.all() if ch in value]
        if bad_chars:
            return EL_INVALID_CHAR, f"contains the delimiter {bad_chars[0]!r}"
        control = _CONTROL_RE.search(value)
        if control:
            return EL_INVALID_CHAR, f"contains the control character {control.group()!r}"
        t = ed.type
        length = len(value)
        if t == "R" or t.startswith("N"):
            digits = value[1:] if value[:1] == "-" else value  # one sign at most
            if t == "R":
                ok = re.fullmatch(r"\d+\.?\d*|\.\d+", digits) is not None
                digits = digits.replace(".", "")
            else:
                ok = digits.isascii() and digits.isdigit()
            if not ok:
                return EL_INVALID_CHAR, f"is not a number of type {t}"
            length = len(digits)
        if t == "DT":
            if not (value.isascii() and value.isdigit()) or length not in (6, 8):
                return EL_INVALID_DATE, "is not a date (CCYYMMDD)"
            try:
                y = int(value[:-4]) if length == 8 else 2000 + int(value[:2])
                date(y, int(value[-4:-2]), int(value[-2:]))
            except ValueError:
                return EL_INVALID_DATE, "is not a valid calendar date"
        elif t == "TM" and (
            not (value.isascii() and value.isdigit())
            or length not in (4, 6, 7, 8)
            or int(value[:2]) > 23
            or int(value[2:4]) > 59
            or (length >= 6 and int(value[4:6]) > 59)
        ):
            return EL_INVALID_TIME, "is not a time (HHMM[SS[d..]])"
        if length < ed.min_len:
            return EL_TOO_SHORT, f"is {length} characters, at least {ed.min_len} required"
        if length > ed.max_len:
            return EL_TOO_LONG, f"is {length} characters, at most {ed.max_len} allowed"
        if codes is not None and value not in codes:
            return EL_INVALID_CODE, "is not a valid code here"
        return None


class _Err(Protocol):  # the local `err` reporter of `_diagnose`
    def __call__(
        self, msg: str, p: int, code: str, value: str | None, comp: int | None = None, /
    ) -> None: ...


_REJECTED = object()
