"""Canonical XML: every project sample written as canonical XML reads back identical, and a
document that breaks the contract is refused with the field path named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import ROOT
from translators.errors import XmlError
from translators.xml.canonical_xml import (
    CanonicalXmlError,
    read_canonical_xml,
    write_canonical_xml,
)

SAMPLES = sorted(ROOT.glob("samples/*/**/*.json"))


def _load(path: Path) -> list[dict[str, Any]]:
    data = orjson.loads(path.read_bytes())
    return data if isinstance(data, list) else [data]


def test_there_are_samples_of_every_type() -> None:
    types = {doc["document_type"] for path in SAMPLES for doc in _load(path)}
    assert types == {"order", "order_ack", "ship_notice", "invoice", "functional_ack"}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip(path: Path) -> None:
    docs = _load(path)
    assert read_canonical_xml(write_canonical_xml(docs)) == docs
    assert read_canonical_xml(write_canonical_xml(docs[0])) == docs[:1]


def test_the_form() -> None:
    xml = write_canonical_xml(
        {
            "document_type": "order",
            "po_number": "PO1",
            "notes": ["a", "b"],
            "lines": [{"line_number": "1", "item_ids": [{"qualifier": "VP", "value": "X"}]}],
            "terms": None,
        }
    )
    assert xml.endswith(
        b"<order><po_number>PO1</po_number><notes>a</notes><notes>b</notes><lines>"
        b"<line_number>1</line_number><item_ids><qualifier>VP</qualifier><value>X</value>"
        b"</item_ids></lines></order>"
    )


def test_a_single_entry_is_still_a_list() -> None:
    [doc] = read_canonical_xml(
        b"<order><notes>only</notes><lines><quantity>2</quantity></lines></order>"
    )
    assert doc["notes"] == ["only"]
    assert doc["lines"][0]["quantity"] == "2"
    assert doc["terms"] is None and doc["parties"] == []


def test_errors_name_the_field_path() -> None:
    bad = (
        b"<order><po_date>2024-13-45</po_date>"
        b"<lines><quantity>1</quantity></lines><lines><quantity>lots</quantity></lines>"
        b"<lines><colour>red</colour></lines></order>"
    )
    with pytest.raises(CanonicalXmlError) as info:
        read_canonical_xml(bad)
    assert [e["path"] for e in info.value.errors] == ["lines[3].colour"]
    fixed = bad.replace(b"<lines><colour>red</colour></lines>", b"")
    with pytest.raises(CanonicalXmlError) as info:
        read_canonical_xml(fixed)
    paths = {e["path"] for e in info.value.errors}
    assert paths == {"po_date", "lines[2].quantity"}
    assert "lines[2].quantity" in str(info.value)


def test_unknown_root_and_nested_values_are_refused() -> None:
    with pytest.raises(CanonicalXmlError, match="<purchase> is not a canonical document"):
        read_canonical_xml(b"<purchase/>")
    with pytest.raises(CanonicalXmlError, match=r"po_number: expected a value"):
        read_canonical_xml(b"<order><po_number><x/></po_number></order>")


def test_hostile_canonical_xml_is_refused() -> None:
    bomb = b'<!DOCTYPE order [<!ENTITY a "aaaa">]><order><po_number>&a;</po_number></order>'
    with pytest.raises(XmlError):
        read_canonical_xml(bomb)
