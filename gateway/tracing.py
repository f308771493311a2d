"""What happened to a message, and everything that belongs to the same business transaction.

`message_detail` is a message as the HTTP API shows it: status, documents, acknowledgments and
timeline. `trace` finds messages by control number (ISA13, GS06, ST02) or business key (PO,
invoice, shipment number), adds the messages that answer them (the 997s acknowledging them,
the X12 rendered from their documents), and lays out the business chain of the purchase
orders involved: 850 -> 997 -> 855 -> 856 -> 810, inbound and outbound, in time order.

Both return plain data (dicts and lists), for the API's schemas, the CLI and the web pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gateway.mailbox import TRANSACTION_SETS
from gateway.store import timeline
from gateway.store.enums import Direction
from gateway.store.models import (
    Acknowledgment,
    Document,
    Event,
    FunctionalGroup,
    Interchange,
    Message,
    TransactionSet,
)

#: Event details a partner does not see: where the ERP is and what it answered internally.
PARTNER_HIDDEN_DETAIL = frozenset({"target", "reference", "error", "last_error"})
MAX_CHAIN = 500


def message_detail(
    session: Session, message: Message, *, for_partner: bool = False
) -> dict[str, Any]:
    documents = sorted(message.documents, key=lambda d: (d.created_at, d.id))
    rendered_from = _rendered_document(session, message)
    if rendered_from is not None:
        documents.append(rendered_from)
    acks = (
        session.execute(
            select(Acknowledgment)
            .where(Acknowledgment.acknowledges_message_id == message.id)
            .order_by(Acknowledgment.created_at, Acknowledgment.id)
        )
        .scalars()
        .all()
    )
    return {
        "id": message.id,
        "direction": message.direction,
        "channel": message.channel,
        "status": message.status,
        "status_reason": message.status_reason,
        "partner_id": message.partner_id,
        "size": message.size,
        "received_at": message.received_at,
        "sent_at": message.sent_at,
        "duplicate_of": message.duplicate_of,
        "test": message.is_test,
        "documents": [_document(d, for_partner=for_partner) for d in documents],
        "acknowledgments": [_acknowledgment(a) for a in acks],
        "timeline": [
            _event(e, for_partner=for_partner) for e in timeline(session, message_id=message.id)
        ],
    }


def _rendered_document(session: Session, message: Message) -> Document | None:
    """The document an outbound message was rendered from (it belongs to the message that
    caused it: the 855 to the 850 it answers)."""
    if message.direction != Direction.OUTBOUND or "document_id" not in message.channel_meta:
        return None
    try:
        document_id = uuid.UUID(str(message.channel_meta["document_id"]))
    except ValueError:
        return None
    return session.get(Document, document_id)


def _document(doc: Document, *, for_partner: bool) -> dict[str, Any]:
    return {
        "id": doc.id,
        "document_type": doc.document_type,
        "transaction_set": TRANSACTION_SETS.get(doc.document_type),
        "direction": doc.direction,
        "status": doc.status,
        "po_number": doc.po_number,
        "invoice_number": doc.invoice_number,
        "shipment_id": doc.shipment_id,
        "erp_reference": None if for_partner else doc.erp_reference,
        "canonical": doc.canonical,
    }


def _acknowledgment(ack: Acknowledgment) -> dict[str, Any]:
    return {
        "id": ack.id,
        "kind": ack.kind,
        "direction": ack.direction,
        "status": ack.status,
        "group_control_number": ack.group_control_number,
        "message_id": ack.message_id,
    }


def _event(event: Event, *, for_partner: bool) -> dict[str, Any]:
    detail = dict(event.detail)
    if for_partner:
        detail = {k: v for k, v in detail.items() if k not in PARTNER_HIDDEN_DETAIL}
    return {"at": event.at, "kind": event.kind, "detail": detail, "document_id": event.document_id}


def _interchanges(message: Message) -> list[dict[str, Any]]:
    docs_by_set = {d.transaction_set_id: d.id for d in message.documents if d.transaction_set_id}
    return [
        {
            "isa13": ic.isa13,
            "sender": f"{ic.sender_qualifier}:{ic.sender_id}",
            "receiver": f"{ic.receiver_qualifier}:{ic.receiver_id}",
            "version": ic.version,
            "test": ic.is_test,
            "groups": [
                {
                    "gs01": g.gs01,
                    "gs06": g.gs06,
                    "gs08": g.gs08,
                    "transaction_sets": [
                        {
                            "st01": ts.st01,
                            "st02": ts.st02,
                            "accepted": ts.accepted,
                            "document_id": docs_by_set.get(ts.id),
                        }
                        for ts in g.transaction_sets
                    ],
                }
                for g in ic.groups
            ],
        }
        for ic in message.interchanges
    ]


class _Matches:
    """Message ids and why each was found, in the order found."""

    def __init__(self) -> None:
        self.reasons: dict[uuid.UUID, list[str]] = {}

    def add(self, ids: Iterable[uuid.UUID | None], reason: str) -> None:
        for message_id in ids:
            if message_id is None:
                continue
            reasons = self.reasons.setdefault(message_id, [])
            if reason not in reasons:
                reasons.append(reason)


def _isa13_spellings(number: str) -> list[str]:
    # ISA13 is always nine digits; people type "1207" for "000001207".
    if number.isdigit() and len(number) < 9:
        return [number, number.zfill(9)]
    return [number]


def trace(
    session: Session,
    *,
    control_number: str | None = None,
    po_number: str | None = None,
    invoice_number: str | None = None,
    shipment_id: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Every message matching any of the given keys, the messages answering them, and the
    business chain of the purchase orders involved."""
    found = _Matches()
    if control_number:
        _by_control_number(session, found, control_number)
    for column, value in (
        (Document.po_number, po_number),
        (Document.invoice_number, invoice_number),
        (Document.shipment_id, shipment_id),
    ):
        if value:
            found.add(
                session.execute(select(Document.message_id).where(column == value).distinct())
                .scalars()
                .all(),
                column.key,
            )
    found_directly = set(found.reasons)
    _answers(session, found, list(found_directly))
    truncated = len(found.reasons) > limit
    wanted = list(found.reasons)[:limit]
    messages = (
        session.execute(
            select(Message)
            .where(Message.id.in_(wanted))
            .options(
                selectinload(Message.documents),
                selectinload(Message.interchanges)
                .selectinload(Interchange.groups)
                .selectinload(FunctionalGroup.transaction_sets),
            )
        )
        .scalars()
        .all()
    )
    messages = sorted(messages, key=lambda m: (m.received_at, m.id))
    orders: set[str] = {po_number} if po_number else set()
    for m in messages:
        if m.id in found_directly:
            orders.update(d.po_number for d in m.documents if d.po_number)
    return {
        "messages": [
            {
                **message_detail(session, m),
                "matched_by": found.reasons[m.id],
                "interchanges": _interchanges(m),
            }
            for m in messages
        ],
        "chain": chain(session, po_numbers=sorted(orders)),
        "truncated": truncated,
    }


def _by_control_number(session: Session, found: _Matches, number: str) -> None:
    found.add(
        session.execute(
            select(Interchange.message_id).where(Interchange.isa13.in_(_isa13_spellings(number)))
        ).scalars(),
        "isa13",
    )
    found.add(
        session.execute(
            select(Interchange.message_id)
            .join(FunctionalGroup, FunctionalGroup.interchange_id == Interchange.id)
            .where(FunctionalGroup.gs06 == number)
        ).scalars(),
        "gs06",
    )
    found.add(
        session.execute(
            select(Interchange.message_id)
            .join(FunctionalGroup, FunctionalGroup.interchange_id == Interchange.id)
            .join(TransactionSet, TransactionSet.group_id == FunctionalGroup.id)
            .where(TransactionSet.st02 == number)
        ).scalars(),
        "st02",
    )


def _answers(session: Session, found: _Matches, message_ids: list[uuid.UUID]) -> None:
    """The acknowledgments of the matched messages and the X12 rendered from their documents."""
    if not message_ids:
        return
    found.add(
        session.execute(
            select(Acknowledgment.message_id).where(
                Acknowledgment.acknowledges_message_id.in_(message_ids)
            )
        ).scalars(),
        "acknowledges_match",
    )
    found.add(_rendered(session, message_ids).values(), "rendered_from_match")


def _rendered(session: Session, message_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """document id -> the outbound message rendered from it (from the timeline, which is where
    the rendering step records it)."""
    events = session.execute(
        select(Event.document_id, Event.detail).where(
            Event.message_id.in_(list(message_ids)), Event.kind == "rendered_for_partner"
        )
    ).all()
    rendered: dict[uuid.UUID, uuid.UUID] = {}
    for document_id, detail in events:
        try:
            if document_id is not None:
                rendered[document_id] = uuid.UUID(str(detail.get("outbound_message_id")))
        except ValueError:
            continue
    return rendered


def chain(session: Session, *, po_numbers: list[str]) -> list[dict[str, Any]]:
    """Every document of these purchase orders, and the functional acknowledgments of the
    messages carrying them, oldest first."""
    if not po_numbers:
        return []
    docs = (
        session.execute(
            select(Document)
            .where(Document.po_number.in_(po_numbers))
            .order_by(Document.created_at, Document.id)
            .limit(MAX_CHAIN)
        )
        .scalars()
        .all()
    )
    message_ids = {d.message_id for d in docs}
    rendered = _rendered(session, message_ids)
    links: list[dict[str, Any]] = [
        {
            "at": d.created_at,
            "kind": "document",
            "transaction_set": TRANSACTION_SETS.get(d.document_type),
            "document_type": d.document_type,
            "direction": d.direction,
            "status": d.status.value,
            "message_id": d.message_id,
            "document_id": d.id,
            "outbound_message_id": rendered.get(d.id),
            "po_number": d.po_number,
            "invoice_number": d.invoice_number,
            "shipment_id": d.shipment_id,
            "group_control_number": None,
            "acknowledges_message_id": None,
        }
        for d in docs
    ]
    acks = (
        session.execute(
            select(Acknowledgment).where(Acknowledgment.acknowledges_message_id.in_(message_ids))
        )
        .scalars()
        .all()
    )
    links.extend(
        {
            "at": a.created_at,
            "kind": "acknowledgment",
            "transaction_set": a.kind.value,
            "document_type": None,
            "direction": a.direction,
            "status": a.status.value,
            "message_id": a.message_id,
            "document_id": None,
            "outbound_message_id": a.message_id if a.direction.value == "outbound" else None,
            "po_number": None,
            "invoice_number": None,
            "shipment_id": None,
            "group_control_number": a.group_control_number,
            "acknowledges_message_id": a.acknowledges_message_id,
        }
        for a in acks
    )
    links.sort(key=lambda link: link["at"])
    return links
