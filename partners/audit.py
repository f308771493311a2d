"""The audit history: every change to a partner, written in the transaction that makes it, so
there is never a change without its entry nor an entry without its change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store.models import AuditEntry, Partner
from gateway.store.types import new_id, utcnow

ENTITY = "partner"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    partner: Partner,
    changes: dict[str, Any],
) -> AuditEntry:
    """Add one entry: `changes` is {field: [old, new]} for an update, the record's fields for
    a creation, and whatever identifies the thing for other actions (a key's prefix...)."""
    entry = AuditEntry(
        id=new_id(),
        at=utcnow(),
        actor=actor[:200],
        action=action,
        entity_type=ENTITY,
        entity_id=partner.id,
        entity_name=partner.name,
        changes=changes,
    )
    session.add(entry)
    return entry


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "partner_id": str(entry.entity_id) if entry.entity_id else None,
        "partner": entry.entity_name,
        "changes": entry.changes,
    }


def history(session: Session, partner_id: uuid.UUID, *, limit: int = 500) -> list[dict[str, Any]]:
    """A partner's entries, newest first."""
    rows = session.execute(
        select(AuditEntry)
        .where(AuditEntry.entity_type == ENTITY, AuditEntry.entity_id == partner_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).scalars()
    return [entry_view(row) for row in rows]
