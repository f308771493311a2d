"""The ERP is down (its webhook answers 503) for a while, then back: the circuit breaker parks
the deliveries instead of spending their attempts, the beat sweeper resumes them once the
breaker lets a trial through, and every document reaches the ERP exactly once - nothing is
dead-lettered."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from gateway.commands.admin import add_erp_target, add_partner
from gateway.store.enums import Direction, DocumentStatus, MessageStatus, StepKind, StepState
from gateway.store.models import Document, Event, Message, Step
from tests.gateway.integration.conftest import GatewayFactory
from tests.gateway.integration.harness import ErpReceiver, Gateway, interchange, wait_for

DOCUMENTS = 20
DOWN_S = 8.0
BOUND_S = 60.0


@dataclass
class Setup:
    gateway: Gateway
    receiver: ErpReceiver


@pytest.fixture(scope="module")
def setup(
    project_redis: str, erp_receiver: ErpReceiver, make_gateway: GatewayFactory
) -> Setup:  # in this order, so the workers are stopped before the ERP
    gateway = make_gateway(broker_url=project_redis, shared=True)
    target = gateway.target_name("erp")
    add_erp_target(
        gateway.sessions, gateway.box, name=target, kind="webhook", config={"url": erp_receiver.url}
    )
    add_partner(gateway.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp=target, status="live")
    gateway.add_worker()
    gateway.add_worker()
    gateway.add_beat()
    return Setup(gateway, erp_receiver)


def _delivered(gateway: Gateway) -> int:
    with gateway.sessions() as s:
        return s.execute(
            select(func.count())
            .select_from(Document)
            .where(Document.status == DocumentStatus.DELIVERED)
        ).scalar_one()


def test_deliveries_wait_while_the_erp_is_down_and_all_arrive_once_after(setup: Setup) -> None:
    gateway, receiver = setup.gateway, setup.receiver
    started = time.monotonic()
    receiver.down_until = started + DOWN_S
    # an ERP that takes a moment to answer, so other deliveries come while the breaker's
    # half-open trial is in flight (and must not be parked for the trial's whole lease)
    receiver.delay_s = 0.2
    sent = [
        gateway.intake(interchange(sender="NWHARDWARE", isa13=5000 + n, po_numbers=[f"DOWN-{n}"]))
        for n in range(DOCUMENTS)
    ]
    assert {r.status for r in sent} == {MessageStatus.RECEIVED}

    # the breaker opens at once and cools down for 30 s; the bound is the whole test's
    finished = wait_for(
        lambda: _delivered(gateway) == DOCUMENTS,
        timeout=BOUND_S - (time.monotonic() - started),
        interval=0.5,
    )
    applied, _raw, refused = receiver.snapshot()
    assert finished, (
        f"{_delivered(gateway)} of {DOCUMENTS} delivered in {BOUND_S} s; "
        f"ERP applied {len(applied)}, refused {refused}\n{gateway.logs()}"
    )

    with gateway.sessions() as s:
        documents = {str(d.id): d.po_number for d in s.execute(select(Document)).scalars()}
        steps = s.execute(select(Step).where(Step.kind == StepKind.DELIVER_ERP)).scalars().all()
        dead_events = s.execute(
            select(func.count()).select_from(Event).where(Event.kind == "dead_lettered")
        ).scalar_one()
        statuses = set(
            s.execute(
                select(Message.status).where(Message.direction == Direction.INBOUND)
            ).scalars()
        )
    # the ERP really was down when deliveries were tried, and the breaker parked some of them
    assert refused > 0
    assert any("circuit" in (st.last_error or "") for st in steps)
    # nothing dead-lettered, and every document applied exactly once
    assert dead_events == 0
    assert {st.state for st in steps} == {StepState.DONE}
    assert statuses == {MessageStatus.DELIVERED}
    assert set(applied) == set(documents)
    assert sorted(d.document["po_number"] for d in applied.values()) == sorted(
        f"DOWN-{n}" for n in range(DOCUMENTS)
    )
    assert receiver.repeats == {}
