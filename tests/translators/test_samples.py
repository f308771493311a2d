"""The project's own sample documents (samples/x12/<set>/*.x12) against their expected JSON.

Each ``<name>.x12`` has a ``<name>.json`` next to it: the canonical documents `translate`
must print for it, written by hand from CONTRACT.md (the oracle, not a snapshot of the
readers' output). Samples are clean files, so translating one prints nothing on stderr, in
lenient and in strict mode alike.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.commands.translate import run_translate
from translators.canonical import parse_document

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "x12"
SAMPLE_FILES = sorted(SAMPLES.glob("**/*.x12"))
# Transaction set folder -> the fewest samples it must hold.
MINIMUM_SAMPLES = {"850": 3, "855": 3, "856": 3, "810": 3, "997": 3, "999": 2}


def _id(path: Path) -> str:
    return path.relative_to(SAMPLES).as_posix()


def _translate(path: Path, *, strict: bool) -> tuple[int, Any, str]:
    out, err = io.BytesIO(), io.StringIO()
    with path.open("rb") as stream:
        code = run_translate(stream, path.name, strict=strict, out=out, err=err)
    return code, json.loads(out.getvalue()), err.getvalue()


def _expected(path: Path) -> Any:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def _key_order(value: Any) -> Any:
    """The value with every object turned into its (key, value) pairs, so order counts."""
    if isinstance(value, dict):
        return [[key, _key_order(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [_key_order(item) for item in value]
    return value


def test_every_set_has_its_samples() -> None:
    assert (SAMPLES / "850" / "basic-004010.x12").is_file()  # the README demo uses it
    for folder, minimum in MINIMUM_SAMPLES.items():
        found = [p for p in SAMPLE_FILES if p.parent.name == folder]
        assert len(found) >= minimum, f"samples/x12/{folder} has {len(found)} samples"
    for path in SAMPLE_FILES:
        assert path.with_suffix(".json").is_file(), f"{_id(path)} has no expected .json"
    for path in SAMPLES.glob("**/*.json"):
        assert path.with_suffix(".x12").is_file(), f"{_id(path)} has no .x12 sample"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=_id)
def test_sample_translates_to_its_expected_documents(path: Path) -> None:
    code, documents, stderr = _translate(path, strict=False)
    assert stderr == ""
    assert code == 0
    expected = _expected(path)
    assert documents == expected
    assert _key_order(documents) == _key_order(expected)
    for document in documents:
        parse_document(document)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=_id)
def test_sample_is_clean_in_strict_mode(path: Path) -> None:
    code, documents, stderr = _translate(path, strict=True)
    assert (code, stderr) == (0, "")
    assert len(documents) == len(_expected(path))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=_id)
def test_expected_json_is_pretty_printed(path: Path) -> None:
    text = path.with_suffix(".json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2) + "\n"
