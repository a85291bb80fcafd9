"""legal flags: claim facts, computed flags, dismissals, rules digest

Additive only: new nullable columns on claim (markets gets an empty list), and new tables.

Revision ID: 0600
Revises: 0001
Create Date: 2026-11-27 10:32:51.615254
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0600"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("markets", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("scope", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("evidence_one_aspect", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("relies_on_offsets", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("certification_present", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("future_target_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cosmetic_kind", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("ingredients", sa.String(length=5000), nullable=True))

    op.create_table(
        "flag_rules_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("recomputed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "flag_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_by_label", sa.String(length=120), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restored_by_id", sa.Integer(), nullable=True),
        sa.Column("restored_by_label", sa.String(length=120), nullable=True),
        sa.Column("restore_reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["dismissed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["restored_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("flag_dismissal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_dismissal_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=40), nullable=False),
        sa.Column("timing", sa.String(length=40), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=True),
        sa.Column("applies_from_precision", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction", sa.String(length=20), nullable=False),
        sa.Column("matches", JSON, nullable=False),
        sa.Column("notes", JSON, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("rules_digest", sa.String(length=64), nullable=False),
        sa.Column("dismissal_id", sa.Integer(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["dismissal_id"], ["flag_dismissal.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id", "rule_id", name="claim_flag_rule"),
    )
    with op.batch_alter_table("claim_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_flag_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_flag_rule_id"), ["rule_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_flag_rule_id"))
        batch_op.drop_index(batch_op.f("ix_claim_flag_claim_id"))
    op.drop_table("claim_flag")
    with op.batch_alter_table("flag_dismissal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_dismissal_claim_id"))
    op.drop_table("flag_dismissal")
    op.drop_table("flag_rules_state")

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("ingredients")
        batch_op.drop_column("cosmetic_kind")
        batch_op.drop_column("future_target_year")
        batch_op.drop_column("certification_present")
        batch_op.drop_column("relies_on_offsets")
        batch_op.drop_column("evidence_one_aspect")
        batch_op.drop_column("scope")
        batch_op.drop_column("markets")
