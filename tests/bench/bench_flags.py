"""Benchmark the legal flags: evaluating claims, and recomputing every claim's stored flags.

    .venv/bin/python tests/bench/bench_flags.py [--scale 0.05] [--database-url postgresql://...]

Builds (or reuses) the synthetic dataset of tests/bench/bench_pages.py, then times
1. evaluating the rules on each claim in memory, against reading the same claims' inputs
   without evaluating them (the baseline, measured in the same run);
2. `recompute_all` inside one transaction (rolled back), against loading the same claims with
   the same query and no evaluation.
Prints claims per second and the ratio to the baseline, so figures compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import selectinload
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_pages import postgres_dataset, sqlite_dataset

from tracker.db import Database, make_engine
from tracker.models import Claim
from tracker.services import claim_flags
from tracker.services.flags import ClaimInput, evaluate
from tracker.services.rulebook import packaged_rulebook


def load_claims(session) -> list[Claim]:
    return list(
        session.exec(
            select(Claim)
            .order_by(Claim.id)
            .options(selectinload(Claim.topic_links), selectinload(Claim.brand))
        )
    )


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    if args.database_url:
        url = postgres_dataset(args.database_url, args.scale, args.rebuild)
    else:
        url = sqlite_dataset(args.scale, args.rebuild)
    database = Database(make_engine(url))
    rules = packaged_rulebook()

    with database.session() as session:
        claims = load_claims(session)
        inputs = [ClaimInput.of(claim) for claim in claims]
        count = len(claims)
        baseline = best_of(args.runs, lambda: [ClaimInput.of(claim) for claim in claims])
        evaluating = best_of(args.runs, lambda: [evaluate(rules, item) for item in inputs])
    flagged = sum(1 for item in inputs if evaluate(rules, item))
    print(f"{count:,} synthetic claims ({flagged:,} get at least one flag), {database.dialect}")
    print(
        f"evaluate:      {evaluating * 1000:8.1f} ms, {count / evaluating:10,.0f} claims/s; "
        f"ratio to reading the inputs: {evaluating / baseline:6.1f}x"
    )

    def load_only():
        with database.session() as session:
            load_claims(session)

    def recompute():
        with database.session(write=True) as session:
            claim_flags.recompute_all(session, rules=rules)
            session.rollback()

    loading = best_of(args.runs, load_only)
    recomputing = best_of(args.runs, recompute)
    print(
        f"recompute_all: {recomputing * 1000:8.1f} ms, {count / recomputing:10,.0f} claims/s; "
        f"ratio to loading the claims: {recomputing / loading:6.1f}x"
    )
    database.engine.dispose()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
