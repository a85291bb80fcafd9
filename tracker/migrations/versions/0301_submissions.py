"""submissions: duplicate flags, contact language, the record made, every version kept

Revision ID: 0301
Revises: 0500
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0301"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("duplicate_flags", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("contact_language", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("record_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))

    op.create_table(
        "submission_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "number", name="submission_version_number"),
    )
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_version_submission_id"), ["submission_id"], unique=False
        )
    # Submissions stored before this revision (seeded pending ones) keep their content as
    # their first version.
    op.execute(
        "INSERT INTO submission_version (submission_id, number, payload, created_at) "
        "SELECT id, 1, payload, created_at FROM submission"
    )


def downgrade() -> None:
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_version_submission_id"))
    op.drop_table("submission_version")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("record_id")
        batch_op.drop_column("record_type")
        batch_op.drop_column("contact_language")
        batch_op.drop_column("duplicate_flags")
