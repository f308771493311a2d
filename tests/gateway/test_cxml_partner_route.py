"""A partner on the cXML exchange gets its replies as cXML POSTed to its URL, through the
pipeline on SQLite and PostgreSQL: the demo ERP's 855 for an 850 becomes a DTD-valid
ConfirmationRequest, the partner's Response Status decides - 200 delivered, 5xx retried,
4xx dead-lettered with the partner's text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.commands.admin import add_erp_target, add_identity
from gateway.cxml.responses import response_document
from gateway.erp.circuit import CircuitBreakers
from gateway.pipeline import CollectingDispatcher, Runtime, intake, run_step
from gateway.secretbox import SecretBox
from gateway.store.enums import Channel, Direction, MessageStatus, StepKind, StepState
from gateway.store.models import Event, Message, Step
from gateway.store.types import utcnow
from gateway.wiring import StoreErpGateway
from partners import registry
from tests.conftest import ROOT
from tests.translators.test_cxml_writers import valid
from translators.xml.safe import parse_xml

BOX = SecretBox("test-secret-key-with-enough-length-0123456789")
PO = (ROOT / "samples" / "x12" / "850" / "basic-004010.x12").read_bytes()


class PartnerSystem(BaseHTTPRequestHandler):
    received: list[bytes] = []
    answer: tuple[int, int, str] = (200, 200, "OK")  # HTTP status, cXML code, text

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        PartnerSystem.received.append(body)
        http, code, text = PartnerSystem.answer
        reply = response_document(code, text)
        self.send_response(http)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner_url() -> Iterator[str]:
    PartnerSystem.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), PartnerSystem)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cxml"
    server.shutdown()
    server.server_close()


@pytest.fixture
def runtime(sessions: sessionmaker[Session], partner_url: str) -> Runtime:
    add_erp_target(sessions, BOX, name="default", kind="demo", config={})
    add_identity(sessions, isa="ZZ:ACMEDIST")
    registry.create_partner(
        sessions,
        name="Northwind",
        isa="ZZ:NWHARDWARE",
        status="live",
        channels={
            "cxml": {
                "url": partner_url,
                "domain": "NetworkID",
                "identity": "AN-NORTHWIND",
                "from_identity": "AN-ACMEDIST",
            }
        },
    )
    return Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )


def run_all(runtime: Runtime) -> None:
    dispatcher = runtime.dispatcher
    assert isinstance(dispatcher, CollectingDispatcher)
    while dispatcher.pending:
        run_step(runtime, dispatcher.pending.pop(0))


def cxml_messages(sessions: sessionmaker[Session]) -> list[Message]:
    with sessions() as s:
        return list(
            s.execute(
                select(Message).where(
                    Message.direction == Direction.OUTBOUND, Message.channel == Channel.CXML
                )
            ).scalars()
        )


def partner_step(sessions: sessionmaker[Session]) -> Step:
    with sessions() as s:
        return s.execute(select(Step).where(Step.kind == StepKind.DELIVER_PARTNER)).scalar_one()


def test_the_855_is_posted_as_a_valid_confirmation_request(
    runtime: Runtime, sessions: sessionmaker[Session], corpus: Path
) -> None:
    intake(runtime, payload=PO, channel=Channel.CLI)
    run_all(runtime)
    (body,) = PartnerSystem.received
    assert valid(body, corpus) == []
    root = parse_xml(body)
    assert root.find("Request/ConfirmationRequest") is not None
    assert root.findtext("Header/To/Credential/Identity") == "AN-NORTHWIND"
    assert root.findtext("Header/From/Credential/Identity") == "AN-ACMEDIST"
    (sent,) = cxml_messages(sessions)
    assert sent.status == MessageStatus.DELIVERED and sent.sent_at is not None
    with sessions() as s:
        answer = s.execute(
            select(Event).where(Event.message_id == sent.id, Event.kind == "cxml_response")
        ).scalar_one()
        assert answer.detail["cxml_code"] == 200 and answer.detail["outcome"] == "done"
        # the 997 still goes the X12 way, to the mailbox
        mailbox = s.execute(
            select(Message).where(
                Message.direction == Direction.OUTBOUND, Message.channel == Channel.API
            )
        ).scalars()
        assert [b"ST*997*" in m.blob.data for m in mailbox] == [True]


def test_a_busy_partner_is_retried_and_a_refusal_is_dead_lettered(
    runtime: Runtime, sessions: sessionmaker[Session]
) -> None:
    PartnerSystem.answer = (500, 500, "database down")
    try:
        intake(runtime, payload=PO, channel=Channel.CLI)
        run_all(runtime)
        step = partner_step(sessions)
        assert step.state == StepState.FAILED  # due again after its backoff
        assert "cXML Status 500" in (step.last_error or "")
        assert "database down" in (step.last_error or "")
        (sent,) = cxml_messages(sessions)
        assert sent.status == MessageStatus.PROCESSING

        PartnerSystem.answer = (200, 406, "unknown supplier part NW-100234")
        with sessions.begin() as s:  # the backoff has passed
            s.get(Step, step.id).next_attempt_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        run_step(runtime, step.id)
        step = partner_step(sessions)
        assert step.state == StepState.DEAD
        assert "cXML Status 406" in (step.last_error or "")
        assert "unknown supplier part NW-100234" in (step.last_error or "")
        assert len(PartnerSystem.received) == 2
    finally:
        PartnerSystem.answer = (200, 200, "OK")
