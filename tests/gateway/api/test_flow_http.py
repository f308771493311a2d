"""The partner's and the operator's whole loop through real HTTP (uvicorn on a local port), on
SQLite and PostgreSQL: an 850 posted with a partner key, processed, its status, acknowledgment
and the demo ERP's 855 picked up from the outbox, and the order traced by every number."""

from __future__ import annotations

from typing import Any

import httpx

from tests.gateway.api.conftest import PO, X12, Gateway

PO_NUMBER = "NW-4500018231"


def test_an_order_posted_over_http_is_processed_answered_and_traced(
    gateway: Gateway, live_url: str
) -> None:
    with httpx.Client(base_url=live_url, timeout=10) as http:
        north = gateway.auth("north")
        posted = http.post("/api/v1/inbound", content=PO, headers={**north, **X12})
        assert posted.status_code == 202, posted.text
        body = posted.json()
        assert body["status"] == "received"
        assert body["status_url"] == f"{live_url}/api/v1/messages/{body['message_id']}"
        assert posted.headers["location"] == body["status_url"]

        gateway.drain()

        status = http.get(body["status_url"], headers=north)
        assert status.status_code == 200
        message = status.json()
        assert message["id"] == body["message_id"] and message["status"] == "delivered"
        by_type = {d["document_type"]: d for d in message["documents"]}
        assert by_type["order"]["canonical"]["po_number"] == PO_NUMBER
        assert by_type["order"]["status"] == "delivered"
        assert by_type["order"]["erp_reference"] is None  # the ERP's ids are for operators
        assert by_type["order_ack"]["direction"] == "outbound"
        (ack,) = message["acknowledgments"]
        assert ack["kind"] == "997" and ack["status"] == "accepted"
        assert ack["group_control_number"] == "1207" and ack["direction"] == "outbound"
        kinds = [e["kind"] for e in message["timeline"]]
        assert kinds[:2] == ["received", "translated"]
        assert {"delivered_to_erp", "acknowledged", "rendered_for_partner"} <= set(kinds)
        assert all("target" not in e["detail"] for e in message["timeline"])

        outbox = http.get("/api/v1/outbox", headers=north).json()
        assert sorted(item["kind"] for item in outbox) == ["855", "997"]
        assert ack["message_id"] in {item["id"] for item in outbox}
        for item in outbox:
            download = http.get(item["download_url"], headers=north)
            assert download.status_code == 200
            assert download.headers["content-type"] == "application/edi-x12"
            assert len(download.content) == item["size"]
            expected = "AK1*PO*1207~" if item["kind"] == "997" else "BAK*00*"
            assert expected in download.text and "ST*" + item["kind"] in download.text
            picked = http.post(f"/api/v1/outbox/{item['id']}/ack", headers=north)
            assert picked.status_code == 200
            assert picked.json()["status"] == "delivered" and picked.json()["sent_at"]
            again = http.post(f"/api/v1/outbox/{item['id']}/ack", headers=north)
            assert again.json() == picked.json()  # idempotent
        assert http.get("/api/v1/outbox", headers=north).json() == []
        timeline = http.get(body["status_url"], headers=north).json()["timeline"]
        assert [e["kind"] for e in timeline].count("picked_up") == 2

        operator = gateway.auth("read-only")
        for query in (
            {"control_number": "000001207"},
            {"control_number": "1207"},
            {"control_number": "0001"},
            {"po_number": PO_NUMBER},
        ):
            traced = http.get("/api/v1/trace", params=query, headers=operator)
            assert traced.status_code == 200, traced.text
            _check_trace(traced.json(), body["message_id"], ack["message_id"], query)

        scraped = http.get("/metrics", headers=operator)
        assert scraped.status_code == 200
        text = scraped.text
        assert (
            'gateway_documents{direction="inbound",document_type="order",status="delivered"} 1.0'
            in text
        )
        assert 'gateway_steps{kind="deliver_erp",state="done"} 1.0' in text
        assert "gateway_queue_lag_seconds" in text
        assert http.get("/metrics", headers=north).status_code == 403


def _check_trace(
    trace: dict[str, Any], message_id: str, ack_id: str, query: dict[str, str]
) -> None:
    found = {m["id"]: m for m in trace["messages"]}
    assert message_id in found, query
    assert found[message_id]["documents"] and found[message_id]["timeline"]
    (interchange,) = found[message_id]["interchanges"]
    assert interchange["isa13"] == "000001207" and interchange["sender"] == "ZZ:NWHARDWARE"
    assert interchange["groups"][0]["gs06"] == "1207"
    assert interchange["groups"][0]["transaction_sets"][0]["st02"] == "0001"
    assert ack_id in found and "acknowledges_match" in found[ack_id]["matched_by"]
    rendered = [m for m in found.values() if "rendered_from_match" in m["matched_by"]]
    assert len(rendered) == 1 and rendered[0]["direction"] == "outbound"
    (sent,) = rendered[0]["documents"]  # the 855 it carries
    assert sent["document_type"] == "order_ack" and sent["canonical"]["po_number"] == PO_NUMBER
    chain = trace["chain"]  # in time order: the ERP answered before the 997 went out
    assert [link["transaction_set"] for link in chain] == ["850", "855", "997"]
    assert [link["at"] for link in chain] == sorted(link["at"] for link in chain)
    order_ack = next(link for link in chain if link["transaction_set"] == "855")
    assert order_ack["direction"] == "outbound" and order_ack["po_number"] == PO_NUMBER
    assert order_ack["outbound_message_id"] == rendered[0]["id"]
