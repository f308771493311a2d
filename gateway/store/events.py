"""The append-only timeline of a message: what happened, when, with what detail.

There is deliberately no function to change or remove an event (the ORM and a database
trigger refuse UPDATE); events go when their message goes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gateway.store.models import Event
from gateway.store.sql import insert_rows
from gateway.store.types import new_id, utcnow

# Executed on the connection it is a Core INSERT: compiled once and cached, with no ORM
# bulk-insert bookkeeping.
_INSERT = insert(Event)


def record_event(
    session: Session,
    *,
    message_id: uuid.UUID,
    kind: str,
    detail: dict[str, Any] | None = None,
    document_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> Event:
    """Add one event to a message's timeline, in the caller's transaction.

    Written with a Core INSERT (its compiled form is cached) rather than a unit-of-work flush:
    the pipeline records a few events per document. The session flushes what it holds first,
    as an ORM statement would (the message or document the event refers to may be pending).
    The returned object is not attached to the session."""
    values = {
        "id": new_id(),
        "message_id": message_id,
        "document_id": document_id,
        "at": at or utcnow(),
        "kind": kind,
        "detail": dict(detail or {}),
    }
    buffered = session.info.get(_BUFFER)
    if buffered is not None:  # written together by `deferred_events`
        buffered.append(values)
        return Event(**values)
    session.flush()
    session.connection().execute(_INSERT, values)
    return Event(**values)


_BUFFER = "deferred_events"


@contextmanager
def deferred_events(session: Session) -> Iterator[None]:
    """Events recorded in the block are written at its end in one statement (`insert_rows`)
    instead of one each (a batch of steps records a few per document). Nothing reads the
    timeline back within a step's transaction; if the block raises, nothing is written (the
    transaction is rolled back anyway)."""
    if _BUFFER in session.info:  # already deferred by an outer block
        yield
        return
    buffered: list[dict[str, Any]] = []
    session.info[_BUFFER] = buffered
    try:
        yield
    finally:
        del session.info[_BUFFER]
    if buffered:
        session.flush()
        insert_rows(session, Event, buffered)


def write_deferred_events(session: Session) -> None:
    """Write the events `deferred_events` holds so far, now (before a step commits part of its
    work: what it recorded commits with that part)."""
    buffered = session.info.get(_BUFFER)
    if buffered:
        session.flush()
        insert_rows(session, Event, buffered)
        buffered.clear()


def record_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Add several events (each with `message_id`, `kind` and optionally `detail`,
    `document_id`, `at`) in one multi-row INSERT, in the caller's transaction."""
    if not events:
        return
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "message_id": e["message_id"],
            "document_id": e.get("document_id"),
            "at": e.get("at") or now,
            "kind": e["kind"],
            "detail": dict(e.get("detail") or {}),
        }
        for e in events
    ]
    buffered = session.info.get(_BUFFER)
    if buffered is not None:
        buffered.extend(rows)
        return
    session.flush()
    insert_rows(session, Event, rows)


def timeline(session: Session, *, message_id: uuid.UUID) -> Sequence[Event]:
    """A message's events, oldest first."""
    return (
        session.execute(
            select(Event).where(Event.message_id == message_id).order_by(Event.at, Event.id)
        )
        .scalars()
        .all()
    )
