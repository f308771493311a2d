"""API keys and operator tokens, stored hashed.

A key is shown once when it is issued and never stored: the table keeps its public `prefix`
(to find the row) and the sha256 of the whole key (to check it). Keys are 32 random bytes, so
a fast hash is right here; a slow password hash would only cost every request time.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.enums import KeyKind, OperatorRole
from gateway.store.models.base import Base
from gateway.store.types import UTCDateTime, new_id, str_enum, utcnow

KEY_PREFIX_LENGTH = 32
KEY_HASH_LENGTH = 64  # sha256, hex

# A key speaks for exactly one kind of principal.
OWNER_RULE = (
    "(kind = 'partner' AND partner_id IS NOT NULL AND erp_target_id IS NULL AND role IS NULL)"
    " OR (kind = 'erp' AND erp_target_id IS NOT NULL AND partner_id IS NULL AND role IS NULL)"
    " OR (kind = 'operator' AND role IS NOT NULL AND partner_id IS NULL"
    " AND erp_target_id IS NULL)"
)


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(OWNER_RULE, name="owner"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[KeyKind] = mapped_column(str_enum(KeyKind, "kind"))
    # A partner's or ERP target's keys go with it.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    erp_target_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("erp_targets.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[OperatorRole | None] = mapped_column(str_enum(OperatorRole, "role"))
    prefix: Mapped[str] = mapped_column(String(KEY_PREFIX_LENGTH), unique=True, index=True)
    key_hash: Mapped[str] = mapped_column(String(KEY_HASH_LENGTH))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
