"""Benchmark open data and search on the synthetic dataset; prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_opendata.py [--scales 0.1 0.5] [--database sqlite]

For each scale (1.0 = 10,000 brands, 100,000 claims, 50,000 contradictions, 200,000
sources) it fills a fresh database with `tracker.services.synthetic`, builds the search
index, then measures in process through the WSGI test client: the search page (target:
median under 30 ms), API list pages (under 20 ms), and the full CSV download built and
streamed with its peak Python memory (tracemalloc), which must stay flat as data grows.
Each timing is printed beside a trivial route (/robots.txt) measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conftest import LOCAL_POSTGRES, PostgresDatabases
from tracker import create_app, migrate
from tracker.services import search, synthetic

SEARCHES = [
    "Synthetic Brand 00042",  # a rare name
    "microplastics",  # a topic word in about a tenth of claims
    "recycl",  # a prefix, as while typing
    '"water positive"',  # a phrase
    "deforestation free",
    "synthetic",  # in every record: the capped, newest-first path
    "natuurlijk",  # Dutch, rare
    "zyzzyva",  # no match
]
SEARCH_FILTERS = ["&type=claim&topic=climate", "&country=NL&year=2021", ""]
API_PAGES = [
    "/api/v1/claims?limit=50",
    "/api/v1/contradictions?topic=climate&limit=50",
    "/api/v1/brands?country=NL&limit=50",
    "/api/v1/sources?limit=50&after=100000",
    "/api/v1/outcomes?kind=fine&limit=50",
    "/api/v1/claims?sector=Cosmetics&date_from=2020-01-01&limit=50",
]


def timed(client, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        times.append(elapsed)
    return times


def report(name: str, times: list[float], baseline: float, target: float | None = None) -> None:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    goal = f"  target < {target:.0f} ms: {'met' if median < target else 'MISSED'}" if target else ""
    print(
        f"  {name:<46} median {median:7.2f} ms  p95 {p95:7.2f} ms  "
        f"x{median / baseline:6.1f} trivial{goal}"
    )


def make_app(database: str, folder: Path, postgres: PostgresDatabases | None):
    url = postgres.create() if postgres else f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "AUTO_MIGRATE": False,
            "INSTANCE_PATH": str(folder / "instance"),
            "OPENDATA_MAX_AGE": 0,
        }
    )
    return app, url


def run(scale: float, database: str, postgres: PostgresDatabases | None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-opendata-"))
    app, url = make_app(database, folder, postgres)
    db = app.extensions["tracker_db"]
    migrate.upgrade(db)
    started = time.perf_counter()
    with db.unit_of_work() as session:
        made = synthetic.generate(session=session, scale=scale)
    print(f"scale {scale} on {database}: {made}")
    started = time.perf_counter()
    with app.app_context(), db.unit_of_work() as session:
        documents = search.reindex_all(session, batch=2000)
    print(f"  search index: {documents:,} documents in {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    baseline_times = timed(client, "/robots.txt", 200)
    baseline = statistics.median(baseline_times)
    print(f"  {'trivial route /robots.txt':<46} median {baseline:7.2f} ms")

    search_times = []
    for text in SEARCHES:
        for extra in SEARCH_FILTERS:
            search_times += timed(client, f"/search?q={text}{extra}", 5)
    report(
        f"search page ({len(SEARCHES) * len(SEARCH_FILTERS)} queries x5)",
        search_times,
        baseline,
        30,
    )
    for text in ("synthetic", "microplastics", "Synthetic Brand 00042"):
        report(f"  search {text!r}", timed(client, f"/search?q={text}", 10), baseline)

    api_times = []
    for path in API_PAGES:
        times = timed(client, path, 20)
        api_times += times
        report(f"  {path}", times, baseline)
    report("API list pages (all of the above)", api_times, baseline, 20)

    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/data/tracker-data-csv.zip")
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = sum(made.counts.get(t, 0) for t in ("brand", "claim", "contradiction", "source"))
    print(
        f"  CSV download built and streamed: {size / 1e6:.1f} MB zip in {seconds:.1f} s, "
        f"peak Python memory {peak / 1e6:.1f} MB ({rows:,} main records)"
    )
    db.engine.dispose()
    if postgres:
        postgres.drop(url)
    return {"peak": peak, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.5])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    arguments = parser.parse_args()
    postgres = PostgresDatabases(LOCAL_POSTGRES) if arguments.database == "postgresql" else None
    results = [run(scale, arguments.database, postgres) for scale in arguments.scales]
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(
            f"CSV peak memory: x{last['peak'] / first['peak']:.2f} for "
            f"x{last['rows'] / first['rows']:.1f} the records (flat means close to x1)"
        )


if __name__ == "__main__":
    main()
