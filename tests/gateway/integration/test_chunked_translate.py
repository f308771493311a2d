"""A large interchange is translated in committed chunks, its first documents delivered while
the rest is read. Here its worker is SIGKILLed in the middle of that - some chunks committed,
the translation unfinished - and restarted: the retry resumes after the committed chunks, and
the ERP ends up with every order exactly once, the interchange with one 997."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from gateway.commands.admin import add_erp_target, add_partner
from gateway.store.enums import Direction, DocumentStatus, MessageStatus, StepKind, StepState
from gateway.store.models import Document, Event, Message, Step
from tests.gateway.integration.conftest import GatewayFactory
from tests.gateway.integration.harness import ErpReceiver, RedisServer, interchange, wait_for

ORDERS = 1500  # about 1.3 MB: ten chunks


@pytest.mark.slow
def test_a_worker_killed_between_chunks_of_a_translation_loses_and_repeats_nothing(
    private_redis: RedisServer, erp_receiver: ErpReceiver, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(broker_url=private_redis.url, lease_seconds=3.0, sweep_seconds=1.0)
    target = gateway.target_name("erp")
    add_erp_target(
        gateway.sessions, gateway.box, name=target, kind="webhook", config={"url": erp_receiver.url}
    )
    add_partner(gateway.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp=target, status="live")
    victim = gateway.add_worker()
    gateway.add_beat()
    po_numbers = [f"CK-{k:05d}" for k in range(ORDERS)]
    result = gateway.intake(interchange(sender="NWHARDWARE", isa13=7001, po_numbers=po_numbers))
    assert result.status == MessageStatus.RECEIVED

    def documents() -> int:
        with gateway.sessions() as s:
            return int(
                s.execute(
                    select(func.count())
                    .select_from(Document)
                    .where(Document.message_id == result.message_id)
                ).scalar_one()
            )

    def translate_step() -> Step:
        with gateway.sessions() as s:
            return s.execute(
                select(Step).where(
                    Step.message_id == result.message_id, Step.kind == StepKind.TRANSLATE
                )
            ).scalar_one()

    # some chunks are committed while the translation still runs: the host dies there
    deadline = time.monotonic() + 60
    while not documents():
        assert time.monotonic() < deadline, gateway.logs()
        time.sleep(0.01)
    victim.kill()
    written = documents()
    step = translate_step()
    assert step.state == StepState.RUNNING and 0 < written < ORDERS, (step.state, written)
    victim.start().wait_ready()

    def acknowledged() -> int:
        with gateway.sessions() as s:
            return int(
                s.execute(
                    select(func.count())
                    .select_from(Event)
                    .where(Event.message_id == result.message_id, Event.kind == "acknowledged")
                ).scalar_one()
            )

    def delivered() -> int:
        with gateway.sessions() as s:
            return int(
                s.execute(
                    select(func.count())
                    .select_from(Document)
                    .where(
                        Document.message_id == result.message_id,
                        Document.status == DocumentStatus.DELIVERED,
                    )
                ).scalar_one()
            )

    finished = wait_for(
        lambda: delivered() == ORDERS and acknowledged() == 1, timeout=120, interval=0.5
    )
    assert finished, f"{delivered()}/{ORDERS} delivered\n{gateway.logs()}"
    assert translate_step().attempts >= 2  # it was killed, and resumed
    applied, _raw, refused = erp_receiver.snapshot()
    with gateway.sessions() as s:
        docs = {
            str(d.id): str(d.po_number)
            for d in s.execute(
                select(Document).where(Document.message_id == result.message_id)
            ).scalars()
        }
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
        states = Counter(
            s.execute(select(Step.state).where(Step.message_id == result.message_id)).scalars()
        )
        acks = [
            m.blob.data.decode()
            for m in s.execute(select(Message).where(Message.direction == Direction.OUTBOUND))
            .scalars()
            .all()
            if m.channel_meta.get("acknowledges") == str(result.message_id)
        ]
        kinds = Counter(
            s.execute(select(Event.kind).where(Event.message_id == result.message_id)).scalars()
        )
    # every order once: one document each, applied by the ERP under its own id, once
    assert sorted(docs.values()) == po_numbers
    mine = {key: d for key, d in applied.items() if key in docs}
    assert set(mine) == set(docs) and refused == 0
    assert sorted(d.document["po_number"] for d in mine.values()) == po_numbers
    assert set(states) == {StepState.DONE}, states
    (ack,) = acks
    assert f"AK9*A*{ORDERS}*{ORDERS}*{ORDERS}~" in ack
    assert kinds["translated"] == 1 and kinds["delivered"] == 1 and kinds["acknowledged"] == 1
