"""Benchmark the legal-flag filters on the synthetic dataset; prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_flag_filters.py [--scale 0.1] [--database sqlite]

Fills a fresh database with `tracker.services.synthetic` (1.0 = 100,000 claims), computes
every claim's flags and the search index, then measures in process through the WSGI test
client each flag-filtered request beside the same request without the filter (the
baseline, same run), and the time to write the claim_flags file of the downloads beside
the claims file.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conftest import LOCAL_POSTGRES, PostgresDatabases
from tracker import create_app, migrate
from tracker.services import claim_flags, export, search, synthetic

PAIRS = [
    # (filtered, baseline)
    ("/api/v1/claims?flag=any&limit=50", "/api/v1/claims?limit=50"),
    ("/api/v1/claims?flag=EU825-GENERIC&limit=50", "/api/v1/claims?limit=50"),
    ("/api/v1/claims?flag=MP-PSF&limit=50", "/api/v1/claims?limit=50"),
    ("/api/v1/brands?flag=any&limit=50", "/api/v1/brands?limit=50"),
    ("/api/v1/brands?flag=CDR-ABSOLUTE&country=NL&limit=50", "/api/v1/brands?country=NL&limit=50"),
    ("/search?q=synthetic&flag=any", "/search?q=synthetic"),
    ("/search?q=microplastics&flag=EU825-GENERIC", "/search?q=microplastics"),
    ("/search?q=recycl&flag=any&type=claim", "/search?q=recycl&type=claim"),
    ("/brands/?flag=any", "/brands/"),
]


def timed(client, path: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def write_rows(session, table) -> tuple[int, float]:
    started = time.perf_counter()
    writer = csv.writer(io.StringIO())
    rows = 0
    for record in table.rows(session):
        writer.writerow([export._csv_value(c.value(record)) for c in table.columns])
        rows += 1
    return rows, time.perf_counter() - started


def run(scale: float, database: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-flag-filters-"))
    postgres = PostgresDatabases(LOCAL_POSTGRES) if database == "postgresql" else None
    url = postgres.create() if postgres else f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "AUTO_MIGRATE": False,
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    db = app.extensions["tracker_db"]
    migrate.upgrade(db)
    with db.unit_of_work() as session:
        made = synthetic.generate(session=session, scale=scale)
    print(f"scale {scale} on {database}: {made}")
    with app.app_context(), db.unit_of_work() as session:
        started = time.perf_counter()
        report = claim_flags.recompute_all(session, rules=app.extensions["tracker_rules"])
        print(f"  flags: {report} in {time.perf_counter() - started:.1f} s")
        search.reindex_all(session, batch=2000)

    client = app.test_client()
    print(f"  {'request':<58} {'filtered':>9} {'baseline':>9}  ratio")
    for filtered, baseline in PAIRS:
        with_flag, without = timed(client, filtered, 15), timed(client, baseline, 15)
        print(f"  {filtered:<58} {with_flag:7.2f}ms {without:7.2f}ms  x{with_flag / without:.2f}")

    with app.app_context(), db.session() as session:
        specs = {table.name: table for table in export.tables("https://example.test/")}
        for name in ("claims", "claim_flags"):
            rows, seconds = write_rows(session, specs[name])
            print(f"  download file {name + '.csv':<18} {rows:>8,} rows in {seconds:5.2f} s")
    db.engine.dispose()
    if postgres:
        postgres.drop(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    arguments = parser.parse_args()
    run(arguments.scale, arguments.database)


if __name__ == "__main__":
    main()
