"""Sanity of the transaction set specs, and the corpus files' segments against them.

The first group checks the specs as data (every segment, element and composite a structure names
is defined; syntax notes point at real positions; code lists are not empty). The corpus test
splits every public sample of the six sets naively and checks that each segment between ST and SE
is known to the spec of its set and version, so that a real file never fails for want of a
segment definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from string import ascii_letters, digits

import pytest

from translators.x12.spec.model import (
    ELEMENT_TYPES,
    LoopUse,
    SegUse,
    TransactionSetSpec,
)
from translators.x12.spec.registry import SPECS, get_spec
from translators.x12.spec.sets import iter_segment_uses

ALL_SPECS = sorted(SPECS.values(), key=lambda spec: (spec.id, spec.version))
SPEC_IDS = [f"{spec.id}-{spec.version}" for spec in ALL_SPECS]
each_spec = pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)

FUNCTIONAL_IDS = {"850": "PO", "855": "PR", "856": "SH", "810": "IN", "997": "FA", "999": "FA"}


def _loops(nodes: tuple[SegUse | LoopUse, ...]) -> Iterator[LoopUse]:
    for node in nodes:
        if isinstance(node, LoopUse):
            yield node
            yield from _loops(node.children)


def _element_refs(spec: TransactionSetSpec) -> Iterator[tuple[str, str]]:
    """(segment id, element number) for every simple element and composite component."""
    for definition in spec.segments.values():
        for use in definition.elements:
            if use.composite is None:
                yield definition.id, use.ref
            else:
                for component in use.composite.components:
                    yield definition.id, component.ref


# -- the registry ----------------------------------------------------------------------------------


def test_registry_holds_every_set_in_both_versions() -> None:
    expected = {
        (set_id, v) for set_id in ("850", "855", "856", "810", "997") for v in ("004010", "005010")
    }
    assert set(SPECS) == expected | {("999", "005010")}
    assert all(key == (spec.id, spec.version) for key, spec in SPECS.items())
    assert get_spec("999", "004010") is None
    assert get_spec("940", "004010") is None
    assert get_spec("850", "004010") is SPECS["850", "004010"]


@each_spec
def test_functional_id(spec: TransactionSetSpec) -> None:
    assert spec.functional_id == FUNCTIONAL_IDS[spec.id]
    assert spec.name
    assert spec.source


# -- structure -------------------------------------------------------------------------------------


@each_spec
def test_st_first_and_se_last(spec: TransactionSetSpec) -> None:
    first, last = spec.structure[0], spec.structure[-1]
    assert isinstance(first, SegUse)
    assert (first.id, first.usage, first.max_use) == ("ST", "M", 1)
    assert isinstance(last, SegUse)
    assert (last.id, last.usage, last.max_use) == ("SE", "M", 1)
    uses = list(iter_segment_uses(spec.structure))
    assert [u.id for u in uses].count("ST") == 1
    assert [u.id for u in uses].count("SE") == 1


@each_spec
def test_loops_start_with_their_segment(spec: TransactionSetSpec) -> None:
    for loop in _loops(spec.structure):
        first = loop.children[0]
        assert isinstance(first, SegUse), loop.id
        assert first.id == loop.id, f"loop {loop.id} starts with {first.id}"
        assert first.usage == "M", f"loop {loop.id} trigger must be mandatory"
        assert first.max_use == 1, loop.id
        assert loop.max_repeat >= 1
        assert loop.usage in ("M", "O")


@each_spec
def test_usage_and_max_use(spec: TransactionSetSpec) -> None:
    for use in iter_segment_uses(spec.structure):
        assert use.usage in ("M", "O", "X"), use
        assert use.max_use >= 1, use


@each_spec
def test_every_segment_in_the_structure_is_defined(spec: TransactionSetSpec) -> None:
    used = {use.id for use in iter_segment_uses(spec.structure)}
    assert used - set(spec.segments) == set()
    assert set(spec.segments) - used == set(), "spec carries segments its structure never uses"
    assert all(key == definition.id for key, definition in spec.segments.items())


# -- elements, composites, notes, codes ------------------------------------------------------------


@each_spec
def test_every_element_is_in_the_dictionary(spec: TransactionSetSpec) -> None:
    missing = {(sid, ref) for sid, ref in _element_refs(spec) if ref not in spec.elements}
    assert missing == set()
    for ref, definition in spec.elements.items():
        assert definition.ref == ref
        assert definition.type in ELEMENT_TYPES, definition
        assert 1 <= definition.min_len <= definition.max_len, definition


@each_spec
def test_composites_are_registered(spec: TransactionSetSpec) -> None:
    for definition in spec.segments.values():
        for use in definition.elements:
            assert use.ref.startswith("C") == (use.composite is not None), (definition.id, use)
            if use.composite is not None:
                assert spec.composites[use.ref] == use.composite
                assert use.composite.components, use.ref


@each_spec
def test_syntax_notes_point_at_existing_positions(spec: TransactionSetSpec) -> None:
    for definition in spec.segments.values():
        for note in definition.notes:
            assert len(note.positions) >= 2, (definition.id, note)
            for position in note.positions:
                assert 1 <= position <= len(definition.elements), (definition.id, note)


@each_spec
def test_elements_named_by_a_note_are_not_plain_optional(spec: TransactionSetSpec) -> None:
    for definition in spec.segments.values():
        for note in definition.notes:
            governed = note.positions[1:] if note.kind in "CL" else note.positions
            for position in governed:
                usage = definition.elements[position - 1].usage
                assert usage in ("M", "X"), (definition.id, note, position)


@each_spec
def test_code_lists_are_not_empty_and_fit_their_element(spec: TransactionSetSpec) -> None:
    for definition in spec.segments.values():
        for use in definition.elements:
            lists = [(use.ref, use.codes)]
            if use.composite is not None:
                lists = [(c.ref, c.codes) for c in use.composite.components]
            for ref, codes in lists:
                if codes is None:
                    continue
                assert codes, (definition.id, ref)
                element = spec.elements[ref]
                assert element.type == "ID", (definition.id, ref)
                for code in codes:
                    assert element.min_len <= len(code) <= element.max_len, (ref, code)


def test_st01_is_unrestricted_and_purpose_codes_are_shared() -> None:
    for spec in ALL_SPECS:
        assert spec.segments["ST"].elements[0].codes is None
    beg = SPECS["850", "004010"].segments["BEG"].elements[0]
    assert beg.codes is not None
    assert {"00", "01", "04", "05", "06", "07"} <= beg.codes
    for set_id, segment_id in (("856", "BSN"), ("855", "BAK")):
        assert SPECS[set_id, "004010"].segments[segment_id].elements[0].codes == beg.codes


# -- version differences ---------------------------------------------------------------------------


def test_005010_additions() -> None:
    v4, v5 = SPECS["810", "004010"], SPECS["810", "005010"]
    assert [u.ref for u in v4.segments["ST"].elements] == ["143", "329"]
    assert [u.ref for u in v5.segments["ST"].elements] == ["143", "329", "1705"]
    assert v5.elements["1705"].max_len == 35
    assert len(v4.segments["BIG"].elements) == 10
    assert v5.segments["BIG"].elements[10].ref == "1005"
    assert v5.segments["N4"].elements[6].ref == "1715"
    ack4, ack5 = SPECS["997", "004010"], SPECS["997", "005010"]
    assert len(ack4.composites["C030"].components) == 2
    assert len(ack5.composites["C030"].components) == 3
    assert [u.ref for u in ack5.segments["AK1"].elements] == ["479", "28", "480"]
    ctx01 = SPECS["999", "005010"].segments["CTX"].elements[0]
    assert (ctx01.ref, ctx01.repeat) == ("C998", 10)


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_dates_and_implied_decimals(version: str) -> None:
    spec = SPECS["810", version]
    date = spec.elements["373"]
    assert (date.type, date.min_len, date.max_len) == ("DT", 8, 8)
    assert spec.elements[spec.segments["TDS"].elements[0].ref].type == "N2"
    assert spec.elements[spec.segments["SAC"].elements[4].ref].type == "N2"


# -- the corpus ------------------------------------------------------------------------------------

CORPUS_SETS = ("850", "855", "856", "810", "997")


_BLANKS = " \t\r\n\f\v"  # not str.isspace(): it also counts \x1c-\x1f, used as delimiters


def naive_segments(data: bytes) -> tuple[str, list[str]] | None:
    """Split an interchange without the tokenizer: (element separator, segments), or None.

    The element separator is the 4th character; the segment terminator is the character after
    ISA16. Real files need three allowances: an ISA cut short (fewer than 16 elements, so the
    16th separator falls in GS) ends at its own line; a terminator that is a blank means one
    segment per line; and a line-per-segment file whose lines all end with the same mark (an
    ISA16 that is really the terminator) loses that mark.
    """
    text = data.decode("utf-8", "replace").lstrip("\ufeff").strip(_BLANKS)
    if not text.startswith("ISA") or len(text) < 4:
        return None
    separator = text[3]
    positions = [i for i, ch in enumerate(text) if ch == separator][:16]
    if len(positions) < 16:
        return None
    isa16 = positions[15]
    line_break = next((i for i, ch in enumerate(text[:isa16]) if ch in "\r\n"), None)
    if line_break is not None:
        terminator = text[line_break - 1]
        if terminator.isalnum() or terminator in _BLANKS:
            terminator = "\n"
    else:
        terminator = text[isa16 + 2] if len(text) > isa16 + 2 else "\n"
    if terminator not in _BLANKS:
        raw = text.split(terminator)
    else:
        raw = [line.strip(_BLANKS) for line in re.split(r"\r\n|\r|\n", text)]
        endings = {line[-1] for line in raw if line}
        if len(endings) == 1 and not endings.issubset(set(_BLANKS) | set(ascii_letters + digits)):
            raw = [line[:-1] for line in raw]
    segments = [segment.strip(_BLANKS) for segment in raw]
    return separator, [segment for segment in segments if segment]


def spec_version(gs08: str) -> str:
    return "005010" if gs08.startswith("005010") else "004010"


def corpus_transaction_sets(path: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(set id, spec version, segment ids from ST to SE) for every set of a file."""
    split = naive_segments(path.read_bytes())
    if split is None:
        return
    separator, segments = split
    gs08 = ""
    current: list[str] | None = None
    set_id = ""
    for segment in segments:
        fields = [f.strip(_BLANKS) for f in segment.split(separator)]
        tag = fields[0]
        if tag == "GS":
            gs08 = fields[8] if len(fields) > 8 else ""
        elif tag == "ST":
            set_id = fields[1] if len(fields) > 1 else ""
            current = []
        if current is not None:
            current.append(tag)
            if tag == "SE":
                # the 999 exists only from 005010 on
                version = "005010" if set_id == "999" else spec_version(gs08)
                yield set_id, version, current
                current = None


@pytest.mark.corpus
def test_corpus_segments_are_known_to_their_spec(corpus: Path) -> None:
    files = [f for name in CORPUS_SETS for f in sorted((corpus / "x12" / name).glob("*"))]
    if not files:
        pytest.skip(f"no X12 samples under {corpus / 'x12'}")
    unknown: list[str] = []
    checked = 0
    for path in files:
        for set_id, version, segment_ids in corpus_transaction_sets(path):
            spec = get_spec(set_id, version)
            if spec is None:
                unknown.append(f"{path.name}: no spec for {set_id} {version}")
                continue
            checked += 1
            missing = sorted({sid for sid in segment_ids if sid not in spec.segments})
            if missing:
                unknown.append(f"{path.name}: {set_id} {version} lacks {', '.join(missing)}")
    assert checked > 0
    assert unknown == []


def test_naive_split_handles_short_isa_and_whitespace_terminators() -> None:
    short = (
        b"ISA*00*x*00*x*01*A*ZZ*B*190805*1134*U*00401*1*0*T*~\nGS*PO*A*B*1*2*1*X*004010~\nST*850*1~"
    )
    assert naive_segments(short) == (
        "*",
        [
            "ISA*00*x*00*x*01*A*ZZ*B*190805*1134*U*00401*1*0*T*",
            "GS*PO*A*B*1*2*1*X*004010",
            "ST*850*1",
        ],
    )
    spaced = (
        "\ufeffISA*00*x*00*x*ZZ*A*16*B*060521*0300*U*00400*1*0*P*> \r\n"
        "  GS*PO*A*B*1*2*1*X*004010 \r\n    N1*ST*ACME INC \r\n"
    ).encode()
    _, segments = naive_segments(spaced) or ("", [])
    assert segments[1:] == ["GS*PO*A*B*1*2*1*X*004010", "N1*ST*ACME INC"]
