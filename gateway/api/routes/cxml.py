"""`POST /cxml/{partner}`: the cXML request/response exchange.

A partner's procurement system POSTs a cXML request (OrderRequest, ConfirmationRequest,
ShipNoticeRequest, InvoiceDetailRequest) and gets a cXML `Response` back, always: its `Status`
code is also the HTTP status (200 stored; 400, 401, 403, 406, 413 with their text; 500 with a
correlation id). Never problem+json, never a traceback: partners' cXML clients read only cXML.

Authentication is the cXML way, by the Header's Sender Credential and SharedSecret (see
`gateway.cxml.inbound`), not by bearer key, so the route is outside /api/v1 and its OpenAPI
document (whose every route takes a key).
"""

from __future__ import annotations

import logging
import uuid

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import RuntimeDep, SettingsDep
from gateway.cxml.inbound import receive_cxml
from gateway.cxml.responses import response_document

router = APIRouter(tags=["cxml"])
log = logging.getLogger(__name__)
CXML_MEDIA_TYPE = "text/xml; charset=utf-8"


def _answer(code: int, detail: str) -> Response:
    return Response(response_document(code, detail), status_code=code, media_type=CXML_MEDIA_TYPE)


async def _body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/cxml/{partner}", include_in_schema=False)
async def post_cxml(
    partner: str, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> Response:
    try:
        payload = await _body(request, settings.max_body_bytes)
        if payload is None:
            limit = settings.max_body_bytes
            return _answer(413, f"the document is larger than the {limit:,} bytes accepted")
        if not payload.strip():
            return _answer(400, "the body is empty: POST one cXML request")
        outcome = await run_in_threadpool(
            receive_cxml,
            runtime,
            partner_ref=partner,
            payload=payload,
            meta={"remote": request.client.host if request.client else None},
        )
        return _answer(outcome.code, outcome.detail)
    except Exception:  # the last line of defence: a cXML answer, never a traceback
        incident = uuid.uuid4()
        log.exception("cXML request failed (incident %s)", incident)
        return _answer(500, f"the gateway could not process the request (incident {incident})")
