"""Partners, their X12 identities, our own identities and ERP targets.

The registry (partners/) extends these tables; the pipeline needs this much: who sent a
message, where its documents go, and how to treat duplicates and acknowledgments.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.store.enums import AckPreference, DuplicatePolicy, PartnerRole, PartnerStatus
from gateway.store.models.base import Base, Timestamps
from gateway.store.types import JSONDocument, new_id, str_enum


class ErpTarget(Timestamps, Base):
    """Where documents are delivered. `kind` names an adapter; adapters are plug-ins found
    through entry points, so it is not a closed set here (the registry checks it)."""

    __tablename__ = "erp_targets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # Ciphertext made with the settings' secret key (a webhook's signing secret...).
    secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)


class Partner(Timestamps, Base):
    __tablename__ = "partners"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[PartnerRole] = mapped_column(str_enum(PartnerRole, "role"))
    status: Mapped[PartnerStatus] = mapped_column(
        str_enum(PartnerStatus, "status"), default=PartnerStatus.DRAFT
    )
    erp_target_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("erp_targets.id"))
    duplicate_policy: Mapped[DuplicatePolicy] = mapped_column(
        str_enum(DuplicatePolicy, "duplicate_policy"), default=DuplicatePolicy.REJECT
    )
    ack_kind: Mapped[AckPreference] = mapped_column(
        str_enum(AckPreference, "ack_kind"), default=AckPreference.FA_997
    )
    # How long a partner has to acknowledge what we send before it is reported overdue.
    ack_window_minutes: Mapped[int] = mapped_column(default=24 * 60)
    # TA1 for what the partner sends: "on_request" (ISA14 = 1), "always" or "never".
    ta1_policy: Mapped[str] = mapped_column(String(16), default="on_request")
    # Documents from a partner in `testing` (or with ISA15 = T) go here, never to production.
    test_erp_target_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("erp_targets.id"))
    # Outbound envelope defaults: X12 version and delimiters (element, component, repetition,
    # segment), and the document types enabled per direction ("850" in, "855"/"856"/"810" out;
    # cXML and partner formats by canonical type). Empty lists mean "everything supported".
    x12_version: Mapped[str] = mapped_column(String(6), default="004010")
    delimiters: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    documents_in: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    documents_out: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    # Channel settings by channel name ("api", "as2", "sftp", "cxml"): each channel's issue
    # defines its keys; secrets never go here (they are hashed or sealed elsewhere).
    channels: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # [{"name", "email", "phone", "role"}]
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSONDocument, default=list)
    notes: Mapped[str | None] = mapped_column(Text)

    erp_target: Mapped[ErpTarget | None] = relationship(foreign_keys=[erp_target_id])
    test_erp_target: Mapped[ErpTarget | None] = relationship(foreign_keys=[test_erp_target_id])
    identities: Mapped[list[PartnerIdentity]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", passive_deletes=True
    )


class PartnerIdentity(Base):
    """An ISA qualifier + id a partner sends as; it belongs to one partner only, so an
    inbound interchange is matched to exactly one partner."""

    __tablename__ = "partner_identities"
    __table_args__ = (UniqueConstraint("isa_qualifier", "isa_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    isa_qualifier: Mapped[str] = mapped_column(String(2))
    isa_id: Mapped[str] = mapped_column(String(64))
    gs_id: Mapped[str | None] = mapped_column(String(64))

    partner: Mapped[Partner] = relationship(back_populates="identities")


class OurIdentity(Timestamps, Base):
    """An identity the gateway receives as (and sends from)."""

    __tablename__ = "our_identities"
    __table_args__ = (UniqueConstraint("isa_qualifier", "isa_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    isa_qualifier: Mapped[str] = mapped_column(String(2))
    isa_id: Mapped[str] = mapped_column(String(64))
    as2_id: Mapped[str | None] = mapped_column(String(128), unique=True)
