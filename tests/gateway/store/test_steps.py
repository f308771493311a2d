"""Steps change state by compare-and-set: one claimer wins, an expired lease can be taken
over, failures back off exponentially and end in the dead-letter state."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gateway.store import (
    Backoff,
    bury_lost_steps,
    claim_step,
    defer_step,
    ensure_step,
    expired_steps,
    fail_step,
    finish_step,
    replay_step,
    session_scope,
)
from gateway.store.enums import StepKind, StepState
from gateway.store.models import Step
from tests.gateway.store import factories

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def new_step(sessions: sessionmaker[Session], **kw: Any) -> Step:
    with session_scope(sessions) as session:
        return factories.step(session, now=T0, **kw)


def load(sessions: sessionmaker[Session], step: Step) -> Step:
    with session_scope(sessions) as session:
        row = session.get(Step, step.id)
        assert row is not None
        return row


def claim(sessions: sessionmaker[Session], step: Step, owner: str, at: datetime) -> bool:
    with session_scope(sessions) as session:
        kind = claim_step(session, step_id=step.id, owner=owner, lease_seconds=60, now=at)
        return kind is not None


def test_ensure_step_is_idempotent(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        m = factories.message(session)
        first = ensure_step(session, message_id=m.id, kind=StepKind.TRANSLATE, now=T0)
        again = ensure_step(session, message_id=m.id, kind=StepKind.TRANSLATE)
        other = ensure_step(session, message_id=m.id, kind=StepKind.SEND_ACK)
    assert first.id == again.id != other.id
    assert first.state is StepState.PENDING
    assert first.next_attempt_at == T0 + timedelta(seconds=60)


def test_one_of_two_claimers_wins(sessions: sessionmaker[Session]) -> None:
    step = new_step(sessions)
    assert claim(sessions, step, "worker-a", T0)
    assert not claim(sessions, step, "worker-b", T0 + timedelta(seconds=30))
    row = load(sessions, step)
    assert (row.state, row.lease_owner, row.attempts) == (StepState.RUNNING, "worker-a", 1)
    assert row.lease_expires_at == T0 + timedelta(seconds=60)


def test_concurrent_claimers_one_wins(sessions: sessionmaker[Session]) -> None:
    for _ in range(5):
        step = new_step(sessions)
        start = threading.Barrier(4)

        def race(owner: str, step: Step = step, start: threading.Barrier = start) -> bool:
            start.wait()
            return claim(sessions, step, owner, T0)

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(race, ["a", "b", "c", "d"]))
        assert sorted(results) == [False, False, False, True]
        assert load(sessions, step).attempts == 1


def test_expired_lease_can_be_reclaimed(sessions: sessionmaker[Session]) -> None:
    step = new_step(sessions)
    assert claim(sessions, step, "worker-a", T0)
    later = T0 + timedelta(seconds=61)
    assert claim(sessions, step, "worker-b", later)
    row = load(sessions, step)
    assert (row.lease_owner, row.attempts) == ("worker-b", 2)
    with session_scope(sessions) as session:  # the first worker's late finish has no effect
        assert not finish_step(session, step_id=step.id, owner="worker-a", now=later)
        assert finish_step(session, step_id=step.id, owner="worker-b", now=later)
    row = load(sessions, step)
    assert (row.state, row.lease_owner, row.lease_expires_at) == (StepState.DONE, None, None)
    assert not claim(sessions, step, "worker-c", later + timedelta(hours=1))


def test_failures_back_off_then_dead_letter(sessions: sessionmaker[Session]) -> None:
    step = new_step(sessions, max_attempts=3)
    backoff = Backoff(base_seconds=10, factor=2, max_seconds=3600, jitter=0.5)
    at = T0
    delays = []
    for attempt in (1, 2, 3):
        assert claim(sessions, step, "w", at)
        with session_scope(sessions) as session:
            state = fail_step(
                session,
                step_id=step.id,
                owner="w",
                error=f"ERP answered 503 ({attempt})",
                retryable=True,
                backoff=backoff,
                now=at,
                rand=lambda: 1.0,
            )
        row = load(sessions, step)
        if attempt < 3:
            assert state is StepState.FAILED
            assert row.next_attempt_at is not None
            delays.append(row.next_attempt_at - at)
            assert not claim(sessions, step, "early", at + timedelta(seconds=1))  # backing off
            at = row.next_attempt_at
        else:
            assert state is StepState.DEAD
            assert row.next_attempt_at is None
    assert delays == [timedelta(seconds=10), timedelta(seconds=20)]
    row = load(sessions, step)
    assert (row.state, row.attempts, row.last_error) == (StepState.DEAD, 3, "ERP answered 503 (3)")
    assert not claim(sessions, step, "w", at + timedelta(days=1))


def test_backoff_has_jitter_and_a_cap() -> None:
    backoff = Backoff(base_seconds=10, factor=2, max_seconds=60, jitter=0.5)
    assert backoff.delay(1, rand=lambda: 0.0) == timedelta(seconds=5)
    assert backoff.delay(1, rand=lambda: 1.0) == timedelta(seconds=10)
    assert backoff.delay(3, rand=lambda: 1.0) == timedelta(seconds=40)
    assert backoff.delay(10, rand=lambda: 1.0) == timedelta(seconds=60)
    assert backoff.delay(10_000, rand=lambda: 0.5) == timedelta(seconds=45)
    spread = {Backoff().delay(4) for _ in range(20)}
    assert len(spread) > 1


def test_permanent_failure_is_dead_at_once(sessions: sessionmaker[Session]) -> None:
    step = new_step(sessions)
    assert claim(sessions, step, "w", T0)
    with session_scope(sessions) as session:
        assert not fail_step(
            session, step_id=step.id, owner="other", error="x", retryable=False, now=T0
        )
        state = fail_step(
            session, step_id=step.id, owner="w", error="ERP said 422", retryable=False, now=T0
        )
    assert state is StepState.DEAD
    with session_scope(sessions) as session:
        assert replay_step(session, step_id=step.id, now=T0)
        assert not replay_step(session, step_id=step.id, now=T0)  # no longer dead
    row = load(sessions, step)
    assert (row.state, row.attempts) == (StepState.PENDING, 0)
    assert claim(sessions, step, "w", T0)


def test_waiting_does_not_spend_attempts(sessions: sessionmaker[Session]) -> None:
    step = new_step(sessions, max_attempts=1)
    at = T0
    for _ in range(3):
        assert claim(sessions, step, "w", at)
        until = at + timedelta(minutes=5)
        with session_scope(sessions) as session:
            assert defer_step(
                session, step_id=step.id, owner="w", until=until, reason="ERP circuit open", now=at
            )
        assert not claim(sessions, step, "w", at + timedelta(minutes=1))  # not due yet
        at = until
    row = load(sessions, step)
    assert (row.state, row.attempts, row.last_error) == (StepState.WAITING, 0, "ERP circuit open")


def test_sweeper_finds_due_and_expired_steps(sessions: sessionmaker[Session]) -> None:
    fresh = new_step(sessions)  # dispatched on commit: not the sweeper's business yet
    lost = new_step(sessions)  # its dispatch was lost
    running = new_step(sessions)
    expired = new_step(sessions)
    backing_off = new_step(sessions)
    exhausted = new_step(sessions, max_attempts=1)
    now = T0 + timedelta(minutes=2)
    with session_scope(sessions) as session:
        session.get_one(Step, fresh.id).next_attempt_at = now + timedelta(seconds=30)
    for s in (running, expired, backing_off, exhausted):
        assert claim(sessions, s, "w", now - timedelta(seconds=90 if s is not running else 0))
    with session_scope(sessions) as session:
        fail_step(
            session,
            step_id=backing_off.id,
            owner="w",
            error="timeout",
            retryable=True,
            backoff=Backoff(base_seconds=1000),
            now=now,
        )
        due = {s.id for s in expired_steps(session, now=now)}
    assert due == {lost.id, expired.id}
    with session_scope(sessions) as session:
        assert bury_lost_steps(session, now=now) == [exhausted.id]
    row = load(sessions, exhausted)
    assert row.state is StepState.DEAD
    assert row.last_error is not None and "lease expired" in row.last_error


@pytest.mark.parametrize("owner", ["w", "intruder"])
def test_only_the_lease_holder_finishes(sessions: sessionmaker[Session], owner: str) -> None:
    step = new_step(sessions)
    assert claim(sessions, step, "w", T0)
    with session_scope(sessions) as session:
        assert finish_step(session, step_id=step.id, owner=owner, now=T0) is (owner == "w")
