"""Background jobs on huey: fetching and archiving sources, and the periodic retry sweep.

The queue lives in a SQLite file in the instance folder by default (one machine needs no
other service), in Redis when REDIS_URL is set. `flask --app tracker worker` runs the
consumer (worker threads plus the scheduler of periodic jobs). `flask --app tracker run`, the
quick start's one command, runs a one-thread consumer inside the server process from its
first request (WORKER_IN_PROCESS), so a single command also archives sources. With
JOBS_IMMEDIATE (the tests) a job runs inline when it is queued. Web requests only ever queue
jobs, after their transaction has committed (tracker.evidence.archive.note_url).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from tracker.db import get_db
from tracker.evidence import archive, health_commands

QUEUE_NAME = "tracker"
log = logging.getLogger(__name__)


class Jobs:
    """The app's job queue; huey is built on first use, so a command that queues nothing
    opens no queue."""

    def __init__(self, app: Flask):
        self.app = app
        self._huey: Huey | None = None
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = self._build()
            return self._huey

    @property
    def immediate(self) -> bool:
        return bool(self.app.config.get("JOBS_IMMEDIATE"))

    def _build(self) -> Huey:
        config = self.app.config
        if self.immediate:
            huey: Huey = Huey(QUEUE_NAME, immediate=True, results=False)
        elif config.get("REDIS_URL"):
            huey = RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], results=False)
        else:
            path = Path(
                config.get("JOBS_DATABASE") or Path(self.app.instance_path) / "jobs.sqlite3"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(QUEUE_NAME, filename=str(path), results=False)
        self._register(huey)
        return huey

    def _register(self, huey: Huey) -> None:
        app = self

        # Unexpected errors (the database busy, the disk full) are retried by huey; a failed
        # fetch is not an error: it is recorded and retried by the sweep with backoff.
        @huey.task(retries=3, retry_delay=60, name="fetch_source")
        def fetch_source(url: str, force: bool = False) -> None:
            with app.app.app_context():
                settings = archive.ArchiveSettings.from_app(app.app)
                archive.archive_url(get_db(), url, settings, force=force)

        @huey.periodic_task(crontab(minute="*"), name="archive_sweep")
        def archive_sweep() -> None:
            app.sweep()

        self.fetch_source = fetch_source
        health_commands.register_tasks(huey, self.app)

    def fetch(self, url: str, *, force: bool = False) -> None:
        """Queue a fetch of url (run it now in immediate mode)."""
        self.huey  # noqa: B018 - builds the queue and registers the tasks
        self.fetch_source(url, force)

    def sweep(self, now: dt.datetime | None = None) -> list[str]:
        """Queue the fetches that are due: retries, lost pending ones, unarchived sources."""
        with self.app.app_context():
            batch = int(self.app.config.get("ARCHIVE_SWEEP_BATCH", 100))
            with get_db().unit_of_work() as session:
                urls = archive.due_addresses(session, now=now, limit=batch)
        for url in urls:
            self.fetch(url)
        return urls

    def pending_count(self) -> int:
        """Return how many jobs wait in the queue (always 0 in immediate mode)."""
        return self.huey.pending_count()


def current_jobs() -> Jobs | None:
    """Return the current app's job queue, or None outside an app."""
    if not has_app_context():
        return None
    return current_app.extensions.get("tracker_jobs")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--no-periodic", is_flag=True, help="Do not run the periodic retry sweep in this worker."
)
@with_appcontext
def worker(workers: int, no_periodic: bool) -> None:
    """Run the background worker: fetches and archives sources, retries failed fetches."""
    jobs: Jobs = current_app.extensions["tracker_jobs"]
    if jobs.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run inline, no worker is needed")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    consumer = jobs.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=not no_periodic
    )
    click.echo(f"Worker started with {workers} thread(s); stop it with Ctrl+C.")
    consumer.run()


class EmbeddedConsumer(Consumer):
    """A consumer whose threads run inside another program (the development server), which
    keeps its own signal handling: Ctrl+C stops the server, and the daemon threads with it."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded_worker(app: Flask) -> EmbeddedConsumer | None:
    """Start one worker thread and the periodic scheduler in this process (None when jobs
    run inline anyway)."""
    jobs: Jobs = app.extensions["tracker_jobs"]
    if jobs.immediate:
        return None
    consumer = EmbeddedConsumer(jobs.huey, workers=1, worker_type="thread", periodic=True)
    consumer.start()
    log.info(
        "background jobs run inside this server (one thread); use `flask worker` in production"
    )
    return consumer


def embed_worker_on_first_request(app: Flask) -> None:
    """Start the embedded worker when the server answers its first request: the process that
    serves (not a reloader's watcher, which never answers one) runs the jobs."""
    started = threading.Event()
    lock = threading.Lock()

    @app.before_request
    def _start_worker() -> None:
        if started.is_set():
            return
        with lock:
            if not started.is_set():
                app.extensions["tracker_embedded_worker"] = start_embedded_worker(app)
                started.set()


def init_app(app: Flask) -> None:
    """Attach the job queue to the app and register the worker command."""
    app.extensions["tracker_jobs"] = Jobs(app)
    app.cli.add_command(worker)
