"""Reprocess and resend from the message page: offered to operators where they apply, hidden
from read-only users, each a CSRF-checked form, and refused with the reason where they do not
apply."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from gateway.pipeline import intake
from gateway.store.enums import Channel
from partners.registry import create_partner
from tests.gateway.api.conftest import X12, Gateway
from tests.web.conftest import csrf_of, variant

Client = Callable[[str | None], httpx.Client]
REPROCESS = "Reprocess (take it in again as a new message)"
RESEND = "Resend to the partner's outbox"


def test_an_unknown_senders_file_is_reprocessed_from_its_page(
    ui: Gateway, client_for: Client
) -> None:
    stranger = intake(
        ui.runtime,
        payload=variant("000007101", "PO-LATE-1", sender="LATECOMER"),
        channel=Channel.CLI,
    )
    page = f"/messages/{stranger.message_id}"
    assert REPROCESS not in client_for("read-only").get(page).text
    operator = client_for("operator")
    html = operator.get(page).text
    assert REPROCESS in html
    create_partner(ui.sessions, name="Latecomer", isa="ZZ:LATECOMER", erp="files", status="live")
    done = operator.post(f"{page}/reprocess", data={"csrf_token": csrf_of(html)})
    assert done.status_code == 303
    new_page = done.headers["location"]
    assert new_page.startswith("/messages/") and str(stranger.message_id) in new_page
    ui.drain()
    shown = operator.get(new_page).text
    assert "Reprocessed from" in shown and "delivered" in shown and "PO-LATE-1" in shown
    # without the CSRF token nothing happens
    forged = operator.post(f"{page}/reprocess", data={})
    assert forged.status_code in (400, 403)


def test_a_picked_up_reply_is_resent_and_a_waiting_one_is_refused(
    ui: Gateway, client_for: Client
) -> None:
    north = ui.auth("north")
    api = client_for(None)
    assert (
        api.post(
            "/api/v1/inbound", headers={**north, **X12}, content=variant("000007102", "PO-R-1")
        ).status_code
        == 202
    )
    ui.drain()
    waiting = {i["kind"]: i["id"] for i in api.get("/api/v1/outbox", headers=north).json()}
    reply = waiting["855"]
    operator = client_for("operator")
    page = f"/messages/{reply}"
    html = operator.get(page).text
    assert RESEND not in html  # still in the outbox: nothing to resend
    early = operator.post(f"{page}/resend", data={"csrf_token": csrf_of(html)})
    assert early.status_code == 409 and "still waiting" in early.text
    assert api.post(f"/api/v1/outbox/{reply}/ack", headers=north).status_code == 200
    html = operator.get(page).text
    assert RESEND in html
    resent = operator.post(f"{page}/resend", data={"csrf_token": csrf_of(html)})
    assert resent.status_code == 303
    assert "Put back in the partner" in operator.get(resent.headers["location"]).text
    assert reply in [i["id"] for i in api.get("/api/v1/outbox", headers=north).json()]
