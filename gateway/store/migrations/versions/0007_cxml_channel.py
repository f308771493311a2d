"""Messages may go out over the cXML exchange: `cxml` joins the channels.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

BEFORE = ("api", "as2", "sftp", "cli")
AFTER = (*BEFORE, "cxml")


def _check(values: tuple[str, ...]) -> str:
    return "channel IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_channel"), type_="check")
        batch.create_check_constraint(op.f("ck_messages_channel"), _check(AFTER))


def downgrade() -> None:
    op.execute("DELETE FROM messages WHERE channel = 'cxml'")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_channel"), type_="check")
        batch.create_check_constraint(op.f("ck_messages_channel"), _check(BEFORE))
