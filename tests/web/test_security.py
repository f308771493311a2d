"""Every UI route, table-driven: anonymous visitors are sent to the login page, roles are
enforced (read-only looks, operator and admin change), and every POST needs the session's
CSRF token. A test also checks that the table covers every route the UI registers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from gateway.users import MAX_FAILED_LOGINS
from tests.gateway.api.conftest import X12, Gateway
from tests.web.conftest import PASSWORD, csrf_of, login, variant
from web import routes

Client = Callable[[str | None], httpx.Client]

# (method, path template, who may use it): "any" = every role, "change" = admin and operator
ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/", "any"),
    ("GET", "/lists/late-confirmations", "any"),
    ("GET", "/trace?q={isa13}", "any"),
    ("GET", "/messages/{message}", "any"),
    ("GET", "/messages/{message}/raw", "any"),
    ("POST", "/messages/{message}/replay", "change"),
    ("POST", "/messages/{message}/reprocess", "change"),
    ("POST", "/messages/{message}/resend", "change"),
    ("GET", "/exceptions", "any"),
    ("POST", "/exceptions/replay", "change"),
    ("GET", "/partners", "any"),
    ("GET", "/partners/new", "change"),
    ("POST", "/partners/new", "change"),
    ("GET", "/partners/{partner}", "any"),
    ("GET", "/partners/{partner}/wizard/channel", "change"),
    ("POST", "/partners/{partner}/wizard/documents", "change"),
    ("POST", "/logout", "any"),
]
# route templates as registered -> the table's rows exercising them
REGISTERED = {
    ("GET", "/"): "/",
    ("GET", "/lists/{name}"): "/lists/late-confirmations",
    ("GET", "/trace"): "/trace?q={isa13}",
    ("GET", "/messages/{message_id}"): "/messages/{message}",
    ("GET", "/messages/{message_id}/raw"): "/messages/{message}/raw",
    ("POST", "/messages/{message_id}/replay"): "/messages/{message}/replay",
    ("POST", "/messages/{message_id}/reprocess"): "/messages/{message}/reprocess",
    ("POST", "/messages/{message_id}/resend"): "/messages/{message}/resend",
    ("GET", "/exceptions"): "/exceptions",
    ("POST", "/exceptions/replay"): "/exceptions/replay",
    ("GET", "/partners"): "/partners",
    ("GET", "/partners/new"): "/partners/new",
    ("POST", "/partners/new"): "/partners/new",
    ("GET", "/partners/{partner_id}"): "/partners/{partner}",
    ("GET", "/partners/{partner_id}/wizard/{step}"): "/partners/{partner}/wizard/channel",
    ("POST", "/partners/{partner_id}/wizard/{step}"): "/partners/{partner}/wizard/documents",
    ("POST", "/logout"): "/logout",
}
PUBLIC = {("GET", "/login"), ("POST", "/login")}


@pytest.fixture
def ids(ui: Gateway, client_for: Client) -> dict[str, str]:
    api = client_for(None)
    posted = api.post(
        "/api/v1/inbound",
        content=variant("000005001", "PO-SEC-1"),
        headers={**ui.auth("north"), **X12},
    )
    assert posted.status_code == 202, posted.text
    ui.drain()
    return {"message": posted.json()["message_id"], "partner": ui.north_id, "isa13": "5001"}


def _send(client: httpx.Client, method: str, path: str, data: dict[str, Any]) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    return client.post(path, data=data)


def test_the_table_covers_every_ui_route() -> None:
    registered = {
        (method, route.path)
        for route in routes.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert registered - PUBLIC == set(REGISTERED)
    assert {(m, p) for m, p, _ in ROUTES} == {(m, p) for (m, _), p in REGISTERED.items()}


@pytest.mark.parametrize(("method", "path", "who"), ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(
    ids: dict[str, str], client_for: Client, method: str, path: str, who: str
) -> None:
    response = _send(client_for(None), method, path.format(**ids), {})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize(("method", "path", "who"), ROUTES)
def test_roles_are_enforced(
    ids: dict[str, str], client_for: Client, method: str, path: str, who: str
) -> None:
    for role in ("read-only", "operator", "admin"):
        client = client_for(role)
        csrf = csrf_of(client.get("/").text)
        response = _send(client, method, path.format(**ids), {"csrf_token": csrf})
        allowed = who == "any" or role != "read-only"
        if allowed:
            # 409: allowed, but the action does not apply to this message (the page says why)
            assert response.status_code in (200, 303, 409, 422), (role, response.text[:500])
            assert not response.headers.get("location", "").startswith("/login") or (
                path == "/logout"
            )
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert "may look but not change" in response.text


@pytest.mark.parametrize(("method", "path", "who"), [r for r in ROUTES if r[0] == "POST"])
def test_every_post_needs_the_csrf_token(
    ids: dict[str, str], client_for: Client, method: str, path: str, who: str
) -> None:
    client = client_for("admin")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(path.format(**ids), data=data)
        assert response.status_code == 403, response.text[:300]
        assert "security token" in response.text
    # the session is still valid: the refusals changed nothing
    assert client.get("/").status_code == 200


def test_a_token_of_another_session_is_refused(ids: dict[str, str], client_for: Client) -> None:
    mallory = client_for("operator")
    victim = client_for("admin")
    stolen = csrf_of(mallory.get("/").text)
    response = victim.post("/exceptions/replay", data={"csrf_token": stolen})
    assert response.status_code == 403


def test_the_session_cookie_is_httponly_and_strict(ui: Gateway, live_url: str) -> None:
    with httpx.Client(base_url=live_url) as client:
        response = login(client, "admin")
        cookie = response.headers["set-cookie"]
        assert "edi_session=" in cookie and "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # plain http on localhost; https sets it
        page = client.get("/")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_logout_ends_the_session_on_the_server(ui: Gateway, live_url: str) -> None:
    with httpx.Client(base_url=live_url) as client:
        login(client, "operator")
        token = client.cookies["edi_session"]
        assert client.get("/").status_code == 200
        out = client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
        assert out.status_code == 303
    with httpx.Client(base_url=live_url, cookies={"edi_session": token}) as replayed:
        response = replayed.get("/")
        assert response.status_code == 303 and response.headers["location"] == "/login"


def test_repeated_failures_lock_the_account(ui: Gateway, live_url: str) -> None:
    with httpx.Client(base_url=live_url) as client:
        for _ in range(MAX_FAILED_LOGINS):
            assert login(client, "operator", "not the password at all").status_code == 401
        locked = login(client, "operator", PASSWORD)
        assert locked.status_code == 401
        assert "locked for 15 minutes" in locked.text
        assert "edi_session" not in client.cookies


def test_login_needs_its_form_token_and_refuses_unknown_users(ui: Gateway, live_url: str) -> None:
    with httpx.Client(base_url=live_url) as client:
        forged = client.post("/login", data={"username": "admin", "password": PASSWORD})
        assert forged.status_code == 403
        unknown = login(client, "nobody")
        assert unknown.status_code == 401 and "Wrong username or password" in unknown.text


def test_next_only_leads_to_this_site(ui: Gateway, live_url: str) -> None:
    with httpx.Client(base_url=live_url) as client:
        page = client.get("/login", params={"next": "//evil.example/x"})
        response = client.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "//evil.example/x",
            },
        )
        assert response.status_code == 303 and response.headers["location"] == "/"


def test_unknown_ids_are_a_404_page(ids: dict[str, str], client_for: Client) -> None:
    client = client_for("read-only")
    for path in (f"/messages/{uuid.uuid4()}", "/messages/not-an-id", f"/partners/{uuid.uuid4()}"):
        response = client.get(path)
        assert response.status_code == 404 and "Not found" in response.text
