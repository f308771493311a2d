"""ERP outbound through real HTTP (uvicorn), on SQLite and PostgreSQL: the ERP posts a canonical
855 for Southwind with its ERP key, the gateway renders it with Southwind's outbound settings
into its mailbox, Southwind picks it up and answers with a 997 that closes it; idempotency,
the registry's rules and bad documents are answered as problems, with nothing half-stored."""

from __future__ import annotations

import io
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gateway.commands.admin import add_identity
from gateway.cxml.responses import response_document
from gateway.pipeline.outbound import outbound_state
from gateway.store.models import Message, OutboundRequest
from partners.registry import set_status, update_partner
from partners.xml_mappings import add_xslt
from tests.gateway.api.conftest import SAMPLES, X12, Gateway
from tests.translators.test_cxml_writers import valid
from translators.ubl.schema import validate_ubl
from translators.x12 import interchange as x12
from translators.x12.acks import AckOptions, acknowledge

ORDER_ACK: dict[str, Any] = json.loads((SAMPLES / "855" / "accepted-004010.json").read_text())[0]
ORDER_ACK.pop("envelope")
ORDER_ACK["po_number"] = "SW-7700000001"
URL = "/api/v1/outbound/Southwind"


@pytest.fixture
def ours(gateway: Gateway) -> None:
    add_identity(gateway.sessions, isa="ZZ:ACMEDIST")


def partner_ack(x12_text: bytes, *, control_number: int = 501, reject: bool = False) -> bytes:
    """The 997 Southwind's translator would send for what it picked up."""
    (ic,) = [
        ev.interchange
        for ev in x12.read_interchanges(io.BytesIO(x12_text))
        if isinstance(ev, x12.InterchangeEnd)
    ]
    text, _ = acknowledge(ic, AckOptions("997", control_number), control_number)
    if reject:
        text = text.replace("AK5*A~", "AK5*R*5~").replace("AK9*A*", "AK9*R*")
    return text.encode()


def counts(gateway: Gateway) -> tuple[int, int]:
    with gateway.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(OutboundRequest))
        messages = session.scalar(select(func.count()).select_from(Message))
    return int(requests or 0), int(messages or 0)


@pytest.mark.usefixtures("ours")
def test_an_erp_855_is_rendered_picked_up_and_closed_by_the_partners_997(
    gateway: Gateway, client: httpx.Client
) -> None:
    erp, south = gateway.auth("erp"), gateway.auth("south")
    posted = client.post(URL, json=ORDER_ACK, headers={**erp, "Idempotency-Key": "SO-1-855"})
    assert posted.status_code == 202, posted.text
    accepted = posted.json()
    assert accepted["document_type"] == "order_ack"
    assert accepted["control_numbers"] == {"isa13": "000000001", "gs06": "1", "st02": "0001"}
    state_url = accepted["state_url"]
    assert posted.headers["location"] == state_url
    state = client.get(state_url, headers=erp).json()
    assert state["state"] == "delivered" and state["overdue"] is False
    assert state["acknowledgment"] is None

    (item,) = client.get("/api/v1/outbox", headers=south).json()
    assert item["kind"] == "855" and item["id"] == accepted["message_id"]
    x12_text = client.get(item["download_url"], headers=south).content
    assert b"*ZZ*ACMEDIST       *ZZ*SWSUPPLY01     *" in x12_text
    assert b"BAK*00*AD*SW-7700000001*" in x12_text and b"ST*855*0001~" in x12_text
    assert b"*P*" in x12_text  # Southwind is live: production usage indicator
    assert client.post(f"/api/v1/outbox/{item['id']}/ack", headers=south).status_code == 200
    state = client.get(state_url, headers=erp).json()
    assert state["state"] == "picked_up" and state["picked_up_at"]

    ack = client.post("/api/v1/inbound", content=partner_ack(x12_text), headers={**south, **X12})
    assert ack.status_code == 202, ack.text
    gateway.drain()
    state = client.get(state_url, headers=erp).json()
    assert state["state"] == "accepted"
    assert state["acknowledgment"]["kind"] == "997"
    assert state["acknowledgment"]["message_id"] == ack.json()["message_id"]
    assert client.get(state_url, headers=gateway.auth("read-only")).json() == state

    # the operator sees it all in trace: by our GS06 and by the PO
    traced = client.get(
        "/api/v1/trace", params={"po_number": "SW-7700000001"}, headers=gateway.auth("operator")
    ).json()
    sent = next(m for m in traced["messages"] if m["id"] == accepted["message_id"])
    (acked,) = sent["acknowledgments"]
    assert acked["direction"] == "inbound" and acked["status"] == "accepted"
    assert sent["documents"][0]["status"] == "acknowledged"
    assert "partner_acknowledged" in [e["kind"] for e in sent["timeline"]]
    chain = [(link["transaction_set"], link["direction"]) for link in traced["chain"]]
    assert chain == [("855", "outbound"), ("997", "inbound")]
    by_gs06 = client.get(
        "/api/v1/trace", params={"control_number": "1"}, headers=gateway.auth("operator")
    ).json()
    assert accepted["message_id"] in {m["id"] for m in by_gs06["messages"]}


@pytest.mark.usefixtures("ours")
def test_a_rejecting_997_is_recorded_and_a_silent_partner_goes_overdue(
    gateway: Gateway, client: httpx.Client
) -> None:
    erp, south = gateway.auth("erp"), gateway.auth("south")
    first = client.post(URL, json=ORDER_ACK, headers=erp).json()
    second = client.post(URL, json={**ORDER_ACK, "po_number": "SW-2"}, headers=erp).json()
    assert second["control_numbers"]["gs06"] == "2"
    x12_text = client.get(f"/api/v1/outbox/{first['message_id']}", headers=south).content
    rejected = partner_ack(x12_text, reject=True)
    assert client.post("/api/v1/inbound", content=rejected, headers={**south, **X12}).is_success
    gateway.drain()
    assert client.get(first["state_url"], headers=erp).json()["state"] == "rejected"
    pending = client.get(second["state_url"], headers=erp).json()
    assert pending["state"] == "delivered"
    with gateway.sessions() as session:
        row = session.get(OutboundRequest, uuid.UUID(second["id"]))
        assert row is not None
        later = outbound_state(session, row, now=row.created_at + timedelta(days=1, minutes=1))
    assert later["state"] == "overdue" and later["overdue"] is True


@pytest.mark.usefixtures("ours")
def test_idempotency_key_same_body_same_answer_other_body_409(
    gateway: Gateway, client: httpx.Client
) -> None:
    erp = {**gateway.auth("erp"), "Idempotency-Key": "retry-1"}
    first = client.post(URL, json=ORDER_ACK, headers=erp)
    assert first.status_code == 202
    # the same document, keys in another order: the same request
    reordered = json.dumps(dict(reversed(list(ORDER_ACK.items()))))
    again = client.post(URL, content=reordered, headers={**erp, "Content-Type": "application/json"})
    assert again.status_code == 202 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    before = counts(gateway)
    other = client.post(URL, json={**ORDER_ACK, "po_number": "OTHER"}, headers=erp)
    assert other.status_code == 409
    assert other.json()["type"] == "urn:edi-gateway:problem:idempotency-key-reused"
    assert counts(gateway) == before
    outbox = client.get("/api/v1/outbox", headers=gateway.auth("south")).json()
    assert len(outbox) == 1


@pytest.mark.usefixtures("ours")
def test_refusals_are_problems_and_store_nothing(gateway: Gateway, client: httpx.Client) -> None:
    erp = gateway.auth("erp")
    before = counts(gateway)
    bad_line = json.loads(json.dumps(ORDER_ACK))
    bad_line["lines"][0]["quantity"] = "a dozen"
    cases: list[tuple[dict[str, Any], int, str, str | None]] = [
        ({"json": bad_line}, 422, "invalid-document", "lines[0].quantity"),
        ({"json": {**ORDER_ACK, "colour": "red"}}, 422, "invalid-document", "colour"),
        ({"json": {"document_type": "functional_ack"}}, 422, "outbound-refused", "document_type"),
        ({"json": [ORDER_ACK]}, 422, "outbound-refused", None),
        (
            {"json": {"document_type": "order", "po_number": "P1"}},
            422,
            "document-not-for-partner",
            "document_type",
        ),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "", None),
        ({"content": b"BAK*00", "headers": X12}, 415, "", None),
        (
            {"content": b"x" * 70_000, "headers": {"Content-Type": "application/json"}},
            413,
            "",
            None,
        ),
    ]
    for kwargs, status, problem, field in cases:
        headers = {**erp, **kwargs.pop("headers", {})}
        answer = client.post(URL, headers=headers, **kwargs)
        assert answer.status_code == status, (kwargs, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        if problem:
            assert body["type"] == f"urn:edi-gateway:problem:{problem}", body
        if field:
            assert body["field"] == field, body
        if problem == "invalid-document":
            assert str(field).split("[")[0] in body["detail"], body
    # a partner routed to another ERP is not this ERP's to see
    north = client.post("/api/v1/outbound/Northwind", json=ORDER_ACK, headers=erp)
    assert north.status_code == 404
    assert client.post("/api/v1/outbound/Nobody", json=ORDER_ACK, headers=erp).status_code == 404

    update_partner(gateway.sessions, "Southwind", documents_out=["810", "ship_notice"])
    answer = client.post(URL, json=ORDER_ACK, headers=erp)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"] == "urn:edi-gateway:problem:document-type-not-enabled"
    assert "810, ship_notice" in answer.json()["detail"]

    update_partner(gateway.sessions, "Southwind", documents_out=[])
    set_status(gateway.sessions, "Southwind", "suspended", reason="test")
    answer = client.post(URL, json=ORDER_ACK, headers=erp)
    assert answer.status_code == 409
    assert answer.json()["type"] == "urn:edi-gateway:problem:partner-suspended"
    assert counts(gateway) == before


def test_without_an_identity_of_ours_nothing_is_sent(
    gateway: Gateway, client: httpx.Client
) -> None:
    answer = client.post(URL, json=ORDER_ACK, headers=gateway.auth("erp"))
    assert answer.status_code == 409
    assert "identities add" in answer.json()["detail"]
    assert counts(gateway) == (0, 0)


@pytest.mark.usefixtures("ours")
def test_state_is_the_erps_own_and_hidden_from_others(
    gateway: Gateway, client: httpx.Client
) -> None:
    posted = client.post(URL, json=ORDER_ACK, headers=gateway.auth("erp")).json()
    assert client.get(posted["state_url"], headers=gateway.auth("south")).status_code == 403
    other = f"/api/v1/outbound/Northwind/{posted['id']}"
    assert client.get(other, headers=gateway.auth("admin")).status_code == 404
    missing = f"{URL}/{uuid.uuid4()}"
    assert client.get(missing, headers=gateway.auth("erp")).status_code == 404


def test_a_cxml_partner_gets_the_erps_document_posted_as_cxml(
    gateway: Gateway, client: httpx.Client, ours: None, corpus: Path
) -> None:
    """Southwind on the cXML exchange: the ERP's 855 is POSTed to its URL as a DTD-valid
    ConfirmationRequest by the pipeline, and the request's state follows its Response."""
    received: list[bytes] = []

    class Buyer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            reply = response_document(200, "OK")
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Buyer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cxml"
        update_partner(
            gateway.sessions,
            "Southwind",
            channels={"cxml": {"url": url, "identity": "AN-SOUTHWIND", "from_identity": "AN-ACME"}},
        )
        erp = gateway.auth("erp")
        posted = client.post(URL, json=ORDER_ACK, headers=erp)
        assert posted.status_code == 202, posted.text
        accepted = posted.json()
        assert accepted["control_numbers"] == {"isa13": None, "gs06": None, "st02": None}
        assert client.get(accepted["state_url"], headers=erp).json()["state"] == "sending"
        assert client.get("/api/v1/outbox", headers=gateway.auth("south")).json() == []
        gateway.drain()  # the dispatched deliver_partner step
        (body,) = received
        assert valid(body, corpus) == []
        assert b"<ConfirmationRequest" in body and b"SW-7700000001" in body
        state = client.get(accepted["state_url"], headers=erp).json()
        assert state["state"] == "accepted" and state["picked_up_at"] is not None
    finally:
        server.shutdown()
        server.server_close()


def test_ubl_and_own_xml_partners_find_their_format_in_the_outbox(
    gateway: Gateway, client: httpx.Client, ours: None, corpus: Path
) -> None:
    """`channels.api.format`: the ERP's 855 reaches Southwind's outbox as XSD-valid UBL 2.1,
    or as its own XML through its outbound XSLT; without that XSLT it is refused, not sent."""
    erp, south = gateway.auth("erp"), gateway.auth("south")
    update_partner(gateway.sessions, "Southwind", channels={"api": {"format": "ubl"}})
    posted = client.post(URL, json=ORDER_ACK, headers=erp)
    assert posted.status_code == 202, posted.text
    (item,) = client.get("/api/v1/outbox", headers=south).json()
    assert item["kind"] == "855"
    got = client.get(item["download_url"], headers=south)
    assert got.headers["content-type"].startswith("application/xml")
    assert validate_ubl(got.content, corpus / "schemas" / "ubl-2.1") == []
    assert b"OrderResponseSimple" in got.content and b"SW-7700000001" in got.content
    state = client.get(posted.json()["state_url"], headers=erp).json()
    assert state["state"] == "delivered" and state["control_numbers"]["isa13"] is None

    update_partner(gateway.sessions, "Southwind", channels={"api": {"format": "xml"}})
    refused = client.post(URL, json={**ORDER_ACK, "po_number": "SW-2"}, headers=erp)
    assert refused.status_code == 422, refused.text
    assert "no outbound XSLT for order_ack" in refused.json()["detail"]
    add_xslt(
        gateway.sessions,
        "Southwind",
        direction="out",
        document_type="order_ack",
        xslt=(SAMPLES.parent / "xml" / "northwind-ack-out.xsl").read_bytes(),
    )
    posted = client.post(URL, json={**ORDER_ACK, "po_number": "SW-3"}, headers=erp)
    assert posted.status_code == 202, posted.text
    items = client.get("/api/v1/outbox", headers=south).json()
    own = client.get(items[-1]["download_url"], headers=south).content
    assert b'<OrderConfirmation number="SW-3"' in own
