"""Sending a cXML document to a partner: POST it to the partner's URL, read the `Response`.

    result = post_cxml(url, body)          # never raises for what the partner or network did
    deliver_cxml(session, message=..., url=...)   # the same, recorded on the message's timeline

How an answer is classified (`CxmlDelivery.outcome`):

    done        cXML Status 200, 201 or 204
    permanent   cXML Status 4xx (the partner refuses the document: sending it again will not
                help), or an HTTP 4xx without a cXML Response, or a 2xx whose body is not a cXML
                Response (it may have been taken: an operator decides, never a blind resend)
    retryable   cXML Status 5xx, HTTP 5xx, a timeout or a connection failure

`deliver_cxml` records a `cxml_response` event and raises the pipeline's `StepFailed` for
anything but done, with the partner's status text, so the step runner retries or dead-letters
it like any other delivery (the runner's `step_failed` / `dead_lettered` event keeps the text,
since the handler's own transaction, and its event, roll back with the failure).

Wiring: an outbound step for a partner whose `channels.cxml.url` is set renders the document
with `translators.cxml.writers` and calls `deliver_cxml` (the apiflow branch owns that step).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from sqlalchemy.orm import Session

from gateway.cxml.responses import read_status
from gateway.pipeline.inbound import StepFailed
from gateway.store import record_event
from gateway.store.enums import MessageStatus
from gateway.store.models import Message
from gateway.store.types import utcnow
from translators.cxml.writers import WriteOptions, write_cxml
from translators.cxml.writers.common import CXML_VERSION
from translators.errors import XmlError

Outcome = Literal["done", "permanent", "retryable"]
DONE_CODES = frozenset({200, 201, 204})
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class CxmlDelivery:
    outcome: Outcome
    summary: str
    http_status: int | None = None
    cxml_code: int | None = None
    cxml_text: str | None = None
    detail: str | None = None


def _classify_code(code: int) -> Outcome:
    if code in DONE_CODES:
        return "done"
    if 400 <= code < 500:
        return "permanent"
    if 500 <= code < 600:
        return "retryable"
    return "permanent"  # 1xx, 3xx, other 2xx: not an answer the exchange defines


def post_cxml(
    url: str,
    body: bytes,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    client: httpx.Client | None = None,
) -> CxmlDelivery:
    """POST ``body`` to ``url`` and classify the answer."""
    headers = {"Content-Type": "text/xml; charset=utf-8", "Accept": "text/xml"}
    try:
        if client is None:
            with httpx.Client(timeout=timeout, follow_redirects=False) as own:
                response = own.post(url, content=body, headers=headers)
        else:
            response = client.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return CxmlDelivery("retryable", f"no answer from {url} within {timeout:g} s")
    except httpx.HTTPError as exc:
        return CxmlDelivery("retryable", f"could not reach {url}: {exc}")
    http = response.status_code
    try:
        status = read_status(response.content)
    except XmlError as exc:
        outcome: Outcome = "retryable" if http >= 500 else "permanent"
        return CxmlDelivery(
            outcome, f"HTTP {http} from {url} without a cXML Response ({exc})", http_status=http
        )
    text = " - ".join(part for part in (status.text, status.detail) if part)
    return CxmlDelivery(
        _classify_code(status.code),
        f"cXML Status {status.code}" + (f" {text}" if text else "") + f" from {url}",
        http_status=http,
        cxml_code=status.code,
        cxml_text=status.text,
        detail=status.detail,
    )


def deliver_cxml(
    session: Session,
    *,
    message: Message,
    url: str,
    body: bytes,
    timeout: float = DEFAULT_TIMEOUT,
    client: httpx.Client | None = None,
) -> CxmlDelivery:
    """POST an outbound message's cXML and record the partner's answer on its timeline; raises
    `StepFailed` (retryable or not) unless the partner took it."""
    result = post_cxml(url, body, timeout=timeout, client=client)
    record_event(
        session,
        message_id=message.id,
        kind="cxml_response",
        detail={
            "url": url,
            "outcome": result.outcome,
            "http_status": result.http_status,
            "cxml_code": result.cxml_code,
            "cxml_text": result.cxml_text,
            "detail": (result.detail or "")[:1000] or None,
        },
    )
    if result.outcome == "done":
        message.status = MessageStatus.DELIVERED
        message.sent_at = utcnow()
        return result
    raise StepFailed(result.summary, retryable=result.outcome == "retryable")


# -- the outbound route: partners that take their documents over the cXML exchange ------------

CXML_DOCUMENT_TYPES = frozenset({"order", "order_ack", "ship_notice", "invoice"})


@dataclass(frozen=True, slots=True)
class CxmlRoute:
    """A partner's `channels.cxml` settings: where to POST, and the credentials of the Header
    (theirs in To, ours in From and Sender)."""

    url: str
    domain: str
    identity: str
    from_domain: str
    from_identity: str


def cxml_route(channels: dict[str, Any] | None) -> CxmlRoute | None:
    """The route when the partner's registry settings give `channels.cxml.url`, else None
    (its documents go the X12 way)."""
    settings = (channels or {}).get("cxml") or {}
    url = str(settings.get("url") or "").strip()
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise StepFailed(f"channels.cxml.url must be an http(s) URL, not {url!r}", retryable=False)
    return CxmlRoute(
        url=url,
        domain=str(settings.get("domain") or "NetworkID"),
        identity=str(settings.get("identity") or ""),
        from_domain=str(settings.get("from_domain") or "NetworkID"),
        from_identity=str(settings.get("from_identity") or ""),
    )


def render_for_route(doc: dict[str, Any], route: CxmlRoute, *, test: bool) -> bytes:
    """A canonical document as the cXML request to POST on `route`, with a fresh payloadID."""
    envelope = {  # ours, whatever the document came in as
        "standard": "cxml",
        "version": CXML_VERSION,
        "sender_qualifier": route.from_domain,
        "sender_id": route.from_identity,
        "receiver_qualifier": route.domain,
        "receiver_id": route.identity,
        "test": test,
    }
    now = utcnow()
    options = WriteOptions(
        payload_id=f"{now.strftime('%Y%m%d%H%M%S')}.{uuid.uuid4().hex}@edi-gateway",
        timestamp=now.isoformat(timespec="seconds"),
    )
    return write_cxml({**doc, "envelope": envelope}, options)
