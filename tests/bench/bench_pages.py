"""Benchmark the public pages on the synthetic dataset, in-process with Flask's test client.

    .venv/bin/python tests/bench/bench_pages.py [--scale 1.0] [--database-url postgresql://...]

Builds the synthetic database once (cached in the temp folder, keyed by scale, migration head
and generator version; on PostgreSQL as a database of its own) and times each page N times
after a warm-up. Prints the median and 95th percentile per page and its ratio to a trivial
route that touches no database, measured in the same run, so figures compare across machines.
Target (issue 2): the 200-event brand page and the brand index under 25 ms median.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from tracker import create_app, migrate
from tracker.db import Database, make_engine, normalise_url
from tracker.services import search, search_text, synthetic, synthetic_rows

TRIVIAL = "/_bench/trivial"


def dataset_key(scale: float, indexed: bool = False) -> str:
    """Name a dataset by what shapes it: the scale, the schema and the generator's code (and
    the search index's, when it has one)."""
    code = hashlib.sha256()
    for module in (synthetic, synthetic_rows, *((search, search_text) if indexed else ())):
        code.update(Path(module.__file__).read_bytes())
    name = f"s{scale:g}".replace(".", "_") + ("i" if indexed else "")
    return f"{name}_{migrate.head_revision()}_{code.hexdigest()[:8]}"


def build(url: str, scale: float, indexed: bool = False) -> None:
    """Migrate an empty database and fill it with synthetic data (and its search index)."""
    database = Database(make_engine(url))
    migrate.upgrade(database)
    print(f"Building the synthetic dataset at scale {scale} in {url} ...", flush=True)
    with database.unit_of_work() as session:
        report = synthetic.generate(session=session, scale=scale, progress=print)
    print(f"Built: {report}.", flush=True)
    if indexed:
        started = time.perf_counter()
        with database.unit_of_work() as session:
            documents = search.reindex_all(session, batch=2000)
        seconds = time.perf_counter() - started
        print(f"Search index: {documents:,} documents in {seconds:.1f} s.", flush=True)
    if database.dialect == "postgresql":
        # What autovacuum would have done by the time a real database is this size: planner
        # statistics, and the visibility map that index-only scans need. A SQLite database
        # gets no ANALYZE, as a real instance never runs one: its indexes must serve anyway.
        with database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    database.engine.dispose()


def sqlite_dataset(scale: float, rebuild: bool, indexed: bool = False) -> str:
    folder = Path(tempfile.gettempdir()) / "tracker-bench"
    folder.mkdir(exist_ok=True)
    key = dataset_key(scale, indexed)
    path = folder / f"synthetic-{key}.sqlite3"
    if rebuild or not path.exists():
        for stale in folder.glob(f"synthetic-{key}.sqlite3*"):
            stale.unlink()
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        build(f"sqlite:///{partial}", scale, indexed)
        partial.rename(path)
    else:
        print(f"Reusing {path}")
    return f"sqlite:///{path}"


def postgres_dataset(admin_url: str, scale: float, rebuild: bool, indexed: bool = False) -> str:
    admin = sa.create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"tracker_bench_{dataset_key(scale, indexed)}".lower()
    url = sa.make_url(normalise_url(admin_url)).set(database=name)
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if exists and rebuild:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
            exists = False
        if exists:
            print(f"Reusing PostgreSQL database {name}")
        else:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    if not exists:
        try:
            build(url.render_as_string(hide_password=False), scale, indexed)
        except BaseException:
            with sa.create_engine(
                normalise_url(admin_url), isolation_level="AUTOCOMMIT"
            ).connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            raise
    return url.render_as_string(hide_password=False)


def bench_app(url: str, instance: Path):
    app = create_app(
        {
            "DATABASE_URL": url,
            "AUTO_MIGRATE": False,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(instance),
        }
    )
    app.add_url_rule(TRIVIAL, "bench_trivial", lambda: "ok")
    return app


def pages(app) -> list[tuple[str, str]]:
    client = app.test_client()
    last = client.get("/brands/").text
    pages_total = int(last.split("Page 1 of ")[1].split("<")[0]) if "Page 1 of " in last else 1
    return [
        ("trivial route (no database)", TRIVIAL),
        (f"brand page, {synthetic.BENCH_EVENTS} events", f"/brands/{synthetic.BENCH_BRAND_SLUG}"),
        ("brand index, first page", "/brands/"),
        (f"brand index, page {pages_total // 2}", f"/brands/?page={pages_total // 2}"),
        ("brand index, filtered", "/brands/?sector=Cosmetics&country=NL"),
        ("home page", "/"),
    ]


def time_page(client, url: str, repeat: int, warmup: int) -> tuple[list[float], list[float]]:
    """Return wall-clock and CPU milliseconds per request (CPU time is the steadier figure
    when other work shares the machine)."""
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return wall, cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def count_statements(app, url: str) -> int:
    seen = []
    engine = app.extensions["tracker_db"].engine

    def record(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", record)
    try:
        app.test_client().get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def profile(app, url: str, repeat: int) -> None:
    client = app.test_client()
    client.get(url)
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            client.get(url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
        return
    profiler = Profiler(interval=0.0002)
    with profiler:
        for _ in range(repeat):
            client.get(url)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", help="a PostgreSQL server to build and measure on")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="build the dataset afresh")
    parser.add_argument("--profile", metavar="URL", help="profile this page instead")
    args = parser.parse_args(argv)

    if args.database_url:
        url = postgres_dataset(args.database_url, args.scale, args.rebuild)
    else:
        url = sqlite_dataset(args.scale, args.rebuild)
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, Path(instance))
        if args.profile:
            profile(app, args.profile, args.repeat)
            return 0
        client = app.test_client()
        brand_page = client.get(f"/brands/{synthetic.BENCH_BRAND_SLUG}").text
        events = brand_page.count('<li class="event ')
        assert events == synthetic.BENCH_EVENTS, f"the brand page shows {events} events"

        dialect = app.extensions["tracker_db"].dialect
        print(
            f"\n{dialect}, scale {args.scale:g}, {args.repeat} requests per page after "
            f"{args.warmup} warm-up, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.2f} at start\n"
        )
        header = (
            f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'ratio':>7} {'CPU ms':>7} {'SQL':>4}"
        )
        print(header)
        print("-" * len(header))
        baseline = None
        for title, page_url in pages(app):
            timings, cpu = time_page(client, page_url, args.repeat, args.warmup)
            median = statistics.median(timings)
            baseline = baseline or median
            statements = count_statements(app, page_url)
            print(
                f"{title:<34} {median:>10.2f} {percentile(timings, 0.95):>8.2f} "
                f"{median / baseline:>6.1f}x {statistics.median(cpu):>7.2f} {statements:>4}",
                flush=True,
            )
        app.extensions["tracker_db"].engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
