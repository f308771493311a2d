"""Every error is application/problem+json with a detail a person can act on: unknown routes,
wrong methods, invalid parameters and bodies, an unexpected failure (500 with a correlation id
that is in the log, and no traceback in the answer) and a database that is down (503)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.api import create_app
from gateway.api.routes import trace as trace_route
from gateway.pipeline import CollectingDispatcher, Runtime
from gateway.settings import Settings
from gateway.store import make_engine, make_session_factory
from tests.gateway.api.conftest import SECRET, Gateway, serve


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("urn:edi-gateway:problem:")
    return body


def test_routing_errors_are_problems(gateway: Gateway, client: httpx.Client) -> None:
    missing = problem(client.get("/api/v1/nothing-here", headers=gateway.auth("admin")), 404)
    assert missing["instance"] == "/api/v1/nothing-here" and "/openapi.json" in missing["detail"]
    wrong = client.delete("/api/v1/outbox", headers=gateway.auth("north"))
    assert "does not answer DELETE" in problem(wrong, 405)["detail"]
    assert "GET" in wrong.headers["allow"]


def test_invalid_requests_say_which_part_is_wrong(gateway: Gateway, client: httpx.Client) -> None:
    operator = gateway.auth("operator")
    bad_id = problem(client.get("/api/v1/messages/not-an-id", headers=operator), 422)
    assert bad_id["detail"].startswith("path.message_id:")
    assert bad_id["errors"][0]["location"] == "path.message_id"
    limit = problem(client.get("/api/v1/dead-letters?limit=0", headers=operator), 422)
    assert limit["detail"].startswith("query.limit:")
    twice = client.get("/api/v1/trace?po_number=A&po_number=B", headers=operator)
    assert "once: po_number" in problem(twice, 422)["detail"]
    typo = client.get("/api/v1/outbox?limt=5", headers=gateway.auth("north"))
    assert problem(typo, 422)["detail"] == ("unknown query parameter limt (this route takes limit)")
    nul = client.get("/api/v1/trace", params={"shipment_id": "A\x00B"}, headers=operator)
    assert problem(nul, 422)["detail"].startswith("query.shipment_id:")
    nothing = problem(client.get("/api/v1/trace", headers=operator), 400)
    assert "control_number" in nothing["detail"]
    replay = "/api/v1/dead-letters/replay"
    as_json = {**operator, "Content-Type": "application/json"}
    not_json = client.post(replay, content=b"{step_ids: [", headers=as_json)
    assert problem(not_json, 422)["detail"].startswith("the body is not valid JSON")
    not_utf8 = client.post(replay, content=b'{"step_ids": ["\xc3\x28"]}', headers=as_json)
    assert "JSON" in problem(not_utf8, 400)["detail"]
    empty = problem(client.post(replay, json={"step_ids": []}, headers=operator), 422)
    assert empty["detail"].startswith("body.step_ids:")
    extra = client.post(replay, json={"step_ids": [str(uuid.uuid4())], "x": 1}, headers=operator)
    assert problem(extra, 422)["errors"][0]["location"] == "body.x"


def test_an_unexpected_failure_is_a_500_with_a_correlation_id_in_the_log(
    gateway: Gateway,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/gateway")

    monkeypatch.setattr(trace_route, "find", broken)
    with caplog.at_level(logging.ERROR, logger="gateway.api"):
        answer = client.get("/api/v1/trace?po_number=X", headers=gateway.auth("admin"))
    body = problem(answer, 500)
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
    correlation_id = body["correlation_id"]
    assert correlation_id in body["detail"]
    (record,) = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert record.exc_info is not None and "secret internals" in str(record.exc_info[1])
    # the server is fine afterwards
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}


@pytest.fixture
def unreachable_database(tmp_path: Path) -> Iterator[str]:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2"
    runtime = Runtime(
        sessions=make_session_factory(make_engine(url)),
        dispatcher=CollectingDispatcher(),
        erp=None,  # type: ignore[arg-type]  # never reached
    )
    settings = Settings(data_dir=tmp_path, database_url=url, secret_key=SECRET)
    with serve(create_app(runtime=runtime, settings=settings)) as base_url:
        yield base_url


def test_a_database_that_is_down_is_a_503(
    unreachable_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    with httpx.Client(base_url=unreachable_database, timeout=30) as client:
        health = problem(client.get("/health"), 503)
        assert health["detail"] == "the database is not reachable"
        token = {"Authorization": "Bearer gwk_abcdefghijkl_" + "a" * 52}
        answer = client.get("/api/v1/trace?po_number=X", headers=token)
        body = problem(answer, 503)
        assert answer.headers["retry-after"] == "5" and body["correlation_id"]
