"""What the registry keeps beyond a partner's row: the audit history of every change, partner
credentials other than API keys (cXML shared secrets), per-partner XML mappings, and the web
UI's operator accounts and sessions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.enums import Direction, OperatorRole
from gateway.store.models.base import Base, Timestamps
from gateway.store.types import JSONDocument, UTCDateTime, new_id, str_enum, utcnow


class AuditEntry(Base):
    """One change made by a person or a key: who, when, what, to which record. Append-only;
    it outlives the record (no foreign key), so a deleted partner's history stays readable."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # "user:alice", "token:gwk_ab12...", "cli", "system"
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))  # "partner.created", "partner.status"...
    entity_type: Mapped[str] = mapped_column(String(32))  # "partner", "user", "erp_target"...
    entity_id: Mapped[uuid.UUID | None] = mapped_column()
    entity_name: Mapped[str | None] = mapped_column(String(200))
    # {"field": [old, new], ...} for updates; the created record's fields for creations.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class PartnerCredential(Timestamps, Base):
    """A credential a partner presents inside its documents, e.g. a cXML From/Sender
    Credential (domain + identity) with its SharedSecret, stored only as a slow hash."""

    __tablename__ = "partner_credentials"
    __table_args__ = (UniqueConstraint("kind", "domain", "identity"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # "cxml"
    domain: Mapped[str] = mapped_column(String(128))
    identity: Mapped[str] = mapped_column(String(256))
    secret_hash: Mapped[str | None] = mapped_column(String(255))


class PartnerMapping(Timestamps, Base):
    """A partner-specific format: e.g. an XSLT turning the partner's XML into canonical XML
    (inbound) or canonical XML into the partner's (outbound), for one document type."""

    __tablename__ = "partner_mappings"
    __table_args__ = (UniqueConstraint("partner_id", "direction", "document_type"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    document_type: Mapped[str] = mapped_column(String(32))  # canonical type: "order"...
    kind: Mapped[str] = mapped_column(String(32))  # "xslt", "ubl"
    name: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text)


class User(Timestamps, Base):
    """An operator account for the web UI. The password is kept as an argon2id hash."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[OperatorRole] = mapped_column(str_enum(OperatorRole, "role"))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UserSession(Base):
    """A logged-in browser. The cookie carries a random token; the table keeps its sha256,
    so a stolen database does not log anyone in, and logout deletes the row."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
