"""Per-partner control-number sequences (ISA13, GS06, ST02).

Gap-free: a number is taken by an UPDATE ... RETURNING in the caller's transaction, which
holds the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) until it commits;
if it rolls back, so does the number, and the next transaction gets it again. Concurrent
callers queue on the lock, so no number is issued twice.
"""

from __future__ import annotations

import uuid

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from gateway.store.enums import ControlNumberKind
from gateway.store.models import ControlNumber
from gateway.store.sql import insert_ignoring_conflicts

MAX_CONTROL_NUMBER = 999_999_999


def next_control_number(session: Session, *, partner_id: uuid.UUID, kind: ControlNumberKind) -> int:
    """The next number of the partner's `kind` sequence: 1, 2, ... 999999999, then 1 again."""
    take = (
        update(ControlNumber)
        .where(ControlNumber.partner_id == partner_id, ControlNumber.kind == kind)
        .values(
            value=case(
                (ControlNumber.value >= MAX_CONTROL_NUMBER, 1), else_=ControlNumber.value + 1
            )
        )
        .returning(ControlNumber.value)
        .execution_options(synchronize_session="fetch")
    )
    value = session.execute(take).scalar_one_or_none()
    if value is None:
        # First use: create the sequence (a concurrent first use may win; either way the
        # row exists afterwards) and take again.
        session.execute(
            insert_ignoring_conflicts(
                session,
                ControlNumber,
                {"partner_id": partner_id, "kind": kind, "value": 0},
                index_elements=["partner_id", "kind"],
            )
        )
        value = session.execute(take).scalar_one()
    return int(value)
