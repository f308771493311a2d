"""The web tier's batched dispatch on the production shape: intake hands its translate steps to
a `BatchingDispatcher`, which sends several to a `run_steps` message, and a real `celery
worker` runs them all. No beat runs here, so no sweeper can make up for an id the batching
dropped: every order reaching the ERP once proves none was."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from gateway.commands.admin import add_erp_target, add_partner
from gateway.pipeline.dispatch import RUN_STEPS_TASK, BatchingDispatcher
from gateway.store.enums import MessageStatus, StepKind, StepState
from gateway.store.models import Step
from tests.gateway.integration.conftest import GatewayFactory
from tests.gateway.integration.harness import ErpReceiver, Gateway, interchange, wait_for

ORDERS = 24


@dataclass
class Setup:
    gateway: Gateway
    receiver: ErpReceiver


class Recording:
    """The gateway's Celery app, noting the name of each task sent."""

    def __init__(self, app: Any):
        self.app = app
        self.names: list[str] = []

    def send_task(self, name: str, args: list[Any]) -> Any:
        self.names.append(name)
        return self.app.send_task(name, args=args)


@pytest.fixture(scope="module")
def setup(
    project_redis: str, erp_receiver: ErpReceiver, make_gateway: GatewayFactory
) -> Setup:  # in this order, so the worker is stopped before the ERP
    gateway = make_gateway(broker_url=project_redis, shared=True)
    target = gateway.target_name("erp")
    add_erp_target(
        gateway.sessions, gateway.box, name=target, kind="webhook", config={"url": erp_receiver.url}
    )
    add_partner(gateway.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp=target, status="live")
    gateway.add_worker()
    return Setup(gateway, erp_receiver)


def test_steps_sent_in_batches_each_run_once(setup: Setup) -> None:
    gateway, receiver = setup.gateway, setup.receiver
    sent = Recording(gateway.celery)
    dispatcher = BatchingDispatcher(sent, batch=8, linger=0.05)
    gateway.runtime.dispatcher = dispatcher
    orders = [f"BD-{n:03d}" for n in range(ORDERS)]
    results = [
        gateway.intake(interchange(sender="NWHARDWARE", isa13=7000 + n, po_numbers=[po]))
        for n, po in enumerate(orders)
    ]
    assert {r.status for r in results} == {MessageStatus.RECEIVED}
    dispatcher.close()
    assert RUN_STEPS_TASK in sent.names  # several ids went in one message
    assert len(sent.names) < ORDERS

    def translated() -> bool:
        with gateway.sessions() as s:
            states = s.execute(select(Step.state).where(Step.kind == StepKind.TRANSLATE))
            return Counter(states.scalars()) == {StepState.DONE: ORDERS}

    assert wait_for(translated, timeout=90), gateway.logs()
    assert wait_for(lambda: len(receiver.snapshot()[0]) == ORDERS, timeout=90), gateway.logs()
    applied, _, _ = receiver.snapshot()
    assert sorted(d.document["po_number"] for d in applied.values()) == orders
