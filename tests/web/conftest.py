"""The web UI on the real PostgreSQL, served by uvicorn on a free local port: the API test
gateway (Northwind routed to the demo ERP, Southwind to a folder) plus one web account per
role. `login(client, role)` logs an httpx client in through the login form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.store import migrate
from gateway.users import add_user
from tests.gateway.api.conftest import PO, Gateway, serve
from tests.gateway.api.conftest import gateway as gateway
from tests.gateway.conftest import empty_database, engine, postgres_databases, sessions

__all__ = ["PO", "engine", "postgres_databases", "sessions"]

PASSWORD = "a long enough password 42"
ROLES = ("admin", "operator", "read-only")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The UI is tested on PostgreSQL, as it runs in production."""
    url = empty_database("postgresql", request, tmp_path_factory.mktemp("store"))
    migrate(url)
    return url


@pytest.fixture
def ui(gateway: Gateway) -> Gateway:
    for role in ROLES:
        add_user(gateway.sessions, role, PASSWORD, role=role)
    return gateway


@pytest.fixture
def live_url(ui: Gateway) -> Iterator[str]:
    with serve(ui.app) as base_url:
        yield base_url


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    assert page.status_code == 200
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


@pytest.fixture
def client_for(live_url: str) -> Iterator[object]:
    made: list[httpx.Client] = []

    def make(role: str | None) -> httpx.Client:
        client = httpx.Client(base_url=live_url, timeout=30)
        made.append(client)
        if role is not None:
            response = login(client, role)
            assert response.status_code == 303, response.text
        return client

    yield make
    for c in made:
        c.close()


SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "x12"


def variant(isa13: str, po: str, *, bad_date: bool = False, sender: str | None = None) -> bytes:
    """The Northwind sample order with its own control numbers and PO number (and, if asked,
    an impossible BEG05 date or another sender id of the same width)."""
    data = PO.replace(b"000001207", isa13.encode()).replace(b"NW-4500018231", po.encode())
    if bad_date:
        data = data.replace(b"**20240311~", b"**20241399~", 1)
    if sender is not None:
        data = data.replace(b"NWHARDWARE", sender.encode())
    return data
