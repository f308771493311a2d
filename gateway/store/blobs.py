"""Content-addressed raw payloads: the same bytes are stored once."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store.models import Blob
from gateway.store.sql import ignoring_conflicts
from gateway.store.types import utcnow


def store_blob(session: Session, *, data: bytes) -> str:
    """Store `data` unless it is already there; return its sha256 (hex)."""
    return store_blobs(session, [data])[0]


def store_blobs(session: Session, payloads: Sequence[bytes]) -> list[str]:
    """Store each payload unless it is already there, in one call (an executemany); their
    sha256s (hex)."""
    digests = [hashlib.sha256(data).hexdigest() for data in payloads]
    now = utcnow()
    rows = {
        digest: {"sha256": digest, "size": len(data), "data": data, "created_at": now}
        for digest, data in zip(digests, payloads, strict=True)
    }
    if rows:
        # Concurrent intakes of the same payload both succeed: the second insert does nothing.
        session.connection().execute(
            ignoring_conflicts(session, Blob, index_elements=["sha256"]), list(rows.values())
        )
    return digests


def load_blob(session: Session, *, sha256: str) -> bytes | None:
    return session.execute(select(Blob.data).where(Blob.sha256 == sha256)).scalar_one_or_none()
