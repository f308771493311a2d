"""Web UI: indexes for the dashboard's aggregate queries (documents per day and type, the
volume chart, overdue acknowledgments, each purchase order's chain by document type).

The users and user_sessions tables the UI logs in with came with 0003.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_messages_received_at", "messages", ["received_at"]),
    ("ix_messages_direction_received", "messages", ["direction", "received_at"]),
    ("ix_documents_created_at", "documents", ["created_at"]),
    ("ix_documents_type_created", "documents", ["document_type", "created_at"]),
    ("ix_documents_po_type", "documents", ["po_number", "document_type"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
