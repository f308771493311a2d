"""Shared fixtures: where the public corpus and the project's samples are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def corpus_dir() -> Path | None:
    env = os.environ.get("EDI_CORPUS")
    candidates = [Path(env)] if env else [ROOT.parent / "shared" / "corpus"]
    for c in candidates:
        if (c / "EXPECTED.tsv").is_file():
            return c
    return None


@pytest.fixture(scope="session")
def corpus() -> Path:
    found = corpus_dir()
    if found is None:
        if os.environ.get("EDI_REQUIRE_CORPUS"):
            pytest.fail("EDI_REQUIRE_CORPUS is set but the corpus was not found (set EDI_CORPUS)")
        pytest.skip("public corpus not found: set EDI_CORPUS to ../shared/corpus")
    return found
