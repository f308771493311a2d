"""Conformance over the public corpus: every XML row of EXPECTED.tsv.

Read from ../shared/corpus (or EDI_CORPUS) through `run_translate`, as `edi-gateway translate`
runs, and never copied into the repository. cXML and UBL rows must translate to the named
document types (each a valid canonical document) or be refused as "unsupported: <type>" with
exit 1.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.commands.translate import run_translate
from tests.conftest import corpus_dir
from translators.canonical import parse_document

CORPUS = corpus_dir()


def _rows() -> list[dict[str, str]]:
    if CORPUS is None:
        return []
    with (CORPUS / "EXPECTED.tsv").open(newline="") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["path"].startswith("xml/")]


def _params() -> list[Any]:
    return [pytest.param(r, id=r["path"]) for r in _rows()]


def _run(path: Path) -> tuple[int, list[dict[str, Any]], str]:
    out, err = io.BytesIO(), io.StringIO()
    with path.open("rb") as stream:
        code = run_translate(stream, path.name, strict=False, out=out, err=err)
    return code, orjson.loads(out.getvalue()), err.getvalue()


def test_xml_rows_are_present(corpus: Path) -> None:
    rows = _rows()
    assert len([r for r in rows if r["path"].startswith("xml/cxml/")]) >= 13
    assert {r["expect"] for r in rows} <= {"translate", "unsupported"}


@pytest.mark.corpus
@pytest.mark.parametrize("row", _params())
def test_expected_outcome(row: dict[str, str], corpus: Path) -> None:
    path = corpus / row["path"]
    code, docs, err = _run(path)
    assert "Traceback" not in err
    assert code == int(row["exit"]), err
    if row["expect"] == "translate":
        assert err == ""
        assert [d["document_type"] for d in docs] == row["document_types"].split(",")
        for doc in docs:
            parse_document(doc)
    else:
        assert docs == []
        assert err.startswith(f"{path.name}: unsupported: ")
        kind = err.split("unsupported: ", 1)[1].strip()
        assert kind and kind in path.read_text(encoding="utf-8"), "the error names the type"
