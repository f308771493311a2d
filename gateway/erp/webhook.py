"""The webhook adapter: POST each canonical document to the ERP's URL.

Configured with ``edi-gateway erp add NAME --webhook URL [--secret S]``. For every document the
gateway sends one request::

    POST <url>
    Content-Type: application/json
    Idempotency-Key: <document id>
    X-Gateway-Message-Id: <id of the inbound message the document came from>
    X-Gateway-Document-Type: order | order_ack | ship_notice | invoice | functional_ack
    X-Gateway-Test: true | false
    X-Gateway-Timestamp: <Unix time in seconds when the request was signed>
    X-Gateway-Signature: sha256=<hex>

    <the canonical document as compact UTF-8 JSON>

The gateway delivers at least once: after a timeout or a crash it sends the same document again
with the same ``Idempotency-Key``. Keep the keys you have processed and answer a repeated one
with **409** (or with the same 2xx as the first time); either counts as delivered.

How the answer is read:

- **2xx**: accepted. The ERP's reference for it is the JSON body's ``reference`` or ``id``
  field, else the ``Location`` header.
- **409**: the ERP already had this ``Idempotency-Key``; counts as delivered.
- **408, 429, 5xx**, a timeout or a refused connection: retried later with backoff; a
  ``Retry-After`` header (seconds or an HTTP date) is honoured, up to an hour.
- **any other 4xx, or a 3xx** (redirects are not followed): refused for good; the step is
  dead-lettered with the answer's ``detail`` (problem+json) or body for an operator.

Verifying the signature
-----------------------
When the target has a secret, the signature is the HMAC-SHA256, keyed with the secret's UTF-8
bytes, of the ASCII timestamp exactly as sent in ``X-Gateway-Timestamp``, a full stop, and the
raw request body exactly as received (before any JSON parsing)::

    signed = timestamp.encode("ascii") + b"." + raw_body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()

Compare ``expected`` with ``X-Gateway-Signature`` in constant time (``hmac.compare_digest``)
and refuse requests whose timestamp is more than five minutes away from your clock, so a
recorded request cannot be replayed later. ``verify_signature`` below does all of that. The
header may hold several comma-separated signatures (kept for secret rotation); one matching
signature is enough. Without a secret the request carries no signature header.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import math
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from gateway.erp.base import DeliveryResult, PermanentErpError, RetryableErpError
from translators.canonical import to_json_bytes

DEFAULT_TIMEOUT_S = 10.0
SIGNATURE_TOLERANCE_S = 300
#: The longest ``Retry-After`` honoured: a broken ERP must not park deliveries for days.
MAX_RETRY_AFTER_S = 3600.0
USER_AGENT = "edi-gateway-webhook/1"

_CONFIG_KEYS = frozenset({"url", "timeout_s"})


def sign(secret: str | bytes, timestamp: str | int, body: bytes) -> str:
    """The ``X-Gateway-Signature`` value for a body signed at ``timestamp``."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    signed = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(key, signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str | bytes,
    timestamp: str | int,
    body: bytes,
    header: str,
    *,
    tolerance_s: float = SIGNATURE_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when ``header`` (``X-Gateway-Signature``) signs ``body`` at ``timestamp``.

    ``timestamp`` is the ``X-Gateway-Timestamp`` header as received; a timestamp further than
    ``tolerance_s`` seconds from ``now`` (default: the current time) is refused.
    """
    stamp = str(timestamp).strip()
    if not stamp.isascii() or not stamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance_s:
        return False
    expected = sign(secret, stamp, body).encode("ascii")
    # Every candidate is compared, so timing does not reveal which one matched.
    matched = False
    for candidate in header.split(","):
        matched |= hmac.compare_digest(candidate.strip().encode("utf-8"), expected)
    return matched


class WebhookAdapter:
    """Delivers documents by HTTP POST; see the module docstring for the protocol.

    ``client`` is the seam for tests and for sharing a connection pool: pass an
    ``httpx.Client`` (with a mock transport, say) and the adapter uses it without closing it;
    otherwise the adapter makes its own and ``close()`` releases it.
    """

    def __init__(
        self,
        name: str,
        url: str,
        *,
        secret: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PermanentErpError(
                f"webhook URL {url!r} is not an http:// or https:// URL with a host",
                target=name,
            )
        if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float):
            raise PermanentErpError(f"timeout_s must be a number, not {timeout_s!r}", target=name)
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise PermanentErpError(f"timeout_s must be positive, not {timeout_s!r}", target=name)
        self.name = name
        self.url = url
        self.timeout_s = float(timeout_s)
        self._secret = secret or None
        self._clock = clock
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(follow_redirects=False)

    @classmethod
    def from_config(
        cls, *, name: str, config: Mapping[str, Any], secret: str | None
    ) -> WebhookAdapter:
        """Build from a target's stored configuration: ``url`` and optional ``timeout_s``."""
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            raise PermanentErpError(
                f"unknown webhook setting(s) {', '.join(unknown)}; expected url, timeout_s",
                target=name,
            )
        url = config.get("url")
        if not isinstance(url, str):
            raise PermanentErpError("webhook target has no url", target=name)
        return cls(name, url, secret=secret, timeout_s=config.get("timeout_s", DEFAULT_TIMEOUT_S))

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> WebhookAdapter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def deliver(
        self,
        document: Mapping[str, Any],
        *,
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryResult:
        body = to_json_bytes(document)
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": document_id,
            "X-Gateway-Message-Id": message_id,
            "X-Gateway-Document-Type": str(document.get("document_type", "")),
            "X-Gateway-Test": "true" if test else "false",
            "X-Gateway-Timestamp": timestamp,
        }
        if self._secret is not None:
            headers["X-Gateway-Signature"] = sign(self._secret, timestamp, body)
        context: dict[str, Any] = {"target": self.name, "document_id": document_id}
        try:
            response = self._client.post(
                self.url, content=body, headers=headers, timeout=self.timeout_s
            )
        except httpx.TimeoutException as exc:
            raise RetryableErpError(
                f"no answer from {self.url} within {self.timeout_s:g} s ({type(exc).__name__})",
                **context,
            ) from exc
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL) as exc:
            raise PermanentErpError(f"cannot POST to {self.url}: {exc}", **context) from exc
        except httpx.RequestError as exc:
            # Refused or reset connections, DNS failures, a server that hung up mid-answer.
            raise RetryableErpError(
                f"cannot reach {self.url}: {exc or type(exc).__name__}", **context
            ) from exc
        return self._interpret(response, document_id)

    def _interpret(self, response: httpx.Response, document_id: str) -> DeliveryResult:
        status = response.status_code
        if 200 <= status < 300:
            return DeliveryResult(reference=_reference(response))
        if status == 409:
            return DeliveryResult(reference=_reference(response), already_had=True)
        context: dict[str, Any] = {
            "target": self.name,
            "document_id": document_id,
            "status_code": status,
        }
        detail = _detail(response)
        # 408 is the server timing out the request: as transient as our own timeout.
        if status in (408, 429) or status >= 500:
            retry_after = _retry_after(response.headers.get("Retry-After"), self._clock())
            wait = f", asked to retry after {retry_after:g} s" if retry_after is not None else ""
            raise RetryableErpError(
                f"{self.url} answered {status} {response.reason_phrase}{wait}{detail}",
                retry_after=retry_after,
                **context,
            )
        raise PermanentErpError(
            f"{self.url} refused the document: {status} {response.reason_phrase}{detail}",
            **context,
        )


def _json_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _reference(response: httpx.Response) -> str | None:
    body = _json_body(response)
    if isinstance(body, dict):
        for key in ("reference", "id"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
    return response.headers.get("Location") or None


def _detail(response: httpx.Response, limit: int = 300) -> str:
    """What the ERP said about a failure, short enough for a log line and the operator UI."""
    body = _json_body(response)
    text: str | None = None
    if isinstance(body, dict):
        text = next(
            (
                body[k]
                for k in ("detail", "message", "error", "title")
                if isinstance(body.get(k), str)
            ),
            None,
        )
    if text is None:
        text = response.content[:limit].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f": {text}" if text else ""


def _retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110)."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            return None
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
