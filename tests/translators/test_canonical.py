"""Canonical models: the JSON contract (exact decimals, ISO dates, closed fields), code tables."""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from translators.canonical import (
    AckCounts,
    AckedSet,
    AllowanceCharge,
    DateRef,
    FunctionalAck,
    Invoice,
    ItemId,
    LineAck,
    Order,
    OrderAck,
    OrderAckLine,
    OrderLine,
    ShipNotice,
    codes,
    dump_document,
    parse_document,
    to_json_bytes,
)
from translators.canonical.common import Amount, Count, IsoDate, TimeOfDay

# --- strategies derived from the models, so new fields are covered without editing this file ---

_TEXT = st.text(max_size=12)
_SCALAR_STRATEGIES: dict[Any, st.SearchStrategy[Any]] = {
    Amount: st.decimals(
        min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False
    ),
    IsoDate: st.dates(),
    TimeOfDay: st.from_regex(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?", fullmatch=True),
    Count: st.integers(min_value=0, max_value=10**6),
    str: _TEXT,
    bool: st.booleans(),
}


def _strategy(annotation: Any) -> st.SearchStrategy[Any]:
    if annotation in _SCALAR_STRATEGIES:
        return _SCALAR_STRATEGIES[annotation]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return st.one_of([_strategy(arg) for arg in get_args(annotation)])
    if annotation is type(None):
        return st.none()
    if origin is list:
        return st.lists(_strategy(get_args(annotation)[0]), max_size=2)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is Annotated:
        return _strategy(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_strategy(annotation)
    raise NotImplementedError(annotation)


def _field_annotation(field: Any) -> Any:
    # pydantic strips Annotated metadata from a bare top-level field; put it back so the
    # strategy honours the constraint (e.g. a required Amount).
    if field.metadata:
        return Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def model_strategy(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    fields = {
        name: _strategy(_field_annotation(field)) for name, field in model.model_fields.items()
    }
    return st.builds(model, **fields)


def _roundtrip(doc: BaseModel) -> None:
    dumped = dump_document(doc)  # type: ignore[arg-type]
    reparsed = parse_document(orjson.loads(to_json_bytes(doc)))  # type: ignore[arg-type]
    assert type(reparsed) is type(doc)
    assert reparsed == doc
    assert dump_document(reparsed) == dumped


@settings(max_examples=60, deadline=None)
@given(model_strategy(Order))
def test_order_roundtrips(doc: Order) -> None:
    _roundtrip(doc)


@settings(max_examples=60, deadline=None)
@given(model_strategy(Invoice))
def test_invoice_roundtrips(doc: Invoice) -> None:
    _roundtrip(doc)


@settings(max_examples=30, deadline=None)
@given(st.one_of([model_strategy(m) for m in (OrderAck, ShipNotice, FunctionalAck)]))
def test_other_documents_roundtrip(doc: BaseModel) -> None:
    _roundtrip(doc)


@settings(max_examples=100, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
        lambda d: abs(d.adjusted()) < 40
    )
)
def test_decimals_dump_fixed_point_and_exact(value: Decimal) -> None:
    text = dump_document(Order(total_amount=value))["total_amount"]
    assert "E" not in text.upper()
    assert Decimal(text) == value
    reparsed = parse_document({"document_type": "order", "total_amount": text})
    assert isinstance(reparsed, Order)
    assert reparsed.total_amount == value


# --- decimals, dates, times ---


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("48", "48"),
        ("48.00", "48.00"),
        ("0.39", "0.39"),
        (".39", "0.39"),
        ("623.00", "623.00"),
        ("-1.50", "-1.50"),
        ("1E+3", "1000"),
        ("1.0E-7", "0.00000010"),
        (12, "12"),
    ],
)
def test_decimal_keeps_exact_string(given_: Any, expected: str) -> None:
    doc = parse_document({"document_type": "order", "lines": [{"unit_price": given_}]})
    assert dump_document(doc)["lines"][0]["unit_price"] == expected
    assert orjson.loads(to_json_bytes(doc))["lines"][0]["unit_price"] == expected


def test_decimal_is_decimal_in_python() -> None:
    doc = parse_document({"document_type": "invoice", "total_amount": "48.00"})
    assert isinstance(doc, Invoice)
    assert doc.total_amount == Decimal("48.00")
    assert str(doc.total_amount) == "48.00"


@pytest.mark.parametrize("bad", [48.0, 0.39, True, "NaN", "Infinity", "abc", ""])
def test_decimal_rejects_floats_and_non_numbers(bad: Any) -> None:
    with pytest.raises(ValidationError):
        parse_document({"document_type": "order", "total_amount": bad})


def test_dates_are_iso() -> None:
    doc = parse_document({"document_type": "order", "po_date": "2024-02-29"})
    assert isinstance(doc, Order)
    assert doc.po_date == dt.date(2024, 2, 29)
    assert dump_document(doc)["po_date"] == "2024-02-29"


@pytest.mark.parametrize(
    "bad",
    [
        "20240229",
        "2023-02-29",
        "24-02-29",
        1700000000,
        "2024-02-29T00:00",
        "\uff12\uff10\uff12\uff14-01-01",
    ],
)
def test_dates_reject_anything_but_iso(bad: Any) -> None:
    with pytest.raises(ValidationError):
        parse_document({"document_type": "order", "po_date": bad})


@pytest.mark.parametrize("good", ["08:30", "23:59:59", "00:00"])
def test_times_accept_hh_mm_ss(good: str) -> None:
    assert DateRef(time=good).time == good


# The last case is a Sinhala digit: regex \d would take it, the contract means ASCII digits.
@pytest.mark.parametrize(
    "bad", ["0830", "24:00", "8:30", "08:30:00.5", "08:60", "08:30\n", "21:5\u0dea"]
)
def test_times_reject_other_shapes(bad: str) -> None:
    with pytest.raises(ValidationError):
        DateRef(time=bad)


# --- closed fields, discriminator, absent data ---


@pytest.mark.parametrize(
    "data",
    [
        {"document_type": "order", "po_numbr": "1"},
        {"document_type": "order", "lines": [{"qty": "1"}]},
        {"document_type": "invoice", "envelope": {"standard": "x12", "isa13": "1"}},
        {"document_type": "ship_notice", "orders": [{"packs": [{"sscc": "1", "x": 1}]}]},
        {"document_type": "functional_ack", "counts": {"included": 1, "rejected": 0}},
    ],
)
def test_extra_fields_are_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_document(data)


@pytest.mark.parametrize(
    ("document_type", "model"),
    [
        ("order", Order),
        ("order_ack", OrderAck),
        ("ship_notice", ShipNotice),
        ("invoice", Invoice),
        ("functional_ack", FunctionalAck),
    ],
)
def test_document_type_selects_model(document_type: str, model: type[BaseModel]) -> None:
    doc = parse_document({"document_type": document_type})
    assert type(doc) is model
    dumped = dump_document(doc)
    assert next(iter(dumped)) == "document_type"
    # Absent data is null or [], never an invented default.
    assert all(v in (None, []) for k, v in dumped.items() if k != "document_type")


@pytest.mark.parametrize("data", [{}, {"document_type": "purchase_order"}])
def test_unknown_or_missing_document_type_is_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_document(data)


def test_allowance_charge_type_is_closed() -> None:
    assert AllowanceCharge(type="charge").type == "charge"
    with pytest.raises(ValidationError):
        AllowanceCharge.model_validate({"type": "N"})


def test_envelope_keeps_control_numbers_as_strings() -> None:
    doc = parse_document(
        {
            "document_type": "order",
            "envelope": {
                "standard": "x12",
                "interchange_control_number": "000000101",
                "version": "004010VICS",
                "test": True,
            },
        }
    )
    env = dump_document(doc)["envelope"]
    assert env["interchange_control_number"] == "000000101"
    assert env["version"] == "004010VICS"
    assert env["test"] is True


def test_nested_lines_and_acks() -> None:
    line = OrderAckLine(
        line_number="1",
        quantity=Decimal("10"),
        acks=[
            LineAck(
                status_code="IA",
                quantity=Decimal("10"),
                date_qualifier="068",
                date=dt.date(2024, 3, 1),
            )
        ],
        scheduled_date=dt.date(2024, 3, 1),
    )
    dumped = dump_document(OrderAck(lines=[line]))
    assert dumped["lines"][0]["acks"][0]["quantity"] == "10"
    assert dumped["lines"][0]["acks"][0]["date"] == "2024-03-01"


def test_functional_ack_counts_are_ints() -> None:
    doc = FunctionalAck(
        status_code="P",
        counts=AckCounts(included=2, received=2, accepted=1),
        transaction_sets=[AckedSet(control_number="0002", status_code="R", codes=["5"])],
    )
    dumped = dump_document(doc)
    assert dumped["counts"] == {"included": 2, "received": 2, "accepted": 1}
    assert dumped["transaction_sets"][0]["control_number"] == "0002"


def test_to_json_bytes_accepts_plain_dicts() -> None:
    raw = to_json_bytes({"amount": Decimal("1.50"), "date": dt.date(2024, 1, 2)})
    assert orjson.loads(raw) == {"amount": "1.50", "date": "2024-01-02"}


# --- code tables ---


@pytest.mark.parametrize(
    ("lookup", "code", "meaning"),
    [
        (codes.purpose, "00", "original"),
        (codes.purpose, "01", "cancel"),
        (codes.purpose, "04", "change"),
        (codes.purpose, "05", "replace"),
        (codes.purpose, "06", "confirmation"),
        (codes.purpose, "07", "duplicate"),
        (codes.purpose, "13", "other"),
        (codes.cxml_purpose, "new", "original"),
        (codes.cxml_purpose, "update", "replace"),
        (codes.cxml_purpose, "delete", "cancel"),
        (codes.cxml_purpose, "00", "other"),
        (codes.order_ack_status, "AD", "accepted"),
        (codes.order_ack_status, "AC", "accepted_with_changes"),
        (codes.order_ack_status, "AH", "on_hold"),
        (codes.order_ack_status, "NA", "no_ack_needed"),
        (codes.order_ack_status, "RJ", "rejected"),
        (codes.order_ack_status, "ZZ", "other"),
        (codes.line_ack_status, "IA", "accepted"),
        (codes.line_ack_status, "SP", "accepted"),
        (codes.line_ack_status, "BP", "backordered"),
        (codes.line_ack_status, "IC", "changed"),
        (codes.line_ack_status, "DR", "rescheduled"),
        (codes.line_ack_status, "ID", "deleted"),
        (codes.line_ack_status, "IW", "on_hold"),
        (codes.line_ack_status, "IP", "price_changed"),
        (codes.line_ack_status, "IQ", "quantity_changed"),
        (codes.line_ack_status, "IS", "substituted"),
        (codes.line_ack_status, "IR", "rejected"),
        (codes.line_ack_status, "R1", "rejected"),
        (codes.line_ack_status, "R8", "rejected"),
        (codes.line_ack_status, "R9", "other"),
        (codes.line_ack_status, "ia", "other"),
        (codes.cxml_line_ack_status, "accept", "accepted"),
        (codes.cxml_line_ack_status, "backordered", "backordered"),
        (codes.cxml_line_ack_status, "reject", "rejected"),
        (codes.cxml_line_ack_status, "shipping", "other"),
        (codes.cxml_order_ack_status, "accept", "accepted"),
        (codes.cxml_order_ack_status, "requestToPay", "other"),
        (codes.functional_ack_status, "A", "accepted"),
        (codes.functional_ack_status, "E", "accepted_with_errors"),
        (codes.functional_ack_status, "P", "partially_accepted"),
        (codes.functional_ack_status, "R", "rejected"),
        (codes.functional_ack_status, "M", "rejected"),
        (codes.functional_ack_status, "W", "rejected"),
        (codes.functional_ack_status, "X", "rejected"),
        (codes.functional_ack_status, "Q", "other"),
        (codes.functional_ack_status, "", "other"),
    ],
)
def test_code_tables(lookup: Any, code: str, meaning: str) -> None:
    assert lookup(code) == meaning


@pytest.mark.parametrize(
    "lookup",
    [
        codes.purpose,
        codes.cxml_purpose,
        codes.order_ack_status,
        codes.cxml_order_ack_status,
        codes.line_ack_status,
        codes.cxml_line_ack_status,
        codes.functional_ack_status,
        codes.party_role,
    ],
)
def test_absent_code_has_no_meaning(lookup: Any) -> None:
    assert lookup(None) is None


@pytest.mark.parametrize(
    ("code", "role"),
    [
        ("ST", "ship_to"),
        ("BT", "bill_to"),
        ("BY", "buyer"),
        ("SE", "seller"),
        ("SF", "ship_from"),
        ("RE", "remit_to"),
        ("RI", "remit_to"),
        ("VN", "vendor"),
        ("SU", "supplier"),
        ("OB", "ordered_by"),
        ("LW", "customer_location"),
        ("Z7", "z7"),
        ("MF", "mf"),
    ],
)
def test_party_role(code: str, role: str) -> None:
    assert codes.party_role(code) == role


# --- item id conveniences ---


def _ids(*pairs: str) -> list[dict[str, str]]:
    return [{"qualifier": q, "value": v} for q, v in (p.split(":") for p in pairs)]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((), {}),
        (
            ("BP:B1", "VP:V1", "UP:012345678905", "UK:00012345678905"),
            {
                "buyer_part_number": "B1",
                "vendor_part_number": "V1",
                "upc": "012345678905",
                "gtin": "00012345678905",
            },
        ),
        # The preferred qualifier wins wherever it appears; the fallback only fills a gap.
        (("IN:I1", "BP:B1"), {"buyer_part_number": "B1"}),
        (
            ("IN:I1", "VN:N1", "EN:E1"),
            {"buyer_part_number": "I1", "vendor_part_number": "N1", "gtin": "E1"},
        ),
        (("EN:E1", "UK:K1"), {"gtin": "K1"}),
        # Among pairs with the same qualifier the first wins.
        (
            ("BP:B1", "BP:B2", "VN:N1", "VN:N2"),
            {"buyer_part_number": "B1", "vendor_part_number": "N1"},
        ),
        # Qualifiers outside the rules are kept in item_ids only.
        (("SK:S1", "MG:M1"), {}),
    ],
)
def test_item_conveniences(pairs: tuple[str, ...], expected: dict[str, str]) -> None:
    full = dict.fromkeys(("buyer_part_number", "vendor_part_number", "upc", "gtin"))
    assert codes.item_conveniences(_ids(*pairs)) == {**full, **expected}


def test_item_conveniences_accepts_models_and_skips_empty_values() -> None:
    ids = [ItemId(qualifier="BP", value=None), ItemId(qualifier="BP", value="B2")]
    assert codes.item_conveniences(ids)["buyer_part_number"] == "B2"
    line = OrderLine(item_ids=ids, **codes.item_conveniences(ids))
    assert line.buyer_part_number == "B2"
