"""Chaos, bounded in time: 2,170 orders (97 interchanges of 10, and 3 of 400 large enough to
be translated in committed chunks) flow through two worker processes while one of them is
SIGKILLed again and again - the whole worker, or only its pool process in the middle of a task
- and the Redis broker is flushed and restarted once. The test ERP applies each
`Idempotency-Key` once and counts every raw POST: at the end it holds every document exactly
once, none lost and none applied twice, and each interchange got exactly one 997. How many raw
re-deliveries it took is printed and recorded (`raw_redeliveries`)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from gateway.commands.admin import add_erp_target, add_partner
from gateway.pipeline import IntakeResult
from gateway.store.enums import Direction, DocumentStatus, MessageStatus, StepKind, StepState
from gateway.store.models import Document, Event, Message, Step
from tests.gateway.integration.conftest import GatewayFactory
from tests.gateway.integration.harness import (
    ErpReceiver,
    Gateway,
    RedisServer,
    interchange,
    wait_for,
)

INTERCHANGES = 100
ORDERS_EACH = 10
# these interchanges are large: their translation commits in chunks while workers are killed
LARGE_AT = (10, 40, 70)
LARGE_EACH = 400
ORDERS = [LARGE_EACH if n in LARGE_AT else ORDERS_EACH for n in range(INTERCHANGES)]
DOCUMENTS = sum(ORDERS)
INTAKE_S = 14.0  # interchanges arrive over this long, so the chaos meets work in flight
LEASE_S = 5.0
# a dispatch lost with the broker's contents is re-sent by the sweeper once the dispatch grace
# (60 s after the step was created) has passed; the rest of the bound is slack
BOUND_S = 170.0


@dataclass
class Setup:
    gateway: Gateway
    receiver: ErpReceiver
    redis: RedisServer


@pytest.fixture(scope="module")
def setup(
    private_redis: RedisServer, erp_receiver: ErpReceiver, make_gateway: GatewayFactory
) -> Setup:  # in this order, so the workers are stopped before Redis and the ERP
    gateway = make_gateway(broker_url=private_redis.url, lease_seconds=LEASE_S, sweep_seconds=1.0)
    target = gateway.target_name("erp")
    add_erp_target(
        gateway.sessions, gateway.box, name=target, kind="webhook", config={"url": erp_receiver.url}
    )
    add_partner(gateway.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp=target, status="live")
    gateway.add_worker()
    gateway.add_worker()
    gateway.add_beat()
    return Setup(gateway, erp_receiver, private_redis)


def _po(n: int, k: int) -> str:
    return f"CH-{n:03d}-{k:02d}"


def _send_all(gateway: Gateway, results: list[IntakeResult], errors: list[BaseException]) -> None:
    try:
        start = time.monotonic()
        for n in range(INTERCHANGES):
            pause = start + n * INTAKE_S / INTERCHANGES - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            payload = interchange(
                sender="NWHARDWARE",
                isa13=9000 + n,
                po_numbers=[_po(n, k) for k in range(ORDERS[n])],
            )
            results.append(gateway.intake(payload))
    except BaseException as exc:  # reported by the test, not lost in the thread
        errors.append(exc)


def _count(gateway: Gateway, query: Callable[[], object]) -> int:
    with gateway.sessions() as s:
        return int(s.execute(query()).scalar_one())  # type: ignore[call-overload]


def _delivered(gateway: Gateway) -> int:
    return _count(
        gateway,
        lambda: (
            select(func.count())
            .select_from(Document)
            .where(Document.status == DocumentStatus.DELIVERED)
        ),
    )


def _acknowledged(gateway: Gateway) -> int:
    return _count(
        gateway,
        lambda: select(func.count()).select_from(Event).where(Event.kind == "acknowledged"),
    )


@pytest.mark.slow
def test_every_document_reaches_the_erp_exactly_once_through_kills_and_a_lost_broker(
    setup: Setup, record_property: Callable[[str, object], None]
) -> None:
    gateway, receiver = setup.gateway, setup.receiver
    receiver.delay_s = 0.01  # applied, then answered: a kill in between means a re-delivery
    victim = gateway.processes[0]
    started = time.monotonic()
    results: list[IntakeResult] = []
    errors: list[BaseException] = []
    sender = threading.Thread(target=_send_all, args=(gateway, results, errors), daemon=True)
    sender.start()

    def at(offset: float) -> None:
        time.sleep(max(0.0, started + offset - time.monotonic()))

    chaos: list[str] = []
    for offset, action in [
        (2.0, "kill worker"),
        (4.0, "kill pool process"),
        (6.0, "flush and restart redis"),
        (8.5, "kill worker"),
        (10.5, "kill pool process"),
        (12.5, "kill worker"),
    ]:
        at(offset)
        if action == "kill worker":
            victim.kill()
            victim.start().wait_ready()
        elif action == "kill pool process":
            if not victim.kill_pool():
                continue
        else:
            setup.redis.flush_and_restart(down_s=1.0)
        chaos.append(f"{time.monotonic() - started:5.1f}s {action}")
    sender.join(timeout=60)
    assert not sender.is_alive() and not errors, errors
    assert {r.status for r in results} == {MessageStatus.RECEIVED}

    finished = wait_for(
        lambda: _delivered(gateway) == DOCUMENTS and _acknowledged(gateway) == INTERCHANGES,
        timeout=BOUND_S - (time.monotonic() - started),
        interval=1.0,
    )
    applied, raw_posts, refused = receiver.snapshot()
    redeliveries = raw_posts - len(applied)
    report = (
        f"chaos: {'; '.join(chaos)}\n"
        f"{len(applied)} documents applied by the ERP from {raw_posts} raw POSTs: "
        f"{redeliveries} raw re-deliveries (answered 409), {refused} refused, "
        f"{receiver.truncated} cut off mid-body by a kill; "
        f"done in {time.monotonic() - started:.0f} s"
    )
    print(report)
    record_property("raw_posts", raw_posts)
    record_property("raw_redeliveries", redeliveries)
    record_property("cut_off_mid_body", receiver.truncated)
    assert finished, (
        f"{_delivered(gateway)}/{DOCUMENTS} delivered, {_acknowledged(gateway)}/{INTERCHANGES} "
        f"acknowledged\n{report}\n{gateway.logs()}"
    )

    with gateway.sessions() as s:
        documents = {
            str(d.id): str(d.po_number)
            for d in s.execute(select(Document).where(Document.direction == Direction.INBOUND))
            .scalars()
            .all()
        }
        inbound = s.execute(
            select(Message.status).where(Message.direction == Direction.INBOUND)
        ).scalars()
        acks = Counter(
            m.channel_meta.get("acknowledges")
            for m in s.execute(
                select(Message).where(Message.direction == Direction.OUTBOUND)
            ).scalars()
        )
        states = Counter(s.execute(select(Step.state)).scalars())
        rerun = s.execute(
            select(func.count()).select_from(Step).where(Step.attempts > 1)
        ).scalar_one()
        large = [results[n].message_id for n in LARGE_AT]
        large_reruns = s.execute(
            select(func.count())
            .select_from(Step)
            .where(
                Step.message_id.in_(large),
                Step.kind == StepKind.TRANSLATE,
                Step.attempts > 1,
            )
        ).scalar_one()
    print(f"{rerun} steps ran more than once ({large_reruns} chunked translations among them)")
    record_property("steps_run_more_than_once", rerun)
    record_property("chunked_translations_run_more_than_once", large_reruns)
    # none lost, none twice: one document per order, each applied under its own id, once
    assert sorted(documents.values()) == sorted(
        _po(n, k) for n in range(INTERCHANGES) for k in range(ORDERS[n])
    )
    assert set(applied) == set(documents)
    assert Counter(d.document["po_number"] for d in applied.values()) == Counter(documents.values())
    assert all(documents[key] == d.document["po_number"] for key, d in applied.items())
    # every interchange delivered and acknowledged exactly once, nothing dead-lettered
    assert Counter(inbound) == {MessageStatus.DELIVERED: INTERCHANGES}
    assert sorted(acks.values()) == [1] * INTERCHANGES
    assert set(acks) == {str(r.message_id) for r in results}
    assert set(states) == {StepState.DONE}, states
