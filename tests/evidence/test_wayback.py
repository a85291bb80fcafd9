"""Asking the Wayback Machine for a capture, against a local stand-in on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.evidence.test_fetching import Site, settings_for
from tracker.evidence.wayback import WaybackSettings, request_capture

SOURCE = "https://www.example.org/report?year=2023"
CAPTURE_PATH = "/web/20250102030405/https://www.example.org/report?year=2023"


@pytest.fixture
def wayback() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


def enabled(server: Site, **fetch_overrides) -> WaybackSettings:
    return WaybackSettings(
        enabled=True,
        save_url=server.url("/save/"),
        fetch=settings_for(f"127.0.0.1:{server.port}", **fetch_overrides),
    )


def test_captures_are_off_by_default(wayback):
    wayback.routes["/save/" + SOURCE] = (200, {"Content-Location": CAPTURE_PATH}, b"")
    capture = request_capture(SOURCE, WaybackSettings(save_url=wayback.url("/save/")))
    assert (capture.ok, capture.capture_url) == (False, None)
    assert "turned off" in capture.reason
    assert wayback.requests == []
    assert WaybackSettings.from_config({}).enabled is False


def test_the_capture_is_read_from_content_location(wayback):
    wayback.routes["/save/" + SOURCE] = (200, {"Content-Location": CAPTURE_PATH}, b"<p>Saved")
    capture = request_capture(SOURCE + "#summary", enabled(wayback))
    assert (capture.ok, capture.capture_url, capture.reason) == (
        True,
        wayback.url(CAPTURE_PATH),
        None,
    )
    path, headers = wayback.requests[0]
    assert path == "/save/" + SOURCE  # the fragment is not sent
    assert "CSR-Claims-Tracker" in headers["User-Agent"]


def test_the_capture_is_where_the_save_redirects_to(wayback):
    wayback.routes["/save/" + SOURCE] = (302, {"Location": CAPTURE_PATH}, b"")
    wayback.routes[CAPTURE_PATH] = (200, {"Content-Type": "text/html"}, b"<title>capture</title>")
    capture = request_capture(SOURCE, enabled(wayback))
    assert (capture.ok, capture.capture_url) == (True, wayback.url(CAPTURE_PATH))


def test_a_capture_named_by_a_redirect_counts_even_if_it_cannot_be_opened_yet(wayback):
    wayback.routes["/save/" + SOURCE] = (302, {"Location": wayback.url(CAPTURE_PATH)}, b"")
    wayback.routes[CAPTURE_PATH] = (503, {}, b"busy")
    capture = request_capture(SOURCE, enabled(wayback))
    assert (capture.ok, capture.capture_url) == (True, wayback.url(CAPTURE_PATH))


def test_an_answer_without_a_capture_address_is_not_a_capture(wayback):
    wayback.routes["/save/" + SOURCE] = (200, {"Content-Type": "text/html"}, b"<p>Queued</p>")
    capture = request_capture(SOURCE, enabled(wayback))
    assert (capture.ok, capture.capture_url) == (False, None)
    assert capture.reason == "the Wayback Machine's answer named no capture"


def test_a_refusal_by_the_wayback_machine_is_reported(wayback):
    wayback.routes["/save/" + SOURCE] = (429, {"Retry-After": "60"}, b"slow down")
    capture = request_capture(SOURCE, enabled(wayback))
    assert (capture.ok, capture.reason) == (
        False,
        "the Wayback Machine answered 429 Too Many Requests",
    )


def test_an_unreachable_wayback_machine_is_reported(wayback):
    settings = enabled(wayback)
    wayback.close()
    capture = request_capture(SOURCE, settings)
    assert capture.ok is False
    assert "not reached" in capture.reason and "connection refused" in capture.reason


def test_the_save_request_goes_through_the_safe_fetcher(wayback):
    """A save address on loopback is refused unless it is allow-listed, like any fetch."""
    wayback.routes["/save/" + SOURCE] = (200, {"Content-Location": CAPTURE_PATH}, b"")
    settings = WaybackSettings(enabled=True, save_url=wayback.url("/save/"))
    capture = request_capture(SOURCE, settings)
    assert capture.ok is False
    assert "refused" in capture.reason and "loopback" in capture.reason
    assert wayback.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "not a url"])
def test_only_web_addresses_are_sent_for_capture(wayback, url):
    capture = request_capture(url, enabled(wayback))
    assert capture.ok is False and "only http and https" in capture.reason
    assert wayback.requests == []


def test_settings_come_from_the_configuration():
    settings = WaybackSettings.from_config(
        {
            "WAYBACK_ENABLED": True,
            "WAYBACK_SAVE_URL": "http://127.0.0.1:9/save/",
            "WAYBACK_TIMEOUT": 30,
            "FETCH_ALLOW_HOSTS": ["127.0.0.1"],
        }
    )
    assert (settings.enabled, settings.save_url) == (True, "http://127.0.0.1:9/save/")
    assert (settings.fetch.read_timeout, settings.fetch.total_timeout) == (30.0, 30.0)
    assert settings.fetch.allow_hosts == ("127.0.0.1",)
