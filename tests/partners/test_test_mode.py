"""Test mode and suspension through the real pipeline (intake, translate, ERP delivery to
folder targets) on SQLite and PostgreSQL: a test document never reaches the production ERP,
and a suspended partner's interchanges are stored and rejected."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.commands.admin import add_erp_target, add_identity
from gateway.erp.circuit import CircuitBreakers
from gateway.pipeline import CollectingDispatcher, Runtime, intake, replay, run_step
from gateway.secretbox import SecretBox
from gateway.store.enums import Channel, Direction, MessageStatus, StepKind, StepState
from gateway.store.models import Message, Step
from gateway.wiring import StoreErpGateway
from partners import registry

BOX = SecretBox("test-secret-key-with-enough-length-0123456789")
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "x12"
PO = (SAMPLES / "850" / "basic-004010.x12").read_bytes()
TEST_PO = PO.replace(b"*0*P*>~", b"*0*T*>~", 1)  # ISA15 = T
assert TEST_PO != PO


@pytest.fixture
def runtime(sessions: sessionmaker[Session], tmp_path: Path) -> Runtime:
    for name in ("prod", "qa"):
        add_erp_target(
            sessions, BOX, name=name, kind="folder", config={"directory": str(tmp_path / name)}
        )
    return Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )


def drain(runtime: Runtime) -> None:
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    while dispatcher.pending:
        run_step(runtime, dispatcher.pending.pop(0))


def send(runtime: Runtime, payload: bytes) -> Message:
    result = intake(runtime, payload=payload, channel=Channel.CLI)
    drain(runtime)
    with runtime.sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None
        return message


def delivered(tmp_path: Path, target: str) -> list[dict[str, object]]:
    return [orjson.loads(p.read_bytes()) for p in sorted((tmp_path / target).glob("*.json"))]


def test_a_testing_partner_goes_to_its_test_erp_only(runtime: Runtime, tmp_path: Path) -> None:
    registry.create_partner(
        runtime.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="prod", test_erp="qa"
    )
    message = send(runtime, PO)
    assert message.status == MessageStatus.DELIVERED
    (doc,) = delivered(tmp_path, "qa")
    assert "NW-4500018231" in orjson.dumps(doc).decode()
    assert delivered(tmp_path, "prod") == []


def test_a_testing_partner_onboarded_with_one_route_tests_on_it(
    runtime: Runtime, tmp_path: Path
) -> None:
    """`partners add NAME --erp X` (CONTRACT): X takes its documents, test ones flagged."""
    made = registry.create_partner(
        runtime.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="prod"
    )
    assert (made["erp"], made["test_erp"]) == ("prod", "prod")
    assert send(runtime, PO).status == MessageStatus.DELIVERED
    (doc,) = delivered(tmp_path, "prod")
    assert "NW-4500018231" in orjson.dumps(doc).decode()


def test_a_testing_partner_without_a_test_erp_is_held(runtime: Runtime, tmp_path: Path) -> None:
    registry.create_partner(runtime.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="prod")
    registry.update_partner(runtime.sessions, "Northwind", test_erp=None)
    message = send(runtime, PO)
    assert delivered(tmp_path, "prod") == [] and delivered(tmp_path, "qa") == []
    with runtime.sessions() as s:
        step = s.execute(select(Step).where(Step.kind == StepKind.DELIVER_ERP)).scalar_one()
        assert step.state == StepState.DEAD and step.message_id == message.id
        assert "held: partner Northwind is testing" in (step.last_error or "")
        assert "never go to the production ERP" in (step.last_error or "")
    # going live releases it: the operator replays the held step
    registry.set_status(runtime.sessions, "Northwind", "live")
    assert replay(runtime, [step.id]) == [step.id]
    drain(runtime)
    assert len(delivered(tmp_path, "prod")) == 1


def test_a_live_partner_test_interchange_goes_the_test_way(
    runtime: Runtime, tmp_path: Path
) -> None:
    registry.create_partner(
        runtime.sessions,
        name="Northwind",
        isa="ZZ:NWHARDWARE",
        erp="prod",
        test_erp="qa",
        status="live",
    )
    assert send(runtime, PO).status == MessageStatus.DELIVERED
    assert send(runtime, TEST_PO.replace(b"000001207", b"000001208")).is_test
    assert len(delivered(tmp_path, "prod")) == 1
    (test_doc,) = delivered(tmp_path, "qa")
    assert test_doc["envelope"]["test"] is True  # type: ignore[index]


def test_a_live_partner_test_interchange_without_test_erp_is_held(
    runtime: Runtime, tmp_path: Path
) -> None:
    registry.create_partner(
        runtime.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="prod", status="live"
    )
    send(runtime, TEST_PO)
    assert delivered(tmp_path, "prod") == []
    with runtime.sessions() as s:
        step = s.execute(select(Step).where(Step.kind == StepKind.DELIVER_ERP)).scalar_one()
        assert "the interchange is a test one (ISA15 = T)" in (step.last_error or "")


def test_the_demo_erp_takes_test_documents(sessions: sessionmaker[Session]) -> None:
    """The quick start: a partner in testing, routed to the demo ERP (which reaches no real
    system), gets its 855 back."""
    add_erp_target(sessions, BOX, name="default", kind="demo", config={})
    registry.create_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE")
    runtime = Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )
    message = send(runtime, PO)
    assert message.status == MessageStatus.DELIVERED
    with sessions() as s:
        kinds = {d.document_type for d in s.get(Message, message.id).documents}  # type: ignore[union-attr]
        assert kinds == {"order", "order_ack"}


def test_a_suspended_partner_is_stored_and_rejected(runtime: Runtime, tmp_path: Path) -> None:
    registry.create_partner(
        runtime.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="prod", status="live"
    )
    registry.set_status(runtime.sessions, "Northwind", "suspended", reason="unpaid")
    message = send(runtime, PO)
    assert message.status == MessageStatus.REJECTED
    assert message.status_reason == (
        "partner Northwind is suspended: nothing it sends is processed"
    )
    assert message.partner_id is not None and message.size == len(PO)  # stored, attributed
    assert delivered(tmp_path, "prod") == []
    registry.set_status(runtime.sessions, "Northwind", "live", reason="paid")
    resent = send(runtime, PO)  # the same file, now accepted: a rejected one is no duplicate
    assert resent.status == MessageStatus.DELIVERED, resent.status_reason


def test_replies_follow_the_partners_outbound_settings(sessions: sessionmaker[Session]) -> None:
    """The demo ERP's 855 goes back to the identity the 850 came from, with the partner's GS id
    and delimiters."""
    add_erp_target(sessions, BOX, name="default", kind="demo", config={})
    registry.create_partner(
        sessions,
        name="Northwind",
        isa=["01:999999999", "ZZ:NWHARDWARE"],
        gs_id="NWGS",
        status="live",
        delimiters={"element": "|", "component": "<"},
    )
    runtime = Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )
    message = send(runtime, PO)
    assert message.status == MessageStatus.DELIVERED
    with sessions() as s:
        sent = s.execute(select(Message).where(Message.direction == Direction.OUTBOUND)).scalars()
        payloads = {m.channel_meta.get("kind", "rendered"): m.blob.data.decode() for m in sent}
    reply = payloads["rendered"]
    isa = reply.split("~", 1)[0].split("|")
    assert isa[0] == "ISA" and (isa[7], isa[8].strip()) == ("ZZ", "NWHARDWARE")
    assert isa[16] == "<"
    assert "GS|PR|" in reply and "|NWGS|" in reply


def test_replies_come_from_the_identity_the_partner_addressed(
    sessions: sessionmaker[Session],
) -> None:
    """A distributor with several identities answers from the one the 850 was sent to."""
    add_erp_target(sessions, BOX, name="default", kind="demo", config={})
    add_identity(sessions, isa="ZZ:ACMEWEST")  # registered first, not addressed
    add_identity(sessions, isa="ZZ:ACMEDIST")
    registry.create_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE", status="live")
    runtime = Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )
    assert send(runtime, PO).status == MessageStatus.DELIVERED
    with sessions() as s:
        sent = s.execute(select(Message).where(Message.direction == Direction.OUTBOUND)).scalars()
        senders = {m.blob.data.decode().split("*")[6].strip() for m in sent}
    assert senders == {"ACMEDIST"}  # the 997 and the 855 alike


def test_a_ubl_partner_gets_the_erps_reply_as_ubl(sessions: sessionmaker[Session]) -> None:
    """`channels.api.format` = ubl: the demo ERP's 855 lands in the mailbox as UBL 2.1 (the
    997 stays X12: it answers the X12 the partner sent)."""
    add_erp_target(sessions, BOX, name="default", kind="demo", config={})
    add_identity(sessions, isa="ZZ:ACMEDIST")
    registry.create_partner(
        sessions,
        name="Northwind",
        isa="ZZ:NWHARDWARE",
        status="live",
        channels={"api": {"format": "ubl"}},
    )
    runtime = Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )
    assert send(runtime, PO).status == MessageStatus.DELIVERED
    with sessions() as s:
        sent = s.execute(select(Message).where(Message.direction == Direction.OUTBOUND)).scalars()
        kinds = {m.channel_meta.get("format", "x12"): m.blob.data for m in sent}
    assert set(kinds) == {"x12", "ubl"}
    assert b"ST*997*" in kinds["x12"]
    assert b"OrderResponseSimple" in kinds["ubl"] and b"NW-4500018231" in kinds["ubl"]
