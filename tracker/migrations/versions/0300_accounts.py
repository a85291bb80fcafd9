"""accounts: representative note, account events

Revision ID: 0300
Revises: 0600
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0300"
down_revision: str | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("representative_note", sa.String(length=2000), nullable=True))

    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_event_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_event_user_id"))
    op.drop_table("account_event")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("representative_note")
