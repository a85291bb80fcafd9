"""Benchmark search, the read API and the downloads on the synthetic dataset; asserts nothing.

    .venv/bin/python tests/bench/bench_opendata.py [--scale 1.0] [--memory-scales 0.25 1.0]
    .venv/bin/python tests/bench/bench_opendata.py --database-url postgresql://127.0.0.1:5432/test

Builds the synthetic dataset with its search index once (cached like bench_pages.py: in the
temp folder for SQLite, as a database of its own on PostgreSQL; 1.0 = 10,000 brands, 100,000
claims, 50,000 contradictions, 200,000 sources) and measures in process through the WSGI test
client, after a warm-up, beside a route that touches no database (measured in the same run,
so the ratios compare across machines):

- the search page over a mix of queries (rare and common words, a prefix, a phrase, Dutch,
  no match) each alone and with two sets of filters: median and 95th percentile (target:
  median under 30 ms);
- each API list page (target: under 20 ms);
- the downloads at two sizes, each built and streamed in a process of its own: build time,
  the peak of Python's own allocations (tracemalloc) while building and while streaming the
  zip, and the process's peak resident memory. Flat means the peaks barely move while the
  data grows several times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import TRIVIAL, bench_app, percentile, postgres_dataset, sqlite_dataset
from flask_babel import force_locale

from tracker.services import export

SEARCHES = [
    "Synthetic Brand 00042",  # a rare name among words in every document
    "microplastics",  # a topic word in about a tenth of claims
    "recycl",  # a prefix, as while typing
    '"water positive"',  # a phrase
    "deforestation free",
    "synthetic",  # in every document: past the cap, newest first
    "natuurlijk",  # Dutch, rare
    "zyzzyva",  # no match
]
SEARCH_FILTERS = ["", "&type=claim&topic=climate", "&country=NL&year=2021"]
API_PAGES = [
    "/api/v1/brands?country=NL&limit=50",
    "/api/v1/claims?limit=50",
    "/api/v1/claims?sector=Cosmetics&date_from=2020-01-01&limit=50",
    "/api/v1/contradictions?topic=climate&limit=50",
    "/api/v1/responses?limit=50",
    "/api/v1/outcomes?kind=fine&limit=50",
    "/api/v1/sources?limit=50&after=100000",
]
SITE = "https://bench.example/"


def timed(client, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def line(name: str, times: list[float], baseline: float, target: float | None = None) -> str:
    median = statistics.median(times)
    goal = ""
    if target:
        goal = f"  target < {target:g} ms: {'met' if median < target else 'MISSED'}"
    return (
        f"  {name:<62} {median:8.2f} {percentile(times, 0.95):8.2f} {median / baseline:7.1f}x{goal}"
    )


def dataset(scale: float, database_url: str | None, rebuild: bool) -> str:
    if database_url:
        return postgres_dataset(database_url, scale, rebuild, indexed=True)
    return sqlite_dataset(scale, rebuild, indexed=True)


def measure_requests(url: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, Path(instance))
        client = app.test_client()
        for path in [TRIVIAL, *(f"/search?q={q}{f}" for q in SEARCHES for f in SEARCH_FILTERS)]:
            client.get(path)  # warm-up: caches, compiled templates, the database's pages
        for path in API_PAGES:
            client.get(path)
        baseline_times = timed(client, TRIVIAL, repeat * 5)
        baseline = statistics.median(baseline_times)
        dialect = app.extensions["tracker_db"].dialect
        print(
            f"\n{dialect}: {repeat} requests per search, {repeat * 2} per API page, Python "
            f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f} at start"
        )
        print(f"  {'':<62} {'median':>8} {'p95':>8} {'ratio':>8}")
        print(line("trivial route (no database)", baseline_times, baseline))
        everything = []
        for text in SEARCHES:
            for extra in SEARCH_FILTERS:
                path = f"/search?q={text}{extra}"
                times = timed(client, path, repeat)
                everything += times
                print(line(path, times, baseline), flush=True)
        print(line(f"search, all {len(everything)} requests", everything, baseline, 30))
        api = []
        for path in API_PAGES:
            times = timed(client, path, repeat * 2)
            api += times
            print(line(path, times, baseline), flush=True)
        print(line(f"API list pages, all {len(api)} requests", api, baseline, 20))
        app.extensions["tracker_db"].engine.dispose()


def build_and_stream(url: str, trace: bool) -> dict:
    """Build the downloads and stream the zip once, in this process; return the figures."""
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, Path(instance))
        database = app.extensions["tracker_db"]
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        with app.app_context(), force_locale("en"), database.session() as session:
            manifest = export.rebuild(
                session, root=Path(instance) / "opendata", site=SITE, force=True
            )
        seconds = time.perf_counter() - started
        build_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.reset_peak()
        response = app.test_client().get("/data/tracker-data-csv.zip", buffered=False)
        streamed = sum(len(chunk) for chunk in response.response)
        response.close()
        stream_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        database.engine.dispose()
    return {
        "seconds": seconds,
        "zip": manifest["files"][export.CSV_ZIP]["bytes"],
        "json": manifest["files"][export.JSON_FILE]["bytes"],
        "streamed": streamed,
        "rows": sum(table["rows"] for table in manifest["tables"]),
        "build_peak": build_peak,
        "stream_peak": stream_peak,
        "max_rss": peak_resident(),
    }


def peak_resident() -> int:
    """Return this process's peak resident memory in bytes. (Not getrusage's ru_maxrss,
    which Linux carries over from the parent across fork and exec.)"""
    for entry in Path("/proc/self/status").read_text().splitlines():
        if entry.startswith("VmHWM:"):
            return int(entry.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def in_child(url: str, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", url] + (["--trace"] if trace else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure_downloads(urls: dict[float, str]) -> None:
    print("\ndownloads, built and streamed, each size in a process of its own")
    print(
        f"  {'scale':>6} {'rows':>10} {'build s':>8} {'zip MB':>7} {'JSON MB':>8} "
        f"{'Python peak building':>21} {'streaming':>10} {'max RSS':>9}"
    )
    results = {}
    for scale, url in urls.items():
        plain, traced = in_child(url, trace=False), in_child(url, trace=True)
        results[scale] = plain | {k: traced[k] for k in ("build_peak", "stream_peak")}
        r = results[scale]
        print(
            f"  {scale:>6g} {r['rows']:>10,} {r['seconds']:>8.1f} {r['zip'] / 1e6:>7.1f} "
            f"{r['json'] / 1e6:>8.1f} {r['build_peak'] / 1e6:>18.1f} MB "
            f"{r['stream_peak'] / 1e6:>7.2f} MB {r['max_rss'] / 1e6:>6.0f} MB",
            flush=True,
        )
    if len(results) > 1:
        small, large = results[min(results)], results[max(results)]
        print(
            f"  x{large['rows'] / small['rows']:.1f} the rows: building x"
            f"{large['seconds'] / small['seconds']:.1f} the time, Python peak x"
            f"{large['build_peak'] / small['build_peak']:.2f}, streaming peak x"
            f"{large['stream_peak'] / small['stream_peak']:.2f}, max RSS x"
            f"{large['max_rss'] / small['max_rss']:.2f} (flat: close to x1)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="for search and the API")
    parser.add_argument("--memory-scales", type=float, nargs="*", default=[0.25, 1.0])
    parser.add_argument("--database-url", help="a PostgreSQL server to build and measure on")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per search")
    parser.add_argument("--rebuild", action="store_true", help="build the datasets afresh")
    parser.add_argument("--downloads-only", action="store_true", help="skip the requests")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(build_and_stream(args.child, args.trace)))
        return 0
    if not args.downloads_only:
        measure_requests(dataset(args.scale, args.database_url, args.rebuild), args.repeat)
    if args.memory_scales:
        measure_downloads(
            {s: dataset(s, args.database_url, args.rebuild) for s in args.memory_scales}
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
