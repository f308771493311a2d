"""`GET /api/v1/messages/{id}`: a message's status, documents, acknowledgments and timeline.

A partner sees its own messages only; any other id is 404, exactly like an id that does not
exist, so a partner cannot learn that another partner's message exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from gateway.api.deps import ANY_OPERATOR, PartnerOrOperator, SessionDep, requires
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import MessagePublic
from gateway.store.enums import KeyKind
from gateway.store.models import Message
from gateway.tracing import message_detail

router = APIRouter(tags=["messages"])


@router.get(
    "/messages/{message_id}",
    name="get_message",
    response_model=MessagePublic,
    summary="A message's status, documents, acknowledgments and timeline",
    description="Partner key (its own messages only) or operator token (any role).",
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=requires("partner", *ANY_OPERATOR),
)
def get_message(
    message_id: uuid.UUID, principal: PartnerOrOperator, session: SessionDep
) -> dict[str, Any]:
    message = session.get(Message, message_id)
    is_partner = principal.kind == KeyKind.PARTNER
    if message is None or (is_partner and message.partner_id != principal.partner_id):
        raise ProblemError(404, f"no message {message_id}")
    return message_detail(session, message, for_partner=is_partner)
