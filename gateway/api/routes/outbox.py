"""`/api/v1/outbox`: what the gateway has for a partner (its 997/999s, the 855s, 856s and 810s
the ERP sends), fetched over HTTP and confirmed once picked up.

A partner sees its own mailbox only: another partner's message id is 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from gateway import mailbox
from gateway.api.deps import CurrentPartner, SessionDep, StrictQuery, requires
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import OutboxItemPublic, OutboxPickupPublic

router = APIRouter(prefix="/outbox", tags=["partners"])

X12_MEDIA_TYPE = "application/edi-x12"
XML_MEDIA_TYPE = "application/xml"


@router.get(
    "",
    response_model=list[OutboxItemPublic],
    summary="Messages waiting for pickup (partner key)",
    description="Oldest first. Download each one, then confirm the pickup with "
    "`POST /api/v1/outbox/{id}/ack`; confirmed messages leave the list.",
    responses=problem_responses(401, 403, 422),
    openapi_extra=requires("partner"),
)
def list_outbox(
    request: Request,
    partner: CurrentPartner,
    _query: StrictQuery,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
) -> list[OutboxItemPublic]:
    assert partner.partner_id is not None
    return [
        OutboxItemPublic(
            id=item.message_id,
            created_at=item.created_at,
            kind=item.kind,
            size=item.size,
            download_url=str(request.url_for("get_outbox_item", message_id=str(item.message_id))),
        )
        for item in mailbox.waiting(session, partner_id=partner.partner_id, limit=limit)
    ]


@router.get(
    "/{message_id}",
    name="get_outbox_item",
    response_class=Response,
    summary="Download one outbound message as X12 (partner key)",
    responses={
        200: {
            "description": "The document exactly as sent: X12, or XML for a partner whose "
            "format is UBL or its own XML.",
            "content": {
                X12_MEDIA_TYPE: {"schema": {"type": "string"}},
                XML_MEDIA_TYPE: {"schema": {"type": "string"}},
            },
        },
        **problem_responses(401, 403, 404, 422),
    },
    openapi_extra=requires("partner"),
)
def get_outbox_item(
    message_id: uuid.UUID, partner: CurrentPartner, session: SessionDep
) -> Response:
    assert partner.partner_id is not None
    message = mailbox.outbound_message(
        session, partner_id=partner.partner_id, message_id=message_id
    )
    if message is None:
        raise ProblemError(404, f"no outbound message {message_id} for you")
    xml = message.channel_meta.get("format") in ("ubl", "xml")  # the partner's XML format
    return Response(
        content=mailbox.payload(session, message),
        media_type=XML_MEDIA_TYPE if xml else X12_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{message.id}.{"xml" if xml else "x12"}"',
            "ETag": f'"{message.sha256}"',
        },
    )


@router.post(
    "/{message_id}/ack",
    response_model=OutboxPickupPublic,
    summary="Confirm a message was picked up (partner key)",
    description="Marks it delivered. Confirming again changes nothing and answers the same.",
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=requires("partner"),
)
def ack_outbox_item(
    message_id: uuid.UUID, partner: CurrentPartner, session: SessionDep
) -> OutboxPickupPublic:
    assert partner.partner_id is not None
    message = mailbox.confirm_pickup(session, partner_id=partner.partner_id, message_id=message_id)
    if message is None:
        raise ProblemError(404, f"no outbound message {message_id} for you")
    session.commit()
    return OutboxPickupPublic(id=message.id, status=message.status, sent_at=message.sent_at)
