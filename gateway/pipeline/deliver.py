"""Delivery steps: a document to the ERP, and the ERP's replies back to the partner.

`deliver_to_erp` hands one canonical document to the ERP target the partner routes to, with
the document id as the idempotency key, so a retry after a crash is recognised by the ERP
(409 / already had) instead of applied twice. An open circuit makes the step wait - it does not
spend attempts while the ERP is down. Replies the ERP gives (the demo ERP answers an order
with an order_ack) become outbound documents rendered for the partner by `render_outbound`,
which puts the X12 in the partner's API mailbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from gateway.cxml.outbound import (
    CXML_DOCUMENT_TYPES,
    CxmlDelivery,
    CxmlRoute,
    cxml_route,
    render_for_route,
)
from gateway.erp.base import CircuitOpenError, PermanentErpError, RetryableErpError
from gateway.mailbox import TRANSACTION_SETS
from gateway.pipeline.inbound import StepFailed, StepWaits, finish_messages_if_complete
from gateway.pipeline.outbound import (
    OutboundRefused,
    partner_xml_format,
    record_rendered,
    render_for_partner,
    render_partner_xml,
)
from gateway.pipeline.runtime import DeliveryOutcome, ErpTargetInfo, Runtime
from gateway.store import ensure_step, ensure_step_id, record_event
from gateway.store.enums import (
    Channel,
    Direction,
    DocumentStatus,
    MessageStatus,
    StepKind,
)
from gateway.store.events import record_events
from gateway.store.messages import create_message
from gateway.store.models import (
    Document,
    Interchange,
    Message,
    OurIdentity,
    Partner,
    Step,
)
from gateway.store.types import utcnow
from partners.routing import RouteHeld, erp_route
from translators.errors import GatewayError


def _target(session: Session, partner: Partner | None, *, test: bool) -> tuple[ErpTargetInfo, bool]:
    """The partner's ERP route, or its test route in test mode (partners/routing.py)."""
    try:
        route = erp_route(session, partner, test_interchange=test)
    except RouteHeld as exc:
        raise StepFailed(str(exc), retryable=False) from exc
    target = route.target
    # held while the session lives, so the next delivery of a batch finds it in the identity
    # map (which holds objects weakly) instead of loading it again
    session.info.setdefault("erp_targets", set()).add(target)
    info = ErpTargetInfo(target.name, target.kind, dict(target.config), target.secret_encrypted)
    return info, route.test


@dataclass(frozen=True, slots=True)
class PreparedDelivery:
    """What an ERP delivery needs, read before the call so no transaction stays open during
    it (an ERP may take seconds; SQLite would block every writer meanwhile)."""

    target: ErpTargetInfo
    document: dict[str, Any]
    document_id: uuid.UUID
    message_id: uuid.UUID
    test: bool


def prepare_delivery(session: Session, step: Step) -> PreparedDelivery | None:
    doc = step.document
    if doc is None:
        raise StepFailed("deliver step without a document", retryable=False)
    if doc.status in (DocumentStatus.DELIVERED, DocumentStatus.ACKNOWLEDGED):
        return None  # a second run of a finished delivery has no effect
    message = step.message
    partner = session.get(Partner, message.partner_id) if message.partner_id else None
    target, test = _target(session, partner, test=message.is_test)
    return PreparedDelivery(
        target=target,
        document=dict(doc.canonical),
        document_id=doc.id,
        message_id=message.id,
        test=test,
    )


def call_erp(prepared: PreparedDelivery, runtime: Runtime) -> DeliveryOutcome:
    try:
        return runtime.erp.deliver(
            target=prepared.target,
            document=prepared.document,
            document_id=str(prepared.document_id),
            message_id=str(prepared.message_id),
            test=prepared.test,
        )
    except CircuitOpenError as exc:
        wait = exc.retry_after if exc.retry_after is not None else 30.0
        raise StepWaits(str(exc), until=utcnow() + timedelta(seconds=wait)) from exc
    except RetryableErpError as exc:
        raise StepFailed(str(exc), retryable=True, retry_after=exc.retry_after) from exc
    except PermanentErpError as exc:
        raise StepFailed(str(exc), retryable=False) from exc


_DELIVERED = (
    update(Document)
    .where(Document.id == bindparam("document_id"))
    .values(
        status=DocumentStatus.DELIVERED,
        erp_reference=bindparam("reference"),
        updated_at=bindparam("now"),
    )
)

# PostgreSQL: the batch's documents and references as two arrays, so a batch of any size is
# one UPDATE of one shape (an executemany sends an UPDATE a document).
_DELIVERED_ALL = text(
    "UPDATE documents SET status = :status, erp_reference = u.reference, updated_at = :now "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:refs AS varchar[])) AS u(id, reference) "
    "WHERE documents.id = u.id"
)


def apply_delivery(
    session: Session, prepared: PreparedDelivery, outcome: DeliveryOutcome
) -> list[uuid.UUID]:
    """Record the ERP's answer: the document delivered, the event, the replies to render, and
    the message delivered once its last document is. Runs in the transaction that finishes the
    step; writes by id, reading nothing `prepare_delivery` already read."""
    return apply_deliveries(session, [(prepared, outcome)])


def apply_deliveries(
    session: Session, delivered: list[tuple[PreparedDelivery, DeliveryOutcome]]
) -> list[uuid.UUID]:
    """`apply_delivery` for a batch: the documents and their events written by executemany,
    and each message's completion checked once (its row locked once per batch, not once per
    document: the ~1,700 deliveries of a 10 MB interchange queued on that lock)."""
    if not delivered:
        return []
    now = utcnow()
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # one statement for the batch
        connection.execute(
            _DELIVERED_ALL,
            {
                "status": DocumentStatus.DELIVERED.value,
                "now": now,
                "ids": [p.document_id for p, _ in delivered],
                "refs": [o.reference for _, o in delivered],
            },
        )
    else:
        connection.execute(
            _DELIVERED,
            [
                {"document_id": p.document_id, "reference": o.reference, "now": now}
                for p, o in delivered
            ],
        )
    record_events(
        session,
        [
            {
                "message_id": p.message_id,
                "document_id": p.document_id,
                "kind": "delivered_to_erp",
                "at": now,
                "detail": {
                    "target": p.target.name,
                    "reference": o.reference,
                    "already_had": o.already_had,
                    "replies": len(o.replies),
                },
            }
            for p, o in delivered
        ],
    )
    created: list[uuid.UUID] = []
    for prepared, outcome in delivered:
        for reply in outcome.replies:
            reply_doc = Document(
                message_id=prepared.message_id,
                direction=Direction.OUTBOUND,
                document_type=str(reply.get("document_type")),
                canonical=dict(reply),
                status=DocumentStatus.PENDING,
                po_number=_key(reply, "po_number"),
                invoice_number=_key(reply, "invoice_number"),
                shipment_id=_key(reply, "shipment_id"),
            )
            session.add(reply_doc)
            session.flush()
            created.append(
                ensure_step_id(
                    session,
                    message_id=prepared.message_id,
                    document_id=reply_doc.id,
                    kind=StepKind.RENDER,
                )
            )
    session.flush()
    finish_messages_if_complete(session, [p.message_id for p, _ in delivered])
    return created


def _key(doc: dict[str, object], name: str) -> str | None:
    value = doc.get(name)
    return str(value)[:200] if value else None


def render_outbound(session: Session, step: Step, runtime: Runtime) -> list[uuid.UUID]:
    """Render an outbound document as X12 for its partner and put it in the partner's mailbox."""
    doc = step.document
    if doc is None:
        raise StepFailed("render step without a document", retryable=False)
    if doc.status != DocumentStatus.PENDING:
        return []
    message = step.message
    partner = session.get(Partner, message.partner_id) if message.partner_id else None
    if partner is None:
        raise StepFailed("the document has no partner to send it to", retryable=False)
    route = cxml_route(partner.channels)
    if route is not None and doc.document_type in CXML_DOCUMENT_TYPES:
        return _render_xml(session, doc, message, partner, route)
    if partner_xml_format(partner) != "x12":
        return _render_xml(session, doc, message, partner, None)
    ours = _our_identity(session, message.id)
    inbound = session.execute(
        select(Interchange).where(Interchange.message_id == message.id).limit(1)
    ).scalar_one_or_none()
    try:
        rendered = render_for_partner(  # the partner's registry settings (partners/outbound.py)
            session,
            partner=partner,
            document=doc.canonical,
            ours=ours,
            is_test=message.is_test,
            channel_meta={"document_id": str(doc.id), "source_message_id": str(message.id)},
            reply_to=(inbound.sender_qualifier, inbound.sender_id) if inbound else None,
            reply_version=inbound.version if inbound else None,
        )
    except OutboundRefused as exc:
        raise StepFailed(exc.detail, retryable=False) from exc
    except GatewayError as exc:
        raise StepFailed(f"cannot render the {doc.document_type}: {exc}", retryable=False) from exc
    out = rendered.message
    doc.transaction_set_id = rendered.transaction_set_id
    doc.status = DocumentStatus.DELIVERED
    record_rendered(session, message.id, doc, out.id, isa13=rendered.isa13, gs06=rendered.gs06)
    return []


def _render_xml(
    session: Session, doc: Document, message: Message, partner: Partner, route: CxmlRoute | None
) -> list[uuid.UUID]:
    """The document as XML: a cXML request for a partner on the cXML exchange (`route`: an
    outbound message on the `cxml` channel and the step that POSTs it, gateway/cxml/outbound.py),
    or UBL / the partner's own XML (its `channels.api.format`) in its mailbox like X12."""
    fmt = "cxml" if route is not None else partner_xml_format(partner)
    try:
        if route is not None:
            body = render_for_route(dict(doc.canonical), route, test=message.is_test)
        else:
            body = render_partner_xml(session, partner, dict(doc.canonical))
    except ValidationError as exc:
        raise StepFailed(
            f"the {doc.document_type} is not a valid canonical document: {exc}", retryable=False
        ) from exc
    except GatewayError as exc:
        raise StepFailed(
            f"cannot render the {doc.document_type} as {FORMAT_NAMES.get(fmt, fmt)}: {exc}",
            retryable=False,
        ) from exc
    meta: dict[str, Any] = {"document_id": str(doc.id), "source_message_id": str(message.id)}
    if route is not None:
        meta["url"] = route.url
    else:
        meta.update(format=fmt, kind=TRANSACTION_SETS.get(doc.document_type, doc.document_type))
    out = create_message(
        session,
        direction=Direction.OUTBOUND,
        channel=Channel.CXML if route is not None else Channel.API,
        payload=body,
        partner_id=partner.id,
        channel_meta=meta,
        # cXML: until the partner's Response says it took it; else in the mailbox until pickup
        status=MessageStatus.PROCESSING,
        is_test=message.is_test,
    )
    doc.status = DocumentStatus.DELIVERED
    record_rendered(session, message.id, doc, out.id, format=fmt)
    if route is None:
        return []
    return [ensure_step(session, message_id=out.id, kind=StepKind.DELIVER_PARTNER).id]


FORMAT_NAMES = {"cxml": "cXML", "ubl": "UBL", "xml": "the partner's XML"}


@dataclass(frozen=True, slots=True)
class PreparedPost:
    url: str
    body: bytes


def prepare_partner_delivery(session: Session, step: Step) -> PreparedPost | None:
    """What POSTing an outbound cXML message needs, read before the call (no transaction stays
    open during it); None when it was already taken."""
    message = step.message
    if message.status == MessageStatus.DELIVERED:
        return None
    if message.channel != Channel.CXML:
        raise StepFailed(
            f"no partner delivery for the {message.channel.value} channel", retryable=False
        )
    partner = session.get(Partner, message.partner_id) if message.partner_id else None
    route = cxml_route(partner.channels if partner else None)
    url = route.url if route else str(message.channel_meta.get("url") or "")
    if not url:
        raise StepFailed("the partner has no channels.cxml.url to POST to", retryable=False)
    return PreparedPost(url, message.blob.data)


def apply_partner_delivery(session: Session, step: Step, result: CxmlDelivery) -> None:
    """Record the partner's answer; raise StepFailed (retry or dead letter) unless it took it."""
    message = step.message
    record_event(
        session,
        message_id=message.id,
        kind="cxml_response",
        detail={
            "outcome": result.outcome,
            "http_status": result.http_status,
            "cxml_code": result.cxml_code,
            "cxml_text": result.cxml_text,
        },
    )
    if result.outcome != "done":
        raise StepFailed(result.summary, retryable=result.outcome == "retryable")
    message.status = MessageStatus.DELIVERED
    message.sent_at = utcnow()


def _our_identity(session: Session, message_id: uuid.UUID) -> tuple[str, str]:
    """The identity we answer as: the one the partner addressed (a distributor may have
    several, and a reply from another would be refused by the partner's translator), else the
    first one registered."""
    inbound = session.execute(
        select(Interchange).where(Interchange.message_id == message_id).limit(1)
    ).scalar_one_or_none()
    if inbound is not None:
        return inbound.receiver_qualifier, inbound.receiver_id
    ours = session.execute(
        select(OurIdentity).order_by(OurIdentity.created_at).limit(1)
    ).scalar_one_or_none()
    if ours is not None:
        return ours.isa_qualifier, ours.isa_id
    raise StepFailed(
        "no identity of ours is registered (edi-gateway identities add)", retryable=False
    )
