"""Link checks on demand (flask --app tracker check-links) and on schedule (a huey task)."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import Huey, crontab
from huey.exceptions import TaskLockedException

from tracker.db import get_db
from tracker.evidence import captures, checking

log = logging.getLogger(__name__)
# How often the scheduled task looks for due checks; each address is re-checked once per
# LINK_CHECK_INTERVAL (sooner after a broken check), at most LINK_CHECK_BATCH per run.
SCHEDULE = crontab(minute="*/10")
LOCK = "link-checks"


def _line(report: checking.CheckReport) -> str:
    note = report.reason or ""
    if report.kept_copy:
        note = "new copy kept" + (f"; {note}" if note else "")
    return f"{report.health.value:<10}  {report.url}" + (f"  ({note})" if note else "")


@click.command("check-links")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Check at most this many due addresses (default: LINK_CHECK_BATCH).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Check every archived address now, due or not (still oldest first, politely).",
)
@click.option(
    "--source",
    "source_id",
    type=int,
    help="Check this source's address now, whether or not it is due.",
)
@with_appcontext
def check_links(limit: int | None, everything: bool, source_id: int | None) -> None:
    """Re-check source addresses: oldest check first, politely per host; keep every check."""
    settings = checking.CheckSettings.from_app(current_app)
    database = get_db()
    with database.session() as session:
        if source_id is not None:
            url = checking.source_address(session, source_id)
            if url is None:
                raise click.ClickException(f"no source has the id {source_id}")
            urls = [url]
        else:
            urls = checking.due_addresses(
                session,
                settings.policy,
                limit=limit or settings.policy.batch,
                everything=everything,
            )
    if not urls:
        click.echo("No address is due for a check.")
        return
    click.echo(
        f"Checking {len(urls)} address(es), at most one request per host every "
        f"{settings.policy.host_delay:g} s."
    )
    reports = checking.run_checks(
        database, urls, settings, progress=lambda report: click.echo(_line(report))
    )
    counts = ", ".join(f"{n} {health.value}" for health, n in checking.summary(reports).items())
    click.echo(f"Checked {len(reports)} address(es): {counts or 'none'}.")
    if len(reports) < len(urls):
        raise click.ClickException(
            f"{len(urls) - len(reports)} check(s) could not be recorded; see the log"
        )


def scheduled_checks(app: Flask) -> list[checking.CheckReport]:
    """Check the addresses that are due (one batch); nothing when LINK_CHECK_INTERVAL is 0."""
    settings = checking.CheckSettings.from_app(app)
    if not float(app.config.get("LINK_CHECK_INTERVAL", 0) or 0):
        return []
    database = app.extensions["tracker_db"]
    with database.session() as session:
        urls = checking.due_addresses(session, settings.policy, limit=settings.policy.batch)
    return checking.run_checks(database, urls, settings)


def register_tasks(huey: Huey, app: Flask) -> None:
    """Add the scheduled link checks and the Wayback captures to the app's job queue."""
    captures.register_task(huey, app)

    @huey.periodic_task(SCHEDULE, name="link_checks")
    def link_checks() -> None:
        try:
            with huey.lock_task(LOCK), app.app_context():
                reports = scheduled_checks(app)
        except TaskLockedException:  # the previous run is still going: let it finish
            log.info("link checks are still running; this run is skipped")
            return
        if reports:
            log.info("link checks: %s", checking.summary(reports))
