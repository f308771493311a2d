"""Intake: the one way a payload enters the gateway, whatever the channel.

`intake` stores the raw bytes and the message row in one transaction, decides who sent it and
whether it is a duplicate, creates the first step, commits, and only then dispatches the step
and returns - so when a channel answers the partner (HTTP 202, AS2 MDN, SFTP close) the payload
is durable. Nothing is ever dropped: an unknown sender, a payload that is not X12, a sender
posing as someone else - all are stored, marked `rejected` with the reason, and shown to
operators.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.pipeline.runtime import Runtime
from gateway.store import create_message, ensure_step_id, record_event
from gateway.store.enums import (
    Channel,
    Direction,
    DuplicatePolicy,
    MessageStatus,
    PartnerStatus,
    StepKind,
)
from gateway.store.models import Interchange, Message, OurIdentity, Partner, PartnerIdentity
from gateway.store.types import utcnow
from translators.errors import TranslatorError
from translators.x12.tokenizer import IsaHeader, Tokenizer


@dataclass(frozen=True, slots=True)
class IntakeResult:
    message_id: uuid.UUID
    status: MessageStatus
    partner_id: uuid.UUID | None
    reason: str | None = None
    duplicate_of: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class _Envelope:
    sender: tuple[str, str]
    receiver: tuple[str, str]
    isa13: str
    test: bool


def _first_isa(payload: bytes) -> _Envelope | None:
    try:
        for token in Tokenizer(io.BytesIO(payload[:4096])):
            if isinstance(token, IsaHeader):
                e = token.elements
                return _Envelope((e[4], e[5]), (e[6], e[7]), e[12], e[14] == "T")
    except TranslatorError:
        return None
    return None


def _partner_by_isa(session: Session, qualifier: str, isa_id: str) -> Partner | None:
    return session.execute(
        select(Partner)
        .join(PartnerIdentity)
        .where(PartnerIdentity.isa_qualifier == qualifier, PartnerIdentity.isa_id == isa_id)
    ).scalar_one_or_none()


def _is_ours(session: Session, qualifier: str, isa_id: str) -> bool:
    ours = session.execute(select(OurIdentity.isa_qualifier, OurIdentity.isa_id)).all()
    if not ours:
        return True  # no identities registered yet: accept any receiver (first-run demo)
    return (qualifier, isa_id) in {(q, i) for q, i in ours}


def _duplicate(
    session: Session, runtime: Runtime, partner: Partner, sha256: str, isa13: str | None
) -> Message | None:
    same_payload = session.execute(
        select(Message)
        .where(
            Message.partner_id == partner.id,
            Message.sha256 == sha256,
            Message.direction == Direction.INBOUND,
            # a rejected message was never processed: sending it again is not a duplicate
            # (e.g. after the partner is reinstated, or its identity registered)
            Message.status != MessageStatus.REJECTED,
        )
        .order_by(Message.received_at)
        .limit(1)
    ).scalar_one_or_none()
    if same_payload is not None or isa13 is None:
        return same_payload
    since = utcnow() - timedelta(days=runtime.duplicate_window_days)
    return session.execute(
        select(Message)
        .join(Interchange, Interchange.message_id == Message.id)
        .where(
            Message.partner_id == partner.id,
            Message.received_at >= since,
            Message.status != MessageStatus.REJECTED,
            Interchange.isa13 == isa13,
        )
        .order_by(Message.received_at)
        .limit(1)
    ).scalar_one_or_none()


def intake(
    runtime: Runtime,
    *,
    payload: bytes,
    channel: Channel,
    channel_meta: dict[str, Any] | None = None,
    authenticated_partner_id: uuid.UUID | None = None,
    accept_duplicate: bool = False,
) -> IntakeResult:
    """Store a received payload durably and start its processing. `accept_duplicate`: an
    operator released a held duplicate (gateway/pipeline/actions.py), so it is not one."""
    meta = dict(channel_meta or {})
    envelope = _first_isa(payload)
    sha256 = hashlib.sha256(payload).hexdigest()
    status, reason = MessageStatus.RECEIVED, None
    partner: Partner | None = None
    duplicate_of: Message | None = None
    step_ids: list[uuid.UUID] = []
    with runtime.sessions.begin() as session:
        if envelope is None:
            status, reason = MessageStatus.REJECTED, "not an X12 interchange (no readable ISA)"
            if authenticated_partner_id is not None:
                partner = session.get(Partner, authenticated_partner_id)
        else:
            partner = _partner_by_isa(session, *envelope.sender)
            sender = f"{envelope.sender[0]}:{envelope.sender[1]}"
            if authenticated_partner_id is not None and (
                partner is None or partner.id != authenticated_partner_id
            ):
                # a partner may only send as itself
                status = MessageStatus.REJECTED
                reason = f"ISA sender {sender} is not an identity of the authenticated partner"
                partner = session.get(Partner, authenticated_partner_id)
            elif partner is None:
                status, reason = MessageStatus.REJECTED, f"unknown ISA sender {sender}"
            elif partner.status == PartnerStatus.SUSPENDED:
                status = MessageStatus.REJECTED
                reason = f"partner {partner.name} is suspended: nothing it sends is processed"
            elif not _is_ours(session, *envelope.receiver):
                status = MessageStatus.REJECTED
                receiver = f"{envelope.receiver[0]}:{envelope.receiver[1]}"
                reason = f"ISA receiver {receiver} is not one of our identities"
            elif partner.duplicate_policy != DuplicatePolicy.ACCEPT and not accept_duplicate:
                duplicate_of = _duplicate(session, runtime, partner, sha256, envelope.isa13)
                if duplicate_of is not None:
                    status = MessageStatus.DUPLICATE
                    how = "same payload" if duplicate_of.sha256 == sha256 else "same ISA13"
                    reason = f"duplicate of message {duplicate_of.id} ({how})"
                    if partner.duplicate_policy == DuplicatePolicy.WARN:
                        reason += "; held for an operator to replay"
        message = create_message(
            session,
            direction=Direction.INBOUND,
            channel=channel,
            payload=payload,
            partner_id=partner.id if partner else None,
            channel_meta=meta,
            is_test=bool(envelope and envelope.test),
            status=status,
            status_reason=reason,
            duplicate_of=duplicate_of.id if duplicate_of else None,
        )
        record_event(
            session,
            message_id=message.id,
            kind="received",
            detail={
                "channel": channel.value,
                "size": len(payload),
                "sha256": sha256,
                "isa13": envelope.isa13 if envelope else None,
                **({"reason": reason} if reason else {}),
            },
        )
        if status == MessageStatus.RECEIVED:
            step_ids.append(ensure_step_id(session, message_id=message.id, kind=StepKind.TRANSLATE))
        message_id = message.id
    # committed: the payload is durable; now (and only now) hand the work on
    if step_ids:
        runtime.dispatcher.dispatch(step_ids)
    return IntakeResult(
        message_id,
        status,
        partner.id if partner else None,
        reason,
        duplicate_of.id if duplicate_of else None,
    )
