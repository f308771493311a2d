"""What the ERP asked the gateway to send a partner (`POST /api/v1/outbound/{partner}`).

One row per accepted request: the canonical document it became, the X12 message rendered
from it, and the control numbers that message carries (so the partner's 997/999 finds it).
Its `Idempotency-Key` is unique per ERP target and partner, and the sha256 of the body tells
a retry (same body: the same answer) from a conflicting reuse of the key (another body: 409).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models.base import Base
from gateway.store.models.messages import X12_ID
from gateway.store.types import UTCDateTime, new_id, utcnow


class OutboundRequest(Base):
    __tablename__ = "outbound_requests"
    __table_args__ = (
        # NULL keys are distinct: requests without an Idempotency-Key never collide.
        UniqueConstraint("erp_target_id", "partner_id", "idempotency_key"),
        Index("ix_outbound_requests_partner_created", "partner_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    erp_target_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("erp_targets.id", ondelete="SET NULL")
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    # The X12 message rendered for the partner (in its mailbox, or sent on its channel).
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    isa13: Mapped[str | None] = mapped_column(String(X12_ID))  # None: sent as cXML
    gs06: Mapped[str | None] = mapped_column(String(X12_ID))  # None: sent as cXML
    st02: Mapped[str | None] = mapped_column(String(X12_ID))  # None: sent as cXML
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
