"""indexes that SQLite picks without statistics

Revision ID: 0201
Revises: 0200
Create Date: 2026-11-27 11:55:00

A SQLite database that never ran ANALYZE (the usual case) has no statistics, and its planner
then prefers any index with an equality, such as the one on visibility alone: the brand
index's counts scanned every published claim (130 ms at 100,000 claims) and the latest
contradictions sorted them all (270 ms). These indexes lead with the columns each public
query filters on by equality, so the right one wins with or without statistics.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0201"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BRAND_RECORDS = ("claim", "contradiction", "response", "outcome")


def upgrade() -> None:
    op.drop_index("ix_brand_name_order", table_name="brand")
    op.create_index(
        "ix_brand_visibility_name_order", "brand", ["visibility", sa.text("lower(name)"), "id"]
    )
    op.create_index("ix_brand_visibility_sector", "brand", ["visibility", "sector"])
    op.create_index("ix_brand_visibility_country", "brand", ["visibility", "country"])
    for table in BRAND_RECORDS:
        op.create_index(f"ix_{table}_brand_visibility", table, ["brand_id", "visibility"])
    op.drop_index("ix_contradiction_date_id", table_name="contradiction")
    op.create_index(
        "ix_contradiction_visibility_date_id", "contradiction", ["visibility", "date", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_contradiction_visibility_date_id", table_name="contradiction")
    op.create_index("ix_contradiction_date_id", "contradiction", ["date", "id"])
    for table in BRAND_RECORDS:
        op.drop_index(f"ix_{table}_brand_visibility", table_name=table)
    op.drop_index("ix_brand_visibility_country", table_name="brand")
    op.drop_index("ix_brand_visibility_sector", table_name="brand")
    op.drop_index("ix_brand_visibility_name_order", table_name="brand")
    op.create_index("ix_brand_name_order", "brand", [sa.text("lower(name)"), "id"])
