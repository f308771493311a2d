"""Fuzzing the X12 engine with mutated and truncated interchanges (hypothesis).

Whatever bytes arrive, the two file commands must answer, not crash:

* `run_translate` (lenient and strict) returns 0, 1 or 2 and writes a JSON array;
* `run_ack` (997 and 999) returns 0 or 2 and writes nothing or X12 text starting with ISA;
* neither raises: the engine's own errors (`GatewayError` subclasses) are turned into messages
  by the commands, so anything that escapes is a bug;
* neither hangs: each call must finish within `CALL_LIMIT` seconds (a hang guard, not a
  performance assertion: a call takes milliseconds here), and an alarm turns a real hang into a
  failure instead of a stuck test run.

Examples start from real interchanges (an 850 generated inline in 004010 and in 005010 with
other delimiters, one sample of each set when the samples exist, a few corpus files when the
corpus is there) and apply one to four mutations: truncation at a random byte, deleting,
duplicating or swapping segments, flipping bytes, inserting delimiters or envelope fragments,
changing an ISA field, changing an element, or replacing everything by random bytes.

Engine bugs the fuzzing found, each kept as an explicit `@example`:

* a line break inside a segment that splits into several lines, one of them an IEA, ended the
  interchange for the reader but not for the tokenizer (`AssertionError` in `interchange.py`);
  the same for a bare ``IEA`` segment with no elements;
* ``str.isdigit`` accepts "¹", which ``int`` refuses: SE01, GE01, IEA01/IEA02 and TM values made of
  such characters raised ``ValueError``;
* a whole number of more than 18 digits (ITD05, TD102, AK902-AK904) made the JSON encoder raise
  ``TypeError: Integer exceeds 64-bit range``.
"""

from __future__ import annotations

import io
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway.commands.translate import run_ack, run_translate
from tests.conftest import SAMPLES, corpus_dir

# CPU seconds per call: a hang guard. CPU time, not wall time: on a machine busy with other
# work a call can wait longer than this for a core without doing anything wrong.
CALL_LIMIT = 2.0
ALARM = 20  # seconds: a call stuck this long fails the test instead of hanging the run
WHEN = datetime(2024, 5, 6, 7, 8)

# -- seeds ---------------------------------------------------------------------------------------


def build_850(*, version: str, sep: str, comp: str, term: str, rep: str | None) -> bytes:
    """A valid 850 with one of each common segment, enveloped with the given delimiters."""
    body = [
        ["BEG", "00", "SA", "PO-10042", "", "20240311"],
        ["CUR", "BY", "USD"],
        ["REF", "DP", "042"],
        ["PER", "BD", "DANA WHITFIELD", "TE", "6125550187"],
        ["ITD", "01", "3", "2", "", "10", "", "30"],
        ["DTM", "002", "20240322"],
        ["N1", "ST", "NORTHWIND DC 3", "92", "0003"],
        ["N3", "1450 INDUSTRIAL PKWY"],
        ["N4", "MINNEAPOLIS", "MN", "55413", "US"],
        ["PO1", "1", "48", "EA", "12.75", "", "BP", "NW-100234", "VP", "AC-HX-1420"],
        ["PID", "F", "", "", "", "HEX BOLT 1/2-13 X 2 IN"],
        ["PO1", "2", "24", "EA", "8.40", "", "BP", "NW-100871", "UP", "073462100229"],
        ["CTT", "2", "72"],
        ["AMT", "TT", "813.60"],
    ]
    isa_version = "00501" if version == "005010" else "00401"
    blank = " " * 10
    isa = [
        "ISA",
        "00",
        blank,
        "00",
        blank,
        "ZZ",
        "NWHARDWARE".ljust(15),
        "ZZ",
        "ACMEDIST".ljust(15),
        "240311",
        "0814",
        rep or "U",
        isa_version,
        "000001207",
        "1",
        "P",
        comp,
    ]
    segs = [
        ["GS", "PO", "NWHARDWARE", "ACMEDIST", "20240311", "0814", "1207", "X", version],
        ["ST", "850", "0001"],
        *body,
        ["SE", str(len(body) + 2), "0001"],
        ["GE", "1", "1207"],
        ["IEA", "1", "000001207"],
    ]
    text = sep.join(isa) + term + "".join(sep.join(s) + term + "\n" for s in segs)
    return text.encode("latin-1")


def _seeds() -> list[bytes]:
    seeds = [
        build_850(version="004010", sep="*", comp=">", term="~", rep=None),
        build_850(version="005010", sep="|", comp=":", term="'", rep="^"),
    ]
    by_set: dict[str, Path] = {}
    for p in sorted((SAMPLES / "x12").glob("*/*.x12")):
        by_set.setdefault(p.parent.name, p)
    seeds += [p.read_bytes() for p in by_set.values()]
    root = corpus_dir()
    if root is not None:
        for rel in (
            "x12/856/EdiEngine__856.Crossdock.OK.edi",
            "x12/810/EDI.Net__x12.810a.edi",
            "x12/855/OBOE__lfTestCase.edi",
            "x12/850/OopFactory__850_Example3_Adobe_CLP.txt",
            "x12/other/staedi__invoice810_po850_dual.edi",
            "x12/other/staedi__ts214_ellipses_segterm.edi",
            "x12/997/staedi__simple999.edi",
        ):
            if (root / rel).is_file():
                seeds.append((root / rel).read_bytes())
    return seeds


SEEDS = _seeds()

# -- mutations -----------------------------------------------------------------------------------

Draw = st.DrawFn

TOKENS = [
    b"*",
    b"~",
    b">",
    b":",
    b"^",
    b"|",
    b"\n",
    b"\r\n",
    b" ",
    b"\xa0",
    b"\xc2",
    b"\xe2\x80\xa6",
    b"ISA",
    b"ISA*",
    b"IEA",
    b"IEA*1*000001207~",
    b"GS*PO*A*B*20240311*0814*1*X*004010~",
    b"GE*1*1~",
    b"ST*850*0001~",
    b"SE*2*0001~",
    b"HL*1*1*O~",
    b"TA1*000001207*240311*0814*A*000~",
]
VALUES = [
    "",
    "0",
    "-1",
    "1.2.3",
    ".",
    "9" * 25,
    "1E5",
    "20241399",
    "2561",
    "\u00b9",
    "\u0663",
    "A>B>C>D>E>F>G>H",
    "X" * 300,
    "\xa0",
    "\u00e9",
    "^",
    "NaN",
]


def _terminator(data: bytes) -> bytes:
    """The byte after ISA16, found by counting separators as the lenient reader does."""
    sep = data[3:4]
    if not sep:
        return b"~"
    p = 3
    for _ in range(15):
        p = data.find(sep, p + 1)
        if p < 0:
            return b"~"
    return data[p + 2 : p + 3] or b"~"


def _segments(data: bytes) -> tuple[bytes, list[bytes]]:
    term = _terminator(data)
    return term, data.split(term)


def _position(draw: Draw, data: bytes) -> int:
    """Mostly past the ISA (106 bytes), where damage still leaves something to read."""
    past_isa = min(106, len(data))
    start = past_isa if draw(st.integers(0, 9)) < 8 else 0
    return draw(st.integers(start, len(data)))


def _index(draw: Draw, parts: list[bytes]) -> int:
    """A segment, mostly not the ISA (without one there is nothing left to read)."""
    start = 1 if len(parts) > 1 and draw(st.integers(0, 9)) < 8 else 0
    return draw(st.integers(start, len(parts) - 1))


def truncate(draw: Draw, data: bytes) -> bytes:
    return data[: _position(draw, data)]


def delete_segment(draw: Draw, data: bytes) -> bytes:
    term, parts = _segments(data)
    del parts[_index(draw, parts)]
    return term.join(parts)


def duplicate_segment(draw: Draw, data: bytes) -> bytes:
    term, parts = _segments(data)
    i = _index(draw, parts)
    parts.insert(_index(draw, parts) + 1, parts[i])
    return term.join(parts)


def swap_segments(draw: Draw, data: bytes) -> bytes:
    term, parts = _segments(data)
    i, j = _index(draw, parts), _index(draw, parts)
    parts[i], parts[j] = parts[j], parts[i]
    return term.join(parts)


def flip_bytes(draw: Draw, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        out[min(_position(draw, data), len(out) - 1)] ^= draw(st.integers(1, 255))
    return bytes(out)


def insert_token(draw: Draw, data: bytes) -> bytes:
    i = _position(draw, data)
    return data[:i] + draw(st.sampled_from(TOKENS)) + data[i:]


def change_isa_field(draw: Draw, data: bytes) -> bytes:
    sep = data[3:4] or b"*"
    end = data.find(b"\n")
    head, rest = (data, b"") if end < 0 else (data[:end], data[end:])
    fields = head.split(sep)
    i = draw(st.integers(1, max(1, min(16, len(fields) - 1))))
    value = draw(st.sampled_from(["", "00401", "00501", "00402", "T", "1", "2", "ZZ", " " * 15]))
    if draw(st.booleans()):
        value = draw(st.text(st.sampled_from(" 0123456789AZ*~>:^|\xa0"), max_size=16))
    if i < len(fields):
        fields[i] = value.encode("latin-1")
    return sep.join(fields) + rest


def change_element(draw: Draw, data: bytes) -> bytes:
    term, parts = _segments(data)
    i = _index(draw, parts)
    sep = data[3:4] or b"*"
    elements = parts[i].split(sep)
    j = draw(st.integers(0, len(elements)))
    value = draw(st.sampled_from(VALUES)).encode("utf-8")
    if j == len(elements):
        elements.extend([value] * draw(st.integers(1, 30)))
    else:
        elements[j] = value
    parts[i] = sep.join(elements)
    return term.join(parts)


def random_bytes(draw: Draw, data: bytes) -> bytes:
    noise = draw(st.binary(max_size=300))
    return draw(st.sampled_from([data[:106], b"ISA", b""])) + noise


MUTATIONS = [
    truncate,
    delete_segment,
    duplicate_segment,
    swap_segments,
    flip_bytes,
    insert_token,
    change_isa_field,
    change_element,
    change_element,
    random_bytes,
]


@st.composite
def mutated_interchanges(draw: Draw) -> bytes:
    data: bytes = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        mutation = draw(st.sampled_from(MUTATIONS))
        data = mutation(draw, data)
    return data


# -- the property --------------------------------------------------------------------------------


class Hang(Exception):
    pass


@contextmanager
def bounded(what: str) -> Iterator[None]:
    """Fail a call that takes longer than CALL_LIMIT; interrupt one stuck for ALARM seconds."""

    def stuck(signum: int, frame: object) -> None:
        raise Hang(f"{what} still running after {ALARM} s")

    # signals reach the main thread only; elsewhere the elapsed-time check still applies
    alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, stuck) if alarm else None
    if alarm:
        signal.alarm(ALARM)
    start = time.process_time()
    try:
        yield
    finally:
        if alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    elapsed = time.process_time() - start
    assert elapsed < CALL_LIMIT, f"{what} took {elapsed:.2f} s of CPU"


def check_engine(data: bytes) -> None:
    for strict in (False, True):
        out, err = io.BytesIO(), io.StringIO()
        with bounded(f"translate (strict={strict})"):
            code = run_translate(io.BytesIO(data), "fuzz.x12", strict=strict, out=out, err=err)
        assert code in (0, 1, 2)
        docs = orjson.loads(out.getvalue())
        assert isinstance(docs, list)
        assert all(isinstance(d, dict) and "document_type" in d for d in docs)
        if code:
            assert err.getvalue().strip(), "a rejection must be explained"
    for kind in ("997", "999"):
        out, err = io.BytesIO(), io.StringIO()
        with bounded(f"ack --kind {kind}"):
            code = run_ack(
                io.BytesIO(data),
                "fuzz.x12",
                kind=kind,
                control_number=1,
                when=WHEN,
                out=out,
                err=err,
            )
        assert code in (0, 2)
        text = out.getvalue().decode("utf-8")
        assert text == "" or text.startswith("ISA*")


# Minimal inputs for the bugs fuzzing found (see the module docstring).
_ISA = (
    b"ISA*00*          *00*          *ZZ*BUYER          *ZZ*SELLER         *240311*0814*U*00401"
    b"*000000001*0*P*>~"
)
_SET = b"ST*850*0001~BEG*00*SA*PO1**20240311~PO1*1*1*EA*1**BP*X~CTT*1~SE*5*0001~"
_GOOD = _ISA + b"GS*PO*BUYER*SELLER*20240311*0814*1*X*004010~" + _SET + b"GE*1*1~IEA*1*000000001~"
IEA_AMONG_LINES = _GOOD.replace(b"GE*1*1~IEA*1*000000001~", b"GE*1*1\nIEA*1*000000001\nST*850*1~")
BARE_IEA = _GOOD.replace(b"IEA*1*000000001~", b"IEA~ST*850*1~")
SUPERSCRIPT_IEA02 = _GOOD.replace(b"IEA*1*000000001~", "IEA*1*00000000¹~".encode())
SUPERSCRIPT_GE01 = _GOOD.replace(b"GE*1*1~", "GE*¹*1~".encode())
SUPERSCRIPT_SE01 = _GOOD.replace(b"SE*5*0001~", "SE*¹*0001~".encode())
SUPERSCRIPT_TIME = _GOOD.replace(b"CTT*1~SE*5*", "DTM*002*20240322*¹200~CTT*1~SE*6*".encode())
HUGE_DAYS = _GOOD.replace(
    b"20240311~PO1", b"20240311~ITD*01*3*2**99999999999999999999~PO1"
).replace(b"SE*5*", b"SE*6*")
HUGE_COUNT = (
    _ISA + b"GS*FA*BUYER*SELLER*20240311*0814*1*X*004010~ST*997*0001~AK1*PO*1~"
    b"AK9*A*99999999999999999999*0*0~SE*4*0001~GE*1*1~IEA*1*000000001~"
)


def test_seeds_are_valid() -> None:
    """The generated 850s are clean, so mutations start from something the engine accepts."""
    for seed in SEEDS[:2]:
        out, err = io.BytesIO(), io.StringIO()
        assert run_translate(io.BytesIO(seed), "seed", strict=True, out=out, err=err) == 0, err
        assert [d["document_type"] for d in orjson.loads(out.getvalue())] == ["order"]


@settings(
    max_examples=800,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated_interchanges())
@example(data=IEA_AMONG_LINES)
@example(data=BARE_IEA)
@example(data=SUPERSCRIPT_IEA02)
@example(data=SUPERSCRIPT_GE01)
@example(data=SUPERSCRIPT_SE01)
@example(data=SUPERSCRIPT_TIME)
@example(data=HUGE_DAYS)
@example(data=HUGE_COUNT)
def test_mutated_interchanges(data: bytes) -> None:
    check_engine(data)


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=400).map(lambda b: b"ISA" + b),
        st.text(st.sampled_from("ISAGEST*~>:^|\n 0123456789"), max_size=400).map(str.encode),
    )
)
def test_random_bytes(data: bytes) -> None:
    check_engine(data)


@pytest.mark.parametrize(
    "data",
    [
        IEA_AMONG_LINES,
        BARE_IEA,
        SUPERSCRIPT_IEA02,
        SUPERSCRIPT_GE01,
        SUPERSCRIPT_SE01,
        SUPERSCRIPT_TIME,
        HUGE_DAYS,
        HUGE_COUNT,
    ],
    ids=[
        "iea-among-lines",
        "bare-iea",
        "superscript-iea02",
        "superscript-ge01",
        "superscript-se01",
        "superscript-time",
        "huge-days",
        "huge-count",
    ],
)
def test_regressions_read_sensibly(data: bytes) -> None:
    """The inputs that used to crash now get the answer an operator expects."""
    out, err = io.BytesIO(), io.StringIO()
    code = run_translate(io.BytesIO(data), "r.x12", strict=False, out=out, err=err)
    messages = err.getvalue()
    if data in (IEA_AMONG_LINES, BARE_IEA):
        assert code == 1 and "text outside any interchange: 'ST*850*1~'" in messages
    elif data in (SUPERSCRIPT_IEA02, SUPERSCRIPT_GE01, SUPERSCRIPT_SE01):
        assert "¹" in messages  # the bad count or control number is named
    elif data == SUPERSCRIPT_TIME:
        assert code == 1 and "DTM03" in messages
    elif data == HUGE_DAYS:
        assert code == 1 and "ITD05" in messages
    else:
        docs = orjson.loads(out.getvalue())
        assert docs[0]["counts"]["included"] is None and "AK902" in messages
