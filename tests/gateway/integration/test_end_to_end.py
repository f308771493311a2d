"""End to end on the production shape: the sample 850 through `intake` (this process, as the web
tier would), a real `celery worker` and `beat` on the project's Redis and a PostgreSQL
database, to the ERP - a folder target for one partner, a signed webhook for the other - and a
997 back in the partner's mailbox, with the whole timeline recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from gateway.commands.admin import add_erp_target, add_partner
from gateway.erp.webhook import verify_signature
from gateway.store.enums import DocumentStatus, MessageStatus, StepState
from gateway.store.events import timeline
from gateway.store.models import Document, Message, Step
from tests.gateway.integration.conftest import GatewayFactory
from tests.gateway.integration.harness import SAMPLE_850, ErpReceiver, Gateway, wait_for

WEBHOOK_SECRET = "webhook-signing-secret-for-the-test-erp"
# the same order from a second partner, who routes to the webhook target
SOUTHWIND_850 = SAMPLE_850.replace(b"*ZZ*NWHARDWARE     *", b"*ZZ*SOUTHWIND      *").replace(
    b"GS*PO*NWHARDWARE*", b"GS*PO*SOUTHWIND*"
)


@dataclass
class Setup:
    gateway: Gateway
    folder: Path
    receiver: ErpReceiver


@pytest.fixture(scope="module")
def setup(
    project_redis: str,
    erp_receiver: ErpReceiver,
    make_gateway: GatewayFactory,  # after the ERP: its workers are stopped first
    tmp_path_factory: pytest.TempPathFactory,
) -> Setup:
    gateway = make_gateway(broker_url=project_redis, shared=True)
    folder = tmp_path_factory.mktemp("erp-folder")
    to_folder = gateway.target_name("folder")
    to_webhook = gateway.target_name("webhook")
    add_erp_target(
        gateway.sessions,
        gateway.box,
        name=to_folder,
        kind="folder",
        config={"directory": str(folder)},
    )
    add_erp_target(
        gateway.sessions,
        gateway.box,
        name=to_webhook,
        kind="webhook",
        config={"url": erp_receiver.url},
        secret=WEBHOOK_SECRET,
    )
    add_partner(
        gateway.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp=to_folder, status="live"
    )
    add_partner(
        gateway.sessions, name="Southwind", isa="ZZ:SOUTHWIND", erp=to_webhook, status="live"
    )
    gateway.add_worker()
    gateway.add_beat()
    return Setup(gateway, folder, erp_receiver)


def _acknowledgments(gateway: Gateway, message_id: uuid.UUID) -> list[tuple[str, str]]:
    """(kind, X12 text) of each outbound message acknowledging ``message_id``."""
    with gateway.sessions() as s:
        acks = s.execute(
            select(Message).where(
                Message.channel_meta["acknowledges"].as_string() == str(message_id)
            )
        ).scalars()
        return [(m.channel_meta["kind"], m.blob.data.decode("ascii")) for m in acks]


def _kinds(gateway: Gateway, message_id: uuid.UUID) -> list[str]:
    with gateway.sessions() as s:
        return [e.kind for e in timeline(s, message_id=message_id)]


@pytest.mark.parametrize("adapter", ["folder", "webhook"])
def test_a_sample_order_reaches_the_erp_and_a_997_goes_back(setup: Setup, adapter: str) -> None:
    gateway = setup.gateway
    payload = SAMPLE_850 if adapter == "folder" else SOUTHWIND_850
    result = gateway.intake(payload)
    assert result.status == MessageStatus.RECEIVED, result.reason

    finished = wait_for(
        lambda: (
            "acknowledged" in _kinds(gateway, result.message_id)
            and "delivered" in _kinds(gateway, result.message_id)
        ),
        timeout=60,
    )
    assert finished, f"not delivered and acknowledged in 60 s\n{gateway.logs()}"

    with gateway.sessions() as s:
        message = s.get(Message, result.message_id)
        assert message is not None and message.status == MessageStatus.DELIVERED
        (doc,) = s.execute(select(Document).where(Document.message_id == message.id)).scalars()
        assert doc.status == DocumentStatus.DELIVERED and doc.po_number == "NW-4500018231"
        steps = s.execute(select(Step).where(Step.message_id == message.id)).scalars().all()
        assert {st.state for st in steps} == {StepState.DONE}
        document_id, reference = str(doc.id), doc.erp_reference

    if adapter == "folder":
        (written,) = setup.folder.glob("*.json")
        assert written.name == f"order-{document_id}.json"
        assert reference == str(written)
        assert orjson.loads(written.read_bytes())["po_number"] == "NW-4500018231"
    else:
        delivery = setup.receiver.applied[document_id]
        assert delivery.document["po_number"] == "NW-4500018231"
        assert delivery.headers["x-gateway-message-id"] == str(result.message_id)
        assert verify_signature(
            WEBHOOK_SECRET,
            delivery.headers["x-gateway-timestamp"],
            delivery.body,
            delivery.headers["x-gateway-signature"],
        )
        assert reference is not None and reference.startswith("ERP-")
        assert document_id not in setup.receiver.repeats

    ((kind, text),) = _acknowledgments(gateway, result.message_id)
    assert kind == "997"
    assert "AK1*PO*1207~" in text and "AK9*A*1*1*1~" in text
    assert _kinds(gateway, result.message_id) == [
        "received",
        "translated",
        "delivered_to_erp",
        "delivered",
        "acknowledged",
    ]
