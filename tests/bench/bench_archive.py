"""Benchmark archiving: 1,000 local pages through the real job queue with 1, 2 and 4 workers.

    .venv/bin/python tests/bench/bench_archive.py [--pages 1000] [--workers 1 2 4]
        [--size 20000] [--database-url postgresql://127.0.0.1:5432/test]

A threaded HTTP server in a process of its own serves N distinct HTML pages on loopback.
Each measurement runs in a fresh child process, so its peak memory is its own:

- baseline: `requests.get` of every page in turn, one thread, reading the body and taking
  its SHA-256, nothing stored;
- archive, W workers: the app queues one `fetch_source` job per page on huey's SQLite queue
  (as `flask worker` uses it), then a huey consumer with W workers of thread type runs
  them: each job is the production path (the safe fetcher, a WARC file written and fsynced,
  the attempt recorded in the database in its own transaction). The clock runs from the
  consumer's start until every page's attempt is recorded.

Printed per run: pages per second, the ratio to the baseline measured in the same run, and
peak memory as the child's maximum resident set size (resource.getrusage ru_maxrss, the
whole process: Python, Flask and SQLAlchemy included) with its growth during the run.
tracemalloc is not used: it slows allocation-heavy code several-fold and would distort the
rate. Figures depend on the machine's other load; compare the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve()


# --- The pages ---------------------------------------------------------------------------


def page_body(number: int, size: int) -> bytes:
    """A distinct HTML page of about size bytes."""
    head = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Fictional report {number}</title></head><body><h1>Report {number}</h1>"
    ).encode()
    line = f"<p>Paragraph of fictional report {number} about microplastics.</p>\n".encode()
    body = head + line * max(1, (size - len(head)) // len(line))
    return body + b"</body></html>"


def serve(port_box, size: int) -> None:
    """Serve /page/<n> until killed (runs in a process of its own)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            try:
                number = int(self.path.rsplit("/", 1)[1])
            except ValueError:
                self.send_error(404)
                return
            body = page_body(number, size)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    port_box.value = server.server_port
    server.serve_forever()


# --- One measurement (in a child process) --------------------------------------------------


def max_rss_mb() -> float:
    """The process's peak resident set size so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The process's resident set size now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return max_rss_mb()


def run_baseline(urls: list[str]) -> dict:
    import requests

    before = rss_mb()
    started = time.perf_counter()
    for url in urls:
        response = requests.get(url, timeout=30)
        response.raise_for_status()
        hashlib.sha256(response.content).hexdigest()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rss_before": before, "rss_peak": max_rss_mb()}


def run_fetch_only(urls: list[str]) -> dict:
    from tracker.evidence.fetching import FetchOutcome, FetchSettings, fetch

    settings = FetchSettings(allow_hosts=("127.0.0.1",))
    before = rss_mb()
    started = time.perf_counter()
    for url in urls:
        result = fetch(url, settings)
        assert result.outcome is FetchOutcome.ok and result.status == 200, result.reason
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rss_before": before, "rss_peak": max_rss_mb()}


def prepare_database(database_url: str) -> None:
    """Migrate the archive run's database (in the parent: the child measures only archiving)."""
    from tracker import migrate
    from tracker.db import Database, make_engine

    database = Database(make_engine(database_url))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reflection notes from the migrations
        migrate.upgrade(database)
    database.engine.dispose()


def run_archive(urls: list[str], workers: int, url: str, folder: Path) -> dict:
    import sqlalchemy as sa

    from tracker import create_app
    from tracker.models import SourceFetch

    app = create_app(
        {
            "DATABASE_URL": url,
            "AUTO_MIGRATE": False,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
            "JOBS_DATABASE": str(folder / "jobs.sqlite3"),
            "FETCH_ALLOW_HOSTS": ["127.0.0.1"],
        }
    )
    jobs = app.extensions["tracker_jobs"]
    with app.app_context():
        queued_at = time.perf_counter()
        for page_url in urls:
            jobs.fetch(page_url)
        queueing = time.perf_counter() - queued_at
    engine = app.extensions["tracker_db"].engine
    count = sa.select(sa.func.count()).select_from(SourceFetch)
    before = rss_mb()
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False)
    started = time.perf_counter()
    consumer.start()
    try:
        while True:
            with engine.connect() as connection:
                done = connection.scalar(count)
            if done >= len(urls):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        consumer.stop(graceful=True)
    with engine.connect() as connection:
        kept = connection.scalar(
            sa.select(sa.func.count())
            .select_from(SourceFetch)
            .where(SourceFetch.warc_path.is_not(None))
        )
        warc_bytes = sum(
            path.stat().st_size for path in (folder / "instance" / "archive").rglob("*.warc.gz")
        )
    engine.dispose()
    return {
        "seconds": elapsed,
        "queueing": queueing,
        "kept": kept,
        "warc_mb": warc_bytes / 1e6,
        "rss_before": before,
        "rss_peak": max_rss_mb(),
    }


def child(args) -> None:
    urls = [f"http://127.0.0.1:{args.port}/page/{n}" for n in range(args.pages)]
    if args.child == "baseline":
        result = run_baseline(urls)
    elif args.child == "fetch":
        result = run_fetch_only(urls)
    else:
        result = run_archive(urls, args.workers[0], args.database_url, Path(args.folder))
    print(json.dumps(result))


# --- The run -----------------------------------------------------------------------------


@contextlib.contextmanager
def run_database(admin_url: str | None, folder: Path):
    """Yield an empty database for one archive run: a SQLite file in folder, or a PostgreSQL
    database of its own on admin_url's server, dropped afterwards."""
    if not admin_url:
        yield f"sqlite:///{folder / 'tracker.sqlite3'}"
        return
    import sqlalchemy as sa

    from tracker.db import normalise_url

    admin = sa.create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"tracker_bench_archive_{os.getpid()}_{folder.name[-8:]}".lower()
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield (
            sa.make_url(normalise_url(admin_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def measure(
    mode: str, port: int, pages: int, workers: int = 0, database_url=None, folder=None
) -> dict:
    command = [
        sys.executable,
        str(HERE),
        "--child",
        mode,
        "--port",
        str(port),
        "--pages",
        str(pages),
        "--workers",
        str(workers or 1),
    ]
    if database_url:
        command += ["--database-url", database_url, "--folder", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{mode} run failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--size", type=int, default=20_000, help="bytes per page (about)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to archive into (a database of its own per run, dropped after)",
    )
    parser.add_argument("--child", choices=["baseline", "fetch", "archive"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0

    port_box = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=serve, args=(port_box, args.size), daemon=True)
    server.start()
    while not port_box.value:
        time.sleep(0.01)
    port = port_box.value
    try:
        print(
            f"{args.pages} pages of about {args.size / 1000:g} kB from a local threaded server "
            f"(its own process); {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}."
        )
        baseline = measure("baseline", port, args.pages)
        base_rate = args.pages / baseline["seconds"]
        rows = [("baseline: requests.get, 1 thread, no storage", baseline, base_rate)]
        fetch_only = measure("fetch", port, args.pages)
        rows.append(("the safe fetcher alone, 1 thread, no storage", fetch_only, None))
        for workers in args.workers:
            with (
                tempfile.TemporaryDirectory(prefix="tracker-bench-archive-") as folder,
                run_database(args.database_url, Path(folder)) as url,
            ):
                prepare_database(url)
                result = measure("archive", port, args.pages, workers, url, folder)
            rows.append((f"archive, {workers} huey thread worker(s)", result, None))
        print()
        print(
            "| run | pages/s | ratio to baseline | peak RSS | RSS growth | copies kept | "
            "WARC MB | queueing |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, result, _ in rows:
            rate = args.pages / result["seconds"]
            growth = result["rss_peak"] - result["rss_before"]
            kept = result.get("kept", "-")
            warc = f"{result['warc_mb']:.1f}" if "warc_mb" in result else "-"
            queueing = f"{result['queueing']:.1f} s" if "queueing" in result else "-"
            print(
                f"| {name} | {rate:.1f} | {rate / base_rate:.2f}x | "
                f"{result['rss_peak']:.0f} MB | {growth:+.0f} MB | {kept} | {warc} | {queueing} |"
            )
        print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}.")
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
