"""Dead letters over HTTP: an ERP that refuses a document dead-letters its step; operators list
it, a read-only token may not replay it, an operator token does, and the order goes through."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.erp.base import PermanentErpError
from gateway.pipeline.runtime import DeliveryOutcome, ErpTargetInfo
from tests.gateway.api.conftest import PO, X12, Gateway


class RefusingOnceErp:
    def __init__(self) -> None:
        self.calls = 0

    def deliver(
        self,
        *,
        target: ErpTargetInfo,
        document: dict[str, Any],
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryOutcome:
        self.calls += 1
        if self.calls == 1:
            raise PermanentErpError("400: unknown item AC-HX-1420", status_code=400)
        return DeliveryOutcome(reference=f"ERP-{document_id[:8]}")


def test_a_dead_letter_is_listed_and_replayed_by_an_operator(
    gateway: Gateway, client: httpx.Client
) -> None:
    gateway.runtime.erp = RefusingOnceErp()
    posted = client.post("/api/v1/inbound", content=PO, headers={**gateway.auth("north"), **X12})
    message_id = posted.json()["message_id"]
    gateway.drain()

    (dead,) = client.get("/api/v1/dead-letters", headers=gateway.auth("read-only")).json()
    assert dead["message_id"] == message_id and dead["kind"] == "deliver_erp"
    assert dead["partner_id"] == gateway.north_id and "unknown item" in dead["error"]
    status = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("north")).json()
    assert status["status"] == "failed"

    body = {"step_ids": [dead["step_id"]]}
    refused = client.post(
        "/api/v1/dead-letters/replay", json=body, headers=gateway.auth("read-only")
    )
    assert refused.status_code == 403
    replayed = client.post(
        "/api/v1/dead-letters/replay", json=body, headers=gateway.auth("operator")
    )
    assert replayed.status_code == 200
    assert replayed.json() == {"replayed": [dead["step_id"]], "not_replayed": []}
    gateway.drain()

    status = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("north")).json()
    assert status["status"] == "delivered"
    assert {"dead_lettered", "replayed"} <= {e["kind"] for e in status["timeline"]}
    assert client.get("/api/v1/dead-letters", headers=gateway.auth("admin")).json() == []
    again = client.post("/api/v1/dead-letters/replay", json=body, headers=gateway.auth("admin"))
    assert again.json() == {"replayed": [], "not_replayed": [dead["step_id"]]}
