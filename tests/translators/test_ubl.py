"""UBL 2.x: the corpus samples read, written back as UBL 2.1 that the OASIS XSDs accept, and
read again to the same canonical documents; project cXML samples go through UBL unchanged in
what UBL can carry; what UBL cannot carry is refused by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import ROOT, corpus_dir
from translators.canonical import dump_document, parse_document
from translators.errors import UnsupportedError, XmlError
from translators.ubl import UblError
from translators.ubl.schema import load_schema, validate_ubl
from translators.ubl.writers import write_ubl
from translators.xml.documents import read_xml

CORPUS = corpus_dir()
UBL_SAMPLES = sorted((CORPUS / "xml" / "other").glob("UBL-*.xml")) if CORPUS else []
# project samples of the four UBL document types, from cXML and X12 (not 997/999)
CANONICAL_SAMPLES = sorted((ROOT / "samples" / "cxml").glob("*.json")) + [
    path
    for kind in ("850", "855", "856", "810")
    for path in sorted((ROOT / "samples" / "x12" / kind).glob("*.json"))
]


def _schemas(corpus: Path) -> Path:
    return corpus / "schemas" / "ubl-2.1"


def _without_envelope(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "envelope"}


@pytest.mark.corpus
@pytest.mark.parametrize("path", UBL_SAMPLES, ids=lambda p: p.name)
def test_corpus_ubl_round_trip_is_xsd_valid(path: Path, corpus: Path) -> None:
    [doc] = read_xml(path.read_bytes())
    parse_document(doc)
    produced = write_ubl(doc)
    assert validate_ubl(produced, _schemas(corpus)) == []
    [again] = read_xml(produced)
    assert again["envelope"]["standard"] == "ubl"
    assert again["envelope"]["version"] == "2.1"
    assert _without_envelope(again) == _without_envelope(doc)


@pytest.mark.corpus
def test_ubl_order_mapping(corpus: Path) -> None:
    [doc] = read_xml((corpus / "xml/other/UBL-Order-2.1-Example.xml").read_bytes())
    assert (doc["po_number"], doc["po_date"], doc["currency"]) == ("34", "2010-01-20", "SEK")
    assert doc["total_amount"] == "6225"
    assert doc["requested_delivery_date"] == "2010-02-10"
    roles = [(p["role"], p["name"]) for p in doc["parties"]]
    assert ("buyer", "Johnssons byggvaror") in roles
    assert ("seller", "Moderna Produkter AB") in roles
    first = doc["lines"][0]
    assert (first["line_number"], first["quantity"], first["uom"]) == ("1", "120", "LTR")
    assert (first["unit_price"], first["vendor_part_number"]) == ("50", "SItemNo001")
    assert first["gtin"] == "1234567890123"
    assert first["description"] == "Red paint"


@pytest.mark.corpus
def test_ubl_ack_despatch_invoice_mapping(corpus: Path) -> None:
    other = corpus / "xml" / "other"
    [ack] = read_xml((other / "UBL-OrderResponseSimple-2.1-Example.xml").read_bytes())
    assert (ack["po_number"], ack["status"], ack["ack_date"]) == ("34", "accepted", "2010-01-21")
    [asn] = read_xml((other / "UBL-DespatchAdvice-2.0-Example.xml").read_bytes())
    [order] = asn["orders"]
    assert (asn["shipment_id"], order["po_number"]) == ("565899", "AEG012345")
    assert order["items"][0]["quantity_shipped"] == "90"
    assert order["items"][0]["buyer_part_number"] == "6578489"
    [inv] = read_xml((other / "UBL-Invoice-2.1-Example.xml").read_bytes())
    assert (inv["invoice_number"], inv["po_number"], inv["currency"]) == ("TOSL108", "123", "EUR")
    assert inv["tax_amount"] == "292.20"
    assert inv["total_amount"] == "1729"
    assert [ac["type"] for ac in inv["allowances_charges"] if ac["line_number"] is None] == [
        "charge",
        "allowance",
    ]


@pytest.mark.corpus
@pytest.mark.parametrize("path", CANONICAL_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_canonical_to_ubl_to_canonical(path: Path, corpus: Path) -> None:
    """Project samples (canonical JSON, read from cXML and X12) written as UBL 2.1 and read
    back: the business content UBL carries comes back equal (lines, item ids, quantities,
    prices, totals)."""
    data = orjson.loads(path.read_bytes())
    for doc in data if isinstance(data, list) else [data]:
        _round_trip(dump_document(parse_document(doc)), corpus)


def _round_trip(doc: dict[str, Any], corpus: Path) -> None:
    produced = write_ubl(doc)
    assert validate_ubl(produced, _schemas(corpus)) == []
    [again] = read_xml(produced)
    parse_document(again)
    for key in ("po_number", "invoice_number", "shipment_id", "total_amount"):
        assert again.get(key) == doc.get(key), key
    if doc["document_type"] != "order_ack":  # OrderResponseSimple carries no currency
        assert again.get("currency") == doc.get("currency")
    else:  # an indicator: accepted or not
        assert again["status"] == ("rejected" if doc["status"] == "rejected" else "accepted")
    if doc["document_type"] in ("order", "invoice"):
        fields = (
            "line_number",
            "quantity",
            "uom",
            "unit_price",
            "vendor_part_number",
            "buyer_part_number",
            "upc",
            "gtin",
        )
        assert [[line[f] for f in fields] for line in again["lines"]] == [
            [line[f] for f in fields] for line in doc["lines"]
        ]
        assert [sorted(map(str, line["item_ids"])) for line in again["lines"]] == [
            sorted(map(str, line["item_ids"])) for line in doc["lines"]
        ]
    if doc["document_type"] == "ship_notice":
        shipped = [i["quantity_shipped"] for o in doc["orders"] for i in o["items"]] + [
            i["quantity_shipped"] for o in doc["orders"] for p in o["packs"] for i in p["items"]
        ]
        assert sorted(i["quantity_shipped"] for o in again["orders"] for i in o["items"]) == (
            sorted(shipped)
        )


def test_missing_required_value_is_named() -> None:
    with pytest.raises(UblError, match="po_date is required"):
        write_ubl({"document_type": "order", "po_number": "1", "lines": [{"quantity": "1"}]})
    with pytest.raises(UblError, match="functional_ack"):
        write_ubl({"document_type": "functional_ack"})


def test_other_ubl_types_are_unsupported() -> None:
    data = (
        b'<Catalogue xmlns="urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"></Catalogue>'
    )
    with pytest.raises(UnsupportedError, match="unsupported: Catalogue"):
        read_xml(data)


def test_schema_imports_outside_the_schema_dir_are_refused(tmp_path: Path) -> None:
    main = tmp_path / "xsd" / "maindoc"
    main.mkdir(parents=True)
    (main / "UBL-Order-2.1.xsd").write_text(
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        '<xsd:import namespace="urn:x" schemaLocation="http://example.invalid/x.xsd"/>'
        "</xsd:schema>"
    )
    with pytest.raises(
        XmlError, match=r"import refused: http://example\.invalid/x\.xsd is not a local file"
    ):
        load_schema(str(tmp_path), "Order")
