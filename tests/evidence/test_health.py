"""Link health on plain values: classifying a re-check, when to check again, polite order."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pytest

from tracker.evidence.fetching import FetchOutcome, FetchResult
from tracker.evidence.health import (
    CheckPolicy,
    KeptCopy,
    PoliteScheduler,
    classify,
    host_of,
    text_digest,
)
from tracker.models import LinkHealth

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
PAGE = b"<title>Scrub</title>free of microplastics"
LIMIT = 1000


def answer(body: bytes = PAGE, *, status: int = 200, url: str = "https://a.example/p", **kw):
    return FetchResult(
        requested_url=url,
        outcome=FetchOutcome.ok,
        fetched_at=NOW,
        final_url=kw.pop("final_url", url),
        status=status,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        reason_phrase=kw.pop("reason_phrase", "OK"),
        **kw,
    )


def kept(body: bytes = PAGE, final_url: str | None = "https://a.example/p") -> KeptCopy:
    return KeptCopy("https://a.example/p", final_url, hashlib.sha256(body).hexdigest())


def test_the_same_body_at_the_same_address_is_ok():
    verdict = classify(answer(), kept(), max_bytes=LIMIT)
    assert (verdict.health, verdict.keep_copy, verdict.reason) == (LinkHealth.ok, False, None)


def test_another_body_is_changed_and_must_be_kept():
    verdict = classify(answer(b"<title>Scrub</title>now with 2% less"), kept(), max_bytes=LIMIT)
    assert verdict.health is LinkHealth.changed
    assert verdict.keep_copy


HTML = "text/html; charset=utf-8"


def test_visible_text_ignores_markup_scripts_styles_and_spacing():
    page = b"<html><head><title>T</title></head><body><h1>Scrub</h1><p>free of beads</p>"
    remade = (
        b"<html><head><title>T2</title><script>var n=1</script></head>"
        b'<body class="x"><h1 id="h">Scrub</h1>\n  <p>free   of beads</p><style>p{}</style>'
    )
    assert text_digest(page, HTML) == text_digest(remade, HTML)
    assert text_digest(page, HTML) != text_digest(page.replace(b"free", b"full"), HTML)
    assert text_digest(b"%PDF-1.4", "application/pdf") is None


def test_new_markup_around_the_same_text_is_ok_and_keeps_nothing():
    page = b"<p>free of microplastics</p>"
    last = KeptCopy(
        "https://a.example/p",
        "https://a.example/p",
        hashlib.sha256(page).hexdigest(),
        text_digest(page, HTML),
    )
    remade = answer(
        b'<p data-t="9">free of microplastics</p><script>x()</script>', content_type=HTML
    )
    verdict = classify(remade, last, max_bytes=LIMIT)
    assert (verdict.health, verdict.keep_copy) == (LinkHealth.ok, False)
    assert verdict.reason == "the markup changed, the visible text did not"
    reworded = answer(b"<p>full of microplastics</p>", content_type=HTML)
    assert classify(reworded, last, max_bytes=LIMIT).health is LinkHealth.changed


def test_the_same_body_at_another_final_address_is_redirected():
    verdict = classify(answer(final_url="https://a.example/new"), kept(), max_bytes=LIMIT)
    assert verdict.health is LinkHealth.redirected
    assert verdict.reason == "https://a.example/p -> https://a.example/new"
    assert not verdict.keep_copy


def test_a_redirect_that_was_already_there_is_not_news():
    moved = answer(final_url="https://a.example/new")
    verdict = classify(moved, kept(final_url="https://a.example/new"), max_bytes=LIMIT)
    assert verdict.health is LinkHealth.ok


def test_a_changed_body_elsewhere_counts_as_changed():
    verdict = classify(answer(b"other", final_url="https://b.example/"), kept(), max_bytes=LIMIT)
    assert verdict.health is LinkHealth.changed


@pytest.mark.parametrize(
    ("status", "phrase", "reason"),
    [
        (404, "Not Found", "HTTP 404 Not Found"),
        (500, "", "HTTP 500"),
        (410, "Gone", "HTTP 410 Gone"),
    ],
)
def test_an_error_status_is_broken_and_keeps_nothing(status, phrase, reason):
    verdict = classify(
        answer(b"gone", status=status, reason_phrase=phrase), kept(), max_bytes=LIMIT
    )
    assert (verdict.health, verdict.reason, verdict.keep_copy) == (LinkHealth.broken, reason, False)


@pytest.mark.parametrize(
    "reason", ["connection refused", "no connection within 5 s", "name or service not known"]
)
def test_no_answer_is_broken_with_its_reason(reason):
    failed = FetchResult("https://a.example/p", FetchOutcome.failed, NOW, reason=reason)
    verdict = classify(failed, kept(), max_bytes=LIMIT)
    assert (verdict.health, verdict.reason) == (LinkHealth.broken, reason)


def test_an_unsafe_address_is_refused_with_its_reason():
    refused = FetchResult(
        "https://a.example/p", FetchOutcome.refused, NOW, reason="resolves to 10.0.0.1 (private)"
    )
    verdict = classify(refused, kept(), max_bytes=LIMIT)
    assert (verdict.health, verdict.reason) == (
        LinkHealth.refused,
        "resolves to 10.0.0.1 (private)",
    )


def test_an_answer_cut_short_by_the_server_is_broken_not_changed():
    cut = answer(PAGE[:10], truncated=True, reason="body cut after 10 bytes: connection reset")
    verdict = classify(cut, kept(), max_bytes=LIMIT)
    assert verdict.health is LinkHealth.broken
    assert "connection reset" in verdict.reason


def test_a_body_cut_at_the_size_limit_compares_as_kept():
    big = b"x" * LIMIT
    cut = answer(big, truncated=True, reason="body cut at the size limit")
    assert classify(cut, kept(big), max_bytes=LIMIT).health is LinkHealth.ok


def test_without_a_copy_the_first_answer_is_kept():
    verdict = classify(answer(), None, max_bytes=LIMIT)
    assert (verdict.health, verdict.keep_copy) == (LinkHealth.ok, True)


def test_healthy_addresses_wait_the_interval():
    policy = CheckPolicy(interval=dt.timedelta(days=1))
    for health in (LinkHealth.ok, LinkHealth.changed, LinkHealth.redirected, LinkHealth.refused):
        assert policy.next_check(health, 0, NOW) == NOW + dt.timedelta(days=1)


def test_broken_addresses_are_retried_with_backoff_up_to_the_interval():
    policy = CheckPolicy(interval=dt.timedelta(hours=10), retry_delay=dt.timedelta(hours=1))
    waits = [policy.next_check(LinkHealth.broken, n, NOW) - NOW for n in range(1, 7)]
    assert [wait / dt.timedelta(hours=1) for wait in waits] == [1, 2, 4, 8, 10, 10]


def test_policy_reads_the_settings():
    policy = CheckPolicy.from_config(
        {
            "LINK_CHECK_INTERVAL": 3600,
            "LINK_CHECK_HOST_DELAY": "2.5",
            "LINK_CHECK_BATCH": 7,
            "LINK_CHECK_RETRY_DELAY": 60,
            "LINK_CHECK_CONFIRM": 0,
        }
    )
    assert policy.interval == dt.timedelta(hours=1)
    assert (policy.host_delay, policy.batch, policy.confirm) == (2.5, 7, 1)
    assert policy.retry_delay == dt.timedelta(minutes=1)
    assert CheckPolicy.from_config({}) == CheckPolicy()


def test_host_of():
    assert host_of("https://WWW.Example.org:8443/a?b") == "www.example.org"
    assert host_of("http://[::1]:80/") == "::1"
    assert host_of("not an address") == ""
    assert host_of("http://[bad") == ""


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def visit(urls, *, delay=5.0, work=1.0):
    """Run the scheduler over urls; each request takes `work` seconds. Return (when, url)."""
    clock = FakeClock()
    scheduler = PoliteScheduler(delay, clock=clock, sleep=clock.sleep)
    seen = []
    for url in scheduler.run(urls):
        seen.append((clock.now, url))
        clock.now += work
    return seen, clock


def test_other_hosts_go_first_while_one_host_rests():
    urls = ["http://a/1", "http://a/2", "http://b/1", "http://a/3", "http://c/1"]
    seen, _ = visit(urls)
    assert [url for _, url in seen] == ["http://a/1", "http://b/1", "http://c/1", "http://a/2",
                                        "http://a/3"]  # fmt: skip


def test_one_host_is_asked_at_most_once_per_delay_after_its_last_answer():
    urls = [f"http://a/{n}" for n in range(4)] + [f"http://b/{n}" for n in range(2)]
    seen, clock = visit(urls, delay=5.0, work=1.0)
    by_host: dict[str, list[float]] = {}
    for when, url in seen:
        by_host.setdefault(host_of(url), []).append(when)
    for starts in by_host.values():
        gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
        assert all(gap >= 5.0 + 1.0 for gap in gaps), gaps  # the delay plus the request itself
    assert [url for _, url in seen][:2] == ["http://a/0", "http://b/0"]
    assert clock.slept  # it waited rather than asking a again at once


def test_oldest_first_when_every_host_is_free():
    urls = ["http://a/", "http://b/", "http://c/"]
    seen, clock = visit(urls)
    assert [url for _, url in seen] == urls
    assert clock.slept == []


def test_no_delay_keeps_the_given_order():
    urls = ["http://a/1", "http://a/2", "http://b/1"]
    seen, clock = visit(urls, delay=0)
    assert [url for _, url in seen] == urls
    assert clock.slept == []


def test_items_that_are_not_addresses_do_not_wait():
    seen, clock = visit(["mailto:x", "mailto:y", "javascript:z"])
    assert len(seen) == 3
    assert clock.slept == []


def test_the_scheduler_takes_any_item_with_an_address():
    clock = FakeClock()
    scheduler = PoliteScheduler(1.0, clock=clock, sleep=clock.sleep)
    rows = [{"url": "http://a/1"}, {"url": "http://a/2"}]
    assert list(scheduler.run(rows, address=lambda row: row["url"])) == rows
    assert clock.slept == [1.0]
