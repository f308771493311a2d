"""Partners see their own messages only, and cannot even learn that another's exist; a revoked
key stops working with the very next request."""

from __future__ import annotations

import uuid

import httpx

from gateway.commands.keys import issue_partner_key, revoke
from tests.gateway.api.conftest import PO, SOUTH_PO, X12, Gateway


def post(client: httpx.Client, gateway: Gateway, who: str, payload: bytes) -> str:
    answer = client.post("/api/v1/inbound", content=payload, headers={**gateway.auth(who), **X12})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["message_id"])


def test_a_partner_cannot_read_or_infer_another_partners_messages(
    gateway: Gateway, client: httpx.Client
) -> None:
    north_id = post(client, gateway, "north", PO)
    south_id = post(client, gateway, "south", SOUTH_PO)
    gateway.drain()
    north, south = gateway.auth("north"), gateway.auth("south")

    assert client.get(f"/api/v1/messages/{north_id}", headers=north).status_code == 200
    theirs = client.get(f"/api/v1/messages/{south_id}", headers=north)
    unknown_id = str(uuid.uuid4())
    unknown = client.get(f"/api/v1/messages/{unknown_id}", headers=north)
    assert theirs.status_code == unknown.status_code == 404
    # the same answer, word for word, as for an id that does not exist
    assert theirs.json()["detail"].replace(south_id, "ID") == unknown.json()["detail"].replace(
        unknown_id, "ID"
    )
    assert set(theirs.json()) == set(unknown.json())

    north_box = {item["id"] for item in client.get("/api/v1/outbox", headers=north).json()}
    south_box = {item["id"] for item in client.get("/api/v1/outbox", headers=south).json()}
    assert len(north_box) == 2 and len(south_box) == 1  # 997 + 855 / 997 (folder ERP: no 855)
    assert not north_box & south_box
    for item in south_box:
        assert client.get(f"/api/v1/outbox/{item}", headers=north).status_code == 404
        assert client.post(f"/api/v1/outbox/{item}/ack", headers=north).status_code == 404
        assert client.get(f"/api/v1/messages/{item}", headers=north).status_code == 404
    # the attempts changed nothing: south's 997 still waits for south
    assert {i["id"] for i in client.get("/api/v1/outbox", headers=south).json()} == south_box
    # and an operator sees everyone's
    operator = gateway.auth("read-only")
    for message_id in (north_id, south_id, *north_box, *south_box):
        assert client.get(f"/api/v1/messages/{message_id}", headers=operator).status_code == 200


def test_an_operator_sees_what_a_partner_does_not(gateway: Gateway, client: httpx.Client) -> None:
    message_id = post(client, gateway, "north", PO)
    gateway.drain()
    as_partner = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("north"))
    as_operator = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("operator"))
    order = next(d for d in as_operator.json()["documents"] if d["document_type"] == "order")
    assert order["erp_reference"]
    delivered = next(e for e in as_operator.json()["timeline"] if e["kind"] == "delivered_to_erp")
    assert delivered["detail"]["target"] == "demo"
    assert all(d["erp_reference"] is None for d in as_partner.json()["documents"])


def test_a_revoked_key_stops_working_at_once(gateway: Gateway, client: httpx.Client) -> None:
    north = gateway.auth("north")
    spare = {"Authorization": f"Bearer {issue_partner_key(gateway.sessions, 'Northwind')['key']}"}
    assert client.get("/api/v1/outbox", headers=north).status_code == 200
    revoked = revoke(gateway.sessions, gateway.keys["north"][:16])  # by "gwk_" + prefix
    assert revoked["revoked_at"] and not revoked["already_revoked"]
    answer = client.get("/api/v1/outbox", headers=north)
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]
    posted = client.post("/api/v1/inbound", content=PO, headers={**north, **X12})
    assert posted.status_code == 401
    # the partner's other key is not affected
    assert client.get("/api/v1/outbox", headers=spare).status_code == 200
