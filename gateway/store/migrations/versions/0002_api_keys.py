"""API keys and operator tokens: partner keys, ERP keys and operator tokens with roles, stored
as a public prefix and the sha256 of the key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Types and value lists are written out here rather than imported from the models: a migration
describes the schema as it was at this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("partner", "erp", "operator")
ROLES = ("admin", "operator", "read-only")
OWNER_RULE = (
    "(kind = 'partner' AND partner_id IS NOT NULL AND erp_target_id IS NULL AND role IS NULL)"
    " OR (kind = 'erp' AND erp_target_id IS NOT NULL AND partner_id IS NULL AND role IS NULL)"
    " OR (kind = 'operator' AND role IS NOT NULL AND partner_id IS NULL"
    " AND erp_target_id IS NULL)"
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("erp_target_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_api_keys_kind")),
        sa.CheckConstraint(_in("role", ROLES), name=op.f("ck_api_keys_role")),
        sa.CheckConstraint(OWNER_RULE, name=op.f("ck_api_keys_owner")),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_api_keys_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["erp_target_id"],
            ["erp_targets.id"],
            name=op.f("fk_api_keys_erp_target_id_erp_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_index(op.f("ix_api_keys_prefix"), "api_keys", ["prefix"], unique=True)
    op.create_index(op.f("ix_api_keys_partner_id"), "api_keys", ["partner_id"])
    op.create_index(op.f("ix_api_keys_erp_target_id"), "api_keys", ["erp_target_id"])


def downgrade() -> None:
    op.drop_table("api_keys")  # its indexes go with it
