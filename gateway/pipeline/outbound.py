"""Rendering what we send a partner, and the ERP's outbound requests.

`render_for_partner` turns one canonical document into an X12 interchange addressed with the
partner's outbound settings (partners/outbound.py), stores it as an outbound message in the
partner's API mailbox and records its envelope (ISA13, GS06, ST02) like an inbound one's, so
trace finds it by our control numbers and the partner's 997/999 finds what it acknowledges.
The pipeline's render step (the ERP's replies to an inbound message) and the ERP's own
`POST /api/v1/outbound/{partner}` both go through it.

`submit_outbound` is that POST: checks, idempotency, rendering, one transaction.

    OutboundRefused        a request the gateway will not send (status, type, field)
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.cxml.outbound import CXML_DOCUMENT_TYPES, CxmlRoute, cxml_route, render_for_route
from gateway.mailbox import TRANSACTION_SETS
from gateway.store import ensure_step, next_control_number, record_event
from gateway.store.enums import (
    Channel,
    ControlNumberKind,
    Direction,
    DocumentStatus,
    MessageStatus,
    PartnerRole,
    PartnerStatus,
    StepKind,
)
from gateway.store.messages import create_message
from gateway.store.models import (
    Acknowledgment,
    Document,
    ErpTarget,
    FunctionalGroup,
    Interchange,
    Message,
    OurIdentity,
    OutboundRequest,
    Partner,
    TransactionSet,
)
from gateway.store.types import new_id, utcnow
from partners.errors import NotFoundError
from partners.outbound import outbound_envelope
from partners.routing import DEFAULT_TARGET
from partners.xml_mappings import render_outbound_xml
from translators.canonical import Envelope, dump_document, parse_document
from translators.cxml import read_cxml
from translators.errors import GatewayError, RenderError, TranslatorError
from translators.ubl.writers import write_ubl
from translators.x12.writers import render
from translators.x12.writers.envelope import FUNCTIONAL_IDS, EnvelopeProfile

#: What the ERP may send, and to whom: orders go to suppliers, the rest to customers.
OUTBOUND_TYPES: dict[str, PartnerRole] = {
    "order": PartnerRole.SUPPLIER,
    "order_ack": PartnerRole.CUSTOMER,
    "ship_notice": PartnerRole.CUSTOMER,
    "invoice": PartnerRole.CUSTOMER,
}
MAX_FIELD_ERRORS = 20


class OutboundRefused(GatewayError):
    """The gateway will not send this: ``status`` and ``type`` for the HTTP answer, ``field``
    naming the canonical field at fault (when one is)."""

    def __init__(
        self,
        detail: str,
        *,
        status: int = 422,
        type: str = "outbound-refused",
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.type = type
        self.field = field
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Rendered:
    message: Message
    isa13: str
    gs06: str
    st02: str
    transaction_set_id: uuid.UUID
    receiver: tuple[str, str]
    version: str


def our_identity(session: Session) -> tuple[str, str] | None:
    """The identity we send from: the first one registered (`edi-gateway identities add`)."""
    row = session.execute(
        select(OurIdentity.isa_qualifier, OurIdentity.isa_id)
        .order_by(OurIdentity.created_at, OurIdentity.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def render_for_partner(
    session: Session,
    *,
    partner: Partner,
    document: dict[str, Any],
    ours: tuple[str, str],
    is_test: bool,
    channel_meta: dict[str, Any],
    reply_to: tuple[str, str] | None = None,
    reply_version: str | None = None,
) -> Rendered:
    """Render `document` for `partner` and put it in its mailbox (the caller's transaction).
    Raises `OutboundRefused` when the partner has no identity, `RenderError` when the document
    cannot be written as X12."""
    theirs = outbound_envelope(partner, reply_to=reply_to, reply_version=reply_version)
    if theirs is None:
        raise OutboundRefused(
            f"partner {partner.name} has no ISA identity to send to "
            f"(edi-gateway partners add-identity {partner.name!r} --isa Q:ID)",
            status=409,
            type="partner-not-addressable",
        )
    profile = EnvelopeProfile(
        sender_qualifier=ours[0],
        sender_id=ours[1],
        receiver_qualifier=theirs.receiver_qualifier,
        receiver_id=theirs.receiver_id,
        application_receiver_id=theirs.gs_id,
        version=theirs.version,
        delimiters=theirs.delimiters,
        interchange_control_number=next_control_number(
            session, partner_id=partner.id, kind=ControlNumberKind.ISA
        ),
        group_control_number=next_control_number(
            session, partner_id=partner.id, kind=ControlNumberKind.GS
        ),
        usage="T" if is_test else "P",
    )
    text = render([document], profile)
    message = create_message(
        session,
        direction=Direction.OUTBOUND,
        channel=Channel.API,
        payload=text.encode("utf-8"),
        partner_id=partner.id,
        channel_meta=channel_meta,
        status=MessageStatus.PROCESSING,  # in the partner's mailbox until picked up
        is_test=is_test,
    )
    isa13 = f"{profile.interchange_control_number:09d}"
    gs06 = str(profile.group_control_number)
    st02 = "0001"
    interchange = Interchange(
        id=new_id(),
        message_id=message.id,
        position=1,
        isa13=isa13,
        sender_qualifier=ours[0],
        sender_id=ours[1],
        receiver_qualifier=theirs.receiver_qualifier,
        receiver_id=theirs.receiver_id,
        version="00501" if theirs.version == "005010" else "00401",
        is_test=is_test,
    )
    group = FunctionalGroup(
        id=new_id(),
        interchange_id=interchange.id,
        position=1,
        gs01=FUNCTIONAL_IDS[str(document["document_type"])],
        gs02=ours[1],
        gs03=theirs.gs_id or theirs.receiver_id,
        gs06=gs06,
        gs08=theirs.version,
    )
    ts = TransactionSet(
        id=new_id(),
        group_id=group.id,
        position=1,
        st01=TRANSACTION_SETS[str(document["document_type"])],
        st02=st02,
        accepted=True,
        errors=[],
    )
    session.add_all([interchange, group, ts])
    session.flush()
    return Rendered(
        message,
        isa13,
        gs06,
        st02,
        ts.id,
        (theirs.receiver_qualifier, theirs.receiver_id),
        theirs.version,
    )


# -- the ERP's requests --------------------------------------------------------------------------


def request_hash(body: Any) -> str:
    """The body's identity for idempotency: its JSON with sorted keys (so key order and
    whitespace do not make a retry look like another request)."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def find_partner(session: Session, ref: str) -> Partner | None:
    """A partner by id or by name."""
    try:
        partner_id = uuid.UUID(ref)
    except ValueError:
        return session.execute(select(Partner).where(Partner.name == ref)).scalar_one_or_none()
    return session.get(Partner, partner_id)


def erp_may_send(session: Session, partner: Partner, erp_target_id: uuid.UUID | None) -> bool:
    """An ERP key speaks for the partners routed to its target (production or test route, or
    the `default` target for partners with no route of their own)."""
    if erp_target_id is None:
        return False
    routes = {t for t in (partner.erp_target_id, partner.test_erp_target_id) if t is not None}
    if partner.erp_target_id is None:
        default = session.execute(
            select(ErpTarget.id).where(ErpTarget.name == DEFAULT_TARGET)
        ).scalar_one_or_none()
        if default is not None:
            routes.add(default)
    return erp_target_id in routes


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for error in exc.errors()[:MAX_FIELD_ERRORS]:
        location = ""
        for part in error.get("loc", ())[1:]:  # the first part is the document_type tag
            location += f"[{part}]" if isinstance(part, int) else ("." if location else "") + part
        out.append(
            {
                "location": location or "document",
                "message": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return out


def check_document(partner: Partner, body: Any) -> dict[str, Any]:
    """The canonical document to send `partner`, validated; `OutboundRefused` otherwise."""
    if not isinstance(body, dict):
        raise OutboundRefused("the body must be one canonical document (a JSON object)")
    doc_type = body.get("document_type")
    if doc_type not in OUTBOUND_TYPES:
        raise OutboundRefused(
            f"document_type must be one of {', '.join(OUTBOUND_TYPES)}, not {doc_type!r}"
            + (" (the gateway sends 997/999s itself)" if doc_type == "functional_ack" else ""),
            field="document_type",
        )
    needs = OUTBOUND_TYPES[doc_type]
    if partner.role not in (needs, PartnerRole.BOTH):
        raise OutboundRefused(
            f"partner {partner.name} is a {partner.role.value}: an {doc_type} "
            f"({TRANSACTION_SETS[doc_type]}) goes to a {needs.value}",
            type="document-not-for-partner",
            field="document_type",
        )
    enabled = partner.documents_out or []
    if enabled and doc_type not in enabled and TRANSACTION_SETS[doc_type] not in enabled:
        raise OutboundRefused(
            f"partner {partner.name} does not take {doc_type} ({TRANSACTION_SETS[doc_type]}): "
            f"its outbound document types are {', '.join(enabled)} (partners update "
            "--documents-out)",
            type="document-type-not-enabled",
            field="document_type",
        )
    try:
        document = dump_document(parse_document(body))
    except ValidationError as exc:
        errors = _field_errors(exc)
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise OutboundRefused(
            f"{first['location']}: {first['message']}{more}",
            type="invalid-document",
            field=first["location"],
            errors=errors,
        ) from exc
    return document


@dataclass(slots=True)
class Submitted:
    request: OutboundRequest
    replayed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # steps to dispatch once committed (a cXML POST); the sweeper finds them otherwise
    steps: list[uuid.UUID] = field(default_factory=list)


def _existing(
    session: Session, erp_target_id: uuid.UUID, partner_id: uuid.UUID, key: str
) -> OutboundRequest | None:
    return session.execute(
        select(OutboundRequest).where(
            OutboundRequest.erp_target_id == erp_target_id,
            OutboundRequest.partner_id == partner_id,
            OutboundRequest.idempotency_key == key,
        )
    ).scalar_one_or_none()


def _replay(found: OutboundRequest, digest: str) -> Submitted:
    if found.request_sha256 != digest:
        raise OutboundRefused(
            f"Idempotency-Key {found.idempotency_key!r} was used for another body (request "
            f"{found.id}); use a new key for a new document",
            status=409,
            type="idempotency-key-reused",
        )
    return Submitted(found, replayed=True)


def submit_outbound(
    sessions: sessionmaker[Session],
    *,
    erp_target_id: uuid.UUID | None,
    partner_ref: str,
    body: Any,
    idempotency_key: str | None,
) -> Submitted:
    """Validate, render and store one ERP document for a partner, in one transaction."""
    digest = request_hash(body)
    try:
        with sessions.begin() as session:
            partner = find_partner(session, partner_ref)
            if partner is None or not erp_may_send(session, partner, erp_target_id):
                raise OutboundRefused(
                    f"no partner {partner_ref!r} routed to this ERP", status=404, type="not-found"
                )
            assert erp_target_id is not None
            if idempotency_key is not None:
                found = _existing(session, erp_target_id, partner.id, idempotency_key)
                if found is not None:
                    return _replay(found, digest)
            request, steps = _create(session, partner, erp_target_id, body, digest, idempotency_key)
            return Submitted(request, steps=steps)
    except IntegrityError:
        if idempotency_key is None:
            raise
    # the same key raced us and won: answer as its retry would be answered
    with sessions.begin() as session:
        partner = find_partner(session, partner_ref)
        assert partner is not None and erp_target_id is not None
        found = _existing(session, erp_target_id, partner.id, idempotency_key)
        assert found is not None
        return _replay(found, digest)


def _create(
    session: Session,
    partner: Partner,
    erp_target_id: uuid.UUID,
    body: Any,
    digest: str,
    idempotency_key: str | None,
) -> tuple[OutboundRequest, list[uuid.UUID]]:
    if partner.status == PartnerStatus.SUSPENDED:
        raise OutboundRefused(
            f"partner {partner.name} is suspended: nothing is sent to it until an operator "
            "reinstates it",
            status=409,
            type="partner-suspended",
        )
    if partner.status == PartnerStatus.DRAFT:
        raise OutboundRefused(
            f"partner {partner.name} is a draft: move it to testing or live first",
            status=409,
            type="partner-not-onboarded",
        )
    document = check_document(partner, body)
    ours = our_identity(session)
    if ours is None:
        raise OutboundRefused(
            "no identity of ours is registered to send from (edi-gateway identities add)",
            status=409,
            type="no-identity",
        )
    is_test = partner.status == PartnerStatus.TESTING
    request_id = new_id()
    route = cxml_route(partner.channels)
    if route is not None and document["document_type"] in CXML_DOCUMENT_TYPES:
        return _create_xml(
            session,
            partner,
            erp_target_id,
            document,
            digest,
            idempotency_key,
            request_id,
            route=route,
        )
    if partner_xml_format(partner) != "x12":
        return _create_xml(
            session,
            partner,
            erp_target_id,
            document,
            digest,
            idempotency_key,
            request_id,
            route=None,
        )
    try:
        rendered = render_for_partner(
            session,
            partner=partner,
            document=document,
            ours=ours,
            is_test=is_test,
            channel_meta={
                "kind": TRANSACTION_SETS[document["document_type"]],
                "outbound_request_id": str(request_id),
                "source": "erp",
            },
        )
    except RenderError as exc:
        raise OutboundRefused(
            f"cannot render the {document['document_type']} as X12: {exc}",
            type="invalid-document",
            field=exc.field,
        ) from exc
    message = rendered.message
    document["envelope"] = {
        "standard": "x12",
        "sender_id": ours[1],
        "sender_qualifier": ours[0],
        "receiver_id": rendered.receiver[1],
        "receiver_qualifier": rendered.receiver[0],
        "interchange_control_number": rendered.isa13,
        "group_control_number": rendered.gs06,
        "functional_id": FUNCTIONAL_IDS[document["document_type"]],
        "version": rendered.version,
        "transaction_set": TRANSACTION_SETS[document["document_type"]],
        "transaction_control_number": rendered.st02,
        "test": is_test,
        "payload_id": None,
        "timestamp": None,
    }
    doc, request = _store_request(
        session,
        partner,
        erp_target_id,
        document,
        digest,
        idempotency_key,
        request_id,
        message,
        transaction_set_id=rendered.transaction_set_id,
        control_numbers=(rendered.isa13, rendered.gs06, rendered.st02),
        detail={},
    )
    record_rendered(session, message.id, doc, message.id, isa13=rendered.isa13, gs06=rendered.gs06)
    return request, []


def record_rendered(
    session: Session,
    message_id: uuid.UUID,
    doc: Document,
    outbound_message_id: uuid.UUID,
    **detail: str,
) -> None:
    """The `rendered_for_partner` event on `message_id`'s timeline: the document went out as
    the outbound message (with its control numbers, or its format)."""
    record_event(
        session,
        message_id=message_id,
        document_id=doc.id,
        kind="rendered_for_partner",
        detail={
            "outbound_message_id": str(outbound_message_id),
            **detail,
            "document_type": doc.document_type,
        },
    )


def _store_request(
    session: Session,
    partner: Partner,
    erp_target_id: uuid.UUID,
    document: dict[str, Any],
    digest: str,
    idempotency_key: str | None,
    request_id: uuid.UUID,
    message: Message,
    *,
    transaction_set_id: uuid.UUID | None,
    control_numbers: tuple[str | None, str | None, str | None],
    detail: dict[str, Any],
) -> tuple[Document, OutboundRequest]:
    """The ERP's document as sent (`message`), the request that follows it, and its
    `received_from_erp` event: what every outbound format records alike."""
    doc = Document(
        id=new_id(),
        message_id=message.id,
        transaction_set_id=transaction_set_id,
        direction=Direction.OUTBOUND,
        document_type=document["document_type"],
        canonical=document,
        status=DocumentStatus.DELIVERED,  # to the partner's mailbox or channel
        po_number=_key(document, "po_number") or _first_order(document),
        invoice_number=_key(document, "invoice_number"),
        shipment_id=_key(document, "shipment_id"),
    )
    session.add(doc)
    isa13, gs06, st02 = control_numbers
    request = OutboundRequest(
        id=request_id,
        erp_target_id=erp_target_id,
        partner_id=partner.id,
        idempotency_key=idempotency_key,
        request_sha256=digest,
        document_type=document["document_type"],
        document_id=doc.id,
        message_id=message.id,
        isa13=isa13,
        gs06=gs06,
        st02=st02,
        created_at=message.received_at,
    )
    session.add(request)
    session.flush()
    record_event(
        session,
        message_id=message.id,
        document_id=doc.id,
        kind="received_from_erp",
        detail={"outbound_request_id": str(request_id), "document_type": doc.document_type}
        | detail,
    )
    return doc, request


def _key(doc: dict[str, Any], name: str) -> str | None:
    value = doc.get(name)
    return str(value)[:128] if value else None


def _first_order(doc: dict[str, Any]) -> str | None:
    for order in doc.get("orders") or []:
        if isinstance(order, dict) and order.get("po_number"):
            return str(order["po_number"])[:128]
    return None


# -- state -----------------------------------------------------------------------------------


def partner_xml_format(partner: Partner) -> str:
    """How the partner takes documents from its mailbox: `x12` (the default), `ubl` (UBL 2.1)
    or `xml` (its own, through its outbound XSLT) - its registry's `channels.api.format`."""
    api = (partner.channels or {}).get("api") or {}
    fmt = str(api.get("format") or "x12").lower()
    return fmt if fmt in ("ubl", "xml") else "x12"


def render_partner_xml(session: Session, partner: Partner, document: dict[str, Any]) -> bytes:
    """`document` in the partner's XML format (`partner_xml_format` is `ubl` or `xml`).
    Raises `TranslatorError` (UblError, XsltError) or `NotFoundError` (no outbound XSLT)."""
    if partner_xml_format(partner) == "ubl":
        return write_ubl(document)
    return render_outbound_xml(session, partner, document)


def _xml_envelope(fmt: str, document_type: str, is_test: bool) -> dict[str, Any]:
    envelope = Envelope(
        standard=fmt,  # "ubl" or "xml"
        version="2.1" if fmt == "ubl" else None,
        transaction_set=document_type,
        test=is_test,
    )
    return envelope.model_dump(mode="json")


def _create_xml(
    session: Session,
    partner: Partner,
    erp_target_id: uuid.UUID,
    document: dict[str, Any],
    digest: str,
    idempotency_key: str | None,
    request_id: uuid.UUID,
    *,
    route: CxmlRoute | None,
) -> tuple[OutboundRequest, list[uuid.UUID]]:
    """The document as XML: a cXML request POSTed to a partner on the cXML exchange (`route`;
    stored with the step that POSTs it, dispatched by the caller after the commit or found by
    the sweeper), or UBL / the partner's own XML put in its mailbox."""
    is_test = partner.status == PartnerStatus.TESTING
    fmt = "cxml" if route is not None else partner_xml_format(partner)
    try:
        if route is not None:
            body = render_for_route(document, route, test=is_test)
        else:
            body = render_partner_xml(session, partner, document)
    except (TranslatorError, NotFoundError) as exc:
        raise OutboundRefused(
            f"cannot render the {document['document_type']} as {fmt}: {exc}",
            type="invalid-document",
            field=getattr(exc, "field", None),
        ) from exc
    meta: dict[str, Any] = {"outbound_request_id": str(request_id), "source": "erp"}
    if route is not None:
        meta["url"] = route.url
    else:
        meta.update(format=fmt, kind=TRANSACTION_SETS[document["document_type"]])
    message = create_message(
        session,
        direction=Direction.OUTBOUND,
        channel=Channel.CXML if route is not None else Channel.API,
        payload=body,
        partner_id=partner.id,
        channel_meta=meta,
        # cXML: until the partner's Response says it took it; else in the mailbox until pickup
        status=MessageStatus.PROCESSING,
        is_test=is_test,
    )
    document["envelope"] = (
        read_cxml(body)["envelope"]
        if route is not None
        else _xml_envelope(fmt, document["document_type"], is_test)
    )
    _, request = _store_request(
        session,
        partner,
        erp_target_id,
        document,
        digest,
        idempotency_key,
        request_id,
        message,
        transaction_set_id=None,
        control_numbers=(None, None, None),  # none in XML
        detail={"format": fmt},
    )
    if route is None:
        return request, []
    step = ensure_step(session, message_id=message.id, kind=StepKind.DELIVER_PARTNER)
    return request, [step.id]


def outbound_state(
    session: Session, request: OutboundRequest, *, now: datetime | None = None
) -> dict[str, Any]:
    """Where a request stands: rendered, delivered (in the mailbox), picked_up, then the
    partner's 997/999 (accepted, accepted_with_errors, partially_accepted, rejected), or
    overdue when no acknowledgment came within the partner's window. Sent as cXML: sending,
    then accepted or failed by the partner's Response (cXML has no 997)."""
    now = now or utcnow()
    partner = session.get(Partner, request.partner_id)
    message = session.get(Message, request.message_id) if request.message_id else None
    cxml = message is not None and message.channel == Channel.CXML
    # UBL, partner XML and cXML carry no 997: nothing to wait for, never overdue
    no_ack = cxml or (message is not None and message.channel_meta.get("format") in ("ubl", "xml"))
    ack = None
    if message is not None and not no_ack:
        ack = session.execute(
            select(Acknowledgment)
            .where(
                Acknowledgment.acknowledges_message_id == message.id,
                Acknowledgment.direction == Direction.INBOUND,
            )
            .order_by(Acknowledgment.created_at.desc(), Acknowledgment.id)
            .limit(1)
        ).scalar_one_or_none()
    window = timedelta(minutes=partner.ack_window_minutes if partner else 24 * 60)
    due = request.created_at + window
    picked_up = message is not None and message.status == MessageStatus.DELIVERED
    overdue = ack is None and now > due and not no_ack
    if cxml:
        assert message is not None
        state = CXML_STATES.get(message.status, "sending")
    elif ack is not None:
        state = ack.status.value
    elif overdue:
        state = "overdue"
    elif picked_up:
        state = "picked_up"
    elif message is not None:
        state = "delivered"
    else:
        state = "rendered"
    return {
        "id": request.id,
        "partner_id": request.partner_id,
        "partner": partner.name if partner else None,
        "document_type": request.document_type,
        "transaction_set": None if cxml else TRANSACTION_SETS.get(request.document_type),
        "state": state,
        "document_id": request.document_id,
        "message_id": request.message_id,
        "idempotency_key": request.idempotency_key,
        "control_numbers": {"isa13": request.isa13, "gs06": request.gs06, "st02": request.st02},
        "created_at": request.created_at,
        "picked_up_at": message.sent_at if picked_up and message is not None else None,
        "acknowledgment": None
        if ack is None
        else {
            "kind": ack.kind.value,
            "status": ack.status.value,
            "received_at": ack.created_at,
            "message_id": ack.message_id,
        },
        "ack_due_at": due,
        "overdue": overdue,
    }


# a request sent as cXML, by its message's status: the partner's Response decides
CXML_STATES = {MessageStatus.DELIVERED: "accepted", MessageStatus.FAILED: "failed"}
