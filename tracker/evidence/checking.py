"""Re-checking source addresses (link health), through the same fetch and archive path.

`due_addresses` picks the addresses whose check is due, oldest check first; `run_checks`
checks them one at a time in the polite order of `PoliteScheduler`; `check_address` fetches
one address outside any transaction, classifies the answer against the last kept copy
(tracker.evidence.health), keeps a new WARC copy when the page changed, and records the
check as a `SourceFetch` row (purpose check, its health and reason) while bringing the
address's health on its `SourceArchive` row up to date. Every check is kept.

Only addresses that a published source has and that were archived once are re-checked
on schedule; the archive's own retries look after the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.db import Database, utcnow
from tracker.evidence import warc
from tracker.evidence.archive import ArchiveSettings, record_attempt
from tracker.evidence.fetching import fetch
from tracker.evidence.health import (
    CheckPolicy,
    KeptCopy,
    PoliteScheduler,
    Verdict,
    classify,
    text_digest,
)
from tracker.models import (
    FetchPurpose,
    LinkHealth,
    ListNote,
    Source,
    SourceArchive,
    SourceFetch,
    Visibility,
)
from tracker.services.urls import url_key

log = logging.getLogger(__name__)

UNAVAILABLE = frozenset({LinkHealth.broken, LinkHealth.refused})


@dataclass(frozen=True)
class CheckSettings:
    """Everything a link check needs besides the database."""

    archive: ArchiveSettings
    policy: CheckPolicy

    @classmethod
    def from_app(cls, app) -> CheckSettings:
        return cls(ArchiveSettings.from_app(app), CheckPolicy.from_config(app.config))

    @property
    def folder(self) -> Path:
        return self.archive.folder


@dataclass(frozen=True)
class CheckReport:
    """What one check found, for the command's output and the caller."""

    url: str
    health: LinkHealth
    reason: str | None
    fetch_id: int
    kept_copy: bool
    next_check_at: dt.datetime


# --- Which addresses, in which order ------------------------------------------------------


def _published_address():
    """A condition: some published, unmerged source has the archive row's address."""
    return (
        select(Source.id)
        .where(
            Source.url_key == SourceArchive.url_key,
            Source.visibility == Visibility.published,
            col(Source.merged_into_id).is_(None),
        )
        .exists()
    )


def due_addresses(
    session: Session,
    policy: CheckPolicy,
    *,
    now: dt.datetime | None = None,
    limit: int,
    everything: bool = False,
) -> list[str]:
    """Return up to limit addresses whose re-check is due, the oldest look first.

    Due: the next check's time has come, or, for an address never checked, its last fetch
    is one interval old (with everything: every archived address of a published source).
    The oldest look (latest check, else latest fetch) goes first.
    """
    now = now or utcnow()
    last_look = func.coalesce(SourceArchive.checked_at, SourceArchive.last_attempt_at)
    due = sa.or_(
        col(SourceArchive.next_check_at) <= now,
        sa.and_(
            col(SourceArchive.next_check_at).is_(None),
            col(SourceArchive.last_attempt_at) <= now - policy.interval,
        ),
    )
    rows = session.exec(
        select(SourceArchive.url)
        .where(
            col(SourceArchive.capture_id).is_not(None),
            sa.true() if everything else due,
            _published_address(),
        )
        .order_by(last_look, SourceArchive.id)
        .limit(max(0, limit))
    )
    return list(rows.all())


def source_address(session: Session, source_id: int) -> str | None:
    """Return the address of a source (None when there is no such source)."""
    source = session.get(Source, source_id)
    return source.url if source is not None else None


# --- One check ---------------------------------------------------------------------------


def last_copy(session: Session, key: str, folder: Path) -> KeptCopy | None:
    """Return the address's last kept copy, what a re-check is compared with (the visible
    text of an HTML copy is read back from its WARC record; unreadable, the bytes decide)."""
    copy = session.exec(
        select(SourceFetch)
        .join(SourceArchive, col(SourceArchive.capture_id) == SourceFetch.id)
        .where(SourceArchive.url_key == key)
    ).first()
    if copy is None:
        return None
    digest = None
    if copy.warc_path and copy.sha256 and text_digest(b"", copy.content_type) is not None:
        try:
            kept = warc.read_body(folder, copy.warc_path, copy.warc_offset or 0, copy.sha256)
        except warc.ArchiveCorrupt:
            pass
        else:
            digest = text_digest(kept.body, copy.content_type)
    return KeptCopy(copy.url, copy.final_url, copy.sha256, digest)


def note_health(
    row: SourceArchive, verdict: Verdict, checked_at: dt.datetime, policy: CheckPolicy
) -> None:
    """Bring an address's health up to date after a check."""
    row.checks += 1
    row.health = verdict.health
    row.checked_at = checked_at
    if verdict.health in UNAVAILABLE:
        row.broken_checks += 1
        row.unavailable_since = row.unavailable_since or checked_at
    else:
        row.broken_checks = 0
        row.unavailable_since = None
    if verdict.health is LinkHealth.changed:
        row.changed_at = checked_at
    row.next_check_at = policy.next_check(verdict.health, row.broken_checks, checked_at)
    row.updated_at = utcnow()


def check_address(database: Database, url: str, settings: CheckSettings) -> CheckReport:
    """Re-check one address: fetch it, classify, keep a changed page, record the check."""
    key = url_key(url)
    with database.session() as session:
        last = last_copy(session, key, settings.folder)
    result = fetch(url, settings.archive.fetch)  # never raises; no transaction is open
    verdict = classify(result, last, max_bytes=settings.archive.fetch.max_bytes)
    stored = None
    if verdict.keep_copy:
        stored = warc.store_capture(
            settings.folder, result, user_agent=settings.archive.fetch.user_agent
        )
    with database.unit_of_work() as session:
        attempt = record_attempt(
            session,
            result,
            stored,
            purpose=FetchPurpose.check,
            policy=settings.archive.retry,
            health=verdict.health,
            reason=verdict.reason,
        )
        row = session.exec(select(SourceArchive).where(SourceArchive.url_key == key)).one()
        note_health(row, verdict, result.fetched_at, settings.policy)
        if verdict.health is LinkHealth.broken:
            attempt.next_retry_at = row.next_check_at  # the retry, with its backoff
        session.add_all([row, attempt])
        session.flush()
        report = CheckReport(
            url=url,
            health=verdict.health,
            reason=attempt.reason,
            fetch_id=attempt.id,
            kept_copy=stored is not None,
            next_check_at=row.next_check_at,
        )
    return report


def run_checks(
    database: Database,
    urls: Iterable[str],
    settings: CheckSettings,
    *,
    scheduler: PoliteScheduler | None = None,
    progress: Callable[[CheckReport], None] | None = None,
) -> list[CheckReport]:
    """Check each address in turn, oldest first but at most once per host per host_delay."""
    scheduler = scheduler or PoliteScheduler(settings.policy.host_delay)
    reports = []
    for url in scheduler.run(urls):
        try:
            report = check_address(database, url, settings)
        except Exception:  # one address's trouble (a full disk) must not stop the rest
            log.exception("checking %s failed", url)
            continue
        reports.append(report)
        if progress is not None:
            progress(report)
    return reports


def summary(reports: Iterable[CheckReport]) -> dict[LinkHealth, int]:
    """Count checks by health, in the order of LinkHealth."""
    counts = Counter(report.health for report in reports)
    return {health: counts[health] for health in LinkHealth if counts[health]}


# --- Reading it back ---------------------------------------------------------------------


@dataclass(frozen=True)
class HealthNotice:
    """What readers are told about a source page: it changed, or it is unavailable."""

    kind: str  # "changed" or "unavailable"
    since: dt.datetime


def notices(row: SourceArchive | ListNote | None, policy: CheckPolicy) -> list[HealthNotice]:
    """Return what a reader should be told about an address's page, most serious first.

    Unavailable only once `policy.confirm` checks in a row found it so, so one timeout does
    not tell readers the page is gone; a change stays told after later checks find it as it
    now is, since what was quoted may no longer be on it.
    """
    if row is None:
        return []
    found = []
    if row.unavailable_since is not None and row.broken_checks >= policy.confirm:
        found.append(HealthNotice("unavailable", row.unavailable_since))
    if row.changed_at is not None:
        found.append(HealthNotice("changed", row.changed_at))
    return found


def checks_for(session: Session, key: str, limit: int = 100) -> list[SourceFetch]:
    """Return an address's link checks, newest first."""
    return list(
        session.exec(
            select(SourceFetch)
            .where(SourceFetch.url_key == key, SourceFetch.purpose == FetchPurpose.check)
            .order_by(col(SourceFetch.fetched_at).desc(), col(SourceFetch.id).desc())
            .limit(limit)
        )
    )


@dataclass
class AttentionPage:
    """Addresses whose health needs a moderator's look, a page of them."""

    rows: list[tuple[SourceArchive, list[Source]]] = field(default_factory=list)
    total: int = 0


ATTENTION = (LinkHealth.changed, LinkHealth.redirected, LinkHealth.broken, LinkHealth.refused)


def needing_attention(
    session: Session,
    *,
    healths: Iterable[LinkHealth] = ATTENTION,
    page: int = 1,
    page_size: int = 50,
) -> AttentionPage:
    """Return published sources' addresses whose latest check was not ok, or whose page
    changed at some point, the latest news first, with the sources that cite them."""
    healths = list(healths) or list(ATTENTION)
    condition = sa.and_(
        _published_address(),
        sa.or_(
            col(SourceArchive.health).in_(healths),
            sa.and_(
                col(SourceArchive.changed_at).is_not(None)
                if LinkHealth.changed in healths
                else sa.false()
            ),
        ),
    )
    total = session.exec(select(func.count()).select_from(SourceArchive).where(condition)).one()
    rows = list(
        session.exec(
            select(SourceArchive)
            .where(condition)
            .order_by(
                col(SourceArchive.checked_at).desc(),
                col(SourceArchive.id).desc(),
            )
            .offset((max(page, 1) - 1) * page_size)
            .limit(page_size)
        )
    )
    keys = [row.url_key for row in rows]
    sources: dict[str, list[Source]] = {key: [] for key in keys}
    if keys:
        for source in session.exec(
            select(Source)
            .where(col(Source.url_key).in_(keys), col(Source.merged_into_id).is_(None))
            .order_by(Source.id)
        ):
            sources[source.url_key].append(source)
    return AttentionPage([(row, sources[row.url_key]) for row in rows], total)
