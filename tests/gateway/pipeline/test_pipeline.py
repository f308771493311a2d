"""The pipeline run inline (a collecting dispatcher drained by the test) on SQLite and on the
real PostgreSQL: intake, translate, ERP delivery, acknowledgments, duplicates, retries,
dead letters, replay and the sweeper."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.commands.admin import add_erp_target, add_partner
from gateway.erp.base import PermanentErpError, RetryableErpError
from gateway.erp.circuit import CircuitBreakers
from gateway.pipeline import (
    CollectingDispatcher,
    Runtime,
    intake,
    replay,
    run_step,
    run_steps,
    sweep,
)
from gateway.pipeline.runtime import DeliveryOutcome, ErpTargetInfo
from gateway.secretbox import SecretBox
from gateway.store import claimable_steps, ensure_step_id
from gateway.store.enums import (
    Channel,
    Direction,
    DocumentStatus,
    MessageStatus,
    StepKind,
    StepState,
)
from gateway.store.models import ControlNumber, Document, Event, Message, Step
from gateway.store.types import utcnow
from gateway.wiring import StoreErpGateway

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "x12"
PO = (SAMPLES / "850" / "basic-004010.x12").read_bytes()
BOX = SecretBox("test-secret-key-with-enough-length-0123456789")


def drain(runtime: Runtime) -> None:
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    while dispatcher.pending:
        run_step(runtime, dispatcher.pending.pop(0))


def events(sessions: sessionmaker[Session], message_id: uuid.UUID) -> list[str]:
    with sessions() as s:
        return list(
            s.execute(
                select(Event.kind).where(Event.message_id == message_id).order_by(Event.at)
            ).scalars()
        )


@pytest.fixture
def folder_runtime(sessions: sessionmaker[Session], tmp_path: Path) -> Runtime:
    add_erp_target(
        sessions, BOX, name="erp", kind="folder", config={"directory": str(tmp_path / "erp")}
    )
    add_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="erp", status="live")
    return Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )


def test_an_order_goes_to_the_erp_and_is_acknowledged(
    folder_runtime: Runtime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    result = intake(folder_runtime, payload=PO, channel=Channel.API, channel_meta={"file": "po"})
    assert result.status == MessageStatus.RECEIVED
    drain(folder_runtime)
    with sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
        (doc,) = message.documents
        assert doc.status == DocumentStatus.DELIVERED and doc.po_number == "NW-4500018231"
        assert doc.erp_reference
        acks = (
            s.execute(
                select(Message).where(
                    Message.channel_meta["acknowledges"].as_string() == str(message.id)
                )
            )
            .scalars()
            .all()
            if s.bind and s.bind.dialect.name == "postgresql"
            else [
                m
                for m in s.execute(select(Message)).scalars()
                if m.channel_meta.get("acknowledges")
            ]
        )
        (ack,) = acks
        text = ack.blob.data.decode()
    written = list((tmp_path / "erp").glob("*.json"))
    assert len(written) == 1
    assert orjson.loads(written[0].read_bytes())["po_number"] == "NW-4500018231"
    assert "AK1*PO*1207~" in text and "AK9*A*1*1*1~" in text
    assert events(sessions, result.message_id) == [
        "received",
        "translated",
        "delivered_to_erp",
        "delivered",
        "acknowledged",
    ]


def test_a_step_run_twice_has_one_effect(
    folder_runtime: Runtime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    result = intake(folder_runtime, payload=PO, channel=Channel.API)
    first = list(folder_runtime.dispatcher.pending)  # type: ignore[attr-defined]
    drain(folder_runtime)
    for step_id in first:
        assert run_step(folder_runtime, step_id) is None  # done: nothing to claim
    with sessions() as s:
        assert len(s.execute(select(Document)).scalars().all()) == 1
    assert len(list((tmp_path / "erp").glob("*.json"))) == 1
    assert events(sessions, result.message_id).count("delivered_to_erp") == 1


def test_a_resent_interchange_is_a_duplicate_and_never_reaches_the_erp_twice(
    folder_runtime: Runtime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    intake(folder_runtime, payload=PO, channel=Channel.API)
    drain(folder_runtime)
    again = intake(folder_runtime, payload=PO, channel=Channel.SFTP)
    same_isa13 = intake(
        folder_runtime, payload=PO.replace(b"CTT*4*88", b"CTT*4*89"), channel=Channel.API
    )
    drain(folder_runtime)
    assert again.status == MessageStatus.DUPLICATE and "same payload" in (again.reason or "")
    assert same_isa13.status == MessageStatus.DUPLICATE and "same ISA13" in (
        same_isa13.reason or ""
    )
    assert len(list((tmp_path / "erp").glob("*.json"))) == 1


def test_unknown_senders_and_impersonation_are_stored_and_rejected(
    folder_runtime: Runtime, sessions: sessionmaker[Session]
) -> None:
    stranger = intake(
        folder_runtime, payload=PO.replace(b"NWHARDWARE", b"STRANGER  "), channel=Channel.API
    )
    assert stranger.status == MessageStatus.REJECTED
    assert stranger.reason == "unknown ISA sender ZZ:STRANGER"
    other = add_partner(sessions, name="Other", isa="ZZ:OTHER")
    posing = intake(
        folder_runtime,
        payload=PO,
        channel=Channel.API,
        authenticated_partner_id=uuid.UUID(other["id"]),
    )
    assert posing.status == MessageStatus.REJECTED
    assert "not an identity of the authenticated partner" in (posing.reason or "")
    junk = intake(folder_runtime, payload=b"hello", channel=Channel.API)
    assert junk.status == MessageStatus.REJECTED
    with sessions() as s:
        stored = {m.id: m for m in s.execute(select(Message)).scalars()}
        assert {stranger.message_id, posing.message_id, junk.message_id} <= set(stored)
        assert stored[junk.message_id].blob.data == b"hello"  # nothing dropped
    assert folder_runtime.dispatcher.pending == []  # type: ignore[attr-defined]


class FlakyErp:
    """Fails as told, then delivers; records what it accepted by idempotency key."""

    def __init__(self, failures: list[Exception]):
        self.failures = failures
        self.accepted: dict[str, dict[str, Any]] = {}

    def deliver(
        self,
        *,
        target: ErpTargetInfo,
        document: dict[str, Any],
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryOutcome:
        if self.failures:
            raise self.failures.pop(0)
        already = document_id in self.accepted
        self.accepted[document_id] = document
        return DeliveryOutcome(reference=f"ERP-{document_id[-12:]}", already_had=already)


def flaky_runtime(sessions: sessionmaker[Session], erp: FlakyErp) -> Runtime:
    add_erp_target(sessions, BOX, name="default", kind="demo", config={})
    add_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE")
    return Runtime(sessions=sessions, dispatcher=CollectingDispatcher(), erp=erp)


def _make_due(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        s.execute(
            update(Step)
            .where(Step.state.in_([StepState.FAILED, StepState.WAITING]))
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def test_a_retryable_erp_failure_is_retried_with_backoff(sessions: sessionmaker[Session]) -> None:
    erp = FlakyErp([RetryableErpError("503 from ERP", status_code=503)])
    runtime = flaky_runtime(sessions, erp)
    result = intake(runtime, payload=PO, channel=Channel.API)
    drain(runtime)
    with sessions() as s:
        step = s.execute(select(Step).where(Step.kind == StepKind.DELIVER_ERP)).scalar_one()
        assert step.state == StepState.FAILED and "503" in (step.last_error or "")
        assert step.next_attempt_at is not None and step.next_attempt_at > step.updated_at
    _make_due(sessions)
    assert sweep(runtime) == [step.id]
    drain(runtime)
    with sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
    assert len(erp.accepted) == 1


def test_a_permanent_failure_is_dead_lettered_then_replayed(
    sessions: sessionmaker[Session],
) -> None:
    erp = FlakyErp([PermanentErpError("400: unknown item", status_code=400)])
    runtime = flaky_runtime(sessions, erp)
    result = intake(runtime, payload=PO, channel=Channel.API)
    drain(runtime)
    with sessions() as s:
        step = s.execute(select(Step).where(Step.kind == StepKind.DELIVER_ERP)).scalar_one()
        assert step.state == StepState.DEAD and "unknown item" in (step.last_error or "")
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.FAILED
    assert replay(runtime, [step.id]) == [step.id]
    drain(runtime)
    with sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
    assert "dead_lettered" in events(sessions, result.message_id)
    assert "replayed" in events(sessions, result.message_id)


def test_the_sweeper_recovers_a_step_whose_worker_died(sessions: sessionmaker[Session]) -> None:
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    result = intake(runtime, payload=PO, channel=Channel.API)
    runtime.dispatcher.pending.clear()  # type: ignore[attr-defined]  # the dispatch was lost
    with sessions.begin() as s:  # and a worker claimed it, then died
        s.execute(
            update(Step).values(
                state=StepState.RUNNING,
                lease_owner="dead-worker",
                attempts=1,
                lease_expires_at=utcnow() - timedelta(seconds=1),
            )
        )
    assert len(sweep(runtime)) == 1
    drain(runtime)
    with sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
    assert len(erp.accepted) == 1


def test_a_pending_step_is_redispatched_once_per_grace_not_by_every_sweep(
    sessions: sessionmaker[Session],
) -> None:
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    intake(runtime, payload=PO, channel=Channel.API)
    runtime.dispatcher.pending.clear()  # type: ignore[attr-defined]  # the dispatch was lost
    with sessions.begin() as s:
        s.execute(update(Step).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    first = sweep(runtime)
    assert len(first) == 1
    # Its task is still queued behind a backlog: the next sweep must not send it again.
    assert sweep(runtime) == []
    with sessions() as s:
        step = s.get(Step, first[0])
        assert step is not None and step.state == StepState.PENDING
        assert step.next_attempt_at is not None and step.next_attempt_at > utcnow()
    drain(runtime)
    assert len(erp.accepted) == 1


def test_a_big_interchange_runs_a_few_steps_inline_and_dispatches_the_rest(
    sessions: sessionmaker[Session],
) -> None:
    from gateway.pipeline.runner import BATCH_SIZE, CHAIN_LIMIT

    segments = [seg.strip() for seg in PO.decode().split("~") if seg.strip()]
    st = next(i for i, seg in enumerate(segments) if seg.startswith("ST*"))
    se = next(i for i, seg in enumerate(segments) if seg.startswith("SE*"))
    sets = CHAIN_LIMIT + 2 * BATCH_SIZE + 3
    body: list[str] = []
    for n in range(1, sets + 1):
        body += [f"ST*850*{n:04d}", *segments[st + 1 : se], f"SE*{se - st + 1}*{n:04d}"]
    ge = segments[se + 1].split("*")
    ge[1] = str(sets)
    lines = segments[:st] + body + ["*".join(ge)] + segments[se + 2 :]
    payload = ("~\n".join(lines) + "~\n").encode()
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    intake(runtime, payload=payload, channel=Channel.API)
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    translate_step = dispatcher.pending.pop(0)
    run_step(runtime, translate_step)
    # The translate step chained CHAIN_LIMIT deliveries itself and left the rest to others:
    # one task per batch of deliveries (each claims a batch), and one for the 997.
    assert len(erp.accepted) == CHAIN_LIMIT
    rest = sets - CHAIN_LIMIT
    assert len(dispatcher.pending) == -(-rest // BATCH_SIZE) + 1
    first, second = dispatcher.pending[0], dispatcher.pending[1]
    assert run_step(runtime, first) == StepState.DONE
    # its batch was full, so it claimed again until no delivery was pending: the task sent
    # for the next batch finds its step done and nothing left to take
    assert len(erp.accepted) == sets
    assert run_step(runtime, second) is None
    drain(runtime)
    assert len(erp.accepted) == sets
    with sessions() as s:
        assert s.execute(select(Step).where(Step.state != StepState.DONE)).all() == []
        assert all(
            d.status == DocumentStatus.DELIVERED for d in s.execute(select(Document)).scalars()
        )
    assert sorted(events_of_kind(sessions, "delivered_to_erp")) == sorted(erp.accepted)


def events_of_kind(sessions: sessionmaker[Session], kind: str) -> list[str]:
    with sessions() as s:
        return [
            str(d) for d in s.execute(select(Event.document_id).where(Event.kind == kind)).scalars()
        ]


def _orders(count: int) -> list[bytes]:
    """`count` distinct single-PO interchanges (own ISA13, own PO number)."""
    return [
        PO.replace(b"000001207", f"{900 + n:09d}".encode()).replace(
            b"NW-4500018231", f"NW-45000{n:05d}".encode()
        )
        for n in range(count)
    ]


class PickyErp(FlakyErp):
    """Refuses one PO for good; delivers the others."""

    def __init__(self, refused_po: str):
        super().__init__([])
        self.refused_po = refused_po

    def deliver(
        self,
        *,
        target: ErpTargetInfo,
        document: dict[str, Any],
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryOutcome:
        if document.get("po_number") == self.refused_po:
            raise PermanentErpError("400: unknown item", status_code=400)
        return super().deliver(
            target=target,
            document=document,
            document_id=document_id,
            message_id=message_id,
            test=test,
        )


def _step_states(sessions: sessionmaker[Session], kind: StepKind) -> dict[uuid.UUID, StepState]:
    with sessions() as s:
        return {
            m: st
            for m, st in s.execute(select(Step.message_id, Step.state).where(Step.kind == kind))
        }


def test_a_task_runs_the_pending_steps_of_its_kind_as_one_batch(
    sessions: sessionmaker[Session],
) -> None:
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    results = [intake(runtime, payload=p, channel=Channel.API) for p in _orders(5)]
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    tasks = list(dispatcher.pending)
    dispatcher.pending.clear()
    assert run_step(runtime, tasks[0]) == StepState.DONE
    # the first task took all five translations, and ran their deliveries and 997s after them
    assert len(erp.accepted) == 5
    assert dispatcher.pending == []
    for task in tasks[1:]:  # the tasks sent for the others find nothing to do
        assert run_step(runtime, task) is None
    assert len(erp.accepted) == 5
    with sessions() as s:
        for r in results:
            message = s.get(Message, r.message_id)
            assert message is not None and message.status == MessageStatus.DELIVERED
        assert s.execute(select(Step).where(Step.state != StepState.DONE)).all() == []
        # the batch's documents each got their own ERP reference
        references = {str(d.id): d.erp_reference for d in s.execute(select(Document)).scalars()}
        assert references == {key: f"ERP-{key[-12:]}" for key in references}
        assert len(set(references.values())) == 5
    for r in results:
        assert events(sessions, r.message_id).count("delivered_to_erp") == 1
        assert events(sessions, r.message_id).count("acknowledged") == 1


def _regrouped(payload: bytes, *, sender: str, isa13: int, groups: int) -> bytes:
    """The sample 850 from ``ZZ:<sender>`` as an interchange of ``groups`` groups, each holding
    the one order."""
    text = payload.decode().replace("NWHARDWARE", f"{sender:<10}"[:10])
    isa, rest = text.split("~\n", 1)
    group = rest[: rest.index("IEA*")]
    isa = isa.replace("000001207", f"{isa13:09d}")
    body = "".join(
        group.replace("*1207*", f"*{isa13 * 10 + g}*", 1).replace(
            "GE*1*1207", f"GE*1*{isa13 * 10 + g}"
        )
        for g in range(groups)
    )
    return f"{isa}~\n{body}IEA*{groups}*{isa13:09d}~\n".encode()


def test_a_batch_of_acknowledgments_takes_each_partners_numbers_gap_free(
    sessions: sessionmaker[Session],
) -> None:
    """Five messages of two partners acknowledged by one batch: each partner's 997s carry
    distinct consecutive ISA13s and GS06s, one per interchange and per group acknowledged;
    a 997 that came in is answered by nothing and takes no number."""
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    add_partner(sessions, name="Southwind", isa="ZZ:SWHARDWARE")
    a = [
        _regrouped(PO, sender="NWHARDWARE", isa13=31, groups=1),
        _regrouped(PO, sender="NWHARDWARE", isa13=32, groups=2),
        (SAMPLES / "997" / "accepted-004010.x12").read_bytes(),  # answered by nothing
        _regrouped(PO, sender="NWHARDWARE", isa13=33, groups=1),
    ]
    b = [_regrouped(PO, sender="SWHARDWARE", isa13=41, groups=3)]
    results = [intake(runtime, payload=p, channel=Channel.API) for p in [*a, *b]]
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    tasks = list(dispatcher.pending)
    dispatcher.pending.clear()
    run_step(runtime, tasks[0])  # one batch of translations, then of deliveries and 997s
    assert dispatcher.pending == []
    numbers: dict[str, tuple[list[int], list[int]]] = {}
    with sessions() as s:
        for r in results:  # the 997 too: reconciled, and nothing to answer
            assert (s.get(Message, r.message_id) or Message()).status == MessageStatus.DELIVERED
        for ack in s.execute(
            select(Message).where(Message.direction == Direction.OUTBOUND)
        ).scalars():
            text = ack.blob.data.decode()
            receiver = text.split("*")[8].strip()
            isas, gss = numbers.setdefault(receiver, ([], []))
            isas += [
                int(seg.split("*")[13]) for seg in text.split("~") if seg.strip().startswith("ISA")
            ]
            gss += [
                int(seg.split("*")[6]) for seg in text.split("~") if seg.strip().startswith("GS")
            ]
        sequences = {
            (row.partner_id, row.kind.value): row.value
            for row in s.execute(select(ControlNumber)).scalars()
        }
    assert sorted(numbers["NWHARDWARE"][0]) == [1, 2, 3]
    assert sorted(numbers["NWHARDWARE"][1]) == [1, 2, 3, 4]
    assert sorted(numbers["SWHARDWARE"][0]) == [1]
    assert sorted(numbers["SWHARDWARE"][1]) == [1, 2, 3]
    # the sequences stand where the numbers sent end: nothing was taken and left unused
    assert sorted(sequences.values()) == [1, 3, 3, 4]


def test_a_translation_finding_its_acknowledgment_step_there_runs_that_one(
    sessions: sessionmaker[Session],
) -> None:
    """The message's 997 step is written with the batch's rows, skipping one that exists (an
    operator's replay of a translation): the existing step is the one chained and run."""
    runtime = flaky_runtime(sessions, FlakyErp([]))
    result = intake(runtime, payload=PO, channel=Channel.API)
    with sessions.begin() as s:
        existing = ensure_step_id(s, message_id=result.message_id, kind=StepKind.SEND_ACK)
    drain(runtime)
    with sessions() as s:
        (step,) = s.execute(select(Step).where(Step.kind == StepKind.SEND_ACK)).scalars()
        assert step.id == existing and step.state == StepState.DONE
    assert events(sessions, result.message_id).count("acknowledged") == 1


def test_steps_sent_together_run_once_each(sessions: sessionmaker[Session]) -> None:
    """The web tier sends several step ids in one message: the first one's batch takes the
    others along, which are then not free and not run again."""
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    results = [intake(runtime, payload=p, channel=Channel.API) for p in _orders(5)]
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    sent, dispatcher.pending = list(dispatcher.pending), []
    assert run_steps(runtime, sent) == 1  # the others ran in the first one's batch
    assert len(erp.accepted) == 5
    with sessions() as s:
        assert claimable_steps(s, step_ids=sent) == []
        for r in results:
            assert (s.get(Message, r.message_id) or Message()).status == MessageStatus.DELIVERED
    assert run_steps(runtime, sent) == 0
    assert len(erp.accepted) == 5


@pytest.mark.parametrize("kept", [True, False], ids=["read-once", "read-again"])
def test_the_997_rejects_a_set_with_an_impossible_date(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, kept: bool
) -> None:
    """A set with an impossible date is rejected - no document goes to the ERP - and the
    pipeline's 997 says so exactly as `edi-gateway ack` does for the same file: whether the
    997 step finds the translation's reading (same worker) or reads the payload again."""
    from gateway.pipeline import inbound

    if not kept:  # as when another worker sends the 997
        monkeypatch.setattr(inbound._READ, "keep", lambda *args: None)
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    bad = PO.replace(b"DTM*002*20240322", b"DTM*002*20240231")
    result = intake(runtime, payload=bad, channel=Channel.API)
    drain(runtime)
    assert erp.accepted == {}
    with sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.REJECTED
        (ack,) = s.execute(select(Message).where(Message.direction == Direction.OUTBOUND)).scalars()
        text = ack.blob.data.decode()
    assert "AK4*2*373*8*20240231~" in text and "AK5*R*5~" in text and "AK9*R*1*1*0~" in text


def test_a_delivery_refused_in_a_batch_fails_alone(sessions: sessionmaker[Session]) -> None:
    erp = PickyErp("NW-4500000002")
    runtime = flaky_runtime(sessions, erp)
    results = [intake(runtime, payload=p, channel=Channel.API) for p in _orders(5)]
    drain(runtime)
    states = _step_states(sessions, StepKind.DELIVER_ERP)
    refused = results[2].message_id
    assert states.pop(refused) == StepState.DEAD
    assert set(states.values()) == {StepState.DONE} and len(states) == 4
    assert len(erp.accepted) == 4
    with sessions() as s:
        for r in results:
            message = s.get(Message, r.message_id)
            assert message is not None
            want = MessageStatus.FAILED if r.message_id == refused else MessageStatus.DELIVERED
            assert message.status == want
    assert "dead_lettered" in events(sessions, refused)
    assert "delivered_to_erp" not in events(sessions, refused)


def test_a_translation_failing_in_a_batch_fails_alone(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.pipeline import runner

    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    results = [intake(runtime, payload=p, channel=Channel.API) for p in _orders(4)]
    broken = results[1].message_id
    translate = runner.HANDLERS[StepKind.TRANSLATE]

    def failing(session: Session, step: Step, rt: Runtime) -> list[uuid.UUID]:
        created = translate(session, step, rt)  # its writes, then an unexpected error
        if step.message_id == broken:
            raise RuntimeError("boom")
        return created

    monkeypatch.setitem(runner.HANDLERS, StepKind.TRANSLATE, failing)
    drain(runtime)
    states = _step_states(sessions, StepKind.TRANSLATE)
    assert states.pop(broken) == StepState.FAILED  # retried later, as any unexpected error
    assert set(states.values()) == {StepState.DONE} and len(states) == 3
    assert len(erp.accepted) == 3
    with sessions() as s:
        for r in results:
            message = s.get(Message, r.message_id)
            assert message is not None
            want = MessageStatus.RECEIVED if r.message_id == broken else MessageStatus.DELIVERED
            assert message.status == want
        # nothing of the failed translation was kept
        assert s.execute(select(Document).where(Document.message_id == broken)).all() == []
    assert "translated" not in events(sessions, broken)
    assert "step_failed" in events(sessions, broken)
    for r in results:
        if r.message_id != broken:
            assert events(sessions, r.message_id).count("translated") == 1


def _interchange_of(sets: int) -> bytes:
    """One interchange of `sets` 850s, each with its own PO number."""
    segments = [seg.strip() for seg in PO.decode().split("~") if seg.strip()]
    st = next(i for i, seg in enumerate(segments) if seg.startswith("ST*"))
    se = next(i for i, seg in enumerate(segments) if seg.startswith("SE*"))
    body: list[str] = []
    for n in range(1, sets + 1):
        inner = [seg.replace("NW-4500018231", f"NW-{n:06d}") for seg in segments[st + 1 : se]]
        body += [f"ST*850*{n:04d}", *inner, f"SE*{se - st + 1}*{n:04d}"]
    ge = segments[se + 1].split("*")
    ge[1] = str(sets)
    lines = segments[:st] + body + ["*".join(ge)] + segments[se + 2 :]
    return ("~\n".join(lines) + "~\n").encode()


def test_a_large_translation_interrupted_between_chunks_resumes_each_document_once(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large interchange is translated in chunks, each committed with its documents and
    ERP steps (delivered while the rest is read). Interrupted after its second chunk, the
    retry picks up where it stopped: every set, document and ERP step exactly once, one ERP
    delivery each, the message delivered once all are - not before - and one 997 for all."""
    from gateway.pipeline import inbound, runner
    from gateway.store.models import TransactionSet

    monkeypatch.setattr(inbound, "CHUNK_SETS", 10)
    sets = 37  # three full chunks and a rest of 7
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    result = intake(runtime, payload=_interchange_of(sets), channel=Channel.API)
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    (translate_step,) = dispatcher.pending
    dispatcher.pending.clear()

    make_commit = runner._chunk_commit
    commits: list[int] = []

    def crashing(*args: Any) -> Any:
        commit = make_commit(*args)

        def after_two(created: list[uuid.UUID]) -> None:
            commit(created)
            commits.append(len(created))
            if len(commits) == 2:  # the worker dies right after its second chunk
                raise RuntimeError("worker died")

        return after_two

    monkeypatch.setattr(runner, "_chunk_commit", crashing)
    assert run_step(runtime, translate_step) == StepState.FAILED
    assert commits == [10, 10]
    # the first chunks' deliveries were dispatched and run while the translation is unfinished
    assert dispatcher.pending
    drain(runtime)
    assert len(erp.accepted) == 20
    with sessions() as s:
        message = s.get(Message, result.message_id)
        # its first documents went to the ERP: processing, not delivered before the rest
        assert message is not None and message.status == MessageStatus.PROCESSING
        assert len(s.execute(select(Document)).scalars().all()) == 20
    assert "delivered" not in events(sessions, result.message_id)
    assert "translated" not in events(sessions, result.message_id)

    _make_due(sessions)
    assert sweep(runtime) == [translate_step]
    drain(runtime)
    assert commits == [10, 10, 10]  # the retry wrote only the third chunk and the rest
    with sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
        positions = s.execute(select(TransactionSet.position)).scalars().all()
        assert sorted(positions) == list(range(1, sets + 1))
        docs = s.execute(select(Document)).scalars().all()
        assert sorted(d.po_number or "" for d in docs) == [
            f"NW-{n:06d}" for n in range(1, sets + 1)
        ]
        assert all(d.status == DocumentStatus.DELIVERED for d in docs)
        deliveries = s.execute(select(Step).where(Step.kind == StepKind.DELIVER_ERP)).all()
        assert len(deliveries) == sets
        assert s.execute(select(Step).where(Step.state != StepState.DONE)).all() == []
        acks = [
            m for m in s.execute(select(Message)).scalars() if m.channel_meta.get("acknowledges")
        ]
        (ack,) = acks
        assert f"AK9*A*{sets}*{sets}*{sets}~" in ack.blob.data.decode()
    assert len(erp.accepted) == sets
    assert sorted(events_of_kind(sessions, "delivered_to_erp")) == sorted(erp.accepted)
    timeline = events(sessions, result.message_id)
    assert timeline.count("translated") == 1 and timeline.count("delivered") == 1
    assert timeline.count("acknowledged") == 1


def test_a_chunk_does_not_commit_once_the_step_was_taken_over(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk commits only while the step's lease is ours: taken over by another worker
    between chunks, the translation stops and its uncommitted chunk is rolled back."""
    from gateway.pipeline import inbound, runner

    monkeypatch.setattr(inbound, "CHUNK_SETS", 10)
    erp = FlakyErp([])
    runtime = flaky_runtime(sessions, erp)
    intake(runtime, payload=_interchange_of(25), channel=Channel.API)
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    (translate_step,) = dispatcher.pending
    dispatcher.pending.clear()

    make_commit = runner._chunk_commit

    def stolen(*args: Any) -> Any:
        commit = make_commit(*args)
        done: list[int] = []

        def then_lose_the_lease(created: list[uuid.UUID]) -> None:
            commit(created)
            done.append(len(created))
            # right after the first chunk, another worker takes the step over
            with sessions.begin() as s:
                s.execute(
                    update(Step).where(Step.id == translate_step).values(lease_owner="another")
                )

        return then_lose_the_lease

    monkeypatch.setattr(runner, "_chunk_commit", stolen)
    assert run_step(runtime, translate_step, chain=False) is None  # not ours any more
    with sessions() as s:
        assert len(s.execute(select(Document)).scalars().all()) == 10
        step = s.get(Step, translate_step)
        assert step is not None and step.state == StepState.RUNNING
        assert step.lease_owner == "another"
