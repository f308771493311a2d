"""What the HTTP API takes and answers, one family per resource (`XCreate` in, `XPublic` out).

Field names follow ../shared/CONTRACT.md; fields may be added, never renamed or dropped.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.store.enums import (
    AckKind,
    AckStatus,
    Channel,
    Direction,
    DocumentStatus,
    MessageStatus,
    StepKind,
)

_ID = "0190d6a2-7c4e-7a10-9c3b-5f2e8d1a4b6c"
_AT = "2026-03-11T08:14:07.123456Z"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ProblemPublic(BaseModel):
    """An error (RFC 9457). Extension members say more where there is more to say."""

    model_config = ConfigDict(
        extra="allow",
        title="Problem",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:edi-gateway:problem:rejected",
                    "title": "Unprocessable Content",
                    "status": 422,
                    "detail": "ISA sender ZZ:ACME is not an identity of the authenticated partner",
                    "instance": "/api/v1/inbound",
                    "message_id": _ID,
                }
            ]
        },
    )

    type: str = Field(description="A URN naming the kind of problem (see docs/http-api.md).")
    title: str = Field(description="The HTTP status phrase, or a short summary.")
    status: int = Field(ge=100, le=599)
    detail: str = Field(description="What went wrong and what to do about it.")
    instance: str | None = Field(default=None, description="The request path.")
    message_id: uuid.UUID | None = Field(
        default=None, description="The stored message the problem is about (409, 422)."
    )
    duplicate_of: uuid.UUID | None = Field(
        default=None, description="The message this one duplicates (409)."
    )
    status_url: str | None = Field(default=None, description="Where the message's status is.")
    correlation_id: str | None = Field(
        default=None, description="Quote it to an operator: it finds the error in the log (5xx)."
    )
    errors: list[dict[str, str]] | None = Field(
        default=None, description="Each invalid part of the request (422 validation)."
    )


class HealthPublic(BaseModel):
    model_config = _examples({"status": "ok", "database": "ok"})

    status: Literal["ok"]
    database: Literal["ok"]


class InboundPublic(BaseModel):
    """A message received and durably stored; its processing goes on in the background."""

    model_config = _examples(
        {
            "message_id": _ID,
            "status_url": f"https://gateway.example.com/api/v1/messages/{_ID}",
            "status": "received",
        }
    )

    message_id: uuid.UUID
    status_url: str
    status: MessageStatus


class DocumentPublic(BaseModel):
    model_config = _examples(
        {
            "id": _ID,
            "document_type": "order",
            "transaction_set": "850",
            "direction": "inbound",
            "status": "delivered",
            "po_number": "NW-4500018231",
            "invoice_number": None,
            "shipment_id": None,
            "erp_reference": "DEMO-SO-1F2A3B",
            "canonical": {"document_type": "order", "po_number": "NW-4500018231"},
        }
    )

    id: uuid.UUID
    document_type: str = Field(description="order, order_ack, ship_notice, invoice, ...")
    transaction_set: str | None = Field(description="The X12 set carrying it (850, 855, ...).")
    direction: Direction
    status: DocumentStatus
    po_number: str | None
    invoice_number: str | None
    shipment_id: str | None
    erp_reference: str | None = Field(description="The ERP's id for it (operators only).")
    canonical: dict[str, Any] = Field(description="The canonical document (CONTRACT.md).")


class AcknowledgmentPublic(BaseModel):
    model_config = _examples(
        {
            "id": _ID,
            "kind": "997",
            "direction": "outbound",
            "status": "accepted",
            "group_control_number": "1207",
            "message_id": _ID,
        }
    )

    id: uuid.UUID
    kind: AckKind
    direction: Direction
    status: AckStatus
    group_control_number: str | None = Field(description="The GS06 acknowledged.")
    message_id: uuid.UUID | None = Field(description="The message carrying the acknowledgment.")


class EventPublic(BaseModel):
    model_config = _examples(
        {"at": _AT, "kind": "received", "detail": {"channel": "api"}, "document_id": None}
    )

    at: datetime
    kind: str = Field(description="received, translated, delivered_to_erp, acknowledged, ...")
    detail: dict[str, Any]
    document_id: uuid.UUID | None


class MessagePublic(BaseModel):
    """A message: its status, documents, acknowledgments and timeline."""

    model_config = _examples(
        {
            "id": _ID,
            "direction": "inbound",
            "channel": "api",
            "status": "delivered",
            "status_reason": None,
            "partner_id": _ID,
            "size": 1187,
            "received_at": _AT,
            "sent_at": None,
            "duplicate_of": None,
            "test": False,
            "documents": [],
            "acknowledgments": [],
            "timeline": [{"at": _AT, "kind": "received", "detail": {}, "document_id": None}],
        }
    )

    id: uuid.UUID
    direction: Direction
    channel: Channel
    status: MessageStatus
    status_reason: str | None = Field(description="Why it was rejected, a duplicate, ...")
    partner_id: uuid.UUID | None
    size: int
    received_at: datetime
    sent_at: datetime | None
    duplicate_of: uuid.UUID | None
    test: bool
    documents: list[DocumentPublic]
    acknowledgments: list[AcknowledgmentPublic]
    timeline: list[EventPublic]


class OutboxItemPublic(BaseModel):
    model_config = _examples(
        {
            "id": _ID,
            "created_at": _AT,
            "kind": "855",
            "size": 912,
            "download_url": f"https://gateway.example.com/api/v1/outbox/{_ID}",
        }
    )

    id: uuid.UUID
    created_at: datetime
    kind: str | None = Field(description="What it carries: 997, 999, 855, 856, 810, ...")
    size: int
    download_url: str


class OutboxPickupPublic(BaseModel):
    model_config = _examples({"id": _ID, "status": "delivered", "sent_at": _AT})

    id: uuid.UUID
    status: MessageStatus
    sent_at: datetime | None


class TransactionSetPublic(BaseModel):
    st01: str
    st02: str
    accepted: bool
    document_id: uuid.UUID | None


class GroupPublic(BaseModel):
    gs01: str
    gs06: str
    gs08: str
    transaction_sets: list[TransactionSetPublic]


class InterchangePublic(BaseModel):
    isa13: str
    sender: str = Field(description="ISA05:ISA06")
    receiver: str = Field(description="ISA07:ISA08")
    version: str
    test: bool
    groups: list[GroupPublic]


class TraceMessagePublic(MessagePublic):
    matched_by: list[str] = Field(
        description="Why it is here: isa13, gs06, st02, po_number, invoice_number, shipment_id, "
        "acknowledges_match (an acknowledgment of a match), rendered_from_match (sent from a "
        "match's document)"
    )
    interchanges: list[InterchangePublic]


class ChainLinkPublic(BaseModel):
    """One step of a purchase order's life: a document or an acknowledgment."""

    at: datetime
    kind: Literal["document", "acknowledgment"]
    transaction_set: str | None = Field(description="850, 855, 856, 810, 997, 999, ...")
    document_type: str | None
    direction: Direction
    status: str
    message_id: uuid.UUID | None
    document_id: uuid.UUID | None
    outbound_message_id: uuid.UUID | None = Field(
        description="The X12 message sent to the partner for this step, if any."
    )
    po_number: str | None
    invoice_number: str | None
    shipment_id: str | None
    group_control_number: str | None
    acknowledges_message_id: uuid.UUID | None


class TracePublic(BaseModel):
    model_config = _examples(
        {
            "messages": [],
            "chain": [
                {
                    "at": _AT,
                    "kind": "document",
                    "transaction_set": "850",
                    "document_type": "order",
                    "direction": "inbound",
                    "status": "delivered",
                    "message_id": _ID,
                    "document_id": _ID,
                    "outbound_message_id": None,
                    "po_number": "NW-4500018231",
                    "invoice_number": None,
                    "shipment_id": None,
                    "group_control_number": None,
                    "acknowledges_message_id": None,
                }
            ],
            "truncated": False,
        }
    )

    messages: list[TraceMessagePublic]
    chain: list[ChainLinkPublic] = Field(
        description="Every document of the purchase orders involved, and their acknowledgments, "
        "oldest first."
    )
    truncated: bool = Field(description="More messages matched than `limit`.")


class DeadLetterPublic(BaseModel):
    model_config = _examples(
        {
            "step_id": _ID,
            "message_id": _ID,
            "document_id": _ID,
            "partner_id": _ID,
            "kind": "deliver_erp",
            "attempts": 10,
            "error": "ERP answered 400: unknown item AC-HX-1420",
            "updated_at": _AT,
        }
    )

    step_id: uuid.UUID
    message_id: uuid.UUID
    document_id: uuid.UUID | None
    partner_id: uuid.UUID | None
    kind: StepKind
    attempts: int
    error: str | None
    updated_at: datetime


class ReplayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"step_ids": [_ID]}]})

    step_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class ReplayPublic(BaseModel):
    model_config = _examples({"replayed": [_ID], "not_replayed": []})

    replayed: list[uuid.UUID]
    not_replayed: list[uuid.UUID] = Field(
        description="Ids that were not dead-lettered (unknown, or already replayed): no change."
    )


class ControlNumbersPublic(BaseModel):
    """The X12 control numbers we sent it under (null for a document sent as cXML)."""

    isa13: str | None
    gs06: str | None
    st02: str | None


class OutboundAcceptedPublic(BaseModel):
    """An ERP document accepted, rendered and put in the partner's mailbox."""

    model_config = _examples(
        {
            "id": _ID,
            "partner_id": _ID,
            "document_type": "order_ack",
            "message_id": _ID,
            "document_id": _ID,
            "state_url": f"https://gateway.example.com/api/v1/outbound/{_ID}/{_ID}",
            "control_numbers": {"isa13": "000000001", "gs06": "1", "st02": "0001"},
        }
    )

    id: uuid.UUID
    partner_id: uuid.UUID
    document_type: str
    message_id: uuid.UUID | None = Field(description="The X12 message rendered for the partner.")
    document_id: uuid.UUID | None
    state_url: str
    control_numbers: ControlNumbersPublic


class OutboundAckPublic(BaseModel):
    kind: AckKind
    status: AckStatus
    received_at: datetime
    message_id: uuid.UUID | None = Field(description="The partner's 997/999 message.")


class OutboundStatePublic(BaseModel):
    model_config = _examples(
        {
            "id": _ID,
            "partner_id": _ID,
            "partner": "Northwind",
            "document_type": "order_ack",
            "transaction_set": "855",
            "state": "accepted",
            "document_id": _ID,
            "message_id": _ID,
            "idempotency_key": "SO-118834-855",
            "control_numbers": {"isa13": "000000001", "gs06": "1", "st02": "0001"},
            "created_at": _AT,
            "picked_up_at": _AT,
            "acknowledgment": {
                "kind": "997",
                "status": "accepted",
                "received_at": _AT,
                "message_id": _ID,
            },
            "ack_due_at": _AT,
            "overdue": False,
        }
    )

    id: uuid.UUID
    partner_id: uuid.UUID
    partner: str | None
    document_type: str
    transaction_set: str | None
    state: Literal[
        "rendered",
        "delivered",
        "picked_up",
        "accepted",
        "accepted_with_errors",
        "partially_accepted",
        "rejected",
        "overdue",
        "sending",
        "failed",
    ] = Field(
        description="X12: rendered, delivered (in the mailbox), picked_up, then the partner's "
        "997/999 status or overdue. cXML (POSTed to the partner): sending, accepted (its "
        "Response said 2xx) or failed (dead-lettered with the partner's text)."
    )
    document_id: uuid.UUID | None
    message_id: uuid.UUID | None
    idempotency_key: str | None
    control_numbers: ControlNumbersPublic
    created_at: datetime
    picked_up_at: datetime | None
    acknowledgment: OutboundAckPublic | None
    ack_due_at: datetime = Field(description="When the partner's 997/999 is due.")
    overdue: bool


class MessageSummaryPublic(BaseModel):
    model_config = _examples(
        {
            "id": _ID,
            "direction": "inbound",
            "channel": "api",
            "status": "rejected",
            "status_reason": "unknown ISA sender ZZ:STRANGER",
            "partner_id": None,
            "size": 1187,
            "received_at": _AT,
            "test": False,
            "url": f"https://gateway.example.com/api/v1/messages/{_ID}",
        }
    )

    id: uuid.UUID
    direction: Direction
    channel: Channel
    status: MessageStatus
    status_reason: str | None
    partner_id: uuid.UUID | None
    size: int
    received_at: datetime
    test: bool
    url: str


class MessageListPublic(BaseModel):
    model_config = _examples({"items": [], "next_cursor": None})

    items: list[MessageSummaryPublic] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
