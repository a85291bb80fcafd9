"""Ask the Wayback Machine for a capture after each new copy we keep (WAYBACK_ENABLED).

Whenever a transaction commits a new kept copy (an archive fetch, or a link check that
found the page changed), a background job asks the Wayback Machine to capture the address
too (tracker.evidence.wayback) and records what came of it as a `WaybackCapture` row. Off
by default; a page request never waits for it, and a failure is recorded, never raised.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from huey import Huey
from sqlalchemy import event
from sqlmodel import Session

from tracker.db import Database, utcnow
from tracker.evidence import wayback
from tracker.models import SourceFetch, WaybackCapture

log = logging.getLogger(__name__)
NEW_COPIES = "wayback_new_copies"  # session.info: ids of kept copies flushed in this transaction
TASK = "tracker_wayback_task"  # app.extensions: the huey task that asks for a capture


def request_capture(
    database: Database, fetch_id: int, settings: wayback.WaybackSettings
) -> WaybackCapture | None:
    """Ask for a capture of the address of a kept copy and record the answer."""
    with database.session() as session:
        copy = session.get(SourceFetch, fetch_id)
        if copy is None:
            return None
        url, key = copy.url, copy.url_key
    requested_at = utcnow()
    answer = wayback.request_capture(url, settings)  # never raises; no transaction is open
    with database.unit_of_work() as session:
        row = WaybackCapture(
            url=url,
            url_key=key,
            fetch_id=fetch_id,
            requested_at=requested_at,
            ok=answer.ok,
            capture_url=(answer.capture_url or None) and answer.capture_url[:2000],
            reason=(answer.reason or None) and answer.reason[:2000],
        )
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


def _enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("WAYBACK_ENABLED"))


@event.listens_for(Session, "after_flush")
def _note_new_copies(session: Session, _context) -> None:
    if not _enabled():
        return
    for item in session.new:
        if isinstance(item, SourceFetch) and item.warc_path is not None and item.id is not None:
            session.info.setdefault(NEW_COPIES, set()).add(item.id)


@event.listens_for(Session, "after_commit")
def _ask_after_commit(session: Session) -> None:
    copies = session.info.pop(NEW_COPIES, None)
    if not copies or not _enabled():
        return
    jobs = current_app.extensions.get("tracker_jobs")
    if jobs is None:
        return
    jobs.huey  # noqa: B018 - builds the queue and registers the task
    task = current_app.extensions.get(TASK)
    for fetch_id in sorted(copies):
        try:
            task(fetch_id)
        except Exception:  # a capture is a courtesy: never let it undo the copy
            log.exception("could not ask the Wayback Machine for copy %s", fetch_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(NEW_COPIES, None)


def register_task(huey: Huey, app: Flask) -> None:
    """Add the capture job to the app's job queue."""

    @huey.task(retries=2, retry_delay=600, name="wayback_capture")
    def wayback_capture(fetch_id: int) -> None:
        with app.app_context():
            settings = wayback.WaybackSettings.from_config(app.config)
            request_capture(app.extensions["tracker_db"], fetch_id, settings)

    app.extensions[TASK] = wayback_capture
