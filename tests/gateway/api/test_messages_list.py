"""`GET /api/v1/messages` through real HTTP on SQLite and PostgreSQL: a partner lists its own
messages only, operators all of them (unknown senders' rejected messages included), filters
combine, and the cursor walks every page once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from gateway.pipeline import intake
from gateway.store.enums import Channel
from tests.gateway.api.conftest import PO, SOUTH_PO, X12, Gateway

STRANGER = PO.replace(b"NWHARDWARE", b"STRANGER01")


def _ids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_listing_is_scoped_filtered_and_paged(gateway: Gateway, client: httpx.Client) -> None:
    north, south = gateway.auth("north"), gateway.auth("south")
    posted = []
    for n in range(3):
        body = PO.replace(b"000001207", f"00000{n}207".encode()).replace(b"*1207*", b"*12%d*" % n)
        answer = client.post("/api/v1/inbound", content=body, headers={**north, **X12})
        assert answer.status_code == 202, answer.text
        posted.append(answer.json()["message_id"])
    south_id = client.post("/api/v1/inbound", content=SOUTH_PO, headers={**south, **X12}).json()[
        "message_id"
    ]
    stranger = intake(gateway.runtime, payload=STRANGER, channel=Channel.CLI).message_id

    mine = _ids(client.get("/api/v1/messages", headers=north))
    assert mine == list(reversed(posted))  # newest first, none of the others'
    assert _ids(client.get("/api/v1/messages", headers=south)) == [south_id]
    refused = client.get("/api/v1/messages", params={"partner_id": gateway.south_id}, headers=north)
    assert refused.status_code == 422

    operator = gateway.auth("read-only")
    everything = _ids(client.get("/api/v1/messages", headers=operator))
    assert set(everything) == {*posted, south_id, str(stranger)}
    rejected = client.get("/api/v1/messages", params={"status": "rejected"}, headers=operator)
    (item,) = rejected.json()["items"]
    assert item["id"] == str(stranger) and item["partner_id"] is None
    assert "unknown ISA sender ZZ:STRANGER01" in item["status_reason"]
    by_partner = client.get(
        "/api/v1/messages", params={"partner_id": gateway.south_id}, headers=operator
    )
    assert _ids(by_partner) == [south_id]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _ids(client.get("/api/v1/messages", params={"since": future}, headers=operator)) == []
    naive = client.get(
        "/api/v1/messages", params={"since": "2026-01-01T00:00:00"}, headers=operator
    )
    assert naive.status_code == 422

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/messages", params=params, headers=operator).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    bad = client.get("/api/v1/messages", params={"cursor": "garbage!"}, headers=operator)
    assert bad.status_code == 422 and "cursor" in bad.json()["detail"]
