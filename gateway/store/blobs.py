"""Content-addressed raw payloads: the same bytes are stored once."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store.models import Blob
from gateway.store.sql import insert_ignoring_conflicts
from gateway.store.types import utcnow


def store_blob(session: Session, *, data: bytes) -> str:
    """Store `data` unless it is already there; return its sha256 (hex)."""
    digest = hashlib.sha256(data).hexdigest()
    # Concurrent intakes of the same payload both succeed: the second insert does nothing.
    session.execute(
        insert_ignoring_conflicts(
            session,
            Blob,
            {"sha256": digest, "size": len(data), "data": data, "created_at": utcnow()},
            index_elements=["sha256"],
        )
    )
    return digest


def load_blob(session: Session, *, sha256: str) -> bytes | None:
    return session.execute(select(Blob.data).where(Blob.sha256 == sha256)).scalar_one_or_none()
