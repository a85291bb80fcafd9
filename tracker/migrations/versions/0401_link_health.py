"""link health: each address's latest re-check, and Wayback Machine captures

Revision ID: 0401
Revises: 0510
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0401"
down_revision: str | None = "0510"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_archive", schema=None) as batch_op:
        batch_op.add_column(sa.Column("health", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("checks", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("broken_checks", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("unavailable_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_source_archive_next_check_at"), ["next_check_at"], unique=False
        )

    op.create_table(
        "wayback_capture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_key", sa.String(length=2000), nullable=False),
        sa.Column("fetch_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("capture_url", sa.String(length=2000), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["fetch_id"], ["source_fetch.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wayback_capture", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wayback_capture_url_key_requested_at", ["url_key", "requested_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wayback_capture", schema=None) as batch_op:
        batch_op.drop_index("ix_wayback_capture_url_key_requested_at")
    op.drop_table("wayback_capture")
    with op.batch_alter_table("source_archive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_archive_next_check_at"))
        batch_op.drop_column("changed_at")
        batch_op.drop_column("unavailable_since")
        batch_op.drop_column("broken_checks")
        batch_op.drop_column("checks")
        batch_op.drop_column("next_check_at")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("health")
