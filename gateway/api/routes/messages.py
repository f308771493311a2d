"""`GET /api/v1/messages/{id}`: a message's status, documents, acknowledgments and timeline.

A partner sees its own messages only; any other id is 404, exactly like an id that does not
exist, so a partner cannot learn that another partner's message exists.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import and_, or_, select

from gateway.api.deps import (
    ANY_OPERATOR,
    PartnerOrOperator,
    SessionDep,
    StrictQuery,
    requires,
)
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import MessageListPublic, MessagePublic, MessageSummaryPublic
from gateway.store.enums import Direction, KeyKind, MessageStatus
from gateway.store.models import Message
from gateway.tracing import message_detail

router = APIRouter(tags=["messages"])


def _cursor(message: Message) -> str:
    raw = f"{message.received_at.isoformat()}|{message.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, message_id = raw.partition("|")
        return datetime.fromisoformat(at), uuid.UUID(message_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ProblemError(
            422, "cursor is not one this API gave out: pass next_cursor as it came"
        ) from None


@router.get(
    "/messages",
    response_model=MessageListPublic,
    summary="List messages, newest first (partner key: its own; operator: all)",
    description="Filters combine: `status`, `direction`, `partner_id` (operators), "
    "`since`/`until` (received time, ISO 8601 with a zone). Rejected messages with no "
    "partner (unknown senders) are listed for operators. Pages of `limit`; follow "
    "`next_cursor`.",
    responses=problem_responses(401, 403, 422),
    openapi_extra=requires("partner", *ANY_OPERATOR),
)
def list_messages(
    request: Request,
    principal: PartnerOrOperator,
    _query: StrictQuery,
    session: SessionDep,
    status: Annotated[MessageStatus | None, Query()] = None,
    direction: Annotated[Direction | None, Query()] = None,
    partner_id: Annotated[uuid.UUID | None, Query(description="Operators only.")] = None,
    since: Annotated[datetime | None, Query(description="Received at or after.")] = None,
    until: Annotated[datetime | None, Query(description="Received before.")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MessageListPublic:
    query = select(Message)
    if principal.kind == KeyKind.PARTNER:
        if partner_id is not None and partner_id != principal.partner_id:
            raise ProblemError(422, "partner_id is for operators; a partner lists its own")
        query = query.where(Message.partner_id == principal.partner_id)
    elif partner_id is not None:
        query = query.where(Message.partner_id == partner_id)
    for given in (since, until):
        if given is not None and given.utcoffset() is None:
            raise ProblemError(422, "since and until need a time zone (2026-03-11T08:00:00Z)")
    if status is not None:
        query = query.where(Message.status == status)
    if direction is not None:
        query = query.where(Message.direction == direction)
    if since is not None:
        query = query.where(Message.received_at >= since)
    if until is not None:
        query = query.where(Message.received_at < until)
    if cursor:
        at, last_id = _after(cursor)
        query = query.where(
            or_(Message.received_at < at, and_(Message.received_at == at, Message.id < last_id))
        )
    rows = (
        session.execute(
            query.order_by(Message.received_at.desc(), Message.id.desc()).limit(limit + 1)
        )
        .scalars()
        .all()
    )
    page = rows[:limit]
    return MessageListPublic(
        items=[
            MessageSummaryPublic(
                id=m.id,
                direction=m.direction,
                channel=m.channel,
                status=m.status,
                status_reason=m.status_reason,
                partner_id=m.partner_id,
                size=m.size,
                received_at=m.received_at,
                test=m.is_test,
                url=str(request.url_for("get_message", message_id=str(m.id))),
            )
            for m in page
        ],
        next_cursor=_cursor(page[-1]) if len(rows) > limit else None,
    )


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
