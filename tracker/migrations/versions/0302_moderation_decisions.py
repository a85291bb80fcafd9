"""moderation decisions: one row per decision, the public moderation log

Revision ID: 0302
Revises: 0301
Create Date: 2026-11-27 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0302"
down_revision: str | None = "0301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "moderation_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("submission_kind", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("moderator_handle", sa.String(length=60), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("message", sa.String(length=5000), nullable=True),
        sa.Column("record_type", sa.String(length=40), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("edited_payload", JSON, nullable=True),
        sa.Column("edit_note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_decision_action"), ["action"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decision_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decision_moderator_id"), ["moderator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decision_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_decision_submission_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_decision_moderator_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_decision_created_at"))
        batch_op.drop_index(batch_op.f("ix_moderation_decision_action"))
    op.drop_table("moderation_decision")
