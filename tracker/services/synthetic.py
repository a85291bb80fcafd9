"""Synthetic data for benchmarks: many fictional brands with claims, evidence and replies.

Clearly fake (names like "Synthetic Brand 00042", URLs under https://synthetic.example/, a
caveat on every record) and never mixed with the public record: it refuses a database that
holds seed data or any public record, and writes nothing to seeds/. Rows go in through
SQLAlchemy Core in batches of a few hundred brands, so memory stays flat at any scale. Every
record gets its revision 1 with the snapshot save_revision would have written, so history
pages work. Derived data that follows revision_saved (search index, flags) is not built here:
the `synthetic` command builds the search index afterwards; `recompute-flags` makes the flags.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Brand, Claim, Contradiction, Outcome, Response, SeedRecord, Source
from tracker.services.synthetic_rows import (
    BASE_URL,
    BENCH_BRAND_SLUG,
    BENCH_EVENTS,
    CAVEAT,
    INSERT_ORDER,
    Builder,
    Plan,
)

__all__ = [
    "BASE_URL",
    "BENCH_BRAND_SLUG",
    "BENCH_EVENTS",
    "CAVEAT",
    "Plan",
    "Report",
    "SyntheticRefused",
    "generate",
    "refuse_unless_empty",
]

PUBLIC_TABLES = (Brand, Claim, Contradiction, Response, Outcome, Source)


class SyntheticRefused(Exception):
    """The database is not empty; synthetic data is never mixed with real records."""


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        parts = ", ".join(f"{count:,} {table}" for table, count in self.counts.items())
        return f"{parts} in {self.seconds:.1f} s"


def refuse_unless_empty(session: Session) -> None:
    """Raise SyntheticRefused if the database holds seed data or any public record."""
    connection = session.connection()
    if connection.scalar(sa.select(sa.func.count()).select_from(SeedRecord.__table__)):
        raise SyntheticRefused("this database holds the public seed data")
    for model in PUBLIC_TABLES:
        if connection.scalar(sa.select(sa.func.count()).select_from(model.__table__)):
            raise SyntheticRefused(
                f"this database already holds records ({model.__tablename__}); "
                "synthetic data only goes into an empty database"
            )


def generate(
    *,
    session: Session,
    scale: float = 1.0,
    random_seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Fill an empty database with synthetic records; the caller commits.

    Refuses (SyntheticRefused) a database holding seed data or any public record.
    """
    plan = Plan.at(scale)
    refuse_unless_empty(session)
    connection = session.connection()
    builder = Builder(plan, random.Random(random_seed))
    report = Report(counts={model.__tablename__: 0 for model in INSERT_ORDER})
    started = last_said = time.perf_counter()
    for batch in builder.batches():
        for model in INSERT_ORDER:
            rows = batch.rows[model]
            if rows:
                connection.execute(sa.insert(model.__table__), rows)
                report.counts[model.__tablename__] += len(rows)
        now = time.perf_counter()
        if progress and (now - last_said > 2 or builder.brands_done == plan.brands):
            last_said = now
            progress(
                f"  {builder.brands_done:,} of {plan.brands:,} brands, "
                f"{sum(report.counts.values()):,} rows, {now - started:.1f} s"
            )
    if connection.dialect.name == "postgresql":
        _advance_sequences(connection)
    report.seconds = time.perf_counter() - started
    return report


def _advance_sequences(connection: sa.Connection) -> None:
    # Ids were given explicitly; the next record written normally must not collide with them.
    for model in INSERT_ORDER:
        table = model.__table__
        if "id" in table.c:
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
