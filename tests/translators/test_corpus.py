"""Conformance over the public corpus: every X12 row of EXPECTED.tsv.

The corpus is read from ../shared/corpus (or EDI_CORPUS) and never copied into the repository.
`expect` values: translate / translate-lenient (exit 0, the named document types), reject
(the named exit code, a precise message, no traceback), envelope (envelope parsed, no
document), unsupported (XML rows, the XML issue).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest

from gateway.commands.translate import run_translate
from tests.conftest import corpus_dir

CORPUS = corpus_dir()


def _rows() -> list[dict[str, str]]:
    if CORPUS is None:
        return []
    with (CORPUS / "EXPECTED.tsv").open(newline="") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["path"].startswith("x12/")]


ROWS = _rows()


def _run(path: Path, strict: bool = False) -> tuple[int, list[dict[str, object]], str]:
    out = io.BytesIO()
    err = io.StringIO()
    with path.open("rb") as stream:
        code = run_translate(stream, path.name, strict=strict, out=out, err=err)
    docs = orjson.loads(out.getvalue())
    return code, docs, err.getvalue()


def test_corpus_rows_are_present(corpus: Path) -> None:
    assert len(ROWS) >= 60, "EXPECTED.tsv lost its X12 rows"


@pytest.mark.corpus
@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_expected_outcome(row: dict[str, str], corpus: Path) -> None:
    path = corpus / row["path"]
    code, docs, err = _run(path)
    assert "Traceback" not in err
    assert code == int(row["exit"]), err
    types = [str(d["document_type"]) for d in docs]
    expected_types = [t for t in row["document_types"].split(",") if t]
    expect = row["expect"]
    if expect in ("translate", "translate-lenient"):
        # EXPECTED names the document types a file yields, not one entry per set
        assert types and set(types) == set(expected_types), err
    if expect == "translate-lenient":
        warnings = [w for d in docs for w in d["warnings"]]  # type: ignore[attr-defined]
        assert warnings or "warning:" in err, "lenient reading must say what it forgave"
    if expect == "envelope":
        assert docs == [] or all(d["document_type"] == "functional_ack" for d in docs)
    if expect in ("reject", "envelope") and code:
        # a precise message: the file and, where the envelope allowed, control numbers
        assert path.name in err
        assert err.strip(), "a rejection must be explained"


@pytest.mark.corpus
@pytest.mark.parametrize(
    "row",
    [r for r in ROWS if r["expect"] == "translate-lenient"],
    ids=lambda r: r["path"],
)
def test_lenient_rows_are_refused_in_strict_mode(row: dict[str, str], corpus: Path) -> None:
    code, _, err = _run(corpus / row["path"], strict=True)
    assert code in (1, 2)
    assert "Traceback" not in err and err.strip()
