"""Stored XSS: a partner name, a file name and a payload carrying markup are shown as text on
every page that displays them, never as markup."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from gateway.pipeline import intake
from gateway.store.enums import Channel
from partners.registry import create_partner
from tests.gateway.api.conftest import X12, Gateway
from tests.web.conftest import variant

Client = Callable[[str | None], httpx.Client]
SCRIPT = "<script>alert('xss')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"


def _assert_text_only(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert ESCAPED in html


def test_markup_in_stored_data_renders_as_text(ui: Gateway, client_for: Client) -> None:
    partner = create_partner(ui.sessions, name=f"Evil {SCRIPT}", isa="ZZ:EVILCORP")
    # an unknown sender's file whose name carries markup
    unknown = intake(
        ui.runtime,
        payload=variant("000006001", "PO-XSS-1", sender="EVILSENDER"),
        channel=Channel.CLI,
        channel_meta={"file": f"po{SCRIPT}.x12"},
    )
    # a payload that is markup, sent by a known partner
    api = client_for(None)
    posted = api.post(
        "/api/v1/inbound",
        content=f"{SCRIPT}<img src=x onerror=alert(1)>".encode(),
        headers={**ui.auth("north"), **X12},
    )
    ui.drain()
    client = client_for("admin")

    for path in ("/partners", f"/partners/{partner['id']}"):
        _assert_text_only(client.get(path).text)
    for path in ("/exceptions", f"/messages/{unknown.message_id}"):
        page = client.get(path)
        assert page.status_code == 200
        _assert_text_only(page.text)
    if posted.status_code == 202:
        page = client.get(f"/messages/{posted.json()['message_id']}")
        assert "<img src=x" not in page.text and "&lt;img src=x" in page.text
    else:  # refused at the door: nothing stored to render
        assert posted.headers["content-type"].startswith("application/problem+json")
    # the search box echoes the query as text too
    _assert_text_only(client.get("/trace", params={"q": SCRIPT}).text)
