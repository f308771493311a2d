"""Who may call what, over every route the OpenAPI document lists: without a key 401, with a key
of the wrong kind or role 403, with the right one neither. A route missing from the table below
fails the test, so a new route cannot ship without its rule."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from gateway.commands.keys import revoke
from tests.gateway.api.conftest import PO, X12, Gateway

OPERATORS = {"admin", "operator", "read-only"}
CHANGERS = {"admin", "operator"}
# (method, path) -> the keys it admits; None: no key needed
RULES: dict[tuple[str, str], set[str] | None] = {
    ("GET", "/health"): None,
    ("POST", "/api/v1/inbound"): {"north"},
    ("GET", "/api/v1/messages"): {"north", *OPERATORS},
    ("GET", "/api/v1/messages/{message_id}"): {"north", *OPERATORS},
    ("GET", "/api/v1/outbox"): {"north"},
    ("GET", "/api/v1/outbox/{message_id}"): {"north"},
    ("POST", "/api/v1/outbox/{message_id}/ack"): {"north"},
    ("POST", "/api/v1/outbound/{partner}"): {"erp"},
    ("GET", "/api/v1/outbound/{partner}/{request_id}"): {"erp", *OPERATORS},
    ("GET", "/api/v1/trace"): OPERATORS,
    ("GET", "/api/v1/dead-letters"): OPERATORS,
    ("POST", "/api/v1/dead-letters/replay"): {"admin", "operator"},
    ("POST", "/api/v1/messages/{message_id}/reprocess"): {"admin", "operator"},
    ("POST", "/api/v1/messages/{message_id}/resend"): {"admin", "operator"},
    ("GET", "/metrics"): OPERATORS,
    ("GET", "/api/v1/partners"): OPERATORS,
    ("POST", "/api/v1/partners"): CHANGERS,
    ("GET", "/api/v1/partners/{partner_id}"): OPERATORS,
    ("PATCH", "/api/v1/partners/{partner_id}"): CHANGERS,
    ("POST", "/api/v1/partners/{partner_id}/status"): CHANGERS,
    ("POST", "/api/v1/partners/{partner_id}/identities"): CHANGERS,
    ("DELETE", "/api/v1/partners/{partner_id}/identities/{identity_id}"): CHANGERS,
    ("GET", "/api/v1/partners/{partner_id}/keys"): OPERATORS,
    ("POST", "/api/v1/partners/{partner_id}/keys"): CHANGERS,
    ("POST", "/api/v1/partners/{partner_id}/keys/{key_id}/rotate"): CHANGERS,
    ("DELETE", "/api/v1/partners/{partner_id}/keys/{key_id}"): CHANGERS,
    ("GET", "/api/v1/partners/{partner_id}/audit"): OPERATORS,
}
PRINCIPALS = ["north", "erp", "admin", "operator", "read-only"]
# how the x-gateway-auth names map to this test's keys
AUTH_NAMES = {"partner": "north", "erp": "erp", **{f"operator:{role}": role for role in OPERATORS}}


def routes(client: httpx.Client) -> dict[tuple[str, str], dict[str, Any]]:
    document = client.get("/openapi.json").json()
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def call(client: httpx.Client, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    """A well-formed request to the route, so only the key decides the answer."""
    url = path
    for name in ("message_id", "partner_id", "identity_id", "key_id", "request_id"):
        url = url.replace(f"{{{name}}}", str(uuid.uuid4()))
    url = url.replace("{partner}", "Southwind")
    kwargs: dict[str, Any] = {"headers": dict(headers)}
    if path.endswith("/inbound"):
        kwargs["content"] = PO
        kwargs["headers"].update(X12)
    elif path == "/api/v1/outbound/{partner}":
        kwargs["json"] = {"document_type": "order_ack", "po_number": "P-1"}
    elif path.endswith("/replay"):
        kwargs["json"] = {"step_ids": [str(uuid.uuid4())]}
    elif path.endswith("/trace"):
        kwargs["params"] = {"control_number": "000000001"}
    elif method == "POST" and path.endswith("/partners"):
        kwargs["json"] = {
            "name": f"P-{uuid.uuid4().hex[:8]}",
            "isa": [f"ZZ:{uuid.uuid4().hex[:8]}"],
        }
    elif method == "PATCH":
        kwargs["json"] = {"notes": "checked"}
    elif path.endswith("/status"):
        kwargs["json"] = {"status": "live"}
    elif method == "POST" and path.endswith("/identities"):
        kwargs["json"] = {"isa": "ZZ:ANOTHER"}
    elif method == "POST" and path.endswith("/keys"):
        kwargs["json"] = {"label": "x"}
    return client.request(method, url, **kwargs)


def test_every_route_has_a_rule_and_states_it(client: httpx.Client) -> None:
    served = routes(client)
    assert set(served) == set(RULES)
    for route, operation in served.items():
        if RULES[route] is None:
            assert "security" not in operation and "x-gateway-auth" not in operation
            continue
        assert operation["security"] == [{"bearer": []}], route
        assert {AUTH_NAMES[n] for n in operation["x-gateway-auth"]} == RULES[route], route
        assert {"401", "403"} <= set(operation["responses"]), route


def test_every_route_refuses_requests_without_a_valid_key(
    gateway: Gateway, client: httpx.Client
) -> None:
    revoked = gateway.keys["admin"]
    revoke(gateway.sessions, revoked)
    bad = {
        "none": {},
        "garbage": {"Authorization": "Bearer not-a-key"},
        "basic": {"Authorization": "Basic dXNlcjpwYXNz"},
        "mistyped": {"Authorization": f"Bearer {gateway.keys['north'][:-1]}x"},
        "revoked": {"Authorization": f"Bearer {revoked}"},
    }
    for method, path in routes(client):
        if RULES[(method, path)] is None:
            assert call(client, method, path, {}).status_code == 200
            continue
        for name, headers in bad.items():
            answer = call(client, method, path, headers)
            assert answer.status_code == 401, (method, path, name, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["www-authenticate"].startswith("Bearer")
            assert answer.json()["status"] == 401 and answer.json()["detail"]


@pytest.mark.parametrize("who", PRINCIPALS)
def test_every_route_admits_exactly_the_keys_its_rule_names(
    gateway: Gateway, client: httpx.Client, who: str
) -> None:
    for (method, path), allowed in RULES.items():
        if allowed is None:
            continue
        answer = call(client, method, path, gateway.auth(who))
        if who in allowed:
            assert answer.status_code not in (401, 403), (method, path, who, answer.text)
        else:
            assert answer.status_code == 403, (method, path, who, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert "takes" in answer.json()["detail"] or "role" in answer.json()["detail"]


def test_a_read_only_token_cannot_replay(gateway: Gateway, client: httpx.Client) -> None:
    answer = client.post(
        "/api/v1/dead-letters/replay",
        json={"step_ids": [str(uuid.uuid4())]},
        headers=gateway.auth("read-only"),
    )
    assert answer.status_code == 403
    assert "admin or operator" in answer.json()["detail"]
