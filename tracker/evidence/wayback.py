"""Ask the Wayback Machine to capture a source as well (optional, off by default).

Our own WARC copy is the evidence; a public capture is a second witness a reader can open
without trusting us. The request goes to the "Save Page Now" address (WAYBACK_SAVE_URL
followed by the source URL) through the safe fetcher, like any other outgoing request, and
the capture's address is read from the answer: its Content-Location header, the redirect's
Location, or the address the redirects ended at. Like `fetch`, this never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urldefrag, urljoin, urlparse

from tracker.evidence.fetching import FetchOutcome, FetchResult, FetchSettings, fetch

# A capture lives at .../web/<14-digit timestamp, or a prefix of it>[modifier]/<url>.
_CAPTURE_PATH = re.compile(r"/web/\d{4,14}[a-z_]*/\S")


@dataclass(frozen=True)
class WaybackSettings:
    enabled: bool = False
    save_url: str = "https://web.archive.org/save/"
    # Saving can take a minute: the answer comes when the capture is done.
    fetch: FetchSettings = field(
        default_factory=lambda: FetchSettings(
            read_timeout=120.0, total_timeout=120.0, max_bytes=1024 * 1024
        )
    )

    @classmethod
    def from_config(cls, config) -> WaybackSettings:
        timeout = float(config.get("WAYBACK_TIMEOUT", 120.0))
        return cls(
            enabled=bool(config.get("WAYBACK_ENABLED", False)),
            save_url=config.get("WAYBACK_SAVE_URL") or cls.save_url,
            fetch=replace(
                FetchSettings.from_config(config),
                read_timeout=timeout,
                total_timeout=timeout,
                max_bytes=1024 * 1024,  # the answer's body is not kept
            ),
        )


@dataclass(frozen=True)
class WaybackCapture:
    ok: bool
    capture_url: str | None = None
    reason: str | None = None  # why there is no capture


def request_capture(url: str, settings: WaybackSettings | None = None) -> WaybackCapture:
    """Ask the Wayback Machine to capture url; return the capture's address or why not."""
    settings = settings or WaybackSettings()
    if not settings.enabled:
        return WaybackCapture(False, reason="Wayback Machine captures are turned off")
    url = urldefrag(url.strip()).url
    parts = urlparse(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return WaybackCapture(False, reason="only http and https addresses can be captured")
    answer = fetch(settings.save_url + url, settings.fetch)
    if answer.outcome is not FetchOutcome.ok:
        return WaybackCapture(
            False, reason=f"the Wayback Machine was not reached ({answer.outcome}: {answer.reason})"
        )
    capture_url = _capture_address(answer)
    if capture_url is not None:
        return WaybackCapture(True, capture_url)
    if answer.status >= 400:
        return WaybackCapture(
            False, reason=f"the Wayback Machine answered {answer.status} {answer.reason_phrase}"
        )
    return WaybackCapture(False, reason="the Wayback Machine's answer named no capture")


def _capture_address(answer: FetchResult) -> str | None:
    """Find the capture's address: Content-Location, the address redirected to, a Location."""
    candidates = []
    if answer.status < 400:
        location = dict((name.lower(), value) for name, value in answer.headers).get(
            "content-location"
        )
        if location:
            candidates.append(urljoin(answer.final_url, location))
        candidates.append(answer.final_url)
    candidates += [urljoin(hop.url, hop.location) for hop in reversed(answer.hops) if hop.location]
    for candidate in candidates:
        parts = urlparse(candidate)
        if parts.scheme in ("http", "https") and _CAPTURE_PATH.search(parts.path):
            return candidate
    return None
