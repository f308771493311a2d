"""ERP outbound requests: what the ERP asked to send a partner, with its idempotency key and
the control numbers of the X12 rendered from it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbound_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("erp_target_id", sa.Uuid(), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("document_type", sa.String(40), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("isa13", sa.String(64), nullable=False),
        sa.Column("gs06", sa.String(64), nullable=False),
        sa.Column("st02", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["erp_target_id"],
            ["erp_targets.id"],
            name=op.f("fk_outbound_requests_erp_target_id_erp_targets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_outbound_requests_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_outbound_requests_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_outbound_requests_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_requests")),
        sa.UniqueConstraint(
            "erp_target_id",
            "partner_id",
            "idempotency_key",
            name=op.f("uq_outbound_requests_erp_target_id_partner_id_idempotency_key"),
        ),
    )
    op.create_index(
        "ix_outbound_requests_partner_created", "outbound_requests", ["partner_id", "created_at"]
    )
    op.create_index(op.f("ix_outbound_requests_message_id"), "outbound_requests", ["message_id"])


def downgrade() -> None:
    op.drop_table("outbound_requests")
