"""Per-partner control-number sequences (ISA13, GS06, ST02).

Gap-free: a number is taken by an UPDATE ... RETURNING in the caller's transaction, which
holds the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) until it commits;
if it rolls back, so does the number, and the next transaction gets it again. Concurrent
callers queue on the lock, so no number is issued twice.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, case, update
from sqlalchemy.orm import Session

from gateway.store.enums import ControlNumberKind
from gateway.store.models import ControlNumber
from gateway.store.sql import insert_ignoring_conflicts

MAX_CONTROL_NUMBER = 999_999_999


# Built once with bound parameters and run as a Core statement on the session's connection:
# an acknowledgment takes two numbers, and nothing the session holds is a sequence row.
_TAKE = (
    update(ControlNumber)
    .where(
        ControlNumber.partner_id == bindparam("cn_partner"),
        ControlNumber.kind == bindparam("cn_kind"),
    )
    .values(
        value=case((ControlNumber.value >= MAX_CONTROL_NUMBER, 1), else_=ControlNumber.value + 1)
    )
    .returning(ControlNumber.value)
)
# A run of numbers in one statement, unless it would pass the wrap-around.
_TAKE_RUN = (
    update(ControlNumber)
    .where(
        ControlNumber.partner_id == bindparam("cn_partner"),
        ControlNumber.kind == bindparam("cn_kind"),
        ControlNumber.value <= MAX_CONTROL_NUMBER - bindparam("cn_count"),
    )
    .values(value=ControlNumber.value + bindparam("cn_count"))
    .returning(ControlNumber.value)
)


def next_control_number(session: Session, *, partner_id: uuid.UUID, kind: ControlNumberKind) -> int:
    """The next number of the partner's `kind` sequence: 1, 2, ... 999999999, then 1 again."""
    params = {"cn_partner": partner_id, "cn_kind": kind}
    value = session.connection().execute(_TAKE, params).scalar_one_or_none()
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
        value = session.connection().execute(_TAKE, params).scalar_one()
    return int(value)


def take_control_numbers(
    session: Session, *, partner_id: uuid.UUID, kind: ControlNumberKind, count: int
) -> list[int]:
    """The next `count` numbers of the partner's `kind` sequence, taken in one statement (a
    batch of acknowledgments takes its numbers at once); as many `next_control_number` calls
    when the sequence does not exist yet or the run would pass the wrap-around."""
    if count > 1:
        params = {"cn_partner": partner_id, "cn_kind": kind, "cn_count": count}
        last = session.connection().execute(_TAKE_RUN, params).scalar_one_or_none()
        if last is not None:
            return list(range(int(last) - count + 1, int(last) + 1))
    return [next_control_number(session, partner_id=partner_id, kind=kind) for _ in range(count)]
