"""The demo ERP: stock-driven order acknowledgments that are valid canonical order_acks."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import pytest

from gateway.erp.base import PermanentErpError
from gateway.erp.demo import DEFAULT_CATALOGUE, DemoErp, default_stock, seller_order_number
from translators.canonical import OrderAck, parse_document
from translators.x12.translate import Document, translate
from translators.x12.writers import render
from translators.x12.writers.envelope import EnvelopeProfile

TODAY = dt.date(2024, 3, 12)


def erp(stock: dict[str, int] | None = None, **kwargs: Any) -> DemoErp:
    return DemoErp(stock, today=lambda: TODAY, **kwargs)


def deliver(demo: DemoErp, document: dict[str, Any], doc_id: str = "doc-1") -> Any:
    return demo.deliver(document, document_id=doc_id, message_id="msg-1", test=False)


def order(*lines: tuple[str, Any], **fields: Any) -> dict[str, Any]:
    """An order whose lines are (vendor part number, quantity)."""
    return {
        "document_type": "order",
        "po_number": "PO-1",
        "po_date": "2024-03-11",
        "purpose_code": "00",
        "purpose": "original",
        "lines": [
            {
                "line_number": str(n),
                "quantity": qty,
                "uom": "EA",
                "item_ids": [{"qualifier": "VP", "value": sku}],
                "vendor_part_number": sku,
            }
            for n, (sku, qty) in enumerate(lines, 1)
        ],
        **fields,
    }


def acks(reply: dict[str, Any]) -> list[list[tuple[str, str | None, str | None]]]:
    return [
        [(a["status_code"], a["quantity"], a["date"]) for a in line["acks"]]
        for line in reply["lines"]
    ]


def test_the_catalogue_has_twenty_items_with_unique_ids() -> None:
    assert len(DEFAULT_CATALOGUE) == 20
    ids = [key for item in DEFAULT_CATALOGUE for key in item.ids()]
    assert len(ids) == len(set(ids))


def test_the_sample_order_is_accepted_split_and_backordered(sample_order: dict[str, Any]) -> None:
    demo = erp()
    result = deliver(demo, sample_order, "doc-850")

    assert result.already_had is False
    assert result.reference == seller_order_number("doc-850")
    [reply] = result.replies
    parsed = parse_document(reply)  # a valid canonical order_ack
    assert isinstance(parsed, OrderAck)

    assert reply["document_type"] == "order_ack"
    assert reply["envelope"] is None
    assert reply["po_number"] == "NW-4500018231"
    assert reply["po_date"] == "2024-03-11"
    assert reply["ack_type_code"] == "AC"
    assert reply["status"] == "accepted_with_changes"
    assert reply["seller_order_number"] == result.reference
    assert reply["ack_date"] == "2024-03-12"
    assert reply["currency"] == "USD"
    assert reply["parties"] == sample_order["parties"]

    later = "2024-03-26"  # today + 14 days
    assert acks(reply) == [
        [("IA", "48", "2024-03-12")],  # 500 on hand
        [("IA", "24", "2024-03-12")],  # 240 on hand
        [("IA", "4", "2024-03-12"), ("IB", "6", later)],  # 4 on hand: split
        [("IB", "6", later)],  # none on hand
    ]
    split = reply["lines"][2]
    assert [a["date_qualifier"] for a in split["acks"]] == ["068", "068"]
    assert [a["status"] for a in split["acks"]] == ["accepted", "backordered"]
    assert [a["uom"] for a in split["acks"]] == ["CA", "CA"]
    assert (split["status_code"], split["status"], split["scheduled_date"]) == (
        "IA",
        "accepted",
        "2024-03-12",
    )
    backordered = reply["lines"][3]
    assert (backordered["status_code"], backordered["scheduled_date"]) == ("IB", later)
    # The order's line data is kept on the acknowledged lines.
    for sent, acked in zip(sample_order["lines"], reply["lines"], strict=True):
        assert {k: acked[k] for k in sent} == sent

    assert demo.stock["AC-HX-1420"] == 500 - 48
    assert demo.stock["AC-WN-0512"] == 240 - 24
    assert demo.stock["AC-TP-4805"] == 0
    assert demo.stock["AC-DR-2010"] == 0


def test_the_reply_renders_as_an_855_and_reads_back(sample_order: dict[str, Any]) -> None:
    [reply] = deliver(erp(), sample_order).replies
    x12 = render([reply], EnvelopeProfile(sender_id="ACMEDIST", receiver_id="NWHARDWARE"))
    [item] = list(translate(io.BytesIO(x12.encode())))
    assert isinstance(item, Document)
    back = {**item.data, "envelope": None}
    assert parse_document(back) == parse_document(reply)


def test_all_in_stock_is_ad_accepted() -> None:
    [reply] = deliver(erp(), order(("AC-HX-1420", "10"), ("AC-WS-0500", "800"))).replies
    assert (reply["ack_type_code"], reply["status"]) == ("AD", "accepted")
    assert acks(reply) == [[("IA", "10", "2024-03-12")], [("IA", "800", "2024-03-12")]]
    parse_document(reply)


def test_unknown_items_are_rejected() -> None:
    demo = erp()
    [reply] = deliver(demo, order(("AC-HX-1420", "1"), ("NO-SUCH-ITEM", "5"))).replies
    assert reply["ack_type_code"] == "AC"
    assert acks(reply)[1] == [("IR", "5", None)]
    assert reply["lines"][1]["status"] == "rejected"
    assert reply["lines"][1]["acks"][0]["date_qualifier"] is None
    assert "NO-SUCH-ITEM" not in demo.stock
    parse_document(reply)


def test_an_order_of_only_unknown_items_is_rejected() -> None:
    [reply] = deliver(erp(), order(("NOPE-1", "1"), ("NOPE-2", "2"))).replies
    assert (reply["ack_type_code"], reply["status"]) == ("RJ", "rejected")
    parse_document(reply)


def test_lines_without_a_positive_quantity_are_rejected() -> None:
    doc = order(("AC-HX-1420", "0"), ("AC-HX-1420", "1"))
    doc["lines"].append({"line_number": "3", "vendor_part_number": "AC-HX-1420"})
    demo = erp()
    [reply] = deliver(demo, doc).replies
    assert [line[0][0] for line in acks(reply)] == ["IR", "IA", "IR"]
    assert demo.stock["AC-HX-1420"] == 499
    parse_document(reply)


def test_items_are_found_by_buyer_part_number_upc_or_gtin() -> None:
    doc = order()
    doc["lines"] = [
        {"line_number": "1", "quantity": "1", "buyer_part_number": "NW-100234"},
        {"line_number": "2", "quantity": "1", "upc": "073462100229"},
        {
            "line_number": "3",
            "quantity": "1",
            "item_ids": [{"qualifier": "UK", "value": "10084512200117"}],
        },
    ]
    demo = erp()
    [reply] = deliver(demo, doc).replies
    assert [line[0][0] for line in acks(reply)] == ["IA", "IA", "IA"]
    assert demo.stock["AC-HX-1420"] == 499
    assert demo.stock["AC-WN-0512"] == 239
    assert demo.stock["AC-NP-1PLY"] == 119


def test_stock_can_be_keyed_by_any_item_id() -> None:
    stock = {"073462100151": 3, "CUSTOM-9": 2}
    demo = DemoErp(stock, catalogue=(), today=lambda: TODAY)
    doc = order(("CUSTOM-9", "5"))
    doc["lines"][0]["item_ids"].append({"qualifier": "UP", "value": "x"})
    doc["lines"].append({"line_number": "2", "quantity": "2", "upc": "073462100151"})
    [reply] = deliver(demo, doc).replies
    assert acks(reply) == [
        [("IA", "2", "2024-03-12"), ("IB", "3", "2024-03-26")],
        [("IA", "2", "2024-03-12")],
    ]
    assert stock == {"073462100151": 1, "CUSTOM-9": 0}  # the mapping passed in is the table


def test_catalogue_items_missing_from_the_stock_table_have_stock_zero() -> None:
    [reply] = deliver(erp({}), order(("AC-HX-1420", "3"))).replies
    assert acks(reply) == [[("IB", "3", "2024-03-26")]]


def test_the_scale_of_the_ordered_quantity_is_kept() -> None:
    [reply] = deliver(erp({"AC-HX-1420": 30}), order(("AC-HX-1420", "48.00"))).replies
    assert acks(reply) == [[("IA", "30.00", "2024-03-12"), ("IB", "18.00", "2024-03-26")]]


def test_redelivery_returns_the_first_answer_without_touching_stock(
    sample_order: dict[str, Any],
) -> None:
    demo = erp()
    first = deliver(demo, sample_order, "doc-A")
    stock_after_first = dict(demo.stock)
    again = deliver(demo, copy.deepcopy(sample_order), "doc-A")
    assert again.already_had is True
    assert again.reference == first.reference
    assert again.replies == first.replies
    assert dict(demo.stock) == stock_after_first

    other = deliver(demo, sample_order, "doc-B")  # a new document is a new order
    assert other.already_had is False
    assert other.reference != first.reference
    assert demo.stock["AC-HX-1420"] == 500 - 2 * 48


def test_answers_are_deterministic(sample_order: dict[str, Any]) -> None:
    one, two = erp(), erp()
    assert deliver(one, sample_order, "d") == deliver(two, sample_order, "d")


def test_other_documents_are_accepted_without_reply() -> None:
    demo = erp()
    stock = dict(demo.stock)
    result = deliver(demo, {"document_type": "invoice", "invoice_number": "INV-1"}, "doc-inv")
    assert result.reference is not None and result.reference.startswith("DEMO-")
    assert result.replies == []
    assert dict(demo.stock) == stock


def test_a_cancellation_is_accepted_without_reply_or_stock_change() -> None:
    demo = erp()
    result = deliver(demo, order(("AC-HX-1420", "5"), purpose_code="01", purpose="cancel"))
    assert result.replies == []
    assert demo.stock["AC-HX-1420"] == 500


def test_an_invalid_order_is_refused() -> None:
    demo = erp()
    with pytest.raises(PermanentErpError) as caught:
        deliver(demo, order(("AC-HX-1420", 5.0)), "doc-bad")  # floats are not decimals
    assert caught.value.document_id == "doc-bad"
    assert "lines.0.quantity" in str(caught.value)
    assert "doc-bad" not in demo.processed  # nothing remembered, the fixed one can come


def test_from_config() -> None:
    demo = DemoErp.from_config(
        name="default", config={"stock": {"AC-HX-1420": 1}, "backorder_days": 7}, secret=None
    )
    assert demo.name == "default"
    assert demo.stock == {**default_stock(), "AC-HX-1420": 1}
    bad_configs: list[dict[str, Any]] = [
        {"stock": {"A": "1"}},
        {"stock": []},
        {"backorder_days": -1},
        {"color": 1},
    ]
    for bad in bad_configs:
        with pytest.raises(PermanentErpError):
            DemoErp.from_config(name="default", config=bad, secret=None)
