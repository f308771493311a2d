"""Issue 4's whole story through real HTTP (uvicorn on a local port), on SQLite and PostgreSQL:
an operator onboards a customer and a supplier over the registry API and issues their keys;
the customer posts an 850 and the supplier an 855, both are delivered to the ERP and traced by
ISA13, GS06, ST02 and PO number; the ERP answers the customer's PO with an 855, an 856 and an
810 through `/api/v1/outbound`, the customer picks them up and its 997 closes them, and the
trace of the PO shows the chain 850 -> 997 -> 855 -> 856 -> 810 with the customer's 997s."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx

from gateway.commands.admin import add_identity
from tests.gateway.api.conftest import PO, SAMPLES, X12, Gateway
from tests.gateway.api.test_outbound import partner_ack

CUSTOMER_PO = "CO-1001"
ORDER = PO.replace(b"NWHARDWARE", b"COASTAL001").replace(b"NW-4500018231", CUSTOMER_PO.encode())
# the supplier's 855 for our PO to it: sent from its identity to ours (same widths)
SUPPLIER_ACK = (
    (SAMPLES / "855" / "accepted-004010.x12")
    .read_bytes()
    .replace(b"ACMEDIST", b"@OURS@@@")
    .replace(b"NWHARDWARE", b"ACMEDIST  ")
    .replace(b"@OURS@@@", b"PINECRST")
    .replace(b"ACMEDIST  *", b"ACMEDIST*")
    .replace(b"NW-4500018231", b"PC-2002")
)


def _json_sample(path: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SAMPLES / path).read_text())[0]
    doc.pop("envelope", None)
    return doc


def _for_po(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    if "orders" in doc:
        for order in doc["orders"]:
            order["po_number"] = CUSTOMER_PO
    else:
        doc["po_number"] = CUSTOMER_PO
    return doc


def onboard(http: httpx.Client, admin: dict[str, str], body: dict[str, Any]) -> str:
    made = http.post("/api/v1/partners", json=body, headers=admin)
    assert made.status_code == 201, made.text
    issued = http.post(f"/api/v1/partners/{made.json()['id']}/keys", json={}, headers=admin)
    assert issued.status_code == 201, issued.text
    key: str = issued.json()["key"]
    return key


def test_onboard_send_deliver_answer_acknowledge_and_trace(
    gateway: Gateway, client: httpx.Client
) -> None:
    add_identity(gateway.sessions, isa="ZZ:ACMEDIST")
    admin, operator, erp = gateway.auth("admin"), gateway.auth("read-only"), gateway.auth("erp")
    customer = {
        "Authorization": "Bearer "
        + onboard(
            client,
            admin,
            {
                "name": "Coastal",
                "isa": ["ZZ:COASTAL001"],
                "role": "customer",
                "status": "live",
                "erp": "files",
                "documents_in": ["850", "997"],
                "documents_out": ["855", "856", "810"],
            },
        )
    }
    supplier = {
        "Authorization": "Bearer "
        + onboard(
            client,
            admin,
            {
                "name": "Pinecrest",
                "isa": ["ZZ:PINECRST"],
                "role": "supplier",
                "status": "live",
                "erp": "files",
            },
        )
    }

    # the customer's 850 and the supplier's 855, each delivered to the ERP
    order = client.post("/api/v1/inbound", content=ORDER, headers={**customer, **X12})
    ack = client.post("/api/v1/inbound", content=SUPPLIER_ACK, headers={**supplier, **X12})
    assert order.status_code == 202, order.text
    assert ack.status_code == 202, ack.text
    gateway.drain()
    for posted, who, doc_type in ((order, customer, "order"), (ack, supplier, "order_ack")):
        message = client.get(posted.json()["status_url"], headers=who).json()
        assert message["status"] == "delivered", message
        (doc,) = [d for d in message["documents"] if d["direction"] == "inbound"]
        assert doc["document_type"] == doc_type and doc["status"] == "delivered"
    # each sees only its own
    assert client.get(ack.json()["status_url"], headers=customer).status_code == 404

    for query, message_id in (
        ({"control_number": "000001207"}, order.json()["message_id"]),
        ({"control_number": "1207"}, order.json()["message_id"]),
        ({"control_number": "2210"}, ack.json()["message_id"]),
        ({"control_number": "0001"}, ack.json()["message_id"]),
        ({"po_number": CUSTOMER_PO}, order.json()["message_id"]),
        ({"po_number": "PC-2002"}, ack.json()["message_id"]),
    ):
        traced = client.get("/api/v1/trace", params=query, headers=operator)
        assert traced.status_code == 200, traced.text
        assert message_id in {m["id"] for m in traced.json()["messages"]}, query

    # the ERP answers the customer's PO: 855, then 856, then 810
    sent = []
    for path in (
        "855/accepted-004010.json",
        "856/standard-pack-004010.json",
        "810/basic-004010.json",
    ):
        answer = client.post(
            "/api/v1/outbound/Coastal",
            json=_for_po(_json_sample(path)),
            headers={**erp, "Idempotency-Key": f"CO-1001-{path[:3]}"},
        )
        assert answer.status_code == 202, (path, answer.text)
        sent.append(answer.json())

    # the customer fetches everything waiting (our 997 of its 850 and the three documents)
    outbox = client.get("/api/v1/outbox", headers=customer).json()
    assert sorted(item["kind"] for item in outbox) == ["810", "855", "856", "997"]
    for item in outbox:
        x12_text = client.get(item["download_url"], headers=customer).content
        assert client.post(f"/api/v1/outbox/{item['id']}/ack", headers=customer).is_success
        if item["kind"] == "997":
            continue
        answer = partner_ack(x12_text, control_number=700 + int(item["kind"]) % 100)
        closed = client.post("/api/v1/inbound", content=answer, headers={**customer, **X12})
        assert closed.status_code == 202, closed.text
    gateway.drain()
    for accepted in sent:
        state = client.get(accepted["state_url"], headers=erp).json()
        assert state["state"] == "accepted", state
        assert state["picked_up_at"] is not None

    chain = client.get("/api/v1/trace", params={"po_number": CUSTOMER_PO}, headers=operator).json()[
        "chain"
    ]
    steps = [(link["transaction_set"], link["direction"]) for link in chain]
    documents = [s for s in steps if s[0] in ("850", "855", "856", "810")]
    assert documents == [
        ("850", "inbound"),
        ("855", "outbound"),
        ("856", "outbound"),
        ("810", "outbound"),
    ]
    assert ("997", "outbound") in steps  # our 997 of the 850
    assert steps.count(("997", "inbound")) == 3  # the customer's, one per document
    assert [link["at"] for link in chain] == sorted(link["at"] for link in chain)
