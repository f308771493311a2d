"""Fewer index entries for every document the pipeline writes.

`ix_documents_po_number` is dropped: `ix_documents_po_type` (po_number, document_type) serves
the same lookups from its first column. The indexes on columns most rows leave empty - a
document's invoice number and shipment id, an event's and a step's document (most belong to
their message) - keep only the rows that have a value: a lookup by value still uses them,
and a document no longer writes four entries that nothing reads.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None

# (index, table, column): each rebuilt partial
PARTIAL = (
    ("ix_documents_invoice_number", "documents", "invoice_number"),
    ("ix_documents_shipment_id", "documents", "shipment_id"),
    ("ix_events_document_id", "events", "document_id"),
    ("ix_steps_document_id", "steps", "document_id"),
)


def upgrade() -> None:
    op.drop_index("ix_documents_po_number", table_name="documents")
    for name, table, column in PARTIAL:
        op.drop_index(name, table_name=table)
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, table, [column], postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    for name, table, column in PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
    op.create_index("ix_documents_po_number", "documents", ["po_number"])
