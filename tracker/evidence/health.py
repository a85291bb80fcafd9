"""Link health: what a re-check of a source address found, and a polite order to check in.

`classify` compares one fetch with the last kept copy of the address: the same body at the
same final address is ok; another final address is redirected; another body is changed (and
the new body must be kept as a copy), unless the page is HTML whose visible text is the same
(a new ad, a nonce or a timestamp in the markup is not a change a reader cares about); an error
status or no answer is broken; an address the
fetcher would not touch is refused. `CheckPolicy` says when an address is next due, backing
off after failures. `PoliteScheduler` hands out the due addresses oldest first but never
contacts one host more often than once per `host_delay` seconds.

Nothing here touches the database or Flask, so it is tested on plain values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TypeVar
from urllib.parse import urlsplit

from tracker.evidence.fetching import FetchOutcome, FetchResult
from tracker.models import LinkHealth


@dataclass(frozen=True)
class KeptCopy:
    """What a re-check is compared with: the address's last kept copy."""

    url: str  # the address asked for
    final_url: str | None  # where the answer came from after redirects
    sha256: str | None  # of the body as kept
    text_digest: str | None = None  # text_digest() of the body as kept, for HTML


@dataclass(frozen=True)
class Verdict:
    health: LinkHealth
    reason: str | None = None  # why it is broken or refused; what moved for redirected
    keep_copy: bool = False  # the body is new: store it as the address's latest copy


class _VisibleText(HTMLParser):
    """Collect the words a reader sees: no tags, attributes, scripts, styles or templates."""

    HIDDEN = frozenset({"script", "style", "noscript", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.words.extend(data.split())


def text_digest(body: bytes, content_type: str | None) -> str | None:
    """Return the SHA-256 of an HTML page's visible text (words joined by one space), or
    None for anything that is not HTML, whose bytes alone say whether it changed."""
    if "html" not in (content_type or "").lower():
        return None
    parser = _VisibleText()
    parser.feed(body.decode("utf-8", "replace"))
    parser.close()
    return hashlib.sha256(" ".join(parser.words).encode()).hexdigest()


def classify(result: FetchResult, last: KeptCopy | None, *, max_bytes: int) -> Verdict:
    """Classify a re-check of an address against its last kept copy (None: there is none).

    max_bytes is the fetch size limit: a body cut short below it was interrupted (the server
    closed the connection), which is a broken answer, not a changed page.
    """
    if result.outcome is FetchOutcome.refused:
        return Verdict(LinkHealth.refused, result.reason or "refused as unsafe")
    if result.outcome is not FetchOutcome.ok or result.status is None:
        return Verdict(LinkHealth.broken, result.reason or "no answer")
    if result.status >= 400:
        status_line = f"HTTP {result.status} {result.reason_phrase}".strip()
        return Verdict(LinkHealth.broken, status_line)
    if result.truncated and result.size < max_bytes:
        return Verdict(LinkHealth.broken, result.reason or "the answer was cut short")
    if last is None or last.sha256 is None:
        return Verdict(LinkHealth.ok, keep_copy=True)  # the first copy of the address
    if result.sha256 != last.sha256:
        same_text = last.text_digest is not None and last.text_digest == text_digest(
            result.body, result.content_type
        )
        if not same_text:
            return Verdict(LinkHealth.changed, keep_copy=True)
    before = last.final_url or last.url
    now = result.final_url or result.requested_url
    if now != before:
        return Verdict(LinkHealth.redirected, f"{before} -> {now}")
    if result.sha256 != last.sha256:
        return Verdict(LinkHealth.ok, "the markup changed, the visible text did not")
    return Verdict(LinkHealth.ok)


@dataclass(frozen=True)
class CheckPolicy:
    """How often addresses are re-checked and how politely."""

    interval: dt.timedelta = dt.timedelta(days=1)  # between two checks of a healthy address
    retry_delay: dt.timedelta = dt.timedelta(hours=1)  # after the first broken check
    host_delay: float = 5.0  # seconds between two requests to one host
    batch: int = 100  # addresses checked per run at most
    confirm: int = 2  # broken checks in a row before readers are told

    @classmethod
    def from_config(cls, config) -> CheckPolicy:
        return cls(
            interval=dt.timedelta(seconds=float(config.get("LINK_CHECK_INTERVAL", 86400))),
            retry_delay=dt.timedelta(seconds=float(config.get("LINK_CHECK_RETRY_DELAY", 3600))),
            host_delay=float(config.get("LINK_CHECK_HOST_DELAY", 5)),
            batch=int(config.get("LINK_CHECK_BATCH", 100)),
            confirm=max(1, int(config.get("LINK_CHECK_CONFIRM", 2))),
        )

    def next_check(
        self, health: LinkHealth, broken_in_a_row: int, checked_at: dt.datetime
    ) -> dt.datetime:
        """Return when to check again: after the interval, or sooner after a broken check,
        backing off (retry_delay, doubled per broken check in a row, at most the interval)."""
        if health is LinkHealth.broken and broken_in_a_row >= 1:
            wait = min(self.retry_delay * 2 ** (broken_in_a_row - 1), self.interval)
            return checked_at + wait
        return checked_at + self.interval


def host_of(url: str) -> str:
    """Return the host an address is fetched from (lower-case), the politeness key."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


Item = TypeVar("Item")


class PoliteScheduler:
    """Hand out items oldest first, at most one request per host per `delay` seconds.

    The gap is measured from the end of the previous request to the host (the caller takes
    the next item once it is done with the last). When every remaining item's host is still
    resting, the scheduler sleeps until the first one may be asked again; meanwhile items for
    other hosts go first, so one slow host never holds up the rest.
    """

    def __init__(
        self,
        delay: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.delay = max(0.0, delay)
        self.clock = clock
        self.sleep = sleep
        self.last_request: dict[str, float] = {}  # host -> when its last request ended

    def run(self, items: Iterable[Item], address: Callable[[Item], str] = str) -> Iterator[Item]:
        """Yield items (given oldest first) in a polite order."""
        waiting = [(host_of(address(item)), item) for item in items]
        while waiting:
            now = self.clock()
            index = next((i for i, (host, _) in enumerate(waiting) if self._ready(host, now)), None)
            if index is None:
                resting = min(self.last_request[host] + self.delay for host, _ in waiting)
                self.sleep(max(resting - now, 0.001))
                continue
            host, item = waiting.pop(index)
            self.last_request[host] = self.clock()
            try:
                yield item
            finally:
                self.last_request[host] = self.clock()

    def _ready(self, host: str, now: float) -> bool:
        if not host:  # not a web address: refused without a request
            return True
        last = self.last_request.get(host)
        return last is None or now - last >= self.delay
