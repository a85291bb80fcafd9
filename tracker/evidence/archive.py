"""Archiving source addresses: note them, fetch them in the background, keep every attempt.

An address enters through `note_url` inside the writer's own transaction: its
`SourceArchive` row is made (state pending) and the address is remembered on the session;
once that transaction commits, the session's after-commit hook hands it to the job queue.
A page request therefore never waits for a fetch, and a rolled-back write fetches nothing.

The job (`archive_url`) fetches outside any database transaction, writes the body to a WARC
file, and only then records the attempt (`record_attempt`) in one short transaction. A
failed attempt is kept with its reason and retried with exponential backoff by the periodic
sweep (`due_addresses`); nothing depends on the queue surviving, since the state is in the
database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from tracker.db import Database, utcnow
from tracker.evidence import warc
from tracker.evidence.fetching import FetchOutcome, FetchResult, FetchSettings, fetch
from tracker.models import (
    ArchiveState,
    AttemptOutcome,
    FetchPurpose,
    LinkHealth,
    ListNote,
    Source,
    SourceArchive,
    SourceFetch,
)
from tracker.services.urls import url_key

log = logging.getLogger(__name__)

PENDING = "evidence_pending_fetches"  # session.info: {url_key: (url, force)}
QUEUE = "evidence_fetch_queue"  # session.info: where to hand them after commit
# A pending address queued this long ago without an answer is queued again by the sweep
# (the queue may have been lost: a Redis flush, a deleted jobs file).
REQUEUE_AFTER = dt.timedelta(hours=1)
# Noting an address again this soon after it was queued does not queue it twice.
QUEUED_RECENTLY = dt.timedelta(minutes=10)


class FetchQueue(Protocol):
    def fetch(self, url: str, *, force: bool = False) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base, 2 x base, 4 x base ... at most ceiling, for limit failures."""

    base: dt.timedelta = dt.timedelta(minutes=1)
    ceiling: dt.timedelta = dt.timedelta(days=1)
    limit: int = 8

    @classmethod
    def from_config(cls, config) -> RetryPolicy:
        return cls(
            base=dt.timedelta(seconds=float(config.get("ARCHIVE_RETRY_DELAY", 60))),
            ceiling=dt.timedelta(seconds=float(config.get("ARCHIVE_RETRY_MAX_DELAY", 86400))),
            limit=int(config.get("ARCHIVE_RETRY_LIMIT", 8)),
        )

    def delay(self, failures: int) -> dt.timedelta | None:
        """Return how long to wait after this many failures in a row; None: give up."""
        if failures < 1 or failures >= self.limit:
            return None
        return min(self.base * 2 ** (failures - 1), self.ceiling)


# --- Noting addresses ---------------------------------------------------------------------


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SourceArchive.__table__).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["url_key"]))


def archive_row(session: Session, url: str) -> SourceArchive:
    """Return the address's archive row, making it (pending) if it is new.

    INSERT ... ON CONFLICT DO NOTHING, so two writers noting the same new address at once
    both succeed and share one row, on SQLite and PostgreSQL alike.
    """
    key = url_key(url)
    now = utcnow()
    _insert_ignoring_duplicates(
        session,
        {
            "url_key": key,
            "url": url[:2000],
            "state": ArchiveState.pending.value,
            "attempts": 0,
            "failures": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    return session.exec(select(SourceArchive).where(SourceArchive.url_key == key)).one()


def note_url(
    session: Session, url: str, *, queue: FetchQueue | None, force: bool = False
) -> SourceArchive | None:
    """Note that an address entered the tracker; fetch it after the transaction commits.

    An address that already has a copy is not fetched again unless force is given (link
    health re-checks it). Without a queue (no app, as when a test template is seeded) the
    row waits as pending until the sweep or `fetch-sources` queues it.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    row = archive_row(session, url)
    now = utcnow()
    recently = row.queued_at is not None and now - row.queued_at < QUEUED_RECENTLY
    if not force and (row.capture_id is not None or recently):
        return row
    if queue is not None:
        row.queued_at = now
        row.updated_at = now
        session.add(row)
        session.info.setdefault(PENDING, {})[row.url_key] = (row.url, force)
        session.info[QUEUE] = queue
    return row


def note_urls(
    session: Session, urls: Iterable[str], *, queue: FetchQueue | None, force: bool = False
) -> list[SourceArchive]:
    """Note several addresses (see note_url); return their rows."""
    rows = [note_url(session, url, queue=queue, force=force) for url in urls]
    return [row for row in rows if row is not None]


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    queue = session.info.pop(QUEUE, None)
    if not pending or queue is None:
        return
    for url, force in pending.values():
        try:
            queue.fetch(url, force=force)
        except Exception:  # the row stays pending; the sweep queues it again later
            log.exception("could not queue a fetch of %s", url)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(QUEUE, None)


# --- Fetching and recording ---------------------------------------------------------------


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if isinstance(value, str) else value


def source_id_for(session: Session, key: str) -> int | None:
    """Return the oldest Source with this address, if the address is a Source yet."""
    return session.exec(
        select(Source.id).where(Source.url_key == key).order_by(Source.id).limit(1)
    ).first()


def record_attempt(
    session: Session,
    result: FetchResult,
    stored: warc.StoredCapture | None,
    *,
    purpose: FetchPurpose = FetchPurpose.archive,
    policy: RetryPolicy | None = None,
    health: LinkHealth | None = None,
    reason: str | None = None,
) -> SourceFetch:
    """Record one fetch of an address and bring its archive row up to date; the caller
    commits. `stored` says where the body was written (None when nothing was kept).

    A link-health check (purpose check, with its health and reason) leaves the archive's
    own state and retries alone unless it kept a new copy; tracker.evidence.checking keeps
    the address's health.
    """
    policy = policy or RetryPolicy()
    row = archive_row(session, result.requested_url)
    session.refresh(row, with_for_update=True)
    outcome = AttemptOutcome(result.outcome.value)
    if purpose is FetchPurpose.check:
        return _record_check(session, row, result, stored, outcome, health, reason)
    failures = row.failures + 1 if outcome is AttemptOutcome.failed else 0
    wait = policy.delay(failures) if outcome is AttemptOutcome.failed else None
    attempt = _attempt(session, row, result, stored, outcome, purpose, row.attempts + 1)
    attempt.next_retry_at = result.fetched_at + wait if wait else None
    session.add(attempt)
    session.flush()
    row.attempts += 1
    row.failures = failures
    row.last_fetch_id = attempt.id
    row.last_attempt_at = result.fetched_at
    row.next_retry_at = attempt.next_retry_at
    row.queued_at = None
    row.updated_at = utcnow()
    if stored is not None:
        row.capture_id = attempt.id
    if outcome is AttemptOutcome.ok:
        row.state, row.reason = ArchiveState.fetched, None
    elif outcome is AttemptOutcome.refused:
        row.state, row.reason = ArchiveState.refused, attempt.reason
    else:
        row.state, row.reason = ArchiveState.failed, attempt.reason
    session.add(row)
    session.flush()
    return attempt


def _attempt(
    session: Session,
    row: SourceArchive,
    result: FetchResult,
    stored: warc.StoredCapture | None,
    outcome: AttemptOutcome,
    purpose: FetchPurpose,
    number: int,
) -> SourceFetch:
    """Build the row of one fetch of the address (not yet added)."""
    return SourceFetch(
        url=result.requested_url[:2000],
        url_key=row.url_key,
        source_id=source_id_for(session, row.url_key),
        purpose=purpose,
        attempt=number,
        outcome=outcome,
        reason=_clip(result.reason, 2000),
        final_url=_clip(result.final_url, 2000),
        status=result.status,
        content_type=_clip(result.content_type, 300),
        last_modified=_clip(result.last_modified, 100),
        etag=_clip(result.etag, 300),
        fetched_at=result.fetched_at,
        size=result.size if outcome is AttemptOutcome.ok else None,
        sha256=result.sha256 if outcome is AttemptOutcome.ok else None,
        title=_clip(result.title, 500),
        truncated=result.truncated,
        hops=[{"url": h.url, "status": h.status, "location": h.location} for h in result.hops],
        warc_path=stored.path if stored else None,
        warc_offset=stored.offset if stored else None,
        warc_length=stored.length if stored else None,
    )


def _record_check(
    session: Session,
    row: SourceArchive,
    result: FetchResult,
    stored: warc.StoredCapture | None,
    outcome: AttemptOutcome,
    health: LinkHealth | None,
    reason: str | None,
) -> SourceFetch:
    attempt = _attempt(session, row, result, stored, outcome, FetchPurpose.check, row.attempts + 1)
    attempt.health = health
    attempt.reason = _clip(reason or result.reason, 2000)
    session.add(attempt)
    session.flush()
    row.attempts += 1
    if stored is not None:  # a new copy: the address is archived, whatever it was before
        row.capture_id = attempt.id
        row.state, row.reason, row.failures, row.next_retry_at = (
            ArchiveState.fetched, None, 0, None
        )  # fmt: skip
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return attempt


@dataclass(frozen=True)
class ArchiveSettings:
    """Everything an archive job needs besides the database."""

    folder: Path
    fetch: FetchSettings
    retry: RetryPolicy

    @classmethod
    def from_app(cls, app) -> ArchiveSettings:
        return cls(
            folder=archive_folder(app),
            fetch=FetchSettings.from_config(app.config),
            retry=RetryPolicy.from_config(app.config),
        )


def archive_folder(app) -> Path:
    """Return the folder WARC files go to: ARCHIVE_PATH, or the instance folder's archive/."""
    configured = app.config.get("ARCHIVE_PATH")
    return Path(configured) if configured else Path(app.instance_path) / "archive"


def archive_url(
    database: Database,
    url: str,
    settings: ArchiveSettings,
    *,
    force: bool = False,
    purpose: FetchPurpose = FetchPurpose.archive,
) -> SourceFetch | None:
    """Fetch an address, keep its body as WARC, record the attempt. Return the attempt, or
    None when a copy already exists (a duplicate job) and force is not given."""
    key = url_key(url)
    if not force and purpose is FetchPurpose.archive:
        with database.session() as session:
            existing = session.exec(select(SourceArchive).where(SourceArchive.url_key == key))
            row = existing.first()
            if row is not None and row.capture_id is not None:
                return None
    result = fetch(url, settings.fetch)  # never raises; no transaction is open meanwhile
    stored = None
    if result.outcome is FetchOutcome.ok:
        stored = warc.store_capture(settings.folder, result, user_agent=settings.fetch.user_agent)
    with database.unit_of_work() as session:
        attempt = record_attempt(session, result, stored, purpose=purpose, policy=settings.retry)
        session.expunge(attempt)
    return attempt


# --- The sweep: retries that are due, pending addresses that were lost ---------------------


def due_addresses(
    session: Session, *, now: dt.datetime | None = None, limit: int = 100
) -> list[str]:
    """Return addresses to fetch now, marked as queued; the caller commits, then queues them.

    Failed addresses whose retry is due, pending ones never queued or queued long ago, and
    published sources that have no archive row yet (records from before archiving existed).
    """
    now = now or utcnow()
    stale = now - REQUEUE_AFTER
    rows = list(
        session.exec(
            select(SourceArchive)
            .where(
                sa.or_(
                    SourceArchive.state == ArchiveState.pending,
                    sa.and_(
                        SourceArchive.state == ArchiveState.failed,
                        col(SourceArchive.next_retry_at).is_not(None),
                        col(SourceArchive.next_retry_at) <= now,
                    ),
                ),
                # not while a job for it may still wait in the queue
                sa.or_(
                    col(SourceArchive.queued_at).is_(None), col(SourceArchive.queued_at) < stale
                ),
            )
            .order_by(SourceArchive.id)
            .limit(limit)
        )
    )
    if len(rows) < limit:
        missing = session.exec(
            select(Source.url)
            .outerjoin(SourceArchive, SourceArchive.url_key == Source.url_key)
            .where(col(SourceArchive.id).is_(None), col(Source.merged_into_id).is_(None))
            .order_by(Source.id)
            .limit(limit - len(rows))
        ).all()
        rows += [archive_row(session, url) for url in missing]
    urls = []
    for row in rows:
        row.queued_at = now
        row.updated_at = now
        session.add(row)
        urls.append(row.url)
    return urls


def addresses_to_fetch(session: Session, *, everything: bool) -> list[str]:
    """Return the addresses `fetch-sources` queues: those without a copy, or every one."""
    for url in session.exec(
        select(Source.url)
        .outerjoin(SourceArchive, SourceArchive.url_key == Source.url_key)
        .where(col(SourceArchive.id).is_(None), col(Source.merged_into_id).is_(None))
    ).all():
        archive_row(session, url)
    statement = select(SourceArchive.url).order_by(SourceArchive.id)
    if not everything:
        statement = statement.where(
            col(SourceArchive.state).in_([ArchiveState.pending, ArchiveState.failed])
        )
    return list(session.exec(statement).all())


# --- Reading it back ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveStatus:
    """An address's state and its latest copy, as the pages show them."""

    row: SourceArchive
    copy: SourceFetch | None

    @property
    def state(self) -> ArchiveState:
        return self.row.state

    @property
    def note(self) -> ListNote:
        row = self.row
        return ListNote(
            state=row.state,
            copied_at=self.copy.fetched_at if self.copy is not None else None,
            changed_at=row.changed_at,
            unavailable_since=row.unavailable_since,
            broken_checks=row.broken_checks,
        )


def statuses(session: Session, keys: Iterable[str]) -> dict[str, ArchiveStatus]:
    """Return the archive status of each address key that has one, in one query."""
    keys = {key for key in keys if key}
    if not keys:
        return {}
    rows = session.exec(
        select(SourceArchive, SourceFetch)
        .outerjoin(SourceFetch, col(SourceFetch.id) == SourceArchive.capture_id)
        .where(col(SourceArchive.url_key).in_(keys))
    ).all()
    return {row.url_key: ArchiveStatus(row, copy) for row, copy in rows}


def attempts_for(session: Session, key: str, limit: int = 50) -> list[SourceFetch]:
    """Return an address's fetches, newest first."""
    return list(
        session.exec(
            select(SourceFetch)
            .where(SourceFetch.url_key == key)
            .order_by(col(SourceFetch.fetched_at).desc(), col(SourceFetch.id).desc())
            .limit(limit)
        )
    )


def captures_for(session: Session, source: Source) -> list[SourceFetch]:
    """Return every kept copy of a source (by its address or its id), oldest first."""
    return list(
        session.exec(
            select(SourceFetch)
            .where(
                sa.or_(SourceFetch.url_key == source.url_key, SourceFetch.source_id == source.id),
                col(SourceFetch.warc_path).is_not(None),
            )
            .order_by(SourceFetch.fetched_at, SourceFetch.id)
        )
    )
