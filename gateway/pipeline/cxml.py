"""cXML through the same intake and pipeline as X12 (`POST /api/v1/inbound` with an XML body).

`check_xml` reads the document before anything is stored - cXML, UBL, or the partner's own XML
through its inbound XSLT (hostile or malformed XML, request types the gateway does not
translate and unreadable values are refused there, nothing kept);
`intake_cxml` stores it like any payload - bytes, message, `received` event and translate step
in one transaction - and `translate_xml` is the translate step for it: one ERP delivery step
per canonical document. cXML has no 997: the partner follows the message's status instead.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.pipeline.intake import IntakeResult, store_received
from gateway.pipeline.runtime import Runtime
from gateway.store import ensure_step, record_event
from gateway.store.enums import (
    Channel,
    Direction,
    DocumentStatus,
    DuplicatePolicy,
    MessageStatus,
    PartnerStatus,
    StepKind,
)
from gateway.store.models import Document, Message, Partner, PartnerCredential
from gateway.store.types import new_id, utcnow
from partners.xml_mappings import read_inbound_xml
from translators.cxml import read_cxml
from translators.cxml.readers import is_cxml, read_root
from translators.errors import TranslatorError, UnsupportedError
from translators.xml.safe import parse_xml


def looks_like_xml(payload: bytes) -> bool:
    return payload.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def check_cxml(payload: bytes) -> dict[str, Any]:
    """The canonical document of a cXML body; `TranslatorError` (XmlError for malformed or
    hostile XML, UnsupportedError, CxmlError) says why not."""
    return read_cxml(payload)


def check_xml(
    session: Session, partner: Partner, payload: bytes
) -> tuple[str, list[dict[str, Any]]]:
    """The format (`cxml`, or `xml` for UBL and the partner's own XML read through its inbound
    XSLT) and the canonical documents of an XML body; `TranslatorError` says why not (XmlError
    for malformed or hostile XML, UnsupportedError, XsltError, CanonicalXmlError, ...)."""
    root = parse_xml(payload)
    if is_cxml(root):
        try:
            return "cxml", [read_root(root)]
        except UnsupportedError as exc:
            raise UnsupportedError(f"cXML {exc}", kind=exc.kind) from exc
    return "xml", read_inbound_xml(session, partner, payload)


def _credential_ok(session: Session, partner_id: uuid.UUID, document: dict[str, Any]) -> bool:
    """A partner with cXML credentials registered may send only as one of them; one without
    is identified by its API key alone."""
    rows = session.execute(
        select(PartnerCredential.domain, PartnerCredential.identity).where(
            PartnerCredential.partner_id == partner_id, PartnerCredential.kind == "cxml"
        )
    ).all()
    if not rows:
        return True
    envelope = document.get("envelope") or {}
    sent = (envelope.get("sender_qualifier"), envelope.get("sender_id"))
    return any(
        (domain or "").lower() == str(sent[0] or "").lower() and identity == sent[1]
        for domain, identity in rows
    )


def intake_cxml(
    runtime: Runtime,
    *,
    payload: bytes,
    document: dict[str, Any],
    channel: Channel,
    partner_id: uuid.UUID,
    channel_meta: dict[str, Any] | None = None,
    format: str = "cxml",
) -> IntakeResult:
    """Store an XML document (cXML, or `xml`: UBL or the partner's own) from an authenticated
    partner and start its processing."""
    envelope = document.get("envelope") or {}
    sha256 = hashlib.sha256(payload).hexdigest()
    meta = {**(channel_meta or {}), "format": format, "payload_id": envelope.get("payload_id")}
    status, reason = MessageStatus.RECEIVED, None
    duplicate_of: uuid.UUID | None = None
    message_id, now = new_id(), utcnow()
    step_id: uuid.UUID | None = None
    with runtime.sessions.begin() as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        sender = f"{envelope.get('sender_qualifier')}:{envelope.get('sender_id')}"
        if partner.status == PartnerStatus.SUSPENDED:
            status = MessageStatus.REJECTED
            reason = f"partner {partner.name} is suspended: nothing it sends is processed"
        elif format == "cxml" and not _credential_ok(session, partner_id, document):
            status = MessageStatus.REJECTED
            reason = f"cXML From credential {sender} is not one of the authenticated partner's"
        elif partner.duplicate_policy != DuplicatePolicy.ACCEPT:
            duplicate_of = session.execute(
                select(Message.id)
                .where(
                    Message.partner_id == partner_id,
                    Message.sha256 == sha256,
                    Message.direction == Direction.INBOUND,
                    Message.status != MessageStatus.REJECTED,
                )
                .limit(1)
            ).scalar_one_or_none()
            if duplicate_of is not None:
                status = MessageStatus.DUPLICATE
                reason = f"duplicate of message {duplicate_of} (same payload)"
        step_id = store_received(
            session,
            message_id=message_id,
            now=now,
            partner_id=partner_id,
            channel=channel,
            meta=meta,
            payload=payload,
            sha256=sha256,
            status=status,
            reason=reason,
            duplicate_of=duplicate_of,
            is_test=bool(envelope.get("test")),
            detail={"format": format, "payload_id": envelope.get("payload_id")},
        )
    if step_id is not None:
        runtime.dispatcher.dispatch([step_id])
    return IntakeResult(message_id, status, partner_id, reason, duplicate_of)


def translate_xml(session: Session, message: Message, payload: bytes) -> list[uuid.UUID]:
    """The translate step of an XML message (cXML, UBL or a partner's own through its XSLT):
    its canonical documents, one ERP delivery step each. XML has no 997: the partner follows
    the message's status instead."""
    fmt = str(message.channel_meta.get("format") or "cxml")
    try:
        if fmt == "cxml":
            documents = [read_cxml(payload)]
        else:
            partner = session.get(Partner, message.partner_id) if message.partner_id else None
            if partner is None:
                raise UnsupportedError("unsupported: XML from no known partner", kind="xml")
            documents = read_inbound_xml(session, partner, payload)
    except TranslatorError as exc:
        message.status = MessageStatus.REJECTED
        message.status_reason = str(exc)[:4000]
        record_event(
            session,
            message_id=message.id,
            kind="translated",
            detail={"documents": 0, "problems": [str(exc)[:500]]},
        )
        return []
    steps: list[uuid.UUID] = []
    for data in documents:
        doc = _document(message, data)
        session.add(doc)
        session.flush()
        steps.append(
            ensure_step(
                session, message_id=message.id, document_id=doc.id, kind=StepKind.DELIVER_ERP
            ).id
        )
    message.status = MessageStatus.PROCESSING
    record_event(
        session,
        message_id=message.id,
        kind="translated",
        detail={
            "documents": len(documents),
            "format": fmt,
            "document_types": [str(d["document_type"]) for d in documents],
        },
    )
    return steps


def _document(message: Message, data: dict[str, Any]) -> Document:
    orders = data.get("orders") or []
    po_number = data.get("po_number") or next(
        (o.get("po_number") for o in orders if isinstance(o, dict) and o.get("po_number")), None
    )
    return Document(
        id=new_id(),
        message_id=message.id,
        direction=Direction.INBOUND,
        document_type=str(data["document_type"]),
        canonical=data,
        status=DocumentStatus.PENDING,
        po_number=str(po_number)[:128] if po_number else None,
        invoice_number=str(data["invoice_number"])[:128] if data.get("invoice_number") else None,
        shipment_id=str(data["shipment_id"])[:128] if data.get("shipment_id") else None,
    )
