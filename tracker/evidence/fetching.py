"""Fetch one user-given URL and describe what came back.

This is the one place that talks to the outside world about sources. `fetch` never raises
for a network or policy problem: it returns a `FetchResult` whose `outcome` says what
happened and whose `reason` says why, so the caller can record it and retry later.

INTERFACE STUB: the safe implementation (requests-hardened address checks on every hop,
scheme and port allow-list, size cap, timeouts) replaces the body of `fetch`; the dataclasses
and the signature are the contract the archive and link-health code build on.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests


class FetchOutcome(enum.StrEnum):
    ok = "ok"  # a response arrived (any HTTP status); see FetchResult.status
    failed = "failed"  # no usable response: DNS failure, timeout, connection reset, TLS...
    refused = "refused"  # not fetched because it is unsafe: scheme, port, private address


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "CSR-Claims-Tracker/0.1 (+evidence archiver)"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    # Hosts or networks (e.g. "127.0.0.1", "::1", "127.0.0.0/8") that may be fetched even though
    # they are not public. Empty in production; the tests put loopback here.
    allow_hosts: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config) -> FetchSettings:
        return cls(
            user_agent=config.get("FETCH_USER_AGENT", cls.user_agent),
            connect_timeout=float(config.get("FETCH_CONNECT_TIMEOUT", cls.connect_timeout)),
            read_timeout=float(config.get("FETCH_READ_TIMEOUT", cls.read_timeout)),
            max_bytes=int(config.get("FETCH_MAX_BYTES", cls.max_bytes)),
            max_redirects=int(config.get("FETCH_MAX_REDIRECTS", cls.max_redirects)),
            allow_hosts=tuple(config.get("FETCH_ALLOW_HOSTS") or ()),
        )


@dataclass(frozen=True)
class Hop:
    """One response in a redirect chain (the last hop is the final response)."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True)
class FetchResult:
    requested_url: str
    outcome: FetchOutcome
    fetched_at: datetime
    reason: str | None = None  # why it failed, was refused or was cut short
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    last_modified: str | None = None
    etag: str | None = None
    title: str | None = None  # <title> of an HTML page, else None
    body: bytes = b""
    truncated: bool = False  # the body was cut at max_bytes (reason says so)
    sha256: str | None = None  # of body, as kept
    # The final response's status line and headers, as received, for the WARC record.
    http_version: str = "HTTP/1.1"
    reason_phrase: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    hops: tuple[Hop, ...] = field(default_factory=tuple)
    # The address actually connected to for the final response, if known.
    peer_address: str | None = None

    @property
    def size(self) -> int:
        return len(self.body)


def fetch(url: str, settings: FetchSettings | None = None) -> FetchResult:
    """Fetch url (following redirects) and return what happened. Never raises."""
    settings = settings or FetchSettings()
    now = datetime.now(UTC)
    try:
        response = requests.get(
            url,
            headers={"User-Agent": settings.user_agent},
            timeout=(settings.connect_timeout, settings.read_timeout),
            stream=True,
        )
    except requests.RequestException as error:
        return FetchResult(url, FetchOutcome.failed, now, reason=str(error))
    body = response.raw.read(settings.max_bytes + 1, decode_content=True)
    truncated = len(body) > settings.max_bytes
    body = body[: settings.max_bytes]
    return FetchResult(
        requested_url=url,
        outcome=FetchOutcome.ok,
        fetched_at=now,
        reason="body cut at size limit" if truncated else None,
        final_url=response.url,
        status=response.status_code,
        content_type=response.headers.get("Content-Type"),
        last_modified=response.headers.get("Last-Modified"),
        etag=response.headers.get("ETag"),
        body=body,
        truncated=truncated,
        sha256=hashlib.sha256(body).hexdigest(),
        reason_phrase=response.reason or "",
        headers=tuple(response.raw.headers.items()),
        hops=tuple(Hop(r.url, r.status_code, r.headers.get("Location")) for r in response.history)
        + (Hop(response.url, response.status_code),),
    )
