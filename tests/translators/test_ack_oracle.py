"""pyx12 as an independent oracle for the 997s the engine writes.

For every X12 input we have (the project's samples ``samples/x12/**/*.x12``, every X12 row of the
public corpus's EXPECTED.tsv, and a few inline inputs that exercise the error paths), the test
runs ``edi-gateway ack`` (`run_ack`) and checks the result three ways:

* **pyx12 validates every 004010 acknowledgment** with its own engine (`x12n_document`) and its
  own ``997.4010.xml`` / ``x12.control.00401.xml`` maps: envelope (ISA/IEA, GS/GE, ST/SE control
  numbers and counts, ISA field values), segment order and loops of the 997 (AK1, AK2 loop,
  AK3/AK4 loop, AK5, AK9), usage, repeats, element types, lengths, the character set and code
  lists (AK304, AK403, AK501-AK506, AK901-AK909, TA104, TA105, ...). It must report nothing: its
  return value is True, its error handler logs nothing, every segment maps onto a map node of the
  same id and pyx12 walks one ST per functional group we wrote. An ack pyx12 cannot map at all
  (no map for it, not X12) is a failure. pyx12 has no 005010 997 map, so 005010 acks skip this.
* **our own reader reads the ack back** (`run_translate`): one ``functional_ack`` per group whose
  ``transaction_sets`` match the input's sets one to one, with the AK5 statuses.
* **the ack says what the input held**: one 997 per non-FA group, an AK2/AK5 for every set of
  the group, AK9 counts (AK902 = GE01 as sent, AK903 = sets received, AK904 = sets accepted =
  documents `translate` produces for that group) and AK901 consistent with them; a TA1 right
  after the ISA when there is one.

pyx12's maps are written for HIPAA, so the test works on a copy of pyx12's map folder (a
session temporary directory) whose code lists, and only its code lists (``valid_codes``), are
widened to supply-chain values by `widen_code_lists`; `test_widening_touches_only_code_lists`
checks that nothing else changed. Widened, in ``997.4010.xml`` and ``x12.control.00401.xml``:

* ``ISA05``/``ISA07`` interchange id qualifiers: 01, 08, 12, 14, 16, ZZ and every ISA05/ISA07
  of the inputs (the ack reverses them);
* ``GS01`` functional identifier: PO, PR, SH, IN, FA and every GS01 of the inputs (only FA is
  ever written, the rest keeps both maps alike);
* ``AK101`` functional identifier acknowledged: the same list as GS01;
* ``AK201`` transaction set identifier acknowledged: 850, 855, 856, 810, 997, 999 and every ST01
  of the inputs.

No other code list needed widening. Input values are taken only when they have the syntax of
their code (two letters, three digits, two characters): an ack echoing a malformed GS01 is
for pyx12 to flag.

pyx12's control maps place TA1 after the GS loop (both at position 020, with GS_LOOP required),
whereas X12.5 puts TA1 segments right after the ISA, where we write them; fed as written, pyx12
reports a missing GS loop. So pyx12 gets each interchange with its TA1 moved after the last GE,
where its map expects it (it still checks every TA1 element), and the test asserts separately
that in the real ack the TA1 follows the ISA.

Defects the oracle found in our acks (fixed in ``translators/x12/acks.py``): GS02/GS03 over 15
characters copied from the input (``libedi__Sample_4010_856``); a line break inside AK202 copied
from a file wrapped at 80 columns (``staedi__ts210_80char``); AK403 codes 12/13, which the 004010
code list of element 723 does not have.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import pyx12
import pyx12.errors
import pyx12.params
import pyx12.x12n_document
from lxml import etree

from gateway.commands.translate import run_ack, run_translate
from tests.conftest import SAMPLES, corpus_dir
from translators.errors import GatewayError
from translators.x12.interchange import Group, InterchangeEnd, read_interchanges

WHEN = datetime(2024, 5, 6, 7, 8)
# the code lists widened in each map
WIDENED = {
    "997.4010.xml": ("ISA05", "ISA07", "GS01", "AK101", "AK201"),
    "x12.control.00401.xml": ("ISA05", "ISA07", "GS01"),
}
SUPPLY_CHAIN: dict[str, set[str]] = {
    "ISA05": {"01", "08", "12", "14", "16", "ZZ"},
    "GS01": {"PO", "PR", "SH", "IN", "FA"},
    "AK201": {"850", "855", "856", "810", "997", "999"},
}
CODE_SYNTAX = {
    "ISA05": re.compile(r"[0-9A-Z]{2}"),
    "GS01": re.compile(r"[A-Z]{2}"),
    "AK201": re.compile(r"[0-9]{3}"),
}


# -- inputs --------------------------------------------------------------------------------------


def corpus_paths() -> list[str]:
    root = corpus_dir()
    if root is None:
        return []
    with (root / "EXPECTED.tsv").open(newline="") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return [r["path"] for r in rows if r["path"].startswith("x12/")]


def sample_paths() -> list[Path]:
    return sorted((SAMPLES / "x12").glob("**/*.x12"))


def isa(sender: str, receiver: str, number: str, when: str = "240311*0814") -> str:
    """A fixed-length 004010 ISA with ZZ qualifiers, ``*`` and ``>``."""
    blank = " " * 10
    return (
        f"ISA*00*{blank}*00*{blank}*ZZ*{sender:<15}*ZZ*{receiver:<15}*{when}"
        f"*U*00401*{number}*0*P*>~\n"
    )


BASIC_850 = (
    isa("NWHARDWARE", "ACMEDIST", "000001207")
    + """\
GS*PO*NWHARDWARE*ACMEDIST*20240311*0814*1207*X*004010~
ST*850*0001~
BEG*00*SA*NW-4500018231**20240311~
CUR*BY*USD~
REF*DP*042~
PER*BD*DANA WHITFIELD*TE*6125550187~
DTM*002*20240322~
N1*ST*NORTHWIND HARDWARE DC 3*92*0003~
N3*1450 INDUSTRIAL PKWY~
N4*MINNEAPOLIS*MN*55413*US~
PO1*1*48*EA*12.75**BP*NW-100234*VP*AC-HX-1420*UP*073462100151~
PID*F****HEX BOLT 1/2-13 X 2 IN ZINC 50PK~
PO1*2*24*EA*8.40**BP*NW-100871*VP*AC-WN-0512*UP*073462100229~
CTT*2*72~
SE*14*0001~
GE*1*1207~
IEA*1*000001207~
"""
)


def _wrapped(text: str, width: int = 80) -> str:
    flat = text.replace("\n", "")
    return "\n".join(flat[i : i + width] for i in range(0, len(flat), width)) + "\n"


def _two_sets(text: str) -> str:
    body = text.split("ST*850*0001~\n", 1)[1].split("GE*", 1)[0]
    second = "ST*850*0002~\n" + body.replace("SE*14*0001~", "SE*14*0002~")
    return text.replace("GE*1*1207~", second + "GE*2*1207~")


# Inputs that take the acknowledgment through its error paths (AK3/AK4, AK5 codes, AK9 codes,
# TA1), each a small change to BASIC_850.
SYNTHETIC: dict[str, str] = {
    "valid": BASIC_850,
    "two-sets-one-bad": _two_sets(BASIC_850).replace("BEG*00*SA*", "BEG*99*SA*", 1),
    "bad-code": BASIC_850.replace("BEG*00*SA*", "BEG*99*SA*"),
    "bad-date": BASIC_850.replace("**20240311~", "**20241399~"),
    "too-long": BASIC_850.replace("DC 3*92", "DC 3" + "X" * 70 + "*92"),
    "missing-mandatory-segment": BASIC_850.replace("BEG*00*SA*NW-4500018231**20240311~\n", ""),
    "unknown-segment": BASIC_850.replace("CUR*BY*USD~", "CUR*BY*USD~\nZZZ*1~"),
    "missing-element": BASIC_850.replace("PO1*2*24*EA*", "PO1*2**EA*"),
    "too-many-components": BASIC_850.replace("REF*DP*042~", "REF*DP*042**DP>1>DP>2>DP>3>DP~"),
    "bad-value-with-our-delimiter": BASIC_850.replace("*", "|").replace("BEG|00", "BEG|0*"),
    "se-count-wrong": BASIC_850.replace("SE*14*0001~", "SE*99*0001~"),
    "se-control-wrong": BASIC_850.replace("SE*14*0001~", "SE*14*0009~"),
    "duplicate-st02": _two_sets(BASIC_850).replace("ST*850*0002~", "ST*850*0001~"),
    "ge-count-wrong": BASIC_850.replace("GE*1*1207~", "GE*3*1207~"),
    "missing-se": BASIC_850.replace("SE*14*0001~\n", ""),
    "missing-ge": BASIC_850.replace("GE*1*1207~\n", ""),
    "iea-mismatch-ta1": BASIC_850.replace("*0*P*>~", "*1*P*>~").replace(
        "IEA*1*000001207~", "IEA*1*000001299~"
    ),
    "ta1-requested": BASIC_850.replace("*0*P*>~", "*1*P*>~"),
    "unsupported-set": BASIC_850.replace("ST*850*", "ST*940*"),
    "long-application-codes": BASIC_850.replace(
        "GS*PO*NWHARDWARE*ACMEDIST*", "GS*PO*NORTHWINDHARDWARECO*ACMEDISTRIBUTIONINC*"
    ),
    "wrapped-80-columns": _wrapped(BASIC_850),
    "short-isa-lenient": BASIC_850.replace("NWHARDWARE     *", "NWHARDWARE*", 1),
    "version-003040": BASIC_850.replace("*X*004010~", "*X*003040~"),
}


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes


def _cases() -> Iterator[Any]:
    for p in sample_paths():
        yield pytest.param(
            Case(str(p.relative_to(SAMPLES)), p.read_bytes()),
            id=f"sample:{p.relative_to(SAMPLES / 'x12')}",
        )
    for name, text in SYNTHETIC.items():
        yield pytest.param(Case(name, text.encode()), id=f"inline:{name}")


# -- reading inputs and acks ---------------------------------------------------------------------


def input_groups(data: bytes) -> list[Group]:
    """The non-FA functional groups of an input, in order: each gets one 997."""
    groups: list[Group] = []
    try:
        for ev in read_interchanges(io.BytesIO(data)):
            if isinstance(ev, InterchangeEnd):
                groups += [g for g in ev.interchange.groups if g.functional_id != "FA"]
    except GatewayError:
        pass  # unusable input, or text after the last interchange: what was read stands
    return groups


def input_codes(data: bytes) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {key: set() for key in CODE_SYNTAX}
    try:
        for ev in read_interchanges(io.BytesIO(data)):
            if isinstance(ev, InterchangeEnd):
                isa = ev.interchange.isa.elements
                found["ISA05"].update(isa[4:5] + isa[6:7])
                for g in ev.interchange.groups:
                    found["GS01"].add(g.functional_id)
                    found["AK201"].update(s.set_id for s in g.sets)
    except GatewayError:
        pass
    return {
        key: {v for v in values if CODE_SYNTAX[key].fullmatch(v)} for key, values in found.items()
    }


def make_ack(data: bytes, name: str) -> tuple[int, str, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = run_ack(
        io.BytesIO(data), name, kind="997", control_number=1, when=WHEN, out=out, err=err
    )
    return code, out.getvalue().decode("utf-8"), err.getvalue()


def segments(text: str) -> list[list[str]]:
    """Our acks: `*`, `>`, `~` (and `^` from 005010), one segment a line."""
    assert text.endswith("~\n")
    return [line[:-1].split("*") for line in text.splitlines()]


def interchanges(segs: list[list[str]]) -> list[list[list[str]]]:
    out: list[list[list[str]]] = []
    for seg in segs:
        if seg[0] == "ISA":
            out.append([])
        out[-1].append(seg)
    return out


def ack_sets(segs: list[list[str]]) -> list[list[list[str]]]:
    """The ST..SE of every 997 in the ack, in order."""
    out: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for seg in segs:
        if seg[0] == "ST":
            current = [seg]
        elif current is not None:
            current.append(seg)
            if seg[0] == "SE":
                out.append(current)
                current = None
    return out


def _no_line_breaks(value: str) -> str:
    return value.replace("\r", "").replace("\n", "")


# -- the pyx12 oracle ----------------------------------------------------------------------------


def widen_code_lists(folder: Path, codes: dict[str, set[str]]) -> None:
    """Add ``codes[xid]`` to the ``valid_codes`` of every element ``xid`` in the maps we use.

    Only ``<code>`` children of existing ``<valid_codes>`` are added: segment order, loops,
    usage, element types, lengths and counts stay pyx12's.
    """
    for name, xids in WIDENED.items():
        path = folder / name
        tree = etree.parse(str(path))
        for xid in xids:
            values = codes[xid]
            lists = tree.xpath(f'//element[@xid="{xid}"]/valid_codes')
            assert lists, f"{name} has no code list for {xid}"
            for valid in lists:
                have = {c.text for c in valid.iterchildren("code")}
                for value in sorted(values - have):
                    etree.SubElement(valid, "code").text = value
        tree.write(str(path), xml_declaration=True, encoding="utf-8")


def _widened_codes(extra: dict[str, set[str]]) -> dict[str, set[str]]:
    qualifiers = SUPPLY_CHAIN["ISA05"] | extra.get("ISA05", set())
    functional_ids = SUPPLY_CHAIN["GS01"] | extra.get("GS01", set())
    return {
        "ISA05": qualifiers,
        "ISA07": qualifiers,
        "GS01": functional_ids,
        "AK101": functional_ids,
        "AK201": SUPPLY_CHAIN["AK201"] | extra.get("AK201", set()),
    }


def _all_inputs() -> Iterator[bytes]:
    root = corpus_dir()
    if root is not None:
        for rel in corpus_paths():
            yield (root / rel).read_bytes()
    for p in sample_paths():
        yield p.read_bytes()
    for text in SYNTHETIC.values():
        yield text.encode()


@pytest.fixture(scope="session")
def pyx12_maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of pyx12's map folder with supply-chain code lists."""
    folder = tmp_path_factory.mktemp("pyx12") / "map"
    shutil.copytree(Path(pyx12.__file__).parent / "map", folder)
    extra: dict[str, set[str]] = {key: set() for key in CODE_SYNTAX}
    for data in _all_inputs():
        for key, values in input_codes(data).items():
            extra[key] |= values
    widen_code_lists(folder, _widened_codes(extra))
    return folder


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def ta1_after_groups(interchange_text: str) -> str:
    """pyx12's map wants TA1 after the groups (see the module docstring)."""
    lines = interchange_text.splitlines(keepends=True)
    ta1 = [line for line in lines if line.startswith("TA1*")]
    rest = [line for line in lines if not line.startswith("TA1*")]
    return "".join(rest[:-1] + ta1 + rest[-1:])


def pyx12_problems(text: str, map_path: Path, expected_sets: int) -> list[str]:
    """Everything pyx12 finds wrong with one interchange (empty: valid)."""
    problems: list[str] = []
    walked: list[str] = []

    def seen(seg: Any, src: Any, node: Any, valid: bool) -> None:
        sid = seg.get_seg_id()
        walked.append(sid)
        if getattr(node, "id", None) != sid:
            problems.append(f"segment {sid} mapped to {getattr(node, 'id', None)!r}")

    collect = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(collect)
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=io.StringIO(text),
            fd_997=None,
            fd_html=None,
            map_path=str(map_path),
            callback=seen,
        )
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        ok = False
        problems.append(f"pyx12 cannot read it: {exc}")
    finally:
        logger.removeHandler(collect)
    problems += collect.messages
    if not ok and not problems:
        problems.append("pyx12 says the interchange is not valid")
    if walked.count("ST") != expected_sets:
        problems.append(f"pyx12 walked {walked.count('ST')} transaction sets, {expected_sets} sent")
    return problems


# -- the checks ----------------------------------------------------------------------------------


def check_ack(data: bytes, name: str, map_path: Path) -> None:
    code, ack, err = make_ack(data, name)
    assert "Traceback" not in err
    groups = input_groups(data)
    if code == 2:  # unusable input: nothing in it to acknowledge
        assert ack == "" and not groups, err
        return
    assert code == 0, err
    if not ack:
        assert not groups, "every non-FA group gets a 997"
        return
    segs = segments(ack)
    acks = ack_sets(segs)
    # one 997 per non-FA group, each listing every set
    assert len(acks) == len(groups)
    accepted: Counter[tuple[str, str]] = Counter()
    for group, st_se in zip(groups, acks, strict=True):
        accepted[(group.functional_id, group.control_number)] += check_997(group, st_se)
    # what the acks accept is what translate turns into documents
    assert +accepted == translated_counts(data, name)
    # TA1 where X12.5 puts it: right after the ISA
    for ic in interchanges(segs):
        assert all(seg[0] != "TA1" for seg in ic[2:]), "TA1 must follow the ISA"
    check_read_back(ack, groups)
    # pyx12, for 004010 acks
    for ic_segs in interchanges(segs):
        if ic_segs[0][12] != "00401":
            assert ic_segs[0][12] == "00501"
            continue
        text = "".join("*".join(seg) + "~\n" for seg in ic_segs)
        n_sets = sum(1 for seg in ic_segs if seg[0] == "ST")
        assert pyx12_problems(ta1_after_groups(text), map_path, n_sets) == [], text


def translated_counts(data: bytes, name: str) -> Counter[tuple[str, str]]:
    out, err = io.BytesIO(), io.StringIO()
    run_translate(io.BytesIO(data), name, strict=False, out=out, err=err)
    docs = orjson.loads(out.getvalue())
    return Counter(
        (d["envelope"]["functional_id"], d["envelope"]["group_control_number"])
        for d in docs
        if d["envelope"]["functional_id"] != "FA"
    )


def check_997(group: Group, st_se: list[list[str]]) -> int:
    """Check one 997 against the group it acknowledges; return AK904."""
    ids = [seg[0] for seg in st_se]
    assert ids[:2] == ["ST", "AK1"] and ids[-2:] == ["AK9", "SE"]
    ak1 = st_se[1]
    assert ak1[1:3] == [_no_line_breaks(group.functional_id), _no_line_breaks(group.control_number)]
    ak2 = [seg[1:3] for seg in st_se if seg[0] == "AK2"]
    ak5 = [seg[1] for seg in st_se if seg[0] == "AK5"]
    expected = [[_no_line_breaks(s.set_id), _no_line_breaks(s.control_number)] for s in group.sets]
    assert ak2 == expected, "one AK2 per transaction set, in order"
    assert len(ak5) == len(ak2)
    assert ak5 == [("A", "E")[bool(s.noted or s.codes)] if s.accepted else "R" for s in group.sets]
    ak9 = st_se[-2]
    included, received, accepted = (int(v) for v in ak9[2:5])
    declared = group.declared_count if group.declared_count is not None else len(group.sets)
    assert included == declared
    assert received == len(ak2)
    assert accepted == sum(1 for status in ak5 if status in ("A", "E"))
    status, codes = ak9[1], ak9[5:]
    if accepted == 0:
        assert status == "R"
    elif accepted < received:
        assert status == "P"
    elif group.rejected:
        assert status == "R"
    else:
        assert status == ("E" if codes or "E" in ak5 else "A")
    assert st_se[-1][1] == str(len(st_se))
    return accepted


def check_read_back(ack: str, groups: list[Group]) -> None:
    """Our own reader takes the ack back: one functional_ack per 997, sets one to one."""
    out, err = io.BytesIO(), io.StringIO()
    code = run_translate(io.BytesIO(ack.encode()), "ack", strict=False, out=out, err=err)
    assert code == 0, err
    docs = orjson.loads(out.getvalue())
    assert [d["document_type"] for d in docs] == ["functional_ack"] * len(groups)
    for doc, group in zip(docs, groups, strict=True):
        assert doc["acknowledged_functional_id"] == _no_line_breaks(group.functional_id)
        assert doc["acknowledged_group_control_number"] == _no_line_breaks(group.control_number)
        got = [(t["transaction_set"], t["control_number"]) for t in doc["transaction_sets"]]
        assert got == [
            (_no_line_breaks(s.set_id), _no_line_breaks(s.control_number)) for s in group.sets
        ]
        for t, s in zip(doc["transaction_sets"], group.sets, strict=True):
            assert (t["status_code"] == "R") == (not s.accepted)
        assert doc["counts"]["received"] == len(group.sets)
        assert doc["counts"]["accepted"] == group.accepted_count


# -- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(_cases()))
def test_sample_and_inline_acks(case: Case, pyx12_maps: Path) -> None:
    check_ack(case.data, case.name, pyx12_maps)


@pytest.mark.corpus
@pytest.mark.parametrize("rel", corpus_paths())
def test_corpus_acks(rel: str, corpus: Path, pyx12_maps: Path) -> None:
    path = corpus / rel
    check_ack(path.read_bytes(), path.name, pyx12_maps)


@pytest.mark.corpus
def test_corpus_has_004010_acks(corpus: Path, pyx12_maps: Path) -> None:
    """The oracle really runs: most corpus inputs give a 4010 997."""
    checked = 0
    for rel in corpus_paths():
        _, ack, _ = make_ack((corpus / rel).read_bytes(), rel)
        checked += "*00401*" in ack and "ST*997*" in ack
    assert checked >= 30


def test_widening_touches_only_code_lists(pyx12_maps: Path) -> None:
    original = Path(pyx12.__file__).parent / "map"

    def without_codes(path: Path) -> bytes:
        root = etree.parse(str(path)).getroot()
        for valid in root.iter("valid_codes"):
            for code in list(valid):
                valid.remove(code)
        return bytes(etree.tostring(root, method="c14n"))

    for name in WIDENED:
        assert without_codes(pyx12_maps / name) == without_codes(original / name)
    for other in sorted(original.iterdir()):
        if other.name not in WIDENED and other.is_file():
            assert (pyx12_maps / other.name).read_bytes() == other.read_bytes()


GOOD_997 = (
    isa("ACMEDIST", "NWHARDWARE", "000000001", "240506*0708")
    + """\
GS*FA*ACMEDIST*NWHARDWARE*20240506*0708*1*X*004010~
ST*997*0001~
AK1*PO*1207~
AK2*850*0001~
AK5*A~
AK9*A*1*1*1~
SE*6*0001~
GE*1*1~
IEA*1*000000001~
"""
)


@pytest.mark.parametrize(
    "broken",
    [
        GOOD_997.replace("AK5*A~\n", ""),  # mandatory AK5 missing
        GOOD_997.replace("AK5*A~", "AK5*Q~"),  # bad AK501 code
        GOOD_997.replace("AK1*PO*", "AK1*Q7*"),  # functional id in no list
        GOOD_997.replace("SE*6*", "SE*7*"),  # segment count
        GOOD_997.replace("GE*1*1~", "GE*1*2~"),  # group control number
        GOOD_997.replace("AK2*850*0001~", "AK2*850*0001\n1~"),  # control character
        GOOD_997.replace("ACMEDIST*NWHARDWARE*2024", "ACMEDISTRIBUTIONINC*NWHARDWARE*2024"),
        GOOD_997.replace("P*>~\n", "P*>~\nTA1*000001207*240311*0814*Q*000~\n"),  # TA104
        BASIC_850,  # no 997 at all: pyx12 has no map for a supply-chain 850
    ],
    ids=[
        "no-ak5",
        "bad-ak501",
        "bad-ak101",
        "se01",
        "ge02",
        "line-break",
        "long-gs02",
        "bad-ta104",
        "unmappable",
    ],
)
def test_oracle_refuses_broken_acks(broken: str, pyx12_maps: Path) -> None:
    """The oracle can say no, including to what it cannot map at all."""
    good_with_ta1 = GOOD_997.replace("P*>~\n", "P*>~\nTA1*000001207*240311*0814*E*001~\n")
    assert pyx12_problems(ta1_after_groups(good_with_ta1), pyx12_maps, 1) == []
    assert pyx12_problems(ta1_after_groups(broken), pyx12_maps, 1) != []
