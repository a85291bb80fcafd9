"""Evidence that cannot vanish: every fetch of a source address, and each address's state.

A `SourceFetch` row is written for every attempt to fetch an address, whatever came of it,
and never changed afterwards (append-only). A successful fetch keeps the body in a WARC file
in the archive folder; the row says where (path, offset and length of the response record)
and what the body's SHA-256 is. A `SourceArchive` row per address (by url_key) says where it
stands now: the latest copy, the latest attempt, and when to try again.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum, auto
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import JSONType, enum_type


class FetchPurpose(StrEnum):
    archive = auto()  # keep a copy of an address that entered the tracker
    check = auto()  # a link-health re-check


class AttemptOutcome(StrEnum):
    """The same values as tracker.evidence.fetching.FetchOutcome."""

    ok = auto()  # a response arrived (any HTTP status)
    failed = auto()  # no usable response: DNS failure, timeout, connection refused...
    refused = auto()  # not fetched because it is unsafe


class ArchiveState(StrEnum):
    pending = auto()  # waiting for its first fetch
    fetched = auto()  # the latest attempt got an answer (any HTTP status) and kept it
    failed = auto()  # the latest attempt got no answer; see reason and next_retry_at
    refused = auto()  # not fetched: the address is unsafe (private address, scheme, port)


class LinkHealth(StrEnum):
    """What a link-health check found (filled by the link checks, not by archiving)."""

    ok = auto()
    redirected = auto()
    changed = auto()
    broken = auto()
    refused = auto()


class SourceFetch(SQLModel, table=True):
    """One attempt to fetch a source address, as it went. Append-only."""

    __tablename__ = "source_fetch"
    __table_args__ = (sa.Index("ix_source_fetch_url_key_fetched_at", "url_key", "fetched_at"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)  # the address asked for
    url_key: str = Field(max_length=2000)
    # The source the address belonged to when fetched; None while it is only in a submission.
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    purpose: FetchPurpose = Field(
        default=FetchPurpose.archive, sa_type=enum_type(FetchPurpose), nullable=False
    )
    attempt: int = Field(default=1, nullable=False)  # the address's n-th fetch, any purpose
    outcome: AttemptOutcome = Field(sa_type=enum_type(AttemptOutcome), nullable=False)
    reason: str | None = Field(default=None, max_length=2000)
    final_url: str | None = Field(default=None, max_length=2000)
    status: int | None = None
    content_type: str | None = Field(default=None, max_length=300)
    last_modified: str | None = Field(default=None, max_length=100)
    etag: str | None = Field(default=None, max_length=300)
    fetched_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    size: int | None = None  # bytes of the body as kept
    sha256: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=500)
    truncated: bool = Field(default=False, nullable=False)
    # [{url, status, location}]: every response on the way, the final one last.
    hops: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    # Where the body is kept: a file under the archive folder, and the response record in it.
    warc_path: str | None = Field(default=None, max_length=500)
    warc_offset: int | None = None
    warc_length: int | None = None
    next_retry_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    health: LinkHealth | None = Field(default=None, sa_type=enum_type(LinkHealth))

    @property
    def has_copy(self) -> bool:
        return self.warc_path is not None

    @property
    def redirected(self) -> bool:
        return bool(self.final_url) and self.final_url != self.url


class SourceArchive(SQLModel, table=True):
    """Where one address (by url_key) stands: its latest copy, latest attempt, next retry."""

    __tablename__ = "source_archive"

    id: int | None = Field(default=None, primary_key=True)
    url_key: str = Field(max_length=2000, unique=True)
    url: str = Field(max_length=2000)  # the spelling to fetch
    state: ArchiveState = Field(
        default=ArchiveState.pending, sa_type=enum_type(ArchiveState), nullable=False, index=True
    )
    reason: str | None = Field(default=None, max_length=2000)  # of the latest failure/refusal
    attempts: int = Field(default=0, nullable=False)  # fetches so far, any purpose
    failures: int = Field(default=0, nullable=False)  # failed attempts in a row
    capture_id: int | None = Field(default=None, foreign_key="source_fetch.id")  # latest copy
    last_fetch_id: int | None = Field(default=None, foreign_key="source_fetch.id")
    last_attempt_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    queued_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_retry_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Link health (tracker.evidence.checking): the latest re-check and when the next is due.
    health: LinkHealth | None = Field(default=None, sa_type=enum_type(LinkHealth))
    checked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_check_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    checks: int = Field(default=0, nullable=False)  # re-checks so far
    broken_checks: int = Field(default=0, nullable=False)  # broken or refused in a row
    unavailable_since: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    changed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)  # latest change


@dataclass(frozen=True, slots=True)
class ListNote:
    """What a list of sources says of an address (from its SourceArchive and latest copy):
    archived (when), pending, failed or refused, and whether its page changed or went away."""

    state: ArchiveState
    copied_at: dt.datetime | None
    changed_at: dt.datetime | None
    unavailable_since: dt.datetime | None
    broken_checks: int
