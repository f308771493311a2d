"""Control numbers are gap-free per partner and kind, safe under concurrency, and wrap."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from gateway.store import (
    MAX_CONTROL_NUMBER,
    next_control_number,
    session_scope,
    take_control_numbers,
)
from gateway.store.enums import ControlNumberKind
from gateway.store.models import ControlNumber
from tests.gateway.store import factories

ISA, GS = ControlNumberKind.ISA, ControlNumberKind.GS


def new_partner(sessions: sessionmaker[Session]) -> uuid.UUID:
    with session_scope(sessions) as session:
        return factories.partner(session).id


def take(sessions: sessionmaker[Session], partner_id: uuid.UUID, kind: ControlNumberKind) -> int:
    with session_scope(sessions) as session:
        return next_control_number(session, partner_id=partner_id, kind=kind)


def sequence_at(sessions: sessionmaker[Session], value: int) -> uuid.UUID:
    """A new partner whose ISA sequence stands at `value`."""
    a = new_partner(sessions)
    take(sessions, a, ISA)
    with session_scope(sessions) as session:
        session.execute(
            update(ControlNumber).where(ControlNumber.partner_id == a).values(value=value)
        )
    return a


def test_sequences_per_partner_and_kind(sessions: sessionmaker[Session]) -> None:
    a, b = new_partner(sessions), new_partner(sessions)
    assert [take(sessions, a, ISA) for _ in range(3)] == [1, 2, 3]
    assert take(sessions, a, GS) == 1
    assert take(sessions, b, ISA) == 1
    assert take(sessions, a, ISA) == 4


def test_rolled_back_number_is_issued_again(sessions: sessionmaker[Session]) -> None:
    a = new_partner(sessions)
    assert take(sessions, a, ISA) == 1
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        assert next_control_number(session, partner_id=a, kind=ISA) == 2
        raise RuntimeError("rendering failed")
    assert take(sessions, a, ISA) == 2


def test_wraps_after_999999999(sessions: sessionmaker[Session]) -> None:
    a = sequence_at(sessions, MAX_CONTROL_NUMBER - 1)
    assert [take(sessions, a, ISA) for _ in range(3)] == [MAX_CONTROL_NUMBER, 1, 2]


def test_concurrent_callers_get_consecutive_distinct_numbers(
    sessions: sessionmaker[Session],
) -> None:
    a = new_partner(sessions)  # the sequence row does not exist yet: first use races too

    def fifty(_: int) -> list[int]:
        return [take(sessions, a, ISA) for _ in range(50)]

    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(fifty, range(8)))
    numbers = [n for batch in batches for n in batch]
    assert sorted(numbers) == list(range(1, 401))
    assert all(batch == sorted(batch) for batch in batches)


def take_run(
    sessions: sessionmaker[Session], partner_id: uuid.UUID, kind: ControlNumberKind, count: int
) -> list[int]:
    with session_scope(sessions) as session:
        return take_control_numbers(session, partner_id=partner_id, kind=kind, count=count)


def test_a_run_of_numbers_in_one_take(sessions: sessionmaker[Session]) -> None:
    a = new_partner(sessions)
    assert take_run(sessions, a, ISA, 3) == [1, 2, 3]  # a new sequence: one at a time
    assert take_run(sessions, a, ISA, 4) == [4, 5, 6, 7]  # then in one statement
    assert take_run(sessions, a, ISA, 0) == []
    assert take(sessions, a, ISA) == 8
    assert take_run(sessions, a, GS, 2) == [1, 2]


def test_a_run_across_the_wrap_around_wraps(sessions: sessionmaker[Session]) -> None:
    a = sequence_at(sessions, MAX_CONTROL_NUMBER - 2)
    assert take_run(sessions, a, ISA, 4) == [MAX_CONTROL_NUMBER - 1, MAX_CONTROL_NUMBER, 1, 2]
    assert take_run(sessions, a, ISA, 2) == [3, 4]


def test_runs_and_single_numbers_taken_concurrently_never_overlap(
    sessions: sessionmaker[Session],
) -> None:
    a = new_partner(sessions)
    take(sessions, a, ISA)  # the sequence exists: runs take one statement each

    def mixed(worker: int) -> list[int]:
        taken: list[int] = []
        for n in range(20):
            count = 1 + (worker + n) % 4
            if count == 1:
                taken.append(take(sessions, a, ISA))
            else:
                taken += take_run(sessions, a, ISA, count)
        return taken

    with ThreadPoolExecutor(6) as pool:
        batches = list(pool.map(mixed, range(6)))
    numbers = sorted(n for batch in batches for n in batch)
    assert numbers == list(range(2, 2 + len(numbers)))
