"""Commands: flask --app tracker fetch-sources [--all|--pending|--due] | export-warc SOURCE_ID."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.db import get_db
from tracker.evidence import archive, warc
from tracker.models import Source


@click.command("fetch-sources")
@click.option(
    "--pending",
    "which",
    flag_value="pending",
    default=True,
    help="Every address without a copy yet: pending or failed (the default).",
)
@click.option("--all", "which", flag_value="all", help="Every address again, copies or not.")
@click.option("--due", "which", flag_value="due", help="Only retries that are due (the sweep).")
@with_appcontext
def fetch_sources(which: str) -> None:
    """Queue fetches of source addresses for the worker (run now with JOBS_IMMEDIATE)."""
    jobs = current_app.extensions["tracker_jobs"]
    if which == "due":
        urls = jobs.sweep()
    else:
        with get_db().unit_of_work() as session:
            urls = archive.addresses_to_fetch(session, everything=which == "all")
        for url in urls:
            jobs.fetch(url, force=which == "all")
    how = "Fetched" if jobs.immediate else "Queued"
    click.echo(f"{how} {len(urls)} address(es).")


@click.command("export-warc")
@click.argument("source_id", type=int)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: source-ID.warc.gz here; '-' for standard output).",
)
@with_appcontext
def export_warc(source_id: int, output: Path | None) -> None:
    """Write every archived copy of a source as one WARC file (gzip members, oldest first)."""
    with get_db().session() as session:
        source = session.get(Source, source_id)
        if source is None:
            raise click.ClickException(f"no source has the id {source_id}")
        captures = archive.captures_for(session, source)
        paths = [capture.warc_path for capture in captures]
    if not paths:
        raise click.ClickException(f"source {source_id} has no archived copy yet")
    folder = archive.archive_folder(current_app)
    target = output or Path(f"source-{source_id}.warc.gz")
    try:
        if str(target) == "-":
            for path in paths:
                warc.copy_file(folder, path, sys.stdout.buffer)
            return
        partial = target.with_name(f".{target.name}.part")
        try:
            with open(partial, "wb") as out:
                for path in paths:
                    warc.copy_file(folder, path, out)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    except (warc.ArchiveCorrupt, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {len(paths)} capture(s) of source {source_id} to {target}.", err=True)
