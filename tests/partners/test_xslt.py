"""Partner XSLT mappings: the sandbox refuses stylesheets that would read files or the network
and stops runaway ones within the time limit; inbound XML becomes validated canonical documents
and canonical documents become the partner's XML; the registry keeps them with an audit entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.models import AuditEntry
from partners.errors import InvalidError
from partners.registry import create_partner, find_partner
from partners.xml_mappings import add_xslt, list_xslts, read_inbound_xml, render_outbound_xml
from partners.xslt import XsltError, check_stylesheet, run_in_child, run_stylesheet
from tests.conftest import ROOT
from translators.canonical import parse_document
from translators.errors import UnsupportedError, XmlError
from translators.xml.canonical_xml import CanonicalXmlError

SAMPLES = ROOT / "samples" / "xml"
HEAD = b'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
TAIL = b"</xsl:stylesheet>"


def stylesheet(body: bytes, head: bytes = HEAD) -> bytes:
    return head + body + TAIL


# -- the sandbox ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xslt", "reason"),
    [
        (stylesheet(b'<xsl:import href="/etc/other.xsl"/>'), "xsl:import is not allowed"),
        (stylesheet(b'<xsl:include href="other.xsl"/>'), "xsl:include is not allowed"),
        (
            stylesheet(
                b'<xsl:template match="/"><xsl:copy-of select="document(\'/etc/passwd\')"/>'
                b"</xsl:template>"
            ),
            "document() is not allowed",
        ),
        (
            stylesheet(
                b'<xsl:template match="/"><exsl:document href="/tmp/x">x</exsl:document>'
                b"</xsl:template>",
                head=HEAD[:-1] + b' xmlns:exsl="http://exslt.org/common">',
            ),
            "EXSLT common",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + stylesheet(b""),
            "declares entities",
        ),
        (b"<notxslt/>", "not an xsl:stylesheet"),
        (
            stylesheet(b'<xsl:template match="/"><xsl:value-of select="(("/></xsl:template>'),
            "does not compile",
        ),
    ],
)
def test_stylesheets_the_sandbox_refuses(xslt: bytes, reason: str) -> None:
    with pytest.raises(XsltError, match="XSLT refused") as info:
        check_stylesheet(xslt)
    assert reason in str(info.value)
    assert info.value.reason == "refused"


def test_file_access_is_denied_at_run_time(tmp_path: Path) -> None:
    """Behind the static checks, XSLTAccessControl.DENY_ALL: a document() that got past them
    reads nothing, and exsl:document writes nothing."""
    secret = tmp_path / "secret.xml"
    secret.write_text("<s>TOP-SECRET-CONTENT</s>")
    reader = stylesheet(
        f'<xsl:template match="/"><out><xsl:copy-of select="document(\'{secret}\')"/></out>'
        "</xsl:template>".encode()
    )
    with pytest.raises(XsltError) as info:
        run_in_child(reader, b"<a/>")
    assert "denied" in str(info.value)
    assert "TOP-SECRET-CONTENT" not in str(info.value)
    written = tmp_path / "written.xml"
    writer = stylesheet(
        f'<xsl:template match="/"><exsl:document href="{written}">x</exsl:document>'
        "</xsl:template>".encode(),
        head=HEAD[:-1]
        + b' xmlns:exsl="http://exslt.org/common" extension-element-prefixes="exsl">',
    )
    with pytest.raises(XsltError):
        run_in_child(writer, b"<a/>")
    assert not written.exists()


def test_endless_recursion_is_stopped_with_a_clear_error() -> None:
    loop = stylesheet(
        b'<xsl:template match="/"><xsl:call-template name="loop"/></xsl:template>'
        b'<xsl:template name="loop"><xsl:call-template name="loop"/></xsl:template>'
    )
    with pytest.raises(XsltError, match="endless template recursion"):
        run_stylesheet(loop, b"<a/>", timeout=10)


def test_a_runaway_stylesheet_is_killed_at_the_time_limit() -> None:
    # 2**40 template calls: never finishes on its own
    exponential = stylesheet(
        b'<xsl:template match="/"><xsl:call-template name="f">'
        b'<xsl:with-param name="n" select="40"/></xsl:call-template></xsl:template>'
        b'<xsl:template name="f"><xsl:param name="n"/><xsl:if test="$n &gt; 0">'
        b'<xsl:call-template name="f"><xsl:with-param name="n" select="$n - 1"/>'
        b'</xsl:call-template><xsl:call-template name="f">'
        b'<xsl:with-param name="n" select="$n - 1"/></xsl:call-template></xsl:if>'
        b"</xsl:template>"
    )
    with pytest.raises(XsltError, match="time limit of 1 s") as info:
        run_stylesheet(exponential, b"<a/>", timeout=1)
    assert info.value.reason == "timeout"


def test_hostile_input_is_refused_inside_the_sandbox() -> None:
    identity = stylesheet(b'<xsl:template match="/"><xsl:copy-of select="."/></xsl:template>')
    bomb = b'<!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;">]><a>&y;</a>'
    with pytest.raises(XsltError, match=r"input document was refused.*entities"):
        run_stylesheet(identity, bomb)


# -- the registry and the pipeline hook ---------------------------------------------------------


@pytest.fixture
def northwind(sessions: sessionmaker[Session]) -> str:
    create_partner(sessions, name="Northwind", isa=["ZZ:NORTHWIND"], role="customer")
    return "Northwind"


def test_inbound_xslt_turns_partner_xml_into_canonical_documents(
    sessions: sessionmaker[Session], northwind: str
) -> None:
    view = add_xslt(
        sessions,
        northwind,
        direction="in",
        document_type="order",
        xslt=(SAMPLES / "northwind-po-in.xsl").read_bytes(),
        root="PurchaseOrder",
    )
    assert (view["direction"], view["document_type"], view["root"]) == (
        "in",
        "order",
        "PurchaseOrder",
    )
    with sessions() as session:
        partner = find_partner(session, northwind)
        [doc] = read_inbound_xml(session, partner, (SAMPLES / "northwind-po.xml").read_bytes())
    parse_document(doc)
    assert (doc["po_number"], doc["po_date"], doc["currency"]) == ("NW-4711", "2024-03-11", "USD")
    assert [(line["quantity"], line["unit_price"]) for line in doc["lines"]] == [
        ("12", "3.50"),
        ("4", "19.99"),
    ]
    assert doc["envelope"]["standard"] == "xml"
    assert doc["notes"] == ["Deliver to dock 4."]
    with sessions() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "partner.xslt_added" in actions


def test_unmapped_xml_and_invalid_output_are_explained(
    sessions: sessionmaker[Session], northwind: str
) -> None:
    with sessions() as session:
        partner = find_partner(session, northwind)
        with pytest.raises(UnsupportedError, match="no inbound XSLT for <PurchaseOrder>"):
            read_inbound_xml(session, partner, (SAMPLES / "northwind-po.xml").read_bytes())
    bad = stylesheet(
        b'<xsl:template match="/"><order><lines><quantity>lots</quantity></lines></order>'
        b"</xsl:template>"
    )
    add_xslt(sessions, northwind, direction="in", document_type="order", xslt=bad)
    with sessions() as session:
        partner = find_partner(session, northwind)
        with pytest.raises(CanonicalXmlError, match=r"lines\[1\]\.quantity"):
            read_inbound_xml(session, partner, b"<Anything/>")
        with pytest.raises(XmlError):
            read_inbound_xml(session, partner, b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')


def test_outbound_xslt_renders_the_partner_format(
    sessions: sessionmaker[Session], northwind: str
) -> None:
    add_xslt(
        sessions,
        northwind,
        direction="out",
        document_type="order_ack",
        xslt=(SAMPLES / "northwind-ack-out.xsl").read_bytes(),
    )
    ack = {
        "document_type": "order_ack",
        "po_number": "NW-4711",
        "status": "accepted",
        "lines": [{"line_number": "1", "quantity": "12", "status": "accepted"}],
    }
    with sessions() as session:
        out = render_outbound_xml(session, find_partner(session, northwind), ack)
    assert b'<OrderConfirmation number="NW-4711" status="accepted">' in out
    assert b'<Item no="1" qty="12" status="accepted"/>' in out
    listed = list_xslts(sessions, northwind)
    assert [(v["direction"], v["document_type"]) for v in listed] == [("out", "order_ack")]


def test_registry_refuses_bad_mappings(sessions: sessionmaker[Session], northwind: str) -> None:
    with pytest.raises(InvalidError, match="xsl:import"):
        add_xslt(
            sessions,
            northwind,
            direction="in",
            document_type="order",
            xslt=stylesheet(b'<xsl:import href="x.xsl"/>'),
        )
    with pytest.raises(InvalidError, match="direction must be in or out"):
        add_xslt(sessions, northwind, direction="sideways", document_type="order", xslt=b"")
    with pytest.raises(InvalidError, match="document type"):
        add_xslt(sessions, northwind, direction="in", document_type="catalog", xslt=b"")


def test_cxml_and_ubl_are_read_without_a_mapping(
    sessions: sessionmaker[Session], northwind: str
) -> None:
    cxml = (ROOT / "samples" / "cxml" / "order-basic.xml").read_bytes()
    ubl = (
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        b"<cbc:ID>PO-9</cbc:ID><cbc:IssueDate>2024-01-02</cbc:IssueDate></Order>"
    )
    with sessions() as session:
        partner = find_partner(session, northwind)
        [from_cxml] = read_inbound_xml(session, partner, cxml)
        [from_ubl] = read_inbound_xml(session, partner, ubl)
    assert from_cxml["envelope"]["standard"] == "cxml" and from_cxml["po_number"] == "NW-4500018231"
    assert from_ubl["envelope"]["standard"] == "ubl" and from_ubl["po_number"] == "PO-9"
