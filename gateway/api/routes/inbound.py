"""`POST /api/v1/inbound`: a partner sends X12 or cXML over HTTP.

cXML (application/xml, text/xml) is read before anything is stored: hostile or malformed XML
(400), a request type the gateway does not translate or a value it cannot read (422) is
refused with nothing kept. A readable document goes through the same intake as X12.

The body is read in chunks and refused (413) as soon as it passes the configured limit, before
anything is stored. Once intake has committed the message, the answer is 202 with where to
follow it; a duplicate (409) or a rejected message (422) is stored as well, and the problem
carries its `message_id`.
"""

from __future__ import annotations

import functools
import uuid
from typing import Annotated, Any

import anyio
import anyio.to_thread
import orjson
from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from gateway.api.deps import (
    bearer_token,
    check_partner_key,
    message_url,
    requires,
)
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import InboundPublic
from gateway.pipeline import IntakeResult, Runtime, intake
from gateway.pipeline.cxml import check_xml, intake_cxml, looks_like_xml
from gateway.settings import Settings
from gateway.store.enums import Channel, MessageStatus
from gateway.store.models import Partner
from translators.errors import TranslatorError, UnsupportedError, XmlError

router = APIRouter(tags=["partners"])

X12_MEDIA_TYPES = ("application/edi-x12", "text/plain", "application/octet-stream")
XML_MEDIA_TYPES = ("application/xml", "text/xml")

_EXAMPLE = (
    "ISA*00*          *00*          *ZZ*NWHARDWARE     *ZZ*ACMEDIST       *240311*0814*U*00401"
    "*000001207*0*P*>~GS*PO*NWHARDWARE*ACMEDIST*20240311*0814*1207*X*004010~ST*850*0001~..."
)
_CXML_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="1207@nwhardware.example" '
    'timestamp="2024-03-11T08:14:00-06:00"><Header>...</Header><Request><OrderRequest>...'
    "</OrderRequest></Request></cXML>"
)
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One X12 file as the partner would send it (one or more interchanges), "
        "or one cXML request (OrderRequest, ConfirmationRequest, ShipNoticeRequest, "
        "InvoiceDetailRequest).",
        "content": {
            media: {
                "schema": {"type": "string", "format": "binary", "minLength": 1},
                "example": _EXAMPLE,
            }
            for media in X12_MEDIA_TYPES
        }
        | {
            media: {"schema": {"type": "string", "minLength": 1}, "example": _CXML_EXAMPLE}
            for media in XML_MEDIA_TYPES
        },
    }
}


def _cxml_intake(
    runtime: Runtime, payload: bytes, token: str, meta: dict[str, Any]
) -> IntakeResult:
    """cXML, UBL or the partner's own XML (through its inbound XSLT), read before anything is
    stored: what cannot be read is refused here and nothing is kept."""
    with runtime.sessions.begin() as session:
        partner = check_partner_key(session, token)
    assert partner.partner_id is not None
    partner_id = partner.partner_id
    meta = {**meta, "key_id": str(partner.key_id)}
    try:
        with runtime.sessions() as session:
            row = session.get(Partner, partner_id)
            assert row is not None
            fmt, documents = check_xml(session, row, payload)
    except XmlError as exc:
        raise ProblemError(400, f"{exc}; nothing was stored", type="invalid-xml") from None
    except UnsupportedError as exc:
        raise ProblemError(422, f"{exc}; nothing was stored", type="unsupported-document") from None
    except TranslatorError as exc:
        raise ProblemError(422, f"{exc}; nothing was stored", type="invalid-document") from None
    return intake_cxml(
        runtime,
        payload=payload,
        document=documents[0],
        channel=Channel.API,
        partner_id=partner_id,
        channel_meta=meta,
        format=fmt,
    )


def _intake_limiter(request: Request, runtime: Runtime) -> anyio.CapacityLimiter:
    """At most as many intakes at once as the database pool holds connections: the thread pool
    runs up to 40, and each one past the pool opened a PostgreSQL connection (a new backend
    process, its prepared statements lost) only to close it again when it was returned."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "intake_limiter", None)
    if limiter is None:
        pool = runtime.sessions.kw["bind"].pool
        size = pool.size() if isinstance(pool, QueuePool) else 0
        total = anyio.to_thread.current_default_thread_limiter().total_tokens
        limiter = state.intake_limiter = anyio.CapacityLimiter(min(size, total) or total)
    return limiter


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or a 413 problem as soon as it is longer than `limit`."""
    too_large = ProblemError(
        413, f"the body is larger than the {limit:,} bytes this gateway accepts", limit=limit
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ProblemError(400, f"Content-Length {declared!r} is not a number")
        if int(declared) > limit:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:  # nobody is left to answer, and nothing was stored
        raise ProblemError(400, "the client went away before the body was complete") from None
    return b"".join(chunks)


@router.post(
    "/inbound",
    status_code=202,
    response_model=InboundPublic,
    summary="Send an X12 file or a cXML document (partner key)",
    description="Stores the body durably, then answers 202 with the message id and where to "
    "follow its processing. Content types: X12 as "
    + ", ".join(X12_MEDIA_TYPES)
    + "; cXML as "
    + ", ".join(XML_MEDIA_TYPES)
    + ".",
    responses={
        202: {
            "headers": {"Location": {"description": "The status URL", "schema": {"type": "string"}}}
        },
        **problem_responses(400, 401, 403, 409, 413, 415, 422),
    },
    openapi_extra={**_BODY, **requires("partner")},
)
async def post_inbound(
    request: Request, token: Annotated[str, Depends(bearer_token)]
) -> InboundPublic | Response:
    # The key is checked inside intake's own transaction, once the body is in: one thread-pool
    # hop and one pooled connection per request instead of two of each. The runtime and the
    # settings are read from the app, and the answer rendered here (as `InboundPublic` would
    # be): the busiest route skips two dependencies and a model validation per request.
    runtime: Runtime = request.app.state.runtime
    settings: Settings = request.app.state.settings
    media = _media_type(request)
    is_xml = media in XML_MEDIA_TYPES or media.endswith("+xml")
    if media and not is_xml and media not in X12_MEDIA_TYPES:
        raise ProblemError(
            415,
            f"send X12 as {', '.join(X12_MEDIA_TYPES)} or cXML as {', '.join(XML_MEDIA_TYPES)}; "
            f"{media!r} is not accepted",
        )
    payload = await read_body(request, settings.max_body_bytes)
    if not payload.strip():
        raise ProblemError(400, "the body is empty: send one X12 file or one cXML document")
    meta = {
        "remote": request.client.host if request.client else None,
        "content_type": media or None,
    }
    if is_xml or looks_like_xml(payload):
        if not is_xml:
            raise ProblemError(415, "the body is XML: send cXML as application/xml or text/xml")
        result = await run_in_threadpool(_cxml_intake, runtime, payload, token, meta)
    else:

        def authorize(session: Session) -> tuple[uuid.UUID, dict[str, Any]]:
            partner = check_partner_key(session, token)
            assert partner.partner_id is not None
            return partner.partner_id, {"key_id": str(partner.key_id)}

        result = await anyio.to_thread.run_sync(
            functools.partial(
                intake,
                runtime,
                payload=payload,
                channel=Channel.API,
                channel_meta=meta,
                authorize=authorize,
            ),
            limiter=_intake_limiter(request, runtime),
        )
    status_url = message_url(request, result.message_id)
    if result.status == MessageStatus.DUPLICATE:
        raise ProblemError(
            409,
            f"{result.reason}; it was stored as {result.message_id} and will not be processed "
            "again",
            type="duplicate",
            title="Duplicate message",
            message_id=result.message_id,
            duplicate_of=result.duplicate_of,
            status_url=status_url,
        )
    if result.status == MessageStatus.REJECTED:
        raise ProblemError(
            422,
            f"{result.reason}; it was stored as {result.message_id} for the operators",
            type="rejected",
            title="Message rejected",
            message_id=result.message_id,
            status_url=status_url,
        )
    body = {"message_id": str(result.message_id), "status_url": status_url, "status": result.status}
    return Response(
        orjson.dumps(body),
        status_code=202,
        headers={"Location": status_url},
        media_type="application/json",
    )
