"""Partner registry: onboarding settings on partners (test ERP route, outbound envelope
defaults, document types per direction, channels, contacts, TA1 policy), the audit log,
partner credentials (cXML shared secrets), per-partner mappings, and the web UI's operator
accounts and sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Types and value lists are written out here rather than imported from the models: a migration
describes the schema as it was at this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROLES = ("admin", "operator", "read-only")
DIRECTIONS = ("inbound", "outbound")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Existing partners get the defaults the models give new ones.
    with op.batch_alter_table("partners") as batch:
        batch.add_column(
            sa.Column("ta1_policy", sa.String(16), nullable=False, server_default="on_request")
        )
        batch.add_column(sa.Column("test_erp_target_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("x12_version", sa.String(6), nullable=False, server_default="004010")
        )
        batch.add_column(sa.Column("delimiters", JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("documents_in", JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("documents_out", JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("channels", JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("contacts", JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_partners_test_erp_target_id_erp_targets"),
            "erp_targets",
            ["test_erp_target_id"],
            ["id"],
        )
    with op.batch_alter_table("partners") as batch:
        for column in ("ta1_policy", "x12_version", "delimiters", "documents_in"):
            batch.alter_column(column, server_default=None)
        for column in ("documents_out", "channels", "contacts"):
            batch.alter_column(column, server_default=None)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        _time("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("entity_name", sa.String(200), nullable=True),
        sa.Column("changes", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id", "at"])

    op.create_table(
        "partner_credentials",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("domain", sa.String(128), nullable=False),
        sa.Column("identity", sa.String(256), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_credentials_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_credentials")),
        sa.UniqueConstraint(
            "kind", "domain", "identity", name=op.f("uq_partner_credentials_kind_domain_identity")
        ),
    )
    op.create_index(
        op.f("ix_partner_credentials_partner_id"), "partner_credentials", ["partner_id"]
    )

    op.create_table(
        "partner_mappings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(32), nullable=False),
        sa.Column("document_type", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.CheckConstraint(
            _in("direction", DIRECTIONS), name=op.f("ck_partner_mappings_direction")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_mappings_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_mappings")),
        sa.UniqueConstraint(
            "partner_id",
            "direction",
            "document_type",
            name=op.f("uq_partner_mappings_partner_id_direction_document_type"),
        ),
    )
    op.create_index(op.f("ix_partner_mappings_partner_id"), "partner_mappings", ["partner_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        _time("locked_until", nullable=True),
        _time("last_login_at", nullable=True),
        _time("disabled_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.CheckConstraint(_in("role", ROLES), name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _time("created_at"),
        _time("last_seen_at"),
        _time("expires_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_index(op.f("ix_user_sessions_expires_at"), "user_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("user_sessions")
    op.drop_table("users")
    op.drop_table("partner_mappings")
    op.drop_table("partner_credentials")
    op.drop_table("audit_log")
    with op.batch_alter_table("partners") as batch:
        batch.drop_constraint(op.f("fk_partners_test_erp_target_id_erp_targets"), "foreignkey")
        for column in (
            "notes",
            "contacts",
            "channels",
            "documents_out",
            "documents_in",
            "delimiters",
            "x12_version",
            "test_erp_target_id",
            "ta1_policy",
        ):
            batch.drop_column(column)
