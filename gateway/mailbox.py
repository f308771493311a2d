"""The API mailbox: outbound messages waiting for a partner to fetch them over HTTP.

The pipeline leaves what it sends a partner on the API channel (its 997/999s, the 855s the ERP
answers with, ...) as outbound messages in `processing`; the partner lists them, downloads the
X12, and confirms the pickup, which makes the message `delivered` and notes it on the timeline
of the message it answers. Every function is scoped to one partner: another partner's message
is simply not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.store import load_blob, record_event
from gateway.store.enums import Channel, Direction, MessageStatus
from gateway.store.models import Document, Message
from gateway.store.types import utcnow

#: Canonical document types and the X12 transaction sets that carry them.
TRANSACTION_SETS = {
    "order": "850",
    "order_ack": "855",
    "ship_notice": "856",
    "invoice": "810",
    "functional_ack": "997",
}


@dataclass(frozen=True, slots=True)
class MailboxItem:
    message_id: uuid.UUID
    created_at: datetime
    kind: str | None  # 997, 999, 855, 856, 810...
    size: int


def _owned(partner_id: uuid.UUID) -> tuple[Any, ...]:
    return (Message.partner_id == partner_id, Message.direction == Direction.OUTBOUND)


def waiting(session: Session, *, partner_id: uuid.UUID, limit: int = 100) -> list[MailboxItem]:
    """The partner's outbound messages not yet picked up, oldest first."""
    rows = (
        session.execute(
            select(Message)
            .where(
                *_owned(partner_id),
                Message.channel == Channel.API,
                Message.status == MessageStatus.PROCESSING,
            )
            .order_by(Message.received_at, Message.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    kinds = _kinds(session, rows)
    return [MailboxItem(m.id, m.received_at, kinds.get(m.id), m.size) for m in rows]


def _kinds(session: Session, messages: Sequence[Message]) -> dict[uuid.UUID, str | None]:
    """What each message carries: an acknowledgment says so in its channel metadata; a rendered
    document is named by the document it was rendered from."""
    kinds: dict[uuid.UUID, str | None] = {}
    by_document: dict[uuid.UUID, uuid.UUID] = {}
    for m in messages:
        if m.channel_meta.get("kind"):
            kinds[m.id] = str(m.channel_meta["kind"])
            continue
        try:
            by_document[uuid.UUID(str(m.channel_meta.get("document_id")))] = m.id
        except ValueError:
            kinds[m.id] = None
    if by_document:
        found = session.execute(
            select(Document.id, Document.document_type).where(Document.id.in_(by_document))
        ).all()
        for doc_id, doc_type in found:
            kinds[by_document[doc_id]] = TRANSACTION_SETS.get(doc_type, doc_type)
    return kinds


def outbound_message(
    session: Session, *, partner_id: uuid.UUID, message_id: uuid.UUID
) -> Message | None:
    """One of the partner's outbound messages, picked up or not."""
    return session.execute(
        select(Message).where(Message.id == message_id, *_owned(partner_id))
    ).scalar_one_or_none()


def payload(session: Session, message: Message) -> bytes:
    data = load_blob(session, sha256=message.sha256)
    if data is None:  # blobs are never deleted while a message refers to them
        raise LookupError(f"payload {message.sha256} of message {message.id} is missing")
    return data


def confirm_pickup(
    session: Session, *, partner_id: uuid.UUID, message_id: uuid.UUID
) -> Message | None:
    """Mark a mailbox message picked up (`delivered`, `sent_at` now), once: confirming again
    changes nothing. None when the partner has no such outbound message."""
    now = utcnow()
    picked = session.execute(
        update(Message)
        .where(
            Message.id == message_id,
            *_owned(partner_id),
            Message.channel == Channel.API,
            Message.status == MessageStatus.PROCESSING,
        )
        .values(status=MessageStatus.DELIVERED, sent_at=now, updated_at=now)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    message = session.execute(
        select(Message)
        .where(Message.id == message_id, *_owned(partner_id))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if picked is None or message is None:
        return message
    detail = {"channel": Channel.API.value, "outbound_message_id": str(message.id)}
    record_event(session, message_id=message.id, kind="picked_up", detail=detail, at=now)
    source = _source_message(session, message)
    if source is not None:
        kind = _kinds(session, [message]).get(message.id)
        record_event(
            session,
            message_id=source,
            kind="picked_up",
            detail={**detail, "kind": kind},
            at=now,
        )
    return message


def _source_message(session: Session, message: Message) -> uuid.UUID | None:
    """The message an outbound message answers: the one a 997 acknowledges, or the one whose
    document it was rendered from."""
    meta = message.channel_meta
    raw = meta.get("acknowledges") or meta.get("source_message_id")
    try:
        source = uuid.UUID(str(raw))
    except ValueError:
        return None
    exists = session.execute(select(Message.id).where(Message.id == source)).scalar_one_or_none()
    return exists
