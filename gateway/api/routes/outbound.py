"""`/api/v1/outbound/{partner}`: the ERP sends a partner a canonical document (ERP key).

The document is validated against the canonical model, checked against the partner's registry
settings (role, outbound document types, status), rendered as X12 with the partner's outbound
envelope and put in its mailbox, all in one transaction before the 202. `Idempotency-Key`
makes a retry safe: the same key with the same body answers the first request again, with
another body 409. `GET /api/v1/outbound/{partner}/{request_id}` follows it through pickup to
the partner's 997/999, or to overdue.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import (
    ANY_OPERATOR,
    CurrentErp,
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    requires,
)
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.routes.inbound import read_body
from gateway.api.schemas import OutboundAcceptedPublic, OutboundStatePublic
from gateway.pipeline.outbound import (
    OUTBOUND_TYPES,
    OutboundRefused,
    erp_may_send,
    find_partner,
    outbound_state,
    submit_outbound,
)
from gateway.store.enums import KeyKind
from gateway.store.models import OutboundRequest

router = APIRouter(prefix="/outbound", tags=["erp"])

JSON_MEDIA_TYPE = "application/json"
PartnerRef = Annotated[str, "a partner's id or name"]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any printable ASCII; a retry with the same key and body gets the first "
        "answer again, another body under the same key is refused (409).",
    ),
]

_EXAMPLE = {
    "document_type": "order_ack",
    "po_number": "NW-4500018231",
    "po_date": "2024-03-11",
    "ack_type_code": "AD",
    "seller_order_number": "SO-118834",
    "ack_date": "2024-03-12",
    "lines": [
        {
            "line_number": "1",
            "quantity": "48",
            "uom": "EA",
            "unit_price": "12.50",
            "item_ids": [{"qualifier": "VP", "value": "AC-HX-1420"}],
            "acks": [{"status_code": "IA", "quantity": "48", "uom": "EA"}],
        }
    ],
}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One canonical document (../shared/CONTRACT.md): an order (850, to "
        "suppliers), order_ack (855), ship_notice (856) or invoice (810, to customers).",
        "content": {
            JSON_MEDIA_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["document_type"],
                    "properties": {
                        "document_type": {"type": "string", "enum": list(OUTBOUND_TYPES)}
                    },
                    "additionalProperties": True,
                },
                "example": _EXAMPLE,
            }
        },
    }
}


def _refused(exc: OutboundRefused) -> ProblemError:
    extra: dict[str, Any] = {}
    if exc.field:
        extra["field"] = exc.field
    if exc.errors:
        extra["errors"] = exc.errors
    return ProblemError(exc.status, exc.detail, type=exc.type, **extra)


@router.post(
    "/{partner}",
    status_code=202,
    response_model=OutboundAcceptedPublic,
    summary="Send a partner a canonical document (ERP key)",
    description="Validates the document, renders it as X12 for the partner and puts it in the "
    "partner's mailbox; 202 once stored. `{partner}` is the partner's id or name. Refused: a "
    "document that breaks the canonical model or cannot be written as X12 (422, `field` names "
    "it), a type the partner does not take or is not for its role (422), a suspended or draft "
    "partner (409), a reused Idempotency-Key with another body (409).",
    responses={
        202: {
            "headers": {
                "Location": {"description": "The request's state URL", "schema": {"type": "string"}}
            }
        },
        **problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
    },
    openapi_extra={**_BODY, **requires("erp")},
)
async def post_outbound(
    partner: PartnerRef,
    request: Request,
    response: Response,
    erp: CurrentErp,
    runtime: RuntimeDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> OutboundAcceptedPublic:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != JSON_MEDIA_TYPE:
        raise ProblemError(415, f"send the canonical document as {JSON_MEDIA_TYPE}, not {media!r}")
    raw = await read_body(request, settings.max_body_bytes)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(400, f"the body is not valid JSON: {exc}") from None
    try:
        done = await run_in_threadpool(
            submit_outbound,
            runtime.sessions,
            erp_target_id=erp.erp_target_id,
            partner_ref=partner,
            body=body,
            idempotency_key=idempotency_key,
        )
    except OutboundRefused as exc:
        raise _refused(exc) from None
    if done.steps:  # committed: hand the POST to the partner on to a worker
        runtime.dispatcher.dispatch(done.steps)
    row = done.request
    state_url = str(
        request.url_for("get_outbound", partner=str(row.partner_id), request_id=str(row.id))
    )
    response.headers["Location"] = state_url
    if done.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return OutboundAcceptedPublic(
        id=row.id,
        partner_id=row.partner_id,
        document_type=row.document_type,
        message_id=row.message_id,
        document_id=row.document_id,
        state_url=state_url,
        control_numbers={"isa13": row.isa13, "gs06": row.gs06, "st02": row.st02},
    )


@router.get(
    "/{partner}/{request_id}",
    name="get_outbound",
    response_model=OutboundStatePublic,
    summary="Where an outbound document stands (ERP key, operator)",
    description="`state`: delivered (waiting in the partner's mailbox), picked_up, then the "
    "partner's 997/999 status (accepted, accepted_with_errors, partially_accepted, rejected), "
    "or overdue when no acknowledgment came within the partner's window (`ack_due_at`). An "
    "ERP key sees the requests it made.",
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=requires("erp", *ANY_OPERATOR),
)
def get_outbound(
    partner: PartnerRef,
    request_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    if principal.kind == KeyKind.PARTNER:
        raise ProblemError(
            403, "this route takes an ERP key or an operator token, not a partner API key"
        )
    row = session.get(OutboundRequest, request_id)
    target = find_partner(session, partner)
    missing = ProblemError(404, f"no outbound request {request_id} for partner {partner!r}")
    if row is None or target is None or row.partner_id != target.id:
        raise missing
    if principal.kind == KeyKind.ERP and (
        row.erp_target_id != principal.erp_target_id
        or not erp_may_send(session, target, principal.erp_target_id)
    ):
        raise missing
    return outbound_state(session, row)
