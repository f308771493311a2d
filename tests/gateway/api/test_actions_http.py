"""Reprocess and resend, through real HTTP on SQLite and PostgreSQL: an unknown sender's order
is reprocessed once the partner is onboarded, a held duplicate is released, a picked-up reply
goes back in the outbox - and each action is refused, with the reason, where it does not apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from gateway.commands.admin import add_partner
from gateway.pipeline import intake
from gateway.store.enums import Channel
from partners import registry
from tests.gateway.api.conftest import PO, SOUTH_PO, X12, Gateway

STRANGER_PO = PO.replace(b"NWHARDWARE", b"STRANGER01").replace(b"NW-4500018231", b"ST-0000000042")


def message(client: httpx.Client, gateway: Gateway, message_id: str) -> dict[str, Any]:
    got = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("operator"))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


def erp_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "erp").glob("*.json"))


def test_an_unknown_senders_order_is_reprocessed_once_it_is_onboarded(
    gateway: Gateway, client: httpx.Client, tmp_path: Path
) -> None:
    first = intake(gateway.runtime, payload=STRANGER_PO, channel=Channel.CLI)
    assert first.status.value == "rejected" and "unknown ISA sender" in (first.reason or "")
    url = f"/api/v1/messages/{first.message_id}/reprocess"

    still = client.post(url, headers=gateway.auth("operator"))
    assert still.status_code == 201, still.text
    assert still.json()["status"] == "rejected"  # nobody onboarded it yet: turned away again

    add_partner(gateway.sessions, name="Stranger", isa="ZZ:STRANGER01", erp="files")
    again = client.post(url, headers=gateway.auth("operator"))
    assert again.status_code == 201, again.text
    body = again.json()
    assert body["original_id"] == str(first.message_id) and body["status"] == "received"
    gateway.drain()
    assert message(client, gateway, body["message_id"])["status"] == "delivered"
    (delivered,) = erp_files(tmp_path)
    assert b"ST-0000000042" in delivered.read_bytes()
    # the original keeps its history, and points at both attempts
    original = message(client, gateway, str(first.message_id))
    assert original["status"] == "rejected"
    reprocessed = [e for e in original["timeline"] if e["kind"] == "reprocessed"]
    assert [e["detail"]["message_id"] for e in reprocessed] == [
        still.json()["message_id"],
        body["message_id"],
    ]
    # it was processed: reprocessing it once more is refused
    done = client.post(
        f"/api/v1/messages/{body['message_id']}/reprocess", headers=gateway.auth("admin")
    )
    assert done.status_code == 409 and "is delivered" in done.json()["detail"]


def test_a_held_duplicate_is_released_by_reprocessing(
    gateway: Gateway, client: httpx.Client, tmp_path: Path
) -> None:
    registry.update_partner(gateway.sessions, "Southwind", duplicate_policy="warn")
    south = {**gateway.auth("south"), **X12}
    assert client.post("/api/v1/inbound", headers=south, content=SOUTH_PO).status_code == 202
    held = client.post("/api/v1/inbound", headers=south, content=SOUTH_PO).json()
    gateway.drain()
    assert message(client, gateway, held["message_id"])["status"] == "duplicate"
    assert len(erp_files(tmp_path)) == 1
    # the partner cannot do it; a read-only operator cannot either
    url = f"/api/v1/messages/{held['message_id']}/reprocess"
    assert client.post(url, headers=gateway.auth("south")).status_code in (401, 403)
    assert client.post(url, headers=gateway.auth("read-only")).status_code == 403
    released = client.post(url, headers=gateway.auth("operator"))
    assert released.status_code == 201 and released.json()["status"] == "received"
    gateway.drain()
    assert len(erp_files(tmp_path)) == 2  # the operator's decision: the ERP gets it


def test_a_picked_up_reply_is_resent_to_the_outbox(gateway: Gateway, client: httpx.Client) -> None:
    north = gateway.auth("north")
    sent = client.post("/api/v1/inbound", headers={**north, **X12}, content=PO)
    assert sent.status_code == 202
    gateway.drain()
    waiting = {
        item["kind"]: item["id"] for item in client.get("/api/v1/outbox", headers=north).json()
    }
    reply = waiting["855"]
    url = f"/api/v1/messages/{reply}/resend"
    early = client.post(url, headers=gateway.auth("operator"))
    assert early.status_code == 409 and "still waiting" in early.json()["detail"]
    assert client.post(f"/api/v1/outbox/{reply}/ack", headers=north).status_code == 200
    assert reply not in [i["id"] for i in client.get("/api/v1/outbox", headers=north).json()]
    resent = client.post(url, headers=gateway.auth("operator"))
    assert resent.status_code == 200 and resent.json()["status"] == "processing"
    assert reply in [i["id"] for i in client.get("/api/v1/outbox", headers=north).json()]
    # an inbound message is reprocessed, not resent; an unknown id is not found
    inbound = client.post(
        f"/api/v1/messages/{sent.json()['message_id']}/resend", headers=gateway.auth("operator")
    )
    assert inbound.status_code == 409 and "reprocess it instead" in inbound.json()["detail"]
    missing = client.post(
        "/api/v1/messages/01a21ad0-0000-7000-8000-000000000000/resend",
        headers=gateway.auth("operator"),
    )
    assert missing.status_code == 404
