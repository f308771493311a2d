"""`POST /api/v1/inbound` with bad input: each gets a clear problem+json answer, and either
nothing is stored (too large, wrong type, empty, XML) or the message is stored whole and named
in the problem (duplicate, rejected)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import func, select

from gateway.commands.admin import add_identity
from gateway.store.models import Blob, Message
from partners.registry import update_partner
from partners.xml_mappings import add_xslt
from tests.gateway.api.conftest import MAX_BODY, PO, SAMPLES, SOUTH_PO, X12, Gateway

CXML_ORDER = (SAMPLES.parent / "cxml" / "order-basic.xml").read_bytes()


def stored(gateway: Gateway) -> tuple[int, int]:
    with gateway.sessions() as session:
        messages = session.execute(select(func.count()).select_from(Message)).scalar_one()
        blobs = session.execute(select(func.count()).select_from(Blob)).scalar_one()
    return messages, blobs


def problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = answer.json()
    assert body["status"] == status
    assert str(body["type"]).startswith("urn:edi-gateway:problem:")
    assert body["title"] and body["detail"] and body["instance"] == "/api/v1/inbound"
    return body


def test_an_oversized_body_is_refused_and_nothing_is_stored(
    gateway: Gateway, client: httpx.Client
) -> None:
    headers = {**gateway.auth("north"), **X12}
    big = PO + b"\n" * (MAX_BODY - len(PO) + 1)

    declared = client.post("/api/v1/inbound", content=big, headers=headers)
    assert f"{MAX_BODY:,} bytes" in str(problem(declared, 413)["detail"])

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    streamed = client.post("/api/v1/inbound", content=chunks(), headers=headers)
    problem(streamed, 413)
    assert stored(gateway) == (0, 0)

    at_limit = client.post("/api/v1/inbound", content=big[:MAX_BODY], headers=headers)
    assert at_limit.status_code != 413


def test_bad_xml_and_other_content_types_are_refused_and_nothing_is_stored(
    gateway: Gateway, client: httpx.Client
) -> None:
    auth = gateway.auth("north")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "aaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><cXML>&b;</cXML>'
    )
    xxe = b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><cXML>&x;</cXML>'
    punchout = CXML_ORDER.replace(b"OrderRequest", b"PunchOutOrderMessage")
    for content_type, body, status, kind, words in (
        ("application/xml", bomb, 400, "invalid-xml", "entities"),
        ("text/xml; charset=utf-8", xxe, 400, "invalid-xml", "entities"),
        ("application/xml", b"<cXML><unclosed></cXML>", 400, "invalid-xml", "not well-formed"),
        ("application/xml", b"<html/>", 422, "unsupported-document", "no inbound XSLT for <html>"),
        ("application/cxml+xml", punchout, 422, "unsupported-document", "PunchOutOrderMessage"),
        ("text/plain", b"  \r\n" + CXML_ORDER, 415, "unsupported-media-type", "application/xml"),
    ):
        answer = client.post(
            "/api/v1/inbound", content=body, headers={**auth, "Content-Type": content_type}
        )
        found = problem(answer, status)
        assert found["type"] == f"urn:edi-gateway:problem:{kind}", found
        assert words in str(found["detail"]), found
        assert "root:" not in answer.text  # no file ever read into an answer
    answer = client.post(
        "/api/v1/inbound", content=b"{}", headers={**auth, "Content-Type": "application/json"}
    )
    assert "application/edi-x12" in str(problem(answer, 415)["detail"])
    empty = client.post("/api/v1/inbound", content=b"", headers={**auth, **X12})
    assert "empty" in str(problem(empty, 400)["detail"])
    assert stored(gateway) == (0, 0)


def test_a_cxml_order_goes_through_the_same_intake_to_the_erp(
    gateway: Gateway, client: httpx.Client
) -> None:
    # Southwind's ERP route is a folder: the order is delivered there (the demo ERP would
    # answer with an X12 855, which is no answer to a cXML order)
    south = {**gateway.auth("south"), "Content-Type": "application/xml"}
    answer = client.post("/api/v1/inbound", content=CXML_ORDER, headers=south)
    assert answer.status_code == 202, answer.text
    gateway.drain()
    message = client.get(answer.json()["status_url"], headers=south).json()
    assert message["status"] == "delivered", message["timeline"]
    order = next(d for d in message["documents"] if d["direction"] == "inbound")
    assert order["document_type"] == "order" and order["status"] == "delivered"
    assert order["canonical"]["envelope"]["standard"] == "cxml"
    again = client.post("/api/v1/inbound", content=CXML_ORDER, headers=south)
    assert problem(again, 409)["type"] == "urn:edi-gateway:problem:duplicate"
    traced = client.get(
        "/api/v1/trace",
        params={"po_number": order["po_number"]},
        headers=gateway.auth("operator"),
    ).json()
    assert answer.json()["message_id"] in {m["id"] for m in traced["messages"]}


def test_ubl_and_a_partners_own_xml_go_the_same_way(
    gateway: Gateway, client: httpx.Client, tmp_path: Path, corpus: Path
) -> None:
    """A UBL Order needs no mapping; a partner's own XML goes through its inbound XSLT (run in
    the sandbox) - both reach the ERP as canonical orders. Without the XSLT nothing is kept."""
    south = {**gateway.auth("south"), "Content-Type": "application/xml"}
    ubl = (corpus / "xml" / "other" / "UBL-Order-2.1-Example.xml").read_bytes()
    own = (SAMPLES.parent / "xml" / "northwind-po.xml").read_bytes()
    refused = client.post("/api/v1/inbound", content=own, headers=south)
    assert "no inbound XSLT for <PurchaseOrder>" in problem(refused, 422)["detail"]
    add_xslt(
        gateway.sessions,
        "Southwind",
        direction="in",
        document_type="order",
        xslt=(SAMPLES.parent / "xml" / "northwind-po-in.xsl").read_bytes(),
        root="PurchaseOrder",
    )
    for body, standard, po in ((ubl, "ubl", None), (own, "xml", "NW-4711")):
        answer = client.post("/api/v1/inbound", content=body, headers=south)
        assert answer.status_code == 202, answer.text
        gateway.drain()
        message = client.get(answer.json()["status_url"], headers=south).json()
        assert message["status"] == "delivered", message["timeline"]
        (order,) = [d for d in message["documents"] if d["direction"] == "inbound"]
        assert order["document_type"] == "order"
        assert order["canonical"]["envelope"]["standard"] == standard
        if po is not None:
            assert order["po_number"] == po
    assert len(list((tmp_path / "erp").glob("*.json"))) == 2


def test_every_accepted_content_type_works(gateway: Gateway, client: httpx.Client) -> None:
    auth = gateway.auth("north")
    for content_type in ("application/edi-x12", "text/plain; charset=us-ascii", None):
        payload = PO.replace(b"000001207", f"00000{len(content_type or '')}".zfill(9).encode())
        headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
        answer = client.post("/api/v1/inbound", content=payload, headers=headers)
        assert answer.status_code == 202, answer.text
    octets = {**auth, "Content-Type": "application/octet-stream"}
    answer = client.post("/api/v1/inbound", content=SOUTH_PO, headers=octets)
    assert answer.status_code == 422  # accepted as a type; refused as someone else's ISA


def test_garbage_is_stored_rejected_and_named_in_the_problem(
    gateway: Gateway, client: httpx.Client
) -> None:
    north = gateway.auth("north")
    answer = client.post("/api/v1/inbound", content=b"hello, gateway", headers={**north, **X12})
    body = problem(answer, 422)
    assert body["type"] == "urn:edi-gateway:problem:rejected"
    assert "not an X12 interchange" in str(body["detail"])
    status = client.get(str(body["status_url"]), headers=north).json()
    assert status["id"] == body["message_id"] and status["status"] == "rejected"
    assert status["status_reason"] == "not an X12 interchange (no readable ISA)"
    assert stored(gateway) == (1, 1)


def test_a_partner_posing_as_another_is_rejected_with_the_message_id(
    gateway: Gateway, client: httpx.Client
) -> None:
    # Southwind's key, Northwind's ISA sender
    answer = client.post("/api/v1/inbound", content=PO, headers={**gateway.auth("south"), **X12})
    body = problem(answer, 422)
    assert "ISA sender ZZ:NWHARDWARE is not an identity of the authenticated partner" in str(
        body["detail"]
    )
    message_id = str(body["message_id"])
    gateway.drain()
    # stored for the partner whose key sent it (and shown to it), never to the one it posed as
    mine = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("south"))
    assert mine.status_code == 200 and mine.json()["status"] == "rejected"
    assert mine.json()["partner_id"] == gateway.south_id
    not_theirs = client.get(f"/api/v1/messages/{message_id}", headers=gateway.auth("north"))
    assert not_theirs.status_code == 404
    assert mine.json()["documents"] == []  # nothing went further


def test_a_resent_file_is_a_duplicate_naming_the_original(
    gateway: Gateway, client: httpx.Client
) -> None:
    headers = {**gateway.auth("north"), **X12}
    first = client.post("/api/v1/inbound", content=PO, headers=headers)
    assert first.status_code == 202
    again = client.post("/api/v1/inbound", content=PO, headers=headers)
    body = problem(again, 409)
    assert body["type"] == "urn:edi-gateway:problem:duplicate"
    assert body["duplicate_of"] == first.json()["message_id"]
    assert body["message_id"] != first.json()["message_id"]
    assert "same payload" in str(body["detail"])
    assert stored(gateway) == (2, 1)  # both messages, the bytes once


def test_refused_envelopes_are_answered_with_a_ta1_in_the_outbox(
    gateway: Gateway, client: httpx.Client
) -> None:
    """CONTRACT.md's matching rules: sending as another partner gets TA1 006, addressing a
    receiver that is none of ours TA1 008; both stored as rejected; `ta1_policy: never`
    gets none."""
    add_identity(gateway.sessions, isa="ZZ:ACMEDIST")
    north = gateway.auth("north")
    posing = client.post("/api/v1/inbound", content=SOUTH_PO, headers={**north, **X12})
    assert posing.status_code == 422
    assert "TA1 (note code 006)" in posing.json()["detail"]
    elsewhere = PO.replace(b"ACMEDIST", b"OTHERCO1").replace(b"*1207*", b"*1208*")
    elsewhere = elsewhere.replace(b"000001207", b"000001208")
    addressed = client.post("/api/v1/inbound", content=elsewhere, headers={**north, **X12})
    assert addressed.status_code == 422
    assert "not one of our identities" in addressed.json()["detail"]
    outbox = client.get("/api/v1/outbox", headers=north).json()
    assert [item["kind"] for item in outbox] == ["TA1", "TA1"]
    texts = [client.get(item["download_url"], headers=north).text for item in outbox]
    assert "TA1*000001207*" in texts[0] and texts[0].count("*R*006~") == 1
    assert "*ZZ*NWHARDWARE     *" in texts[0]  # to its own identity, not the one it posed as
    assert "TA1*000001208*" in texts[1] and "*R*008~" in texts[1]
    status = client.get(posing.json()["status_url"], headers=north).json()
    assert status["status"] == "rejected"
    assert [(a["kind"], a["status"]) for a in status["acknowledgments"]] == [("TA1", "rejected")]

    update_partner(gateway.sessions, "Northwind", ta1_policy="never")
    again = elsewhere.replace(b"000001208", b"000001209")
    quiet = client.post("/api/v1/inbound", content=again, headers={**north, **X12})
    assert quiet.status_code == 422 and "TA1" not in quiet.json()["detail"]
    assert len(client.get("/api/v1/outbox", headers=north).json()) == 2
