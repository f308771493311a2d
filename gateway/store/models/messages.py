"""What was received and sent: raw payloads, messages, their envelopes, canonical documents
and the acknowledgments that link messages together.

A message is one payload on one channel. Its interchanges, functional groups and transaction
sets record the control numbers as sent; every transaction set that was translated has a
canonical document, which is what the ERP sees and what operators trace by PO, invoice or
shipment number.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.store.enums import (
    AckKind,
    AckStatus,
    Channel,
    Direction,
    DocumentStatus,
    MessageStatus,
)
from gateway.store.models.base import Base, Timestamps, sparse_index
from gateway.store.types import JSONDocument, UTCDateTime, new_id, str_enum, utcnow

# X12 identifiers and control numbers are kept as sent; lenient reading accepts sloppy
# widths, so the columns are wider than the standard's maximum.
X12_ID = 64
BUSINESS_KEY = 128


class Blob(Base):
    """A raw payload, stored once however many messages carry the same bytes."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_partner_received", "partner_id", "received_at"),
        Index("ix_messages_partner_sha256", "partner_id", "sha256"),
        # the dashboard's volume chart and overdue acknowledgments (0006)
        Index("ix_messages_received_at", "received_at"),
        Index("ix_messages_direction_received", "direction", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    # Null while the sender is unknown: such messages are stored and surfaced, never dropped.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partners.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    # AS2 message id, SFTP path, file name, remote address...
    channel_meta: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "status"), default=MessageStatus.RECEIVED
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    is_test: Mapped[bool] = mapped_column(default=False)

    blob: Mapped[Blob] = relationship()
    interchanges: Mapped[list[Interchange]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Interchange.position",
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True
    )
    # The acknowledgments this message carries (it is a 997, a TA1...) ...
    carried_acknowledgments: Mapped[list[Acknowledgment]] = relationship(
        back_populates="message", foreign_keys="Acknowledgment.message_id"
    )
    # ... and the acknowledgments received or sent for this message.
    acknowledgments: Mapped[list[Acknowledgment]] = relationship(
        back_populates="acknowledges",
        foreign_keys="Acknowledgment.acknowledges_message_id",
    )


class Interchange(Base):
    __tablename__ = "interchanges"
    __table_args__ = (UniqueConstraint("message_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1-based index of the interchange in its message
    isa13: Mapped[str] = mapped_column(String(X12_ID), index=True)
    sender_qualifier: Mapped[str] = mapped_column(String(X12_ID))
    sender_id: Mapped[str] = mapped_column(String(X12_ID))
    receiver_qualifier: Mapped[str] = mapped_column(String(X12_ID))
    receiver_id: Mapped[str] = mapped_column(String(X12_ID))
    version: Mapped[str] = mapped_column(String(X12_ID))  # ISA12
    is_test: Mapped[bool] = mapped_column(default=False)  # ISA15 == T

    message: Mapped[Message] = relationship(back_populates="interchanges")
    groups: Mapped[list[FunctionalGroup]] = relationship(
        back_populates="interchange",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="FunctionalGroup.position",
    )


class FunctionalGroup(Base):
    __tablename__ = "functional_groups"
    __table_args__ = (UniqueConstraint("interchange_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    interchange_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interchanges.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    gs01: Mapped[str] = mapped_column(String(X12_ID))  # functional id
    gs02: Mapped[str | None] = mapped_column(String(X12_ID))  # application sender
    gs03: Mapped[str | None] = mapped_column(String(X12_ID))  # application receiver
    gs06: Mapped[str] = mapped_column(String(X12_ID), index=True)  # group control number
    gs08: Mapped[str] = mapped_column(String(X12_ID))  # version as sent

    interchange: Mapped[Interchange] = relationship(back_populates="groups")
    transaction_sets: Mapped[list[TransactionSet]] = relationship(
        back_populates="group",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TransactionSet.position",
    )


class TransactionSet(Base):
    __tablename__ = "transaction_sets"
    __table_args__ = (UniqueConstraint("group_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("functional_groups.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    st01: Mapped[str] = mapped_column(String(X12_ID))
    st02: Mapped[str] = mapped_column(String(X12_ID), index=True)
    accepted: Mapped[bool]
    # The set's errors as located for the 997/999 (segment, element, codes, bad value).
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)

    group: Mapped[FunctionalGroup] = relationship(back_populates="transaction_sets")


class Document(Timestamps, Base):
    __tablename__ = "documents"
    __table_args__ = (
        # the dashboard: documents per day and type, and each PO's chain by type (0006)
        Index("ix_documents_created_at", "created_at"),
        Index("ix_documents_type_created", "document_type", "created_at"),
        Index("ix_documents_po_type", "po_number", "document_type"),
        # Only the documents that have one (an order has no invoice number or shipment id):
        # every index entry is written with the document, for every document (0008).
        sparse_index("ix_documents_invoice_number", "invoice_number"),
        sparse_index("ix_documents_shipment_id", "shipment_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # Null for documents that did not come from X12 (cXML, canonical JSON from the ERP).
    transaction_set_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("transaction_sets.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    # Open-ended: a new transaction set adds a type without a migration.
    document_type: Mapped[str] = mapped_column(String(40))
    canonical: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # looked up through ix_documents_po_type (its first column)
    po_number: Mapped[str | None] = mapped_column(String(BUSINESS_KEY))
    invoice_number: Mapped[str | None] = mapped_column(String(BUSINESS_KEY))
    shipment_id: Mapped[str | None] = mapped_column(String(BUSINESS_KEY))
    status: Mapped[DocumentStatus] = mapped_column(
        str_enum(DocumentStatus, "status"), default=DocumentStatus.PENDING
    )
    erp_reference: Mapped[str | None] = mapped_column(String(255))

    message: Mapped[Message] = relationship(back_populates="documents")
    transaction_set: Mapped[TransactionSet | None] = relationship()


class Acknowledgment(Base):
    """A 997/999/TA1/MDN, linking the message that carries it to the message it answers."""

    __tablename__ = "acknowledgments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[AckKind] = mapped_column(str_enum(AckKind, "kind"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    # The message carrying the ack; null for an MDN, which travels in the AS2 response.
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # Null when an inbound ack matches nothing we sent (it is kept and surfaced).
    acknowledges_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    group_control_number: Mapped[str | None] = mapped_column(String(X12_ID), index=True)
    interchange_control_number: Mapped[str | None] = mapped_column(String(X12_ID))
    status: Mapped[AckStatus] = mapped_column(str_enum(AckStatus, "status"))
    # Codes as received (AK9/IK9, TA1 note code, MDN disposition and MIC).
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message | None] = relationship(
        back_populates="carried_acknowledgments", foreign_keys=[message_id]
    )
    acknowledges: Mapped[Message | None] = relationship(
        back_populates="acknowledgments", foreign_keys=[acknowledges_message_id]
    )
