"""Operator actions on one message: reprocess an inbound one, resend an outbound one.

*Reprocess* takes the stored bytes of an inbound message that was turned away - rejected (an
unknown sender since onboarded, a suspended partner since reinstated, a receiver since
registered) or held as a duplicate under the `warn` policy - through intake again, as a new
message linked both ways to the original (`reprocess_of` in its channel metadata, a
`reprocessed` event on the original). The original stays as it was: its history is the record
of what happened. A message whose documents already reached the ERP is never reprocessed (that
would deliver them twice); dead-lettered steps are replayed instead.

*Resend* puts an outbound message the partner already picked up back in its API mailbox, for a
partner whose system lost it. The bytes are the same, control numbers included, so the
partner's duplicate check recognises it for what it is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from gateway.pipeline.intake import intake
from gateway.pipeline.runtime import Runtime
from gateway.store import load_blob, record_event
from gateway.store.enums import Channel, Direction, DocumentStatus, MessageStatus
from gateway.store.models import Document, Message
from translators.errors import GatewayError

REPROCESSABLE = frozenset({MessageStatus.REJECTED, MessageStatus.DUPLICATE})
RESENDABLE = frozenset({MessageStatus.DELIVERED})


class ActionRefused(GatewayError):
    """The action does not apply to this message; the text says why and what to do instead."""


class MessageNotFound(GatewayError):
    """No such message."""


@dataclass(frozen=True, slots=True)
class Reprocessed:
    original_id: uuid.UUID
    message_id: uuid.UUID
    status: MessageStatus
    reason: str | None


def reprocess(runtime: Runtime, message_id: uuid.UUID, *, actor: str) -> Reprocessed:
    """Take a rejected or held-duplicate inbound message through intake again (see above)."""
    with runtime.sessions() as session:
        message = session.get(Message, message_id)
        if message is None:
            raise MessageNotFound(f"no message {message_id}")
        if message.direction != Direction.INBOUND:
            raise ActionRefused(
                f"message {message_id} is outbound: resend it instead of reprocessing"
            )
        if message.status not in REPROCESSABLE:
            raise ActionRefused(
                f"message {message_id} is {message.status.value}: only rejected messages and "
                "held duplicates are reprocessed"
                + (
                    " (replay its dead-lettered steps instead)"
                    if message.status == MessageStatus.FAILED
                    else ""
                )
            )
        delivered = session.execute(
            select(Document.id)
            .where(
                Document.message_id == message_id,
                Document.status.in_([DocumentStatus.DELIVERED, DocumentStatus.ACKNOWLEDGED]),
            )
            .limit(1)
        ).scalar_one_or_none()
        if delivered is not None:
            raise ActionRefused(
                f"message {message_id} has documents the ERP already has; reprocessing would "
                "deliver them twice"
            )
        payload = load_blob(session, sha256=message.sha256)
        if payload is None:
            raise ActionRefused(f"the payload of message {message_id} is no longer stored")
        channel, meta = message.channel, dict(message.channel_meta or {})
        held_duplicate = message.status == MessageStatus.DUPLICATE
    meta.update({"reprocess_of": str(message_id), "reprocessed_by": actor})
    result = intake(
        runtime,
        payload=payload,
        channel=channel,
        channel_meta=meta,
        accept_duplicate=held_duplicate,  # the operator's decision is the release
    )
    with runtime.sessions.begin() as session:
        record_event(
            session,
            message_id=message_id,
            kind="reprocessed",
            detail={
                "message_id": str(result.message_id),
                "by": actor,
                "status": result.status.value,
            },
        )
    return Reprocessed(message_id, result.message_id, result.status, result.reason)


def resend(runtime: Runtime, message_id: uuid.UUID, *, actor: str) -> None:
    """Put a picked-up outbound API-mailbox message back in the partner's mailbox."""
    with runtime.sessions.begin() as session:
        message = session.get(Message, message_id)
        if message is None:
            raise MessageNotFound(f"no message {message_id}")
        if message.direction != Direction.OUTBOUND:
            raise ActionRefused(
                f"message {message_id} is inbound: reprocess it instead of resending"
            )
        if message.channel != Channel.API:
            raise ActionRefused(
                f"message {message_id} went out on {message.channel.value}; only API-mailbox "
                "messages can be resent in this version"
            )
        if message.status not in RESENDABLE:
            raise ActionRefused(
                f"message {message_id} is {message.status.value}: it is still waiting in the "
                "partner's mailbox"
                if message.status == MessageStatus.PROCESSING
                else f"message {message_id} is {message.status.value} and cannot be resent"
            )
        message.status = MessageStatus.PROCESSING
        record_event(session, message_id=message_id, kind="resent", detail={"by": actor})
