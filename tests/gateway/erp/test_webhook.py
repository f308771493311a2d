"""The webhook adapter against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from gateway.erp.base import PermanentErpError, RetryableErpError
from gateway.erp.webhook import WebhookAdapter, sign, verify_signature
from tests.gateway.erp.conftest import ErpServer

NOW = 1_711_000_000
SECRET = "whsec-test-0123456789abcdef"


@pytest.fixture
def adapter(erp_server: ErpServer) -> Iterator[WebhookAdapter]:
    with WebhookAdapter(
        "acme-erp", erp_server.url, secret=SECRET, timeout_s=2.0, clock=lambda: NOW
    ) as webhook:
        yield webhook


def deliver(adapter: WebhookAdapter, document: dict[str, Any], doc_id: str = "doc-1") -> Any:
    return adapter.deliver(document, document_id=doc_id, message_id="msg-9", test=False)


def test_posts_compact_json_with_idempotency_and_gateway_headers(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    deliver(adapter, sample_order, "doc-77")

    [request] = erp_server.requests
    assert request.method == "POST"
    assert request.path == "/erp/inbound"
    assert request.body == orjson.dumps(sample_order)  # compact, key order kept
    assert orjson.loads(request.body) == sample_order
    h = request.headers
    assert h["content-type"] == "application/json"
    assert h["idempotency-key"] == "doc-77"
    assert h["x-gateway-message-id"] == "msg-9"
    assert h["x-gateway-document-type"] == "order"
    assert h["x-gateway-test"] == "false"
    assert h["x-gateway-timestamp"] == str(NOW)
    assert h["x-gateway-signature"] == sign(SECRET, NOW, request.body)


def test_signature_verifies_as_documented(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    deliver(adapter, sample_order)
    [request] = erp_server.requests
    stamp, header, body = (
        request.headers["x-gateway-timestamp"],
        request.headers["x-gateway-signature"],
        request.body,
    )

    assert header.startswith("sha256=") and len(header) == len("sha256=") + 64
    assert verify_signature(SECRET, stamp, body, header, now=NOW + 10)
    assert verify_signature(SECRET.encode(), stamp, body, f"sha256=00, {header}", now=NOW)
    assert not verify_signature("another-secret", stamp, body, header, now=NOW)
    assert not verify_signature(SECRET, stamp, body + b" ", header, now=NOW)
    assert not verify_signature(SECRET, str(NOW + 1), body, header, now=NOW)
    assert not verify_signature(SECRET, stamp, body, header, now=NOW + 301)  # replayed later
    assert verify_signature(SECRET, stamp, body, header, now=NOW + 301, tolerance_s=600)
    assert not verify_signature(SECRET, "not-a-time", body, header, now=NOW)
    assert not verify_signature(SECRET, stamp, body, "sha256=é", now=NOW)


def test_test_documents_are_flagged(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    adapter.deliver(sample_order, document_id="d", message_id="m", test=True)
    assert erp_server.requests[0].headers["x-gateway-test"] == "true"


def test_without_a_secret_nothing_is_signed(
    erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    with WebhookAdapter("plain", erp_server.url) as webhook:
        deliver(webhook, sample_order)
    assert "x-gateway-signature" not in erp_server.requests[0].headers
    assert "x-gateway-timestamp" in erp_server.requests[0].headers


@pytest.mark.parametrize(
    ("status", "reply", "reference"),
    [
        (200, {"json": {"reference": "SO-1001", "id": 7}}, "SO-1001"),
        (200, {"json": {"id": 4711}}, "4711"),
        (201, {"headers": {"Location": "/orders/88"}}, "/orders/88"),
        (201, {"json": {"status": "ok"}, "headers": {"Location": "/orders/89"}}, "/orders/89"),
        (202, {}, None),
        (204, {}, None),
        (200, {"body": b"<html>thanks</html>"}, None),
    ],
)
def test_2xx_is_accepted_with_the_erps_reference(
    adapter: WebhookAdapter,
    erp_server: ErpServer,
    sample_order: dict[str, Any],
    status: int,
    reply: dict[str, Any],
    reference: str | None,
) -> None:
    erp_server.reply(status, **reply)
    result = deliver(adapter, sample_order)
    assert result.reference == reference
    assert result.already_had is False
    assert result.replies == []


def test_409_means_the_erp_already_had_it(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    erp_server.reply(409, json={"id": "SO-1001", "detail": "duplicate Idempotency-Key"})
    result = deliver(adapter, sample_order)
    assert result.already_had is True
    assert result.reference == "SO-1001"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_other_4xx_is_permanent(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any], status: int
) -> None:
    erp_server.reply(
        status,
        json={"type": "about:blank", "title": "Bad", "detail": "po_number is required"},
    )
    with pytest.raises(PermanentErpError) as caught:
        deliver(adapter, sample_order, "doc-4")
    error = caught.value
    assert not isinstance(error, RetryableErpError)
    assert error.status_code == status
    assert error.target == "acme-erp"
    assert error.document_id == "doc-4"
    text = str(error)
    assert "acme-erp" in text and "doc-4" in text
    assert str(status) in text and "po_number is required" in text


def test_permanent_error_quotes_a_plain_body_shortly(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    erp_server.reply(400, body=b"bad\n   order " + b"x" * 1000)
    with pytest.raises(PermanentErpError) as caught:
        deliver(adapter, sample_order)
    assert ": bad order xxx" in str(caught.value)
    assert len(str(caught.value)) < 500


def test_503_with_retry_after_is_retryable(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    erp_server.reply(503, headers={"Retry-After": "7"}, body=b"maintenance")
    with pytest.raises(RetryableErpError) as caught:
        deliver(adapter, sample_order)
    assert caught.value.status_code == 503
    assert caught.value.retry_after == 7.0
    assert "503" in str(caught.value) and "7 s" in str(caught.value)


def test_429_with_an_http_date_retry_after(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    erp_server.reply(429, headers={"Retry-After": email.utils.formatdate(NOW + 90, usegmt=True)})
    with pytest.raises(RetryableErpError) as caught:
        deliver(adapter, sample_order)
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 90.0


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [(500, None, None), (502, "soon", None), (504, "999999", 3600.0), (408, "0", 0.0)],
)
def test_5xx_and_408_are_retryable(
    adapter: WebhookAdapter,
    erp_server: ErpServer,
    sample_order: dict[str, Any],
    status: int,
    retry_after: str | None,
    expected: float | None,
) -> None:
    erp_server.reply(status, headers={"Retry-After": retry_after} if retry_after else {})
    with pytest.raises(RetryableErpError) as caught:
        deliver(adapter, sample_order)
    assert caught.value.status_code == status
    assert caught.value.retry_after == expected


def test_redirects_are_not_followed(
    adapter: WebhookAdapter, erp_server: ErpServer, sample_order: dict[str, Any]
) -> None:
    erp_server.reply(301, headers={"Location": "http://elsewhere.invalid/"})
    with pytest.raises(PermanentErpError) as caught:
        deliver(adapter, sample_order)
    assert caught.value.status_code == 301
    assert len(erp_server.requests) == 1


def test_a_timeout_is_retryable(erp_server: ErpServer, sample_order: dict[str, Any]) -> None:
    erp_server.reply(200, delay_s=5.0)
    with (
        WebhookAdapter("slow-erp", erp_server.url, timeout_s=0.3) as webhook,
        pytest.raises(RetryableErpError) as caught,
    ):
        deliver(webhook, sample_order, "doc-slow")
    assert "no answer" in str(caught.value) and "0.3 s" in str(caught.value)
    assert caught.value.document_id == "doc-slow"
    assert caught.value.status_code is None
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)


def test_a_refused_connection_is_retryable(refused_url: str, sample_order: dict[str, Any]) -> None:
    with (
        WebhookAdapter("down-erp", refused_url) as webhook,
        pytest.raises(RetryableErpError) as caught,
    ):
        deliver(webhook, sample_order)
    assert "cannot reach" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_the_client_is_injectable(sample_order: dict[str, Any]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx.RemoteProtocolError("server hung up", request=request)
        return httpx.Response(201, json={"id": "X1"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        webhook = WebhookAdapter("mock", "https://erp.example.test/in", client=client)
        with pytest.raises(RetryableErpError):
            deliver(webhook, sample_order)
        assert deliver(webhook, sample_order).reference == "X1"
        webhook.close()  # does not close a client it was given
        assert not client.is_closed
    assert seen[1].headers["idempotency-key"] == "doc-1"


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"url": "ftp://erp.example.test/"},
        {"url": "http:///no-host"},
        {"url": "https://erp.example.test/", "timeout_s": 0},
        {"url": "https://erp.example.test/", "timeout_s": "10"},
        {"url": "https://erp.example.test/", "timeout": 10},
    ],
)
def test_bad_configuration_is_permanent(config: dict[str, Any]) -> None:
    with pytest.raises(PermanentErpError) as caught:
        WebhookAdapter.from_config(name="bad", config=config, secret=None)
    assert caught.value.target == "bad"


def test_from_config(erp_server: ErpServer, sample_order: dict[str, Any]) -> None:
    webhook = WebhookAdapter.from_config(
        name="cfg", config={"url": erp_server.url, "timeout_s": 3}, secret="s3cret"
    )
    with webhook:
        assert webhook.timeout_s == 3.0
        deliver(webhook, sample_order)
    request = erp_server.requests[0]
    assert verify_signature(
        "s3cret",
        request.headers["x-gateway-timestamp"],
        request.body,
        request.headers["x-gateway-signature"],
    )
