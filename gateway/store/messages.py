"""Messages: one payload received or sent on one channel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gateway.store.blobs import store_blob, store_blobs
from gateway.store.enums import Channel, Direction, MessageStatus
from gateway.store.models import Message
from gateway.store.sql import insert_rows
from gateway.store.types import new_id, utcnow


def create_message(
    session: Session,
    *,
    direction: Direction,
    channel: Channel,
    payload: bytes,
    partner_id: uuid.UUID | None = None,
    channel_meta: dict[str, Any] | None = None,
    is_test: bool = False,
    status: MessageStatus = MessageStatus.RECEIVED,
    status_reason: str | None = None,
    duplicate_of: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> Message:
    """Store the payload (once) and the message row in the caller's transaction.

    The row is flushed, so a bad reference fails here; the caller commits before answering
    the partner.
    """
    now = received_at or utcnow()
    message = Message(
        id=new_id(),
        direction=direction,
        partner_id=partner_id,
        channel=channel,
        channel_meta=dict(channel_meta or {}),
        sha256=store_blob(session, data=payload),
        size=len(payload),
        status=status,
        status_reason=status_reason,
        duplicate_of=duplicate_of,
        received_at=now,
        updated_at=now,
        is_test=is_test,
    )
    session.add(message)
    session.flush()
    return message


def insert_messages(
    session: Session,
    rows: list[dict[str, Any]],
    payloads: list[bytes],
) -> list[uuid.UUID]:
    """Store several payloads and their message rows - each row with the columns a new message
    needs beyond the model's defaults (`direction`, `channel`, `partner_id`, `channel_meta`,
    `status`, the same keys in every row) - in two calls, whatever their number: a batch of
    acknowledgments writes its messages this way. Nothing is added to the session.
    Returns the new messages' ids, in order."""
    now = utcnow()
    digests = store_blobs(session, payloads)
    # the other columns take their model defaults (`insert_rows`)
    values = [
        {
            "id": new_id(),
            "received_at": now,
            "updated_at": now,
            **row,
            "sha256": digest,
            "size": len(payload),
        }
        for row, digest, payload in zip(rows, digests, payloads, strict=True)
    ]
    insert_rows(session, Message, values)
    return [v["id"] for v in values]
