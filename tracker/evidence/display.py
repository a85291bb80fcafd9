"""What the pages show of archived copies: template helpers, read in batches per page.

A page that lists many sources (a brand's timeline, a record's sources, the moderation queue)
calls `prefetch_archives` once with everything it will show; each source line then finds its
state in the request's memo instead of asking the database again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from flask import Flask, g, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from tracker.db import get_session
from tracker.evidence import archive
from tracker.models import ArchiveState, Source, SourceFetch, Submission
from tracker.services import payloads
from tracker.services.urls import url_key

MEMO = "evidence_archive_statuses"
# Content types whose body can be read as text, and shown as a page in the sandbox.
TEXT_TYPES = frozenset(
    {
        "application/xhtml+xml",
        "application/xml",
        "application/json",
        "application/ld+json",
        "application/rss+xml",
        "application/atom+xml",
        "application/javascript",
    }
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


def media_type(content_type: str | None) -> str:
    """Return a Content-Type's media type alone, lower-case ("text/html")."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_text(capture: SourceFetch) -> bool:
    kind = media_type(capture.content_type)
    return kind.startswith("text/") or kind in TEXT_TYPES or kind.endswith(("+xml", "+json"))


def is_page(capture: SourceFetch) -> bool:
    return media_type(capture.content_type) in PAGE_TYPES


def _key_of(item: Any) -> str | None:
    if isinstance(item, str):
        return url_key(item)
    source = getattr(item, "source", None)  # a citation
    if source is not None and not isinstance(item, Source):
        item = source
    key = getattr(item, "url_key", None)
    return key if isinstance(key, str) else None


def _memo() -> dict[str, archive.ArchiveStatus | None]:
    if MEMO not in g:
        setattr(g, MEMO, {})
    return getattr(g, MEMO)


def prefetch_archives(items: Iterable[Any]) -> str:
    """Load the archive state of every source (or citation, or address) given, in one query.

    Returns "" so a template can call it inline.
    """
    memo = _memo()
    keys = {key for item in items if (key := _key_of(item)) and key not in memo}
    if keys:
        found = archive.statuses(get_session(), keys)
        for key in keys:
            memo[key] = found.get(key)
    return ""


def archive_status(item: Any) -> archive.ArchiveStatus | None:
    """Return the archive state of a source, citation or address (from the page's memo)."""
    key = _key_of(item)
    if not key:
        return None
    memo = _memo()
    if key not in memo:
        prefetch_archives([key])
    return memo.get(key)


def archive_attempts(source: Source, limit: int = 20) -> list[SourceFetch]:
    """Return a source address's latest fetches, newest first."""
    return archive.attempts_for(get_session(), source.url_key, limit=limit)


def file_size(size: int | None) -> str:
    """Write a size in bytes for a reader: "843 bytes", "12.5 kB", "3.2 MB"."""
    if size is None:
        return ""
    if size < 1000:
        return _("%(num)s bytes", num=format_decimal(size))
    if size < 1_000_000:
        return _("%(num)s kB", num=format_decimal(round(size / 1000, 1)))
    return _("%(num)s MB", num=format_decimal(round(size / 1_000_000, 1)))


def copy_links(capture: SourceFetch) -> dict[str, str]:
    """Return the addresses under which a copy can be opened, by way."""
    links = {"warc": url_for("evidence.warc_record", capture_id=capture.id)}
    if is_text(capture):
        links["text"] = url_for("evidence.as_text", capture_id=capture.id)
    if is_page(capture):
        links["view"] = url_for("evidence.sandboxed", capture_id=capture.id)
    links["file"] = url_for("evidence.as_file", capture_id=capture.id)
    return links


def submission_archive_counts(submissions: Iterable[Submission]) -> str:
    """Prefetch the archive states of the sources of many submissions (the queue)."""
    urls = [
        url
        for submission in submissions
        if isinstance(submission.payload, dict)
        for url in payloads.source_urls(submission.payload)
    ]
    return prefetch_archives(urls)


def submission_archive_states(submission: Submission) -> list[tuple[ArchiveState | None, int]]:
    """Count a submission's sources by archive state (None: not noted yet), in a fixed order."""
    urls = payloads.source_urls(submission.payload) if isinstance(submission.payload, dict) else []
    counts = Counter(
        status.state if (status := archive_status(url)) is not None else None for url in urls
    )
    order = [
        ArchiveState.fetched,
        ArchiveState.pending,
        ArchiveState.failed,
        ArchiveState.refused,
        None,
    ]
    return [(state, counts[state]) for state in order if counts.get(state)]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        prefetch_archives=prefetch_archives,
        archive_status=archive_status,
        archive_attempts=archive_attempts,
        file_size=file_size,
        copy_links=copy_links,
        submission_archive_counts=submission_archive_counts,
        submission_archive_states=submission_archive_states,
    )
