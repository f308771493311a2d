"""Initial schema: partners, messages and their envelopes, documents, acknowledgments,
pipeline steps, control-number sequences and the event timeline.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Types and value lists are written out here rather than imported from the models: a migration
describes the schema as it was at this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
X12_ID = 64
BUSINESS_KEY = 128


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), nullable=False)


def _ref(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _choices(table: str, column: str, values: Sequence[str]) -> list[SchemaItem]:
    """A VARCHAR(32) column and the CHECK constraint holding it to `values`."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return [
        sa.Column(column, sa.String(32), nullable=False),
        sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}")),
    ]


def _fk(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    target_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{target_table}"),
        ondelete=ondelete,
    )


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


DIRECTIONS = ("inbound", "outbound")


def upgrade() -> None:
    op.create_table(
        "blobs",
        _str("sha256", 64),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _time("created_at"),
        _pk("blobs", "sha256"),
    )
    op.create_table(
        "erp_targets",
        _id(),
        _str("name", 100),
        _str("kind", 64),
        sa.Column("config", JSON, nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _pk("erp_targets"),
        _unique("erp_targets", "name"),
    )
    op.create_table(
        "our_identities",
        _id(),
        _str("isa_qualifier", 2),
        _str("isa_id", X12_ID),
        _str("as2_id", 128, nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _pk("our_identities"),
        _unique("our_identities", "as2_id"),
        _unique("our_identities", "isa_qualifier", "isa_id"),
    )
    op.create_table(
        "partners",
        _id(),
        _str("name", 200),
        *_choices("partners", "role", ("customer", "supplier", "both")),
        *_choices("partners", "status", ("draft", "testing", "live", "suspended")),
        _ref("erp_target_id", nullable=True),
        *_choices("partners", "duplicate_policy", ("reject", "warn", "accept")),
        *_choices("partners", "ack_kind", ("997", "999", "none")),
        sa.Column("ack_window_minutes", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("partners", "erp_target_id", "erp_targets.id"),
        _pk("partners"),
        _unique("partners", "name"),
    )
    op.create_table(
        "partner_identities",
        _id(),
        _ref("partner_id"),
        _str("isa_qualifier", 2),
        _str("isa_id", X12_ID),
        _str("gs_id", X12_ID, nullable=True),
        _fk("partner_identities", "partner_id", "partners.id", ondelete="CASCADE"),
        _pk("partner_identities"),
        _unique("partner_identities", "isa_qualifier", "isa_id"),
    )
    _index("partner_identities", "partner_id")
    op.create_table(
        "control_numbers",
        _ref("partner_id"),
        *_choices("control_numbers", "kind", ("isa", "gs", "st")),
        sa.Column("value", sa.BigInteger(), nullable=False),
        _fk("control_numbers", "partner_id", "partners.id", ondelete="CASCADE"),
        _pk("control_numbers", "partner_id", "kind"),
    )
    _create_message_tables()
    _create_pipeline_tables()


def _create_message_tables() -> None:
    op.create_table(
        "messages",
        _id(),
        *_choices("messages", "direction", DIRECTIONS),
        _ref("partner_id", nullable=True),
        *_choices("messages", "channel", ("api", "as2", "sftp", "cli")),
        sa.Column("channel_meta", JSON, nullable=False),
        _str("sha256", 64),
        sa.Column("size", sa.BigInteger(), nullable=False),
        *_choices(
            "messages",
            "status",
            (
                "received",
                "processing",
                "delivered",
                "partially_rejected",
                "rejected",
                "duplicate",
                "failed",
            ),
        ),
        sa.Column("status_reason", sa.Text(), nullable=True),
        _ref("duplicate_of", nullable=True),
        _time("received_at"),
        _time("sent_at", nullable=True),
        _time("updated_at"),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        _fk("messages", "duplicate_of", "messages.id", ondelete="SET NULL"),
        _fk("messages", "partner_id", "partners.id"),
        _fk("messages", "sha256", "blobs.sha256"),
        _pk("messages"),
    )
    _index("messages", "partner_id", "received_at", name="ix_messages_partner_received")
    _index("messages", "partner_id", "sha256", name="ix_messages_partner_sha256")

    op.create_table(
        "acknowledgments",
        _id(),
        *_choices("acknowledgments", "kind", ("997", "999", "TA1", "MDN")),
        *_choices("acknowledgments", "direction", DIRECTIONS),
        _ref("message_id", nullable=True),
        _ref("acknowledges_message_id", nullable=True),
        _str("group_control_number", X12_ID, nullable=True),
        _str("interchange_control_number", X12_ID, nullable=True),
        *_choices(
            "acknowledgments",
            "status",
            ("accepted", "accepted_with_errors", "partially_accepted", "rejected"),
        ),
        sa.Column("detail", JSON, nullable=False),
        _time("created_at"),
        _fk("acknowledgments", "acknowledges_message_id", "messages.id", ondelete="SET NULL"),
        _fk("acknowledgments", "message_id", "messages.id", ondelete="CASCADE"),
        _pk("acknowledgments"),
    )
    _index("acknowledgments", "acknowledges_message_id")
    _index("acknowledgments", "group_control_number")
    _index("acknowledgments", "message_id")

    op.create_table(
        "interchanges",
        _id(),
        _ref("message_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        _str("isa13", X12_ID),
        _str("sender_qualifier", X12_ID),
        _str("sender_id", X12_ID),
        _str("receiver_qualifier", X12_ID),
        _str("receiver_id", X12_ID),
        _str("version", X12_ID),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        _fk("interchanges", "message_id", "messages.id", ondelete="CASCADE"),
        _pk("interchanges"),
        _unique("interchanges", "message_id", "position"),
    )
    _index("interchanges", "isa13")

    op.create_table(
        "functional_groups",
        _id(),
        _ref("interchange_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        _str("gs01", X12_ID),
        _str("gs02", X12_ID, nullable=True),
        _str("gs03", X12_ID, nullable=True),
        _str("gs06", X12_ID),
        _str("gs08", X12_ID),
        _fk("functional_groups", "interchange_id", "interchanges.id", ondelete="CASCADE"),
        _pk("functional_groups"),
        _unique("functional_groups", "interchange_id", "position"),
    )
    _index("functional_groups", "gs06")

    op.create_table(
        "transaction_sets",
        _id(),
        _ref("group_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        _str("st01", X12_ID),
        _str("st02", X12_ID),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("errors", JSON, nullable=False),
        _fk("transaction_sets", "group_id", "functional_groups.id", ondelete="CASCADE"),
        _pk("transaction_sets"),
        _unique("transaction_sets", "group_id", "position"),
    )
    _index("transaction_sets", "st02")

    op.create_table(
        "documents",
        _id(),
        _ref("message_id"),
        _ref("transaction_set_id", nullable=True),
        *_choices("documents", "direction", DIRECTIONS),
        _str("document_type", 40),
        sa.Column("canonical", JSON, nullable=False),
        _str("po_number", BUSINESS_KEY, nullable=True),
        _str("invoice_number", BUSINESS_KEY, nullable=True),
        _str("shipment_id", BUSINESS_KEY, nullable=True),
        *_choices(
            "documents", "status", ("pending", "delivered", "acknowledged", "rejected", "failed")
        ),
        _str("erp_reference", 255, nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _fk("documents", "message_id", "messages.id", ondelete="CASCADE"),
        _fk("documents", "transaction_set_id", "transaction_sets.id", ondelete="SET NULL"),
        _pk("documents"),
    )
    for column in ("invoice_number", "message_id", "po_number", "shipment_id"):
        _index("documents", column)
    _index("documents", "transaction_set_id")


def _create_pipeline_tables() -> None:
    op.create_table(
        "events",
        _id(),
        _ref("message_id"),
        _ref("document_id", nullable=True),
        _time("at"),
        _str("kind", 64),
        sa.Column("detail", JSON, nullable=False),
        _fk("events", "document_id", "documents.id", ondelete="CASCADE"),
        _fk("events", "message_id", "messages.id", ondelete="CASCADE"),
        _pk("events"),
    )
    _index("events", "document_id")
    _index("events", "message_id", "at", name="ix_events_message_at")
    _create_events_append_only_trigger()

    op.create_table(
        "steps",
        _id(),
        _ref("message_id"),
        _ref("document_id", nullable=True),
        *_choices(
            "steps",
            "kind",
            (
                "translate",
                "map",
                "deliver_erp",
                "send_ack",
                "render",
                "deliver_partner",
                "await_ack",
            ),
        ),
        *_choices("steps", "state", ("pending", "running", "done", "failed", "dead", "waiting")),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        _str("lease_owner", 200, nullable=True),
        _time("lease_expires_at", nullable=True),
        _time("next_attempt_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _fk("steps", "document_id", "documents.id", ondelete="CASCADE"),
        _fk("steps", "message_id", "messages.id", ondelete="CASCADE"),
        _pk("steps"),
        _unique("steps", "message_id", "document_id", "kind"),
    )
    _index("steps", "document_id")
    _index("steps", "state", "lease_expires_at", name="ix_steps_state_lease")
    _index("steps", "state", "next_attempt_at", name="ix_steps_state_next_attempt")
    op.create_index(
        "uq_steps_message_id_kind_no_document",
        "steps",
        ["message_id", "kind"],
        unique=True,
        sqlite_where=sa.text("document_id IS NULL"),
        postgresql_where=sa.text("document_id IS NULL"),
    )


def _create_events_append_only_trigger() -> None:
    # A later SQLite batch migration that rebuilds `events` drops this trigger: recreate it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_refuse_update()"
        )
    else:
        op.execute(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
        )


def downgrade() -> None:
    for table in (
        "steps",
        "events",
        "documents",
        "transaction_sets",
        "functional_groups",
        "interchanges",
        "acknowledgments",
        "messages",
        "control_numbers",
        "partner_identities",
        "partners",
        "our_identities",
        "erp_targets",
        "blobs",
    ):
        op.drop_table(table)  # indexes and triggers go with their table
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION events_refuse_update()")
