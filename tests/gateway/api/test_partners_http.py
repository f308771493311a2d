"""`/api/v1/partners` through real HTTP (uvicorn) on SQLite and PostgreSQL: onboarding, the
lifecycle with its reasons, identities, keys shown once, the audit trail with the token as
actor, problem+json for what is refused, and suspension stopping a partner's keys at once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.gateway.api.conftest import PO, X12, Gateway

PROBLEM = "application/problem+json"


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, Any] = answer.json()
    assert body["status"] == status and body["detail"]
    return body


def prefix(key: str) -> str:
    return key.split("_")[1]


def test_onboarding_a_partner_over_http(gateway: Gateway, client: httpx.Client) -> None:
    admin = gateway.auth("admin")
    created = client.post(
        "/api/v1/partners",
        headers=admin,
        json={
            "name": "Acme Supply",
            "isa": ["ZZ:ACMESUPPLY", "01:123456789"],
            "role": "supplier",
            "erp": "files",
            "test_erp": "demo",
            "documents_in": ["855", "856", "810"],
            "documents_out": ["850"],
            "ack": "999",
            "contacts": [{"name": "Dana", "email": "dana@acme.example"}],
            "channels": {"api": {"enabled": True}},
        },
    )
    assert created.status_code == 201, created.text
    acme = created.json()
    assert created.headers["location"] == f"/api/v1/partners/{acme['id']}"
    assert acme["status"] == "testing" and acme["isa"] == ["ZZ:ACMESUPPLY", "01:123456789"]
    assert (acme["erp"], acme["test_erp"], acme["ack"]) == ("files", "demo", "999")

    reader = gateway.auth("read-only")
    assert client.get(f"/api/v1/partners/{acme['id']}", headers=reader).json() == acme
    names = [p["name"] for p in client.get("/api/v1/partners", headers=reader).json()]
    assert names == ["Acme Supply", "Northwind", "Southwind"]
    suppliers = client.get("/api/v1/partners", params={"role": "supplier"}, headers=reader)
    assert [p["name"] for p in suppliers.json()] == ["Acme Supply"]

    changed = client.patch(
        f"/api/v1/partners/{acme['id']}",
        headers=gateway.auth("operator"),
        json={"ack_window_minutes": 240, "notes": "call before 10", "erp": None},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["ack_window_minutes"] == 240 and changed.json()["erp"] is None
    live = client.post(
        f"/api/v1/partners/{acme['id']}/status",
        headers=admin,
        json={"status": "live", "reason": "certified on 3 test files"},
    )
    assert live.status_code == 200 and live.json()["status"] == "live"

    history = client.get(f"/api/v1/partners/{acme['id']}/audit", headers=reader).json()
    assert [e["action"] for e in history] == [
        "partner.status",
        "partner.updated",
        "partner.created",
    ]
    assert history[0]["actor"] == f"token:{prefix(gateway.keys['admin'])}"
    assert history[0]["changes"] == {
        "status": ["testing", "live"],
        "reason": "certified on 3 test files",
    }
    assert history[1]["actor"] == f"token:{prefix(gateway.keys['operator'])}"
    assert history[1]["changes"] == {
        "ack_window_minutes": [1440, 240],
        "notes": [None, "call before 10"],
        "erp": ["files", None],
    }


def test_refusals_are_problems_naming_what_is_wrong(gateway: Gateway, client: httpx.Client) -> None:
    admin = gateway.auth("admin")
    north = f"/api/v1/partners/{gateway.north_id}"
    before = client.get(north, headers=admin).json()
    taken = client.post(
        "/api/v1/partners", headers=admin, json={"name": "Copy", "isa": ["ZZ:NWHARDWARE"]}
    )
    body = problem(taken, 409)
    assert body["detail"] == "ISA identity ZZ:NWHARDWARE already belongs to partner Northwind"
    assert body["field"] == "isa"
    problem(client.post("/api/v1/partners", headers=admin, json={"name": "X", "isa": []}), 422)
    bad_isa = client.post("/api/v1/partners", headers=admin, json={"name": "X", "isa": ["ACME"]})
    assert "isa" in problem(bad_isa, 422)["detail"]
    same = client.patch(north, headers=admin, json={"delimiters": {"element": "*", "segment": "*"}})
    assert problem(same, 422)["detail"] == "delimiters must all be different"
    secret = client.patch(north, headers=admin, json={"channels": {"as2": {"password": "x"}}})
    assert "secrets are not kept" in problem(secret, 422)["detail"]
    no_target = client.patch(north, headers=admin, json={"test_erp": "staging"})
    assert "no ERP target named 'staging'" in problem(no_target, 409)["detail"]
    again = client.post(f"{north}/status", headers=admin, json={"status": "testing"})
    assert problem(again, 409)["detail"] == "partner Northwind is already testing"
    unknown = client.get(f"/api/v1/partners/{uuid.uuid4()}", headers=admin)
    assert "no partner" in problem(unknown, 404)["detail"]
    # nothing half-done: Northwind is as it was
    assert client.get(north, headers=admin).json() == before


def test_the_lifecycle_refuses_with_the_reason(gateway: Gateway, client: httpx.Client) -> None:
    admin = gateway.auth("admin")
    made = client.post(
        "/api/v1/partners",
        headers=admin,
        json={"name": "Draft Co", "isa": ["ZZ:DRAFTCO"], "status": "draft"},
    ).json()
    jump = client.post(
        f"/api/v1/partners/{made['id']}/status", headers=admin, json={"status": "live"}
    )
    detail = problem(jump, 409)["detail"]
    assert "cannot go from draft to live" in detail and "goes to testing first" in detail
    typo = client.post(
        f"/api/v1/partners/{made['id']}/status", headers=admin, json={"status": "paused"}
    )
    problem(typo, 422)


def test_identities_are_added_and_removed(gateway: Gateway, client: httpx.Client) -> None:
    admin = gateway.auth("admin")
    base = f"/api/v1/partners/{gateway.north_id}/identities"
    added = client.post(base, headers=admin, json={"isa": "01:555000111", "gs_id": "NWGS"})
    assert added.status_code == 201, added.text
    identities = {f"{i['isa_qualifier']}:{i['isa_id']}": i for i in added.json()["identities"]}
    assert identities["01:555000111"]["gs_id"] == "NWGS"
    stolen = client.post(
        f"/api/v1/partners/{gateway.south_id}/identities",
        headers=admin,
        json={"isa": "01:555000111"},
    )
    assert "already belongs to partner Northwind" in problem(stolen, 409)["detail"]
    gone = client.delete(f"{base}/{identities['01:555000111']['id']}", headers=admin)
    assert gone.status_code == 200 and gone.json()["isa"] == ["ZZ:NWHARDWARE"]
    last = client.delete(f"{base}/{identities['ZZ:NWHARDWARE']['id']}", headers=admin)
    assert "only identity" in problem(last, 409)["detail"]


def test_keys_are_shown_once_rotated_and_revoked_at_once(
    gateway: Gateway, client: httpx.Client
) -> None:
    admin = gateway.auth("admin")
    keys_url = f"/api/v1/partners/{gateway.north_id}/keys"
    issued = client.post(keys_url, headers=admin, json={"label": "connector"})
    assert issued.status_code == 201, issued.text
    key = issued.json()["key"]
    fresh = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/outbox", headers=fresh).status_code == 200
    listed = client.get(keys_url, headers=gateway.auth("read-only")).json()
    assert key not in str(listed) and issued.json()["id"] in [k["id"] for k in listed]

    rotated = client.post(f"{keys_url}/{issued.json()['id']}/rotate", headers=admin)
    assert rotated.status_code == 201 and rotated.json()["replaces"] == issued.json()["id"]
    new_key = rotated.json()["key"]
    problem(client.get("/api/v1/outbox", headers=fresh), 401)
    new = {"Authorization": f"Bearer {new_key}"}
    assert client.get("/api/v1/outbox", headers=new).status_code == 200

    # Southwind's path does not reach Northwind's key
    other = client.delete(
        f"/api/v1/partners/{gateway.south_id}/keys/{rotated.json()['id']}", headers=admin
    )
    problem(other, 404)
    revoked = client.delete(f"{keys_url}/{rotated.json()['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    problem(client.get("/api/v1/outbox", headers=new), 401)


def test_a_suspended_partner_is_refused_at_once_and_reinstated(
    gateway: Gateway, client: httpx.Client
) -> None:
    north = gateway.auth("north")
    sent = client.post("/api/v1/inbound", content=PO, headers={**north, **X12})
    assert sent.status_code == 202, sent.text
    status_url = f"/api/v1/partners/{gateway.north_id}/status"
    admin = gateway.auth("admin")
    suspended = client.post(
        status_url, headers=admin, json={"status": "suspended", "reason": "security review"}
    )
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    for method, path in (
        ("POST", "/api/v1/inbound"),
        ("GET", f"/api/v1/messages/{sent.json()['message_id']}"),
        ("GET", "/api/v1/outbox"),
    ):
        answer = client.request(method, path, content=PO, headers={**north, **X12})
        body = problem(answer, 403)
        assert body["detail"].startswith("partner suspended"), (method, path)
        assert body["type"] == "urn:edi-gateway:problem:partner-suspended"
    # Southwind is not affected
    assert client.get("/api/v1/outbox", headers=gateway.auth("south")).status_code == 200
    reinstated = client.post(status_url, headers=admin, json={"status": "live"})
    assert reinstated.status_code == 200
    assert client.get("/api/v1/outbox", headers=north).status_code == 200


def test_the_api_channel_can_be_turned_off(gateway: Gateway, client: httpx.Client) -> None:
    north, admin = gateway.auth("north"), gateway.auth("admin")
    partner = f"/api/v1/partners/{gateway.north_id}"
    off = client.patch(partner, headers=admin, json={"channels": {"api": {"enabled": False}}})
    assert off.status_code == 200 and off.json()["channels"] == {"api": {"enabled": False}}
    refused = client.post("/api/v1/inbound", content=PO, headers={**north, **X12})
    body = problem(refused, 403)
    assert body["type"] == "urn:edi-gateway:problem:channel-disabled"
    assert "channels.api.enabled is false" in body["detail"]
    problem(client.get("/api/v1/outbox", headers=north), 403)
    on = client.patch(partner, headers=admin, json={"channels": {"api": {"enabled": True}}})
    assert on.status_code == 200
    assert client.post("/api/v1/inbound", content=PO, headers={**north, **X12}).status_code == 202


def test_a_key_needs_no_body(gateway: Gateway, client: httpx.Client) -> None:
    url = f"/api/v1/partners/{gateway.south_id}/keys"
    issued = client.post(url, headers=gateway.auth("operator"))
    assert issued.status_code == 201, issued.text
    assert issued.json()["label"] is None and issued.json()["partner_id"] == gateway.south_id
    south = {"Authorization": f"Bearer {issued.json()['key']}"}
    assert client.get("/api/v1/outbox", headers=south).status_code == 200
