"""Evidence that cannot vanish: safe fetching, archived copies (WARC) and link health.

Every source address that enters the tracker (a new or changed Source, a submission's
sources) is noted in the writer's transaction and fetched by a background job once that
transaction commits; the copies are shown on the source pages and in the moderation queue.
"""

from __future__ import annotations

from flask import Flask

from tracker import jobs
from tracker.evidence import commands, display, health_commands, health_views, views
from tracker.evidence.archive import note_url, note_urls
from tracker.models import Source, Submission
from tracker.services import payloads, revisions, submissions


@revisions.revision_saved.connect
def archive_new_addresses(record, *, session, revision) -> None:
    """A Source was written: fetch its address once the write commits, if it has no copy."""
    if isinstance(record, Source) and record.merged_into_id is None:
        note_url(session, record.url, queue=jobs.current_jobs())


@submissions.submission_stored.connect
def archive_submitted_addresses(submission: Submission, *, session) -> None:
    """A contribution was stored: fetch the addresses it cites (the caller commits)."""
    if isinstance(submission.payload, dict):
        note_urls(session, payloads.source_urls(submission.payload), queue=jobs.current_jobs())


def init_app(app: Flask) -> None:
    """Register the job queue, the copy views, the template helpers and the commands."""
    jobs.init_app(app)
    app.register_blueprint(views.bp)
    display.init_app(app)
    app.cli.add_command(commands.fetch_sources)
    app.cli.add_command(commands.export_warc)
    health_views.init_app(app)
    app.cli.add_command(health_commands.check_links)
