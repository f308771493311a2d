"""The validation engine on a small hand-written spec: positions, loops, elements, notes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.x12 import validator as validator_module
from translators.x12.spec.model import (
    ElementDef,
    TransactionSetSpec,
    cel,
    comp,
    el,
    loop,
    s,
    seg,
)
from translators.x12.tokenizer import Delimiters
from translators.x12.validator import SetValidator

M = "M"
ELEMENTS = {
    "143": ElementDef("143", "ID", 3, 3),
    "329": ElementDef("329", "AN", 4, 9),
    "96": ElementDef("96", "N0", 1, 10),
    "353": ElementDef("353", "ID", 2, 2),
    "324": ElementDef("324", "AN", 1, 22),
    "373": ElementDef("373", "DT", 8, 8),
    "337": ElementDef("337", "TM", 4, 8),
    "98": ElementDef("98", "ID", 2, 3),
    "93": ElementDef("93", "AN", 1, 60),
    "66": ElementDef("66", "ID", 1, 2),
    "67": ElementDef("67", "AN", 2, 80),
    "350": ElementDef("350", "AN", 1, 20),
    "330": ElementDef("330", "R", 1, 15),
    "355": ElementDef("355", "ID", 2, 2),
    "212": ElementDef("212", "R", 1, 17),
    "128": ElementDef("128", "ID", 2, 3),
    "127": ElementDef("127", "AN", 1, 30),
    "354": ElementDef("354", "N0", 1, 6),
}
C040 = comp(
    "C040", "Reference Identifier", cel("128", "M"), cel("127", "M"), cel("128"), cel("127")
)
SEGMENTS = {
    "ST": seg("ST", "Transaction Set Header", el("143", M), el("329", M)),
    "SE": seg("SE", "Transaction Set Trailer", el("96", M), el("329", M)),
    "BEG": seg(
        "BEG",
        "Beginning",
        el("353", M, codes=["00", "01", "05"]),
        el("324", M),
        el("373", M),
        el("337"),
    ),
    "REF": seg(
        "REF",
        "Reference",
        el("128", M),
        el("127"),
        el("93"),
        el("C040", composite=C040),
        notes="R0203",
    ),
    "N1": seg("N1", "Name", el("98", M), el("93"), el("66"), el("67"), notes="R0203 P0304"),
    "PO1": seg("PO1", "Line", el("350"), el("330"), el("355"), el("212")),
    "CTT": seg("CTT", "Totals", el("354", M)),
}
STRUCTURE = (
    s("ST", M),
    s("BEG", M),
    s("REF", max_use=2),
    loop("N1", 2, s("N1", M), s("REF")),
    loop("PO1", 100, s("PO1", M), s("REF", max_use=3), loop("N1", 1, s("N1", M)), usage=M),
    s("CTT"),
    s("SE", M),
)
SPEC = TransactionSetSpec("850", "004010", "PO", "test", STRUCTURE, SEGMENTS, ELEMENTS)
D = Delimiters("*", ">", "~")


def check(*segments: str) -> list[tuple[str, int, str | None, int | None, str | None]]:
    raws = ["ST*850*0001", *segments, "SE*9*0001"]
    errors = SetValidator(SPEC, D).validate([r.split("*") for r in raws], raws)
    return [
        (
            e.segment_id,
            e.segment_position,
            e.segment_error_code,
            e.element_position,
            e.element_error_code,
        )
        for e in errors
    ]


VALID = ("BEG*00*PO1*20240101", "REF*DP*1", "N1*ST*SHIP", "PO1*1*2*EA*3.5", "CTT*1")


def test_a_valid_set_has_no_errors() -> None:
    assert check(*VALID) == []


def test_loops_repeat_and_nest() -> None:
    assert (
        check(
            "BEG*00*PO1*20240101*1230",
            "N1*ST*A",
            "REF*XY*1",
            "N1*BT*B",
            "PO1*1",
            "REF*AB*1",
            "N1*ST*C",
            "PO1*2",
            "N1*ST*D",
            "PO1*3",
            "CTT*3",
        )
        == []
    )


def test_mandatory_segment_and_loop_missing() -> None:
    assert ("BEG", 2, "3", None, None) in check("REF*DP*1", "PO1*1")
    assert ("PO1", 3, "3", None, None) in check("BEG*00*PO1*20240101", "CTT*0")


def test_segment_over_max_use_and_loop_over_max_repeat() -> None:
    errors = check("BEG*00*P*20240101", "REF*A*1", "REF*B*2", "REF*C*3", "PO1*1")
    assert ("REF", 5, "5", None, None) in errors
    errors = check("BEG*00*P*20240101", "N1*ST*A", "N1*ST*B", "N1*ST*C", "PO1*1")
    assert ("N1", 5, "4", None, None) in errors


def test_out_of_order_unknown_and_unrecognized_segments() -> None:
    errors = check("BEG*00*P*20240101", "PO1*1", "BEG*00*P*20240101", "ZZZ*1", "b@d*1")
    assert ("BEG", 4, "7", None, None) in errors
    assert ("ZZZ", 5, "6", None, None) in errors
    assert ("b@d", 6, "1", None, None) in errors


@pytest.mark.parametrize(
    ("segment", "position", "code"),
    [
        ("BEG**P*20240101", 1, "1"),  # mandatory missing
        ("BEG*99*P*20240101", 1, "7"),  # invalid code
        ("BEG*00*P*20241301", 3, "8"),  # invalid date
        ("BEG*00*P*20240230", 3, "8"),  # not a calendar date
        ("BEG*00*P*20240101*2561", 4, "9"),  # invalid time
        ("BEG*00*" + "P" * 23 + "*20240101", 2, "5"),  # too long
        ("BEG*00*P*20240101*1200*X", 5, "3"),  # too many elements
    ],
)
def test_element_errors_are_located(segment: str, position: int, code: str) -> None:
    assert check(segment, "PO1*1") == [("BEG", 2, "8", position, code)]


def test_numeric_types() -> None:
    assert check("BEG*00*P*20240101", "PO1*1*-1.5*EA*.39") == []
    assert check("BEG*00*P*20240101", "PO1*1*1.2.3") == [("PO1", 3, "8", 2, "6")]
    assert check("BEG*00*P*20240101", "PO1*1*1234567890123456") == [("PO1", 3, "8", 2, "5")]


def test_syntax_notes() -> None:
    assert check("BEG*00*P*20240101", "N1*ST", "PO1*1") == [("N1", 3, "8", 2, "2")]
    assert check("BEG*00*P*20240101", "N1*ST*A*92", "PO1*1") == [("N1", 3, "8", 4, "2")]


def test_composites() -> None:
    assert check("BEG*00*P*20240101", "REF*DP*1**PO>123>IA>9", "PO1*1") == []
    assert check("BEG*00*P*20240101", "REF*DP*1**PO", "PO1*1") == [("REF", 3, "8", 4, "1")]
    errors = check("BEG*00*P*20240101", "REF*DP*1**PO>1>IA>9>X", "PO1*1")
    assert errors == [("REF", 3, "8", 4, "13")]


def test_control_characters_are_invalid_and_never_forgiven() -> None:
    from translators.x12 import leniency
    from translators.x12.spec.model import SegmentDef  # noqa: F401  (spec types above)

    errors = SetValidator(SPEC, D).validate(
        [r.split("*") for r in ["ST*850*0001", "BEG*00*P\x00Q*20240101", "PO1*1", "SE*4*0001"]],
        ["ST*850*0001", "BEG*00*P\x00Q*20240101", "PO1*1", "SE*4*0001"],
    )
    assert [(e.segment_id, e.element_position, e.element_error_code) for e in errors] == [
        ("BEG", 2, "6")
    ]
    assert not leniency.forgivable(errors[0], "850", exact_spec=True)


# -- the fast path and the diagnosis agree ---------------------------------------------------

_TYPED = [
    ElementDef("r", "R", 1, 6),
    ElementDef("r3", "R", 3, 4),
    ElementDef("n0", "N0", 1, 4),
    ElementDef("n2", "N2", 2, 5),
    ElementDef("an", "AN", 2, 5),
    ElementDef("dt", "DT", 8, 8),
    ElementDef("dt6", "DT", 6, 6),
    ElementDef("tm", "TM", 4, 8),
]
_VALUES = st.text(alphabet="0123456789.-A ~*>\x01", max_size=10)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, which=st.integers(0, len(_TYPED) - 1))
def test_segment_pattern_accepts_exactly_what_the_diagnosis_accepts(value: str, which: int) -> None:
    """A valid segment costs one `fullmatch`; only a failing one is taken apart element by
    element. Both must agree on every value, or a bad value would pass unreported (or a good
    one be reported with no element at fault)."""
    ed = _TYPED[which]
    spec = TransactionSetSpec(
        "850",
        "004010",
        "PO",
        "test",
        (s("ST", M), s("X1", M), s("SE", M)),
        {**SEGMENTS, "X1": seg("X1", "Typed", el(ed.ref, M), el("93"))},
        {**ELEMENTS, ed.ref: ed},
    )
    validator = SetValidator(spec, D)
    pattern = validator.c.checkers["X1"].pattern
    raw = f"X1*{value}*TAIL"
    by_pattern = pattern.fullmatch(raw) is not None
    by_diagnosis = value != "" and validator._check_simple(ed, None, value) is None
    assert by_pattern == by_diagnosis, (ed, value)


def _sample_sets() -> list[tuple[TransactionSetSpec, Delimiters, list[str]]]:
    from pathlib import Path

    from translators.x12.interchange import SetRead, read_interchanges

    found = []
    for path in sorted((Path(__file__).parents[2] / "samples" / "x12").glob("**/*.x12")):
        with path.open("rb") as stream:
            for ev in read_interchanges(stream):
                ts = getattr(ev, "transaction_set", None)
                if isinstance(ev, SetRead) and ts is not None and ts.spec is not None:
                    found.append((ts.spec, ts.delimiters, list(ts.raws)))
    return found


SAMPLE_SETS = _sample_sets()


def test_the_samples_hold_every_set_type() -> None:
    assert {spec.id for spec, _d, _r in SAMPLE_SETS} >= {"850", "855", "856", "810", "997"}


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_whole_set_pattern_agrees_with_the_walk(data: st.DataObject) -> None:
    """The one-match path for a whole set says "valid" exactly when walking it segment by
    segment finds no error, on sample sets with segments dropped, repeated, moved, swapped,
    borrowed from another position or cut short."""
    spec, d, raws = data.draw(st.sampled_from(SAMPLE_SETS))
    raws = list(raws)
    for _ in range(data.draw(st.integers(0, 3))):
        i = data.draw(st.integers(1, len(raws) - 2))
        op = data.draw(st.sampled_from(["drop", "repeat", "move", "swap", "borrow", "cut"]))
        if op == "drop" and len(raws) > 3:
            del raws[i]
        elif op == "repeat":
            raws[i:i] = [raws[i]] * data.draw(st.integers(1, 30))
        elif op == "move":
            raws.insert(data.draw(st.integers(1, len(raws) - 1)), raws.pop(i))
        elif op == "swap" and i + 1 < len(raws) - 1:
            raws[i], raws[i + 1] = raws[i + 1], raws[i]
        elif op == "borrow":
            raws.insert(i, data.draw(st.sampled_from(raws)))
        elif op == "cut":
            raws[i] = raws[i][: data.draw(st.integers(2, len(raws[i])))]
    segments = [r.split(d.element) for r in raws]
    v = SetValidator(spec, d)
    if v.c.set_patterns is None:  # built once a spec is busy; here at once
        v.c.set_patterns = validator_module._set_patterns(spec.structure, v.c.checkers, d)
    walked = v._walk([list(e) for e in segments], raws)
    assert v._valid_whole(segments, raws) == (not walked), walked
