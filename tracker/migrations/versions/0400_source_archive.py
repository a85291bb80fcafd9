"""source archive: every fetch of a source address, and each address's state

Revision ID: 0400
Revises: 0302
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0400"
down_revision: str | None = "0302"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "source_fetch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_key", sa.String(length=2000), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("final_url", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=300), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("hops", JSON, nullable=False),
        sa.Column("warc_path", sa.String(length=500), nullable=True),
        sa.Column("warc_offset", sa.Integer(), nullable=True),
        sa.Column("warc_length", sa.Integer(), nullable=True),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("health", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("source_fetch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_fetch_source_id"), ["source_id"], unique=False)
        batch_op.create_index(
            "ix_source_fetch_url_key_fetched_at", ["url_key", "fetched_at"], unique=False
        )

    op.create_table(
        "source_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_key", sa.String(length=2000), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.Column("last_fetch_id", sa.Integer(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["capture_id"], ["source_fetch.id"]),
        sa.ForeignKeyConstraint(["last_fetch_id"], ["source_fetch.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url_key"),
    )
    with op.batch_alter_table("source_archive", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_archive_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_source_archive_next_retry_at"), ["next_retry_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("source_archive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_archive_next_retry_at"))
        batch_op.drop_index(batch_op.f("ix_source_archive_state"))
    op.drop_table("source_archive")
    with op.batch_alter_table("source_fetch", schema=None) as batch_op:
        batch_op.drop_index("ix_source_fetch_url_key_fetched_at")
        batch_op.drop_index(batch_op.f("ix_source_fetch_source_id"))
    op.drop_table("source_fetch")
