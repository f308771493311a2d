"""Small factories for store tests."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from gateway.store import create_message, ensure_step
from gateway.store.enums import Channel, Direction, PartnerRole, StepKind
from gateway.store.models import Message, Partner, Step


def partner(session: Session, name: str | None = None) -> Partner:
    row = Partner(name=name or f"partner-{uuid.uuid4().hex[:8]}", role=PartnerRole.CUSTOMER)
    session.add(row)
    session.flush()
    return row


def message(session: Session, payload: bytes = b"ISA*00*...~", **kw: object) -> Message:
    args: dict[str, object] = {"direction": Direction.INBOUND, "channel": Channel.API, **kw}
    return create_message(session, payload=payload, **args)  # type: ignore[arg-type]


def step(session: Session, kind: StepKind = StepKind.TRANSLATE, **kw: object) -> Step:
    msg = message(session, payload=uuid.uuid4().bytes)
    return ensure_step(session, message_id=msg.id, kind=kind, **kw)  # type: ignore[arg-type]
