"""Intake: the one way a payload enters the gateway, whatever the channel.

`intake` stores the raw bytes and the message row in one transaction, decides who sent it and
whether it is a duplicate, creates the first step, commits, and only then dispatches the step
and returns - so when a channel answers the partner (HTTP 202, AS2 MDN, SFTP close) the payload
is durable. Nothing is ever dropped: an unknown sender, a payload that is not X12, a sender
posing as someone else - all are stored, marked `rejected` with the reason, and shown to
operators.
"""

from __future__ import annotations

import functools
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter

from gateway.pipeline.runtime import Runtime
from gateway.pipeline.ta1 import (
    INVALID_RECEIVER,
    INVALID_SENDER,
    RefusedInterchange,
    send_ta1,
)
from gateway.store.enums import (
    Channel,
    Direction,
    DuplicatePolicy,
    MessageStatus,
    PartnerStatus,
    StepKind,
)
from gateway.store.models import (
    Blob,
    Event,
    Interchange,
    Message,
    OurIdentity,
    Partner,
    PartnerIdentity,
    Step,
)
from gateway.store.steps import pending_step_row
from gateway.store.types import new_id, utcnow
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
    isa09: str = ""
    isa10: str = ""
    isa12: str = ""


def _first_isa(payload: bytes) -> _Envelope | None:
    try:
        for token in Tokenizer(io.BytesIO(payload[:4096])):
            if isinstance(token, IsaHeader):
                e = token.elements
                return _Envelope((e[4], e[5]), (e[6], e[7]), e[12], e[14] == "T", e[8], e[9], e[11])
    except TranslatorError:
        return None
    return None


@dataclass(frozen=True, slots=True)
class _Sender:
    """What intake needs to know about the partner an ISA sender names, read in one query."""

    id: uuid.UUID
    name: str
    status: PartnerStatus
    duplicate_policy: DuplicatePolicy
    receiver_ours: bool
    duplicate_of: uuid.UUID | None
    duplicate_how: str | None


def _sender_statement() -> Select[Any]:
    """`_sender`'s query, built once (Core, bound parameters): building it per request cost
    more CPU than PostgreSQL spent answering it."""
    ours, messages, interchanges, partners, identities = (
        cast(Table, model.__table__).c
        for model in (OurIdentity, Message, Interchange, Partner, PartnerIdentity)
    )
    ours_any = select(ours.id).exists()
    ours_match = (
        select(ours.id)
        .where(
            ours.isa_qualifier == bindparam("receiver_q"), ours.isa_id == bindparam("receiver_id")
        )
        .exists()
    )
    # a rejected message was never processed: sending it again is not a duplicate (e.g. after
    # the partner is reinstated, or its identity registered)
    same_payload = (
        select(messages.id)
        .where(
            messages.partner_id == partners.id,
            messages.sha256 == bindparam("sha256"),
            messages.direction == Direction.INBOUND,
            messages.status != MessageStatus.REJECTED,
        )
        .order_by(messages.received_at)
        .limit(1)
        .scalar_subquery()
    )

    # Found from the ISA13's interchanges first, each one's message looked up by id: joined,
    # PostgreSQL may walk every message the partner sent in the window (thousands) probing
    # interchanges for each, as it did whenever its statistics made interchanges look small.
    # Scalar subqueries are not flattened into joins, so this order is the only one.
    def of_message(column: Any) -> Any:
        return select(column).where(messages.id == interchanges.message_id)

    same_isa13 = (
        select(interchanges.message_id)
        .where(
            interchanges.isa13 == bindparam("isa13"),
            of_message(messages.partner_id)
            .where(
                messages.received_at >= bindparam("since"),
                messages.status != MessageStatus.REJECTED,
            )
            .scalar_subquery()
            == partners.id,
        )
        .order_by(of_message(messages.received_at).scalar_subquery())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            partners.id,
            partners.name,
            partners.status,
            partners.duplicate_policy,
            # no identities registered yet: accept any receiver (first-run demo)
            or_(~ours_any, ours_match).label("receiver_ours"),
            same_payload.label("same_payload"),
            same_isa13.label("same_isa13"),
        )
        .join_from(
            cast(Table, Partner.__table__),
            cast(Table, PartnerIdentity.__table__),
            identities.partner_id == partners.id,
        )
        .where(
            identities.isa_qualifier == bindparam("sender_q"),
            identities.isa_id == bindparam("sender_id"),
        )
    )


_SENDER_ROW = _sender_statement()


def _sender(session: Session, runtime: Runtime, envelope: _Envelope, sha256: str) -> _Sender | None:
    """The partner sending as the envelope's ISA sender, whether the receiver is one of our
    identities, and the message this one duplicates (same payload, else same ISA13 within the
    window) - one round trip, where a query each made the intake of a small file wait on the
    database five times."""
    row = (
        session.connection()
        .execute(
            _SENDER_ROW,
            {
                "sender_q": envelope.sender[0],
                "sender_id": envelope.sender[1],
                "receiver_q": envelope.receiver[0],
                "receiver_id": envelope.receiver[1],
                "sha256": sha256,
                "isa13": envelope.isa13,
                "since": utcnow() - timedelta(days=runtime.duplicate_window_days),
            },
        )
        .one_or_none()
    )
    if row is None:
        return None
    duplicate_of = row.same_payload or row.same_isa13
    how = "same payload" if row.same_payload else ("same ISA13" if duplicate_of else None)
    return _Sender(
        row.id,
        row.name,
        row.status,
        row.duplicate_policy,
        bool(row.receiver_ours),
        duplicate_of,
        how,
    )


def store_received(
    session: Session,
    *,
    message_id: uuid.UUID,
    now: datetime,
    partner_id: uuid.UUID | None,
    channel: Channel,
    meta: dict[str, Any],
    payload: bytes,
    sha256: str,
    status: MessageStatus,
    reason: str | None,
    duplicate_of: uuid.UUID | None,
    is_test: bool,
    detail: dict[str, Any],
) -> uuid.UUID | None:
    """Store an inbound payload as a message with its `received` event (`detail` added to the
    event's) and, when it was received, its translate step, whose id is returned."""
    step = (
        pending_step_row(message_id=message_id, kind=StepKind.TRANSLATE, now=now)
        if status == MessageStatus.RECEIVED
        else None
    )
    _store(
        session,
        message={
            "id": message_id,
            "direction": Direction.INBOUND,
            "partner_id": partner_id,
            "channel": channel,
            "channel_meta": meta,
            "sha256": sha256,
            "size": len(payload),
            "status": status,
            "status_reason": reason,
            "duplicate_of": duplicate_of,
            "received_at": now,
            "updated_at": now,
            "is_test": is_test,
        },
        payload=payload,
        event={
            "id": new_id(),
            "message_id": message_id,
            "document_id": None,
            "at": now,
            "kind": "received",
            "detail": {
                "channel": channel.value,
                "size": len(payload),
                "sha256": sha256,
                **detail,
                **({"reason": reason} if reason else {}),
            },
        },
        step=step,
    )
    return step["id"] if step is not None else None


def _store(
    session: Session,
    *,
    message: dict[str, Any],
    payload: bytes,
    event: dict[str, Any],
    step: dict[str, Any] | None,
) -> None:
    """The payload, the message, its `received` event and its first step. On PostgreSQL one
    statement (data-modifying CTEs; the foreign keys are checked at its end), elsewhere one
    statement each."""
    blob = {
        "sha256": message["sha256"],
        "size": len(payload),
        "data": payload,
        "created_at": message["received_at"],
    }
    params: dict[str, Any] = {}
    for prefix, model, row in (
        ("blob", Blob, blob),
        ("message", Message, message),
        ("event", Event, event),
        ("step", Step, step),
    ):
        if row is not None:  # columns not given are NULL, as the ORM would leave them
            columns = cast(Table, model.__table__).columns.keys()
            params.update({f"{prefix}_{c}": row.get(c) for c in columns})
    connection = session.connection()
    for stmt in _store_statements(connection.dialect.name, step is not None):
        connection.execute(stmt, params)


def _values(table: Table, prefix: str) -> dict[str, BindParameter[Any]]:
    return {c.name: bindparam(f"{prefix}_{c.name}", type_=c.type) for c in table.columns}


@functools.cache
def _store_statements(dialect: str, with_step: bool) -> tuple[Executable, ...]:
    """`_store`'s statements, built once (Core, bound parameters): building and caching-keying
    four ORM inserts for every request cost the web process a third of its CPU."""
    blobs, messages, events, steps = (
        cast(Table, model.__table__) for model in (Blob, Message, Event, Step)
    )
    message = messages.insert().values(_values(messages, "message"))
    event = events.insert().values(_values(events, "event"))
    step = steps.insert().values(_values(steps, "step"))
    if dialect == "postgresql":
        first: Any = (
            postgresql.insert(blobs).values(_values(blobs, "blob")).on_conflict_do_nothing()
        )
        stmt: Any = message.add_cte(first.cte("blob"))
        if with_step:
            stmt = step.add_cte(stmt.cte("message"))
            stmt = event.add_cte(stmt.cte("step"))
        else:
            stmt = event.add_cte(stmt.cte("message"))
        return (stmt,)
    ignoring = sqlite.insert(blobs).values(_values(blobs, "blob"))
    return (ignoring.on_conflict_do_nothing(), message, event, *((step,) if with_step else ()))


def intake(
    runtime: Runtime,
    *,
    payload: bytes,
    channel: Channel,
    channel_meta: dict[str, Any] | None = None,
    authenticated_partner_id: uuid.UUID | None = None,
    authorize: Callable[[Session], tuple[uuid.UUID, dict[str, Any]]] | None = None,
    accept_duplicate: bool = False,
) -> IntakeResult:
    """Store a received payload durably and start its processing.

    `authorize`, when given, runs first in intake's own transaction and returns the
    authenticated partner and metadata to record (the HTTP API checks the key there: one
    connection and one transaction per request instead of two); whatever it raises leaves
    nothing stored. `accept_duplicate`: an operator released a held duplicate
    (gateway/pipeline/actions.py), so it is not one."""
    meta = dict(channel_meta or {})
    envelope = _first_isa(payload)
    sha256 = hashlib.sha256(payload).hexdigest()
    status, reason = MessageStatus.RECEIVED, None
    step_ids: list[uuid.UUID] = []
    partner_id: uuid.UUID | None = None
    duplicate_of: uuid.UUID | None = None
    message_id = new_id()
    now = utcnow()
    ta1_code: str | None = None
    with runtime.sessions.begin() as session:
        if authorize is not None:
            authenticated_partner_id, extra = authorize(session)
            meta.update(extra)
        if envelope is None:
            status, reason = MessageStatus.REJECTED, "not an X12 interchange (no readable ISA)"
            partner_id = authenticated_partner_id
        else:
            sender = _sender(session, runtime, envelope, sha256)
            partner_id = sender.id if sender else None
            sender_name = f"{envelope.sender[0]}:{envelope.sender[1]}"
            if authenticated_partner_id is not None and partner_id != authenticated_partner_id:
                # a partner may only send as itself
                status = MessageStatus.REJECTED
                reason = f"ISA sender {sender_name} is not an identity of the authenticated partner"
                partner_id = authenticated_partner_id
                ta1_code = INVALID_SENDER
            elif sender is None:
                status, reason = MessageStatus.REJECTED, f"unknown ISA sender {sender_name}"
            elif sender.status == PartnerStatus.SUSPENDED:
                status = MessageStatus.REJECTED
                reason = f"partner {sender.name} is suspended: nothing it sends is processed"
            elif not sender.receiver_ours:
                status = MessageStatus.REJECTED
                receiver = f"{envelope.receiver[0]}:{envelope.receiver[1]}"
                reason = f"ISA receiver {receiver} is not one of our identities"
                ta1_code = INVALID_RECEIVER
            elif (
                sender.duplicate_policy != DuplicatePolicy.ACCEPT
                and sender.duplicate_of is not None
                and not accept_duplicate
            ):
                duplicate_of = sender.duplicate_of
                status = MessageStatus.DUPLICATE
                reason = f"duplicate of message {duplicate_of} ({sender.duplicate_how})"
                if sender.duplicate_policy == DuplicatePolicy.WARN:
                    reason += "; held for an operator to replay"
        step_id = store_received(
            session,
            message_id=message_id,
            now=now,
            partner_id=partner_id,
            channel=channel,
            meta=meta,
            payload=payload,
            sha256=sha256,
            status=status,
            reason=reason,
            duplicate_of=duplicate_of,
            is_test=bool(envelope and envelope.test),
            detail={"isa13": envelope.isa13 if envelope else None},
        )
        if step_id is not None:
            step_ids.append(step_id)
        if ta1_code is not None and partner_id is not None and envelope is not None:
            sent = send_ta1(
                session,
                partner_id=partner_id,
                message_id=message_id,
                interchange=RefusedInterchange(
                    envelope.sender,
                    envelope.receiver,
                    envelope.isa09,
                    envelope.isa10,
                    envelope.isa12,
                    envelope.isa13,
                    envelope.test,
                ),
                note_code=ta1_code,
            )
            if sent is not None:
                reason = f"{reason}; answered with a TA1 (note code {ta1_code}) in your outbox"
    # committed: the payload is durable; now (and only now) hand the work on
    if step_ids:
        runtime.dispatcher.dispatch(step_ids)
    return IntakeResult(message_id, status, partner_id, reason, duplicate_of)
