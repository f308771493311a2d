"""`POST /api/v1/inbound`: a partner sends X12 over HTTP.

The body is read in chunks and refused (413) as soon as it passes the configured limit, before
anything is stored. Once intake has committed the message, the answer is 202 with where to
follow it; a duplicate (409) or a rejected message (422) is stored as well, and the problem
carries its `message_id`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import CurrentPartner, RuntimeDep, SettingsDep, requires
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import InboundPublic
from gateway.pipeline import intake
from gateway.store.enums import Channel, MessageStatus

router = APIRouter(tags=["partners"])

X12_MEDIA_TYPES = ("application/edi-x12", "text/plain", "application/octet-stream")
XML_MEDIA_TYPES = ("application/xml", "text/xml")
CXML_NOT_YET = "cXML is not supported yet: send X12 (application/edi-x12)"

_EXAMPLE = (
    "ISA*00*          *00*          *ZZ*NWHARDWARE     *ZZ*ACMEDIST       *240311*0814*U*00401"
    "*000001207*0*P*>~GS*PO*NWHARDWARE*ACMEDIST*20240311*0814*1207*X*004010~ST*850*0001~..."
)
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One X12 file as the partner would send it: one or more interchanges.",
        "content": {
            media: {
                "schema": {"type": "string", "format": "binary", "minLength": 1},
                "example": _EXAMPLE,
            }
            for media in X12_MEDIA_TYPES
        },
    }
}


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
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/inbound",
    status_code=202,
    response_model=InboundPublic,
    summary="Send an X12 file (partner key)",
    description="Stores the body durably, then answers 202 with the message id and where to "
    "follow its processing. Content types: " + ", ".join(X12_MEDIA_TYPES) + ".",
    responses={
        202: {
            "headers": {"Location": {"description": "The status URL", "schema": {"type": "string"}}}
        },
        **problem_responses(400, 401, 403, 409, 413, 415, 422),
    },
    openapi_extra={**_BODY, **requires("partner")},
)
async def post_inbound(
    request: Request,
    response: Response,
    partner: CurrentPartner,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> InboundPublic:
    media = _media_type(request)
    if media in XML_MEDIA_TYPES or media.endswith("+xml"):
        raise ProblemError(415, CXML_NOT_YET)
    if media and media not in X12_MEDIA_TYPES:
        raise ProblemError(
            415, f"send X12 as {', '.join(X12_MEDIA_TYPES)}; {media!r} is not accepted"
        )
    payload = await read_body(request, settings.max_body_bytes)
    if not payload.strip():
        raise ProblemError(400, "the body is empty: send one X12 file")
    if payload.lstrip()[:1] == b"<":
        raise ProblemError(415, CXML_NOT_YET)
    result = await run_in_threadpool(
        intake,
        runtime,
        payload=payload,
        channel=Channel.API,
        channel_meta={
            "remote": request.client.host if request.client else None,
            "content_type": media or None,
            "key_id": str(partner.key_id),
        },
        authenticated_partner_id=partner.partner_id,
    )
    status_url = str(request.url_for("get_message", message_id=str(result.message_id)))
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
    response.headers["Location"] = status_url
    return InboundPublic(message_id=result.message_id, status_url=status_url, status=result.status)
