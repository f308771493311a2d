"""Pipeline steps: claimed by compare-and-set, held for a lease, finished, failed with
backoff, dead-lettered, swept and replayed.

Every function changes a step with one conditional UPDATE and reports whether it applied, so
two workers racing for the same step, or a worker finishing a step whose lease it lost, have
one effect. Changes take effect when the caller commits: claim in a short transaction of its
own, do the work, then finish or fail.

    pending ──claim──► running ──finish──► done
       ▲                 │ ├──fail (retryable, attempts left)──► failed ──(due)──► claim
       │                 │ ├──fail (permanent or no attempts left)──► dead ──replay──► pending
       │                 │ └──defer──► waiting ──(due)──► claim
       │                 └──lease expired──► claim again (or dead once out of attempts)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, or_, select, update
from sqlalchemy.orm import Session, aliased

from gateway.store.enums import StepKind, StepState
from gateway.store.models import Step
from gateway.store.sql import insert_ignoring_conflicts
from gateway.store.types import new_id, utcnow

# A step is dispatched right after the commit that creates it; the sweeper only picks it up
# if that dispatch was lost, once this grace has passed.
DISPATCH_GRACE = timedelta(seconds=60)
DEFAULT_MAX_ATTEMPTS = 10
# The step functions change rows by id with conditional UPDATEs and report the outcome from
# RETURNING; callers read steps afresh rather than through objects the session already holds,
# so the session is not searched for the rows (a "fetch" synchronisation cost a noticeable
# share of every claim and finish).
_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits base * factor**(n-1), capped, of
    which the `jitter` fraction is random (so retries of many steps spread out)."""

    base_seconds: float = 5.0
    factor: float = 2.0
    max_seconds: float = 3600.0
    jitter: float = 0.5

    def delay(self, attempt: int, *, rand: Callable[[], float] = random.random) -> timedelta:
        exponent = min(max(attempt - 1, 0), 64)
        full = min(self.max_seconds, self.base_seconds * self.factor**exponent)
        return timedelta(seconds=full * (1 - self.jitter) + full * self.jitter * rand())


DEFAULT_BACKOFF = Backoff()


def pending_step_row(
    *,
    message_id: uuid.UUID,
    kind: StepKind,
    now: datetime,
    document_id: uuid.UUID | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> dict[str, Any]:
    """The row of a new pending step: claimable when its task arrives, and suspected lost by
    the sweeper after `DISPATCH_GRACE`."""
    return {
        "id": new_id(),
        "message_id": message_id,
        "document_id": document_id,
        "kind": kind,
        "state": StepState.PENDING,
        "attempts": 0,
        "max_attempts": max_attempts,
        "next_attempt_at": now + DISPATCH_GRACE,
        "created_at": now,
        "updated_at": now,
    }


def _same_step(
    message_id: uuid.UUID, kind: StepKind, document_id: uuid.UUID | None
) -> tuple[ColumnElement[bool], ...]:
    same_document = (
        Step.document_id.is_(None) if document_id is None else Step.document_id == document_id
    )
    return (Step.message_id == message_id, Step.kind == kind, same_document)


def ensure_step(
    session: Session,
    *,
    message_id: uuid.UUID,
    kind: StepKind,
    document_id: uuid.UUID | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> Step:
    """The step `kind` of a message (or of one of its documents), created pending if it does
    not exist yet; a step that runs twice creates its successors once."""
    row = pending_step_row(
        message_id=message_id,
        kind=kind,
        now=now or utcnow(),
        document_id=document_id,
        max_attempts=max_attempts,
    )
    session.execute(insert_ignoring_conflicts(session, Step, row))
    return session.execute(
        select(Step).where(*_same_step(message_id, kind, document_id))
    ).scalar_one()


def ensure_step_id(
    session: Session,
    *,
    message_id: uuid.UUID,
    kind: StepKind,
    document_id: uuid.UUID | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> uuid.UUID:
    """As `ensure_step`, returning only the step's id: one statement when the step is new
    (the insert returns it), a second to find it only when it already existed."""
    row = pending_step_row(
        message_id=message_id,
        kind=kind,
        now=now or utcnow(),
        document_id=document_id,
        max_attempts=max_attempts,
    )
    created = session.execute(
        insert_ignoring_conflicts(session, Step, row).returning(Step.id)
    ).scalar_one_or_none()
    if created is not None:
        return created
    return session.execute(
        select(Step.id).where(*_same_step(message_id, kind, document_id))
    ).scalar_one()


# The claim and the finish run for every step: built once with bound parameters, so an execution
# neither constructs the statement nor computes its cache key again, and run on the session's
# connection as Core statements (they change one row by id; nothing the session holds needs
# flushing first, and the ORM's bulk-update bookkeeping is skipped).
_CLAIM = (
    update(Step)
    .where(
        Step.id == bindparam("step_id"),
        or_(
            Step.state == StepState.PENDING,
            and_(
                Step.state.in_([StepState.FAILED, StepState.WAITING]),
                Step.next_attempt_at <= bindparam("now"),
            ),
            and_(Step.state == StepState.RUNNING, Step.lease_expires_at < bindparam("now")),
        ),
        Step.attempts < Step.max_attempts,
    )
    .values(
        state=StepState.RUNNING,
        lease_owner=bindparam("owner"),
        lease_expires_at=bindparam("lease_until"),
        attempts=Step.attempts + 1,
        updated_at=bindparam("now"),
    )
    .returning(Step.kind)
    .execution_options(**_SYNC)
)


def claim_step(
    session: Session,
    *,
    step_id: uuid.UUID,
    owner: str,
    lease_seconds: float,
    now: datetime | None = None,
) -> StepKind | None:
    """Take the step for `owner` until now + `lease_seconds`, if it is free: pending, due
    after a failure or a wait, or running under an expired lease. Counts an attempt. Returns
    the step's kind when taken, None when it was not free."""
    now = now or utcnow()
    return (
        session.connection()
        .execute(
            _CLAIM,
            {
                "step_id": step_id,
                "now": now,
                "owner": owner,
                "lease_until": now + timedelta(seconds=lease_seconds),
            },
        )
        .scalar_one_or_none()
    )


# Claiming by the batch: a task takes the step it was sent for (when free) and up to
# `limit` - 1 other pending steps of the same kind, in one statement. The rows are picked with
# FOR UPDATE SKIP LOCKED, so two workers claiming at once take different steps instead of
# queueing behind each other's row locks (SQLite, which serialises writers, ignores it).
# Every row is still taken by compare-and-set: the outer UPDATE repeats the conditions.
_CLAIMABLE = or_(
    Step.state == StepState.PENDING,
    and_(
        Step.state.in_([StepState.FAILED, StepState.WAITING]),
        Step.next_attempt_at <= bindparam("now"),
    ),
    and_(Step.state == StepState.RUNNING, Step.lease_expires_at < bindparam("now")),
)
_SENT_FOR = aliased(Step)
_TAKE = {
    "state": StepState.RUNNING,
    "lease_owner": bindparam("owner"),
    "lease_expires_at": bindparam("lease_until"),
    "attempts": Step.attempts + 1,
    "updated_at": bindparam("now"),
}


def _batch_claim(*, sent_for: bool) -> Any:
    """With `sent_for`, the step `step_id` first, then pending steps of its kind (when its kind
    is in `kinds`); without, pending steps of `kind` (a worker draining a backlog)."""
    same_kind = (
        select(_SENT_FOR.kind).where(_SENT_FOR.id == bindparam("step_id")).scalar_subquery()
        if sent_for
        else bindparam("of_kind")
    )
    others = and_(
        Step.state == StepState.PENDING,
        Step.kind == same_kind,
        Step.kind.in_(bindparam("kinds", expanding=True)),
    )
    wanted = or_(and_(Step.id == bindparam("step_id"), _CLAIMABLE), others) if sent_for else others
    order = (
        (case((Step.id == bindparam("step_id"), 0), else_=1), Step.next_attempt_at)
        if sent_for
        else (Step.next_attempt_at,)
    )
    picked = (
        select(Step.id)
        .where(wanted, Step.attempts < Step.max_attempts)
        .order_by(*order)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(Step)
        .where(Step.id.in_(picked), _CLAIMABLE, Step.attempts < Step.max_attempts)
        .values(**_TAKE)
        .returning(Step.id, Step.kind)
        .execution_options(**_SYNC)
    )


_CLAIM_BATCH = _batch_claim(sent_for=True)
_CLAIM_MORE = _batch_claim(sent_for=False)
_CLAIM_IDS = (
    update(Step)
    .where(
        Step.id.in_(bindparam("step_ids", expanding=True)),
        _CLAIMABLE,
        Step.attempts < Step.max_attempts,
    )
    .values(**_TAKE)
    .returning(Step.id, Step.kind)
    .execution_options(**_SYNC)
)
_FINISH_IDS = (
    update(Step)
    .where(
        Step.id.in_(bindparam("step_ids", expanding=True)),
        Step.state == StepState.RUNNING,
        Step.lease_owner == bindparam("owner"),
    )
    .values(
        state=StepState.DONE,
        lease_owner=None,
        lease_expires_at=None,
        next_attempt_at=None,
        updated_at=bindparam("now"),
    )
    .returning(Step.id)
    .execution_options(**_SYNC)
)


def _lease(owner: str, lease_seconds: float, now: datetime | None) -> dict[str, Any]:
    now = now or utcnow()
    return {"owner": owner, "now": now, "lease_until": now + timedelta(seconds=lease_seconds)}


def claim_batch(
    session: Session,
    *,
    step_id: uuid.UUID | None,
    owner: str,
    lease_seconds: float,
    limit: int,
    kinds: Sequence[StepKind],
    kind: StepKind | None = None,
    now: datetime | None = None,
) -> list[tuple[uuid.UUID, StepKind]]:
    """Take up to `limit` steps for `owner`, as `claim_step` takes one: the step `step_id` if
    it is free (first), and pending steps of its kind when that kind is one of `kinds`. With
    no `step_id`, pending steps of `kind`. Returns (id, kind) of each step taken, `step_id`'s
    first when it was taken."""
    params = _lease(owner, lease_seconds, now) | {"limit": limit, "kinds": list(kinds)}
    if step_id is not None:
        statement = _CLAIM_BATCH
        params["step_id"] = step_id
    else:
        assert kind is not None, "claim_batch needs a step_id or a kind"
        statement = _CLAIM_MORE
        params["of_kind"] = kind
    rows = [(r[0], r[1]) for r in session.connection().execute(statement, params)]
    rows.sort(key=lambda r: r[0] != step_id)
    return rows


_CLAIMABLE_IDS = select(Step.id).where(
    Step.id.in_(bindparam("step_ids", expanding=True)),
    _CLAIMABLE,
    Step.attempts < Step.max_attempts,
)


def claimable_steps(
    session: Session, *, step_ids: Sequence[uuid.UUID], now: datetime | None = None
) -> list[uuid.UUID]:
    """Those of the steps that a claim would take now (free: pending, due, or under an expired
    lease), in the given order. A read, no lock: a claim still decides."""
    if not step_ids:
        return []
    params = {"step_ids": list(step_ids), "now": now or utcnow()}
    free = set(session.connection().execute(_CLAIMABLE_IDS, params).scalars())
    return [s for s in step_ids if s in free]


def claim_steps(
    session: Session,
    *,
    step_ids: Sequence[uuid.UUID],
    owner: str,
    lease_seconds: float,
    now: datetime | None = None,
) -> list[tuple[uuid.UUID, StepKind]]:
    """Take these steps for `owner` (those that are free), as `claim_step` does one."""
    if not step_ids:
        return []
    params = _lease(owner, lease_seconds, now) | {"step_ids": list(step_ids)}
    taken = {r[0]: r[1] for r in session.connection().execute(_CLAIM_IDS, params)}
    return [(i, taken[i]) for i in step_ids if i in taken]


def finish_steps(
    session: Session,
    *,
    step_ids: Sequence[uuid.UUID],
    owner: str,
    now: datetime | None = None,
) -> set[uuid.UUID]:
    """Mark these steps done; returns those `owner` still held (the others were taken over)."""
    if not step_ids:
        return set()
    params = {"step_ids": list(step_ids), "owner": owner, "now": now or utcnow()}
    return set(session.connection().execute(_FINISH_IDS, params).scalars())


_RENEW = (
    update(Step)
    .where(
        Step.id == bindparam("step_id"),
        Step.state == StepState.RUNNING,
        Step.lease_owner == bindparam("owner"),
    )
    .values(lease_expires_at=bindparam("lease_until"), updated_at=bindparam("now"))
    .returning(Step.id)
    .execution_options(**_SYNC)
)


def renew_lease(
    session: Session,
    *,
    step_id: uuid.UUID,
    owner: str,
    lease_seconds: float,
    now: datetime | None = None,
) -> bool:
    """Extend `owner`'s lease on a running step, by compare-and-set; False if `owner` no
    longer holds it. A step that commits its work in parts calls it in each part's
    transaction: a part commits only while the step is still ours, and a long step keeps its
    lease while it makes progress."""
    params = {"step_id": step_id, **_lease(owner, lease_seconds, now)}
    return session.connection().execute(_RENEW, params).scalar_one_or_none() is not None


def _held(step_id: uuid.UUID, owner: str) -> tuple[ColumnElement[bool], ...]:
    """The step is running under `owner`'s lease."""
    return (Step.id == step_id, Step.state == StepState.RUNNING, Step.lease_owner == owner)


def finish_step(
    session: Session, *, step_id: uuid.UUID, owner: str, now: datetime | None = None
) -> bool:
    """Mark the step done; False if `owner` no longer holds it (its lease was taken over)."""
    return step_id in finish_steps(session, step_ids=[step_id], owner=owner, now=now)


def fail_step(
    session: Session,
    *,
    step_id: uuid.UUID,
    owner: str,
    error: str,
    retryable: bool,
    backoff: Backoff = DEFAULT_BACKOFF,
    now: datetime | None = None,
    rand: Callable[[], float] = random.random,
) -> StepState | None:
    """Record a failed attempt: `failed` with a retry after the backoff, or `dead` when the
    error is permanent or the attempts are spent. Returns the new state, or None if `owner`
    no longer holds the step."""
    now = now or utcnow()
    row = session.execute(
        select(Step.attempts, Step.max_attempts).where(*_held(step_id, owner))
    ).one_or_none()
    if row is None:
        return None
    attempts, max_attempts = row
    if retryable and attempts < max_attempts:
        state, retry_at = StepState.FAILED, now + backoff.delay(attempts, rand=rand)
    else:
        state, retry_at = StepState.DEAD, None
    changed = session.execute(
        update(Step)
        .where(*_held(step_id, owner), Step.attempts == attempts)
        .values(
            state=state,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=retry_at,
            last_error=error,
            updated_at=now,
        )
        .returning(Step.id)
        .execution_options(**_SYNC)
    ).scalar_one_or_none()
    return state if changed is not None else None


def defer_step(
    session: Session,
    *,
    step_id: uuid.UUID,
    owner: str,
    until: datetime,
    reason: str,
    now: datetime | None = None,
) -> bool:
    """Put the step aside until `until` without spending an attempt (the ERP's circuit is
    open, the partner's 997 has not come yet)."""
    now = now or utcnow()
    deferred = session.execute(
        update(Step)
        .where(*_held(step_id, owner))
        .values(
            state=StepState.WAITING,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=until,
            attempts=Step.attempts - 1,  # the claim counted one; waiting is not an attempt
            last_error=reason,
            updated_at=now,
        )
        .returning(Step.id)
        .execution_options(**_SYNC)
    ).scalar_one_or_none()
    return deferred is not None


def expired_steps(
    session: Session, *, now: datetime | None = None, limit: int = 500
) -> Sequence[Step]:
    """Steps the sweeper should dispatch again: due (a lost dispatch, a retry, a wait that is
    over) or running under an expired lease, with attempts left."""
    now = now or utcnow()
    due = or_(
        and_(
            Step.state.in_([StepState.PENDING, StepState.FAILED, StepState.WAITING]),
            Step.next_attempt_at <= now,
        ),
        and_(Step.state == StepState.RUNNING, Step.lease_expires_at < now),
    )
    return (
        session.execute(
            select(Step)
            .where(due, Step.attempts < Step.max_attempts)
            .order_by(Step.next_attempt_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )


def bury_lost_steps(session: Session, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Dead-letter running steps whose lease expired with no attempts left (the worker died
    on each of them: a poison message). Returns their ids."""
    now = now or utcnow()
    buried = session.execute(
        update(Step)
        .where(
            Step.state == StepState.RUNNING,
            Step.lease_expires_at < now,
            Step.attempts >= Step.max_attempts,
        )
        .values(
            state=StepState.DEAD,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=None,
            last_error="the worker was lost on the last attempt (its lease expired)",
            updated_at=now,
        )
        .returning(Step.id)
        .execution_options(**_SYNC)
    )
    return list(buried.scalars())


def replay_step(session: Session, *, step_id: uuid.UUID, now: datetime | None = None) -> bool:
    """Give a dead-lettered step a fresh set of attempts."""
    now = now or utcnow()
    replayed = session.execute(
        update(Step)
        .where(Step.id == step_id, Step.state == StepState.DEAD)
        .values(
            state=StepState.PENDING,
            attempts=0,
            next_attempt_at=now + DISPATCH_GRACE,
            updated_at=now,
        )
        .returning(Step.id)
        .execution_options(**_SYNC)
    ).scalar_one_or_none()
    return replayed is not None
