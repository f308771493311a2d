"""Messages may go out over the cXML exchange: `cxml` joins the channels, and an ERP outbound
request sent as cXML has no X12 control numbers.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

BEFORE = ("api", "as2", "sftp", "cli")
AFTER = (*BEFORE, "cxml")
CONTROL_NUMBERS = ("isa13", "gs06", "st02")
X12_ID = 64


def _check(values: tuple[str, ...]) -> str:
    return "channel IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_channel"), type_="check")
        batch.create_check_constraint(op.f("ck_messages_channel"), _check(AFTER))
    with op.batch_alter_table("outbound_requests") as batch:
        for column in CONTROL_NUMBERS:
            batch.alter_column(column, existing_type=sa.String(X12_ID), nullable=True)


def downgrade() -> None:
    bind = op.get_bind()
    sent = bind.execute(sa.text("SELECT count(*) FROM messages WHERE channel = 'cxml'")).scalar()
    if sent:
        raise RuntimeError(
            f"{sent} message(s) went out over cXML: the schema before 0007 cannot hold them"
        )
    with op.batch_alter_table("outbound_requests") as batch:
        for column in CONTROL_NUMBERS:
            batch.alter_column(column, existing_type=sa.String(X12_ID), nullable=False)
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_channel"), type_="check")
        batch.create_check_constraint(op.f("ck_messages_channel"), _check(BEFORE))
