"""`POST /cxml/{partner}` through real HTTP: the Sender credential and SharedSecret decide who
is sending; every answer is a cXML Response (valid against the cXML DTD) whose Status code is
also the HTTP status; a stored request starts the pipeline like any intake."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree
from sqlalchemy import select

from gateway.commands.admin import add_identity
from gateway.cxml.responses import read_status
from gateway.store.enums import MessageStatus, StepKind
from gateway.store.models import Message, PartnerCredential, Step
from partners.cxml_credentials import set_cxml_credential
from partners.registry import set_status
from tests.conftest import ROOT
from tests.gateway.api.conftest import Gateway
from translators.xml.safe import load_dtd, validate_dtd

SECRET = "northwind-shared-secret-2024"
ORDER = (
    (ROOT / "samples" / "cxml" / "order-basic.xml")
    .read_bytes()
    .replace(b"not-a-real-secret", SECRET.encode())
)
XML = {"Content-Type": "text/xml; charset=utf-8"}


@pytest.fixture
def north(gateway: Gateway) -> Gateway:
    set_cxml_credential(
        gateway.sessions, "Northwind", domain="NetworkID", identity="NWHARDWARE", secret=SECRET
    )
    return gateway


def post(client: httpx.Client, body: bytes, partner: str = "Northwind") -> httpx.Response:
    return client.post(f"/cxml/{partner}", content=body, headers=XML)


def check_answer(response: httpx.Response, code: int, corpus: Path) -> str:
    assert response.status_code == code
    assert response.headers["content-type"].startswith("text/xml")
    assert b"Traceback" not in response.content and b"problem" not in response.content
    status = read_status(response.content)
    assert status.code == code
    dtd = load_dtd(corpus / "schemas" / "cxml" / "1.2.071" / "cXML.dtd")
    assert validate_dtd(response.content, dtd) == []
    return status.detail or ""


def test_an_order_is_stored_and_answered_200(
    north: Gateway, client: httpx.Client, corpus: Path
) -> None:
    detail = check_answer(post(client, ORDER), 200, corpus)
    assert detail.startswith("stored as message ")
    with north.sessions() as session:
        message = session.execute(select(Message)).scalar_one()
        assert message.status == MessageStatus.RECEIVED
        assert str(message.id) in detail
        assert message.channel_meta["via"] == "cxml"
        assert message.channel_meta["request_type"] == "OrderRequest"
        step = session.execute(select(Step)).scalar_one()
        assert step.kind == StepKind.TRANSLATE and step.message_id == message.id
        stored = session.execute(select(PartnerCredential.secret_hash)).scalar_one()
        assert stored is not None and SECRET not in stored and stored.startswith("scrypt$")
    # the same payload again (the partner missed our answer): 200, not stored twice
    again = check_answer(post(client, ORDER), 200, corpus)
    assert "already received" in again
    with north.sessions() as session:
        assert len(session.execute(select(Message)).all()) == 1
    # the translate step reads it as cXML and the order reaches the ERP (whose 855 goes back
    # as X12, from our identity: this partner has no cXML URL to answer on)
    add_identity(north.sessions, isa="ZZ:ACMEDIST")
    north.drain()
    with north.sessions() as session:
        stored = session.get(Message, message.id)
        dead = [st.last_error for st in session.execute(select(Step)).scalars() if st.last_error]
        assert stored is not None and stored.status == MessageStatus.DELIVERED, dead
        (order,) = [d for d in stored.documents if d.document_type == "order"]
        assert order.po_number and order.canonical["envelope"]["standard"] == "cxml"


@pytest.mark.parametrize(
    ("body", "partner"),
    [
        (ORDER.replace(SECRET.encode(), b"wrong-secret-000"), "Northwind"),
        (ORDER.replace(b"<SharedSecret>" + SECRET.encode() + b"</SharedSecret>", b""), "Northwind"),
        (ORDER.replace(b"NWHARDWARE", b"SOMEONE-ELSE"), "Northwind"),
        (ORDER, "Southwind"),  # Northwind's credential on Southwind's endpoint
        (ORDER, "nobody"),
    ],
    ids=["wrong-secret", "no-secret", "unknown-identity", "other-partner", "unknown-partner"],
)
def test_bad_credentials_are_401_and_not_stored(
    north: Gateway, client: httpx.Client, corpus: Path, body: bytes, partner: str
) -> None:
    detail = check_answer(post(client, body, partner), 401, corpus)
    assert "not recognised" in detail
    with north.sessions() as session:
        assert session.execute(select(Message)).first() is None


def test_unsupported_request_types_are_named(
    north: Gateway, client: httpx.Client, corpus: Path
) -> None:
    punchout = (corpus / "xml" / "cxml" / "cxml-php__PunchoutOrderMessage.xml").read_bytes()
    # the same document, sent with Northwind's credential
    punchout = punchout.replace(
        b'<Credential domain="workchairs.com">\n                <Identity>website 1</Identity>',
        b'<Credential domain="NetworkID"><Identity>NWHARDWARE</Identity>'
        b"<SharedSecret>" + SECRET.encode() + b"</SharedSecret>",
    )
    detail = check_answer(post(client, punchout), 400, corpus)
    assert "unsupported: PunchOutOrderMessage" in detail
    with north.sessions() as session:
        message = session.execute(select(Message)).scalar_one()
        assert message.status == MessageStatus.REJECTED
        assert "unsupported: PunchOutOrderMessage" in (message.status_reason or "")
        assert session.execute(select(Step)).first() is None


@pytest.mark.parametrize(
    ("body", "code", "says"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<cXML>&x;</cXML>",
            400,
            "entities",
        ),
        (
            b'<!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<cXML>&b;</cXML>",
            400,
            "entities",
        ),
        (b"<cXML><Header>", 400, "not well-formed"),
        (b"<Order xmlns='urn:example'/>", 406, "not a cXML document"),
        (b"   ", 400, "empty"),
        (b"<a>" * 300 + b"</a>" * 300, 400, "nested deeper"),
    ],
    ids=["xxe", "billion-laughs", "truncated", "not-cxml", "empty", "deep"],
)
def test_hostile_and_malformed_bodies(
    north: Gateway, client: httpx.Client, corpus: Path, body: bytes, code: int, says: str
) -> None:
    assert says in check_answer(post(client, body), code, corpus)


def test_unreadable_content_and_suspended_partner(
    north: Gateway, client: httpx.Client, corpus: Path
) -> None:
    bad_date = ORDER.replace(b'orderDate="2024-03-11T08:14:00-06:00"', b'orderDate="next week"')
    detail = check_answer(post(client, bad_date), 400, corpus)
    assert "OrderRequest could not be read" in detail and "orderDate" in detail
    set_status(north.sessions, "Northwind", "suspended", reason="test")
    assert "suspended" in check_answer(post(client, ORDER), 403, corpus)


def test_oversized_documents_are_413(north: Gateway, client: httpx.Client, corpus: Path) -> None:
    big = ORDER.replace(b"</cXML>", b"<!--" + b"x" * (70 * 1024) + b"--></cXML>")
    check_answer(post(client, big), 413, corpus)


def test_the_response_is_well_formed_cxml(north: Gateway, client: httpx.Client) -> None:
    root = etree.fromstring(post(client, ORDER).content)
    assert root.tag == "cXML" and root.get("payloadID") and root.get("timestamp")
