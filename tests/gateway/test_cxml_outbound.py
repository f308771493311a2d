"""Outbound cXML against a real local HTTP server playing the partner: its Response Status is
read, recorded on the message's timeline and classified done / permanent / retryable."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.cxml.outbound import deliver_cxml, post_cxml
from gateway.cxml.responses import response_document
from gateway.pipeline.inbound import StepFailed
from gateway.store import create_message
from gateway.store.enums import Channel, Direction, MessageStatus
from gateway.store.models import Event, Message
from tests.conftest import ROOT

ORDER = (ROOT / "samples" / "cxml" / "order-basic.xml").read_bytes()
RECEIVED: list[bytes] = []


class Partner(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        RECEIVED.append(body)
        path = self.path
        if path == "/slow":
            time.sleep(3)
        answers = {
            "/ok": (200, response_document(200, "order received")),
            "/accepted": (200, response_document(201)),
            "/reject": (200, response_document(406, "unknown supplier part AC-1")),
            "/busy": (500, response_document(500, "database down")),
            "/html": (200, b"<html><body>Welcome</body></html>"),
            "/gone": (404, b"not found"),
            "/oops": (502, b"bad gateway"),
            "/slow": (200, response_document(200)),
        }
        status, answer = answers[path]
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def partner_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("path", "outcome", "code"),
    [
        ("/ok", "done", 200),
        ("/accepted", "done", 201),
        ("/reject", "permanent", 406),
        ("/busy", "retryable", 500),
        ("/html", "permanent", None),
        ("/gone", "permanent", None),
        ("/oops", "retryable", None),
    ],
)
def test_answers_are_classified(
    partner_url: str, path: str, outcome: str, code: int | None
) -> None:
    result = post_cxml(partner_url + path, ORDER, timeout=5)
    assert (result.outcome, result.cxml_code) == (outcome, code)
    assert RECEIVED[-1] == ORDER
    if path == "/reject":
        assert "unknown supplier part AC-1" in result.summary and "406" in result.summary


def test_timeouts_and_refused_connections_are_retryable(partner_url: str) -> None:
    slow = post_cxml(partner_url + "/slow", ORDER, timeout=0.5)
    assert slow.outcome == "retryable" and "within 0.5 s" in slow.summary
    closed = post_cxml("http://127.0.0.1:9/", ORDER, timeout=2)
    assert closed.outcome == "retryable" and "could not reach" in closed.summary


def _outbound(sessions: sessionmaker[Session]) -> Message:
    with sessions.begin() as session:
        message = create_message(
            session,
            direction=Direction.OUTBOUND,
            channel=Channel.API,
            payload=ORDER,
            status=MessageStatus.PROCESSING,
        )
        session.expunge(message)
        return message


def test_delivery_is_recorded_and_failures_raise_step_failed(
    sessions: sessionmaker[Session], partner_url: str
) -> None:
    sent = _outbound(sessions)
    with sessions.begin() as session:
        message = session.get(Message, sent.id)
        assert message is not None
        deliver_cxml(session, message=message, url=partner_url + "/ok", body=ORDER)
    refused = _outbound(sessions)
    with pytest.raises(StepFailed) as permanent, sessions.begin() as session:
        message = session.get(Message, refused.id)
        assert message is not None
        deliver_cxml(session, message=message, url=partner_url + "/reject", body=ORDER)
    assert not permanent.value.retryable and "unknown supplier part" in str(permanent.value)
    with pytest.raises(StepFailed) as retry, sessions.begin() as session:
        message = session.get(Message, refused.id)
        assert message is not None
        deliver_cxml(session, message=message, url=partner_url + "/busy", body=ORDER)
    assert retry.value.retryable
    with sessions() as session:
        done = session.get(Message, sent.id)
        assert done is not None and done.status == MessageStatus.DELIVERED
        assert done.sent_at is not None
        [event] = session.execute(
            select(Event).where(Event.message_id == sent.id, Event.kind == "cxml_response")
        ).scalars()
        assert event.detail["cxml_code"] == 200 and event.detail["outcome"] == "done"
