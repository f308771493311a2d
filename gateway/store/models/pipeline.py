"""The pipeline's own tables: steps (the work to do, with leases), control-number
sequences and the append-only event timeline.

Steps are the transactional outbox: a step row is committed with the data it works on, and
the broker only ever carries its id. A worker claims a step by compare-and-set, holds it for
a lease, and finishes or fails it; the sweeper re-dispatches steps whose lease expired or
whose retry is due.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from gateway.store.enums import ControlNumberKind, StepKind, StepState
from gateway.store.errors import AppendOnlyError
from gateway.store.models.base import Base, Timestamps, sparse_index
from gateway.store.models.messages import Document, Message
from gateway.store.types import JSONDocument, UTCDateTime, new_id, str_enum, utcnow


class Step(Timestamps, Base):
    __tablename__ = "steps"
    __table_args__ = (
        # NULLs are distinct in a unique constraint, so message-level steps (no document)
        # get their own partial unique index.
        UniqueConstraint("message_id", "document_id", "kind"),
        Index(
            "uq_steps_message_id_kind_no_document",
            "message_id",
            "kind",
            unique=True,
            sqlite_where="document_id IS NULL",
            postgresql_where="document_id IS NULL",
        ),
        Index("ix_steps_state_lease", "state", "lease_expires_at"),
        Index("ix_steps_state_next_attempt", "state", "next_attempt_at"),
        # the steps of a document (a message's own steps have none: not indexed, 0008)
        sparse_index("ix_steps_document_id", "document_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE")
    )
    kind: Mapped[StepKind] = mapped_column(str_enum(StepKind, "kind"))
    state: Mapped[StepState] = mapped_column(
        str_enum(StepState, "state"), default=StepState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)  # claims so far (a lost lease counts)
    max_attempts: Mapped[int] = mapped_column(default=10)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the sweeper should (re)dispatch the step: a safety net after creation, the end of
    # the backoff after a failure, the next check while waiting.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    message: Mapped[Message] = relationship()
    document: Mapped[Document | None] = relationship()


class ControlNumber(Base):
    """The last control number issued to a partner, per kind (ISA13, GS06, ST02)."""

    __tablename__ = "control_numbers"

    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ControlNumberKind] = mapped_column(
        str_enum(ControlNumberKind, "kind"), primary_key=True
    )
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Event(Base):
    """One line of a message's timeline. Rows are only ever inserted: the ORM refuses to
    update them and the database has a trigger refusing UPDATE."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_message_at", "message_id", "at"),
        # most events are the message's, not one document's (0008)
        sparse_index("ix_events_document_id", "document_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


@event.listens_for(Event, "before_update")
def _refuse_event_update(mapper: Mapper[Event], connection: Connection, target: Event) -> None:
    raise AppendOnlyError(f"event {target.id} is part of a timeline and cannot be changed")
