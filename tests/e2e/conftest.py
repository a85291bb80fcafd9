"""Browser fixtures: the app served on a loopback port, driven by Debian's Chromium.

Never `playwright install`: Playwright launches /usr/bin/chromium. Without it the browser
tests skip, unless TRACKER_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """Serve a Flask app from a background thread on a free loopback port."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        if os.environ.get("TRACKER_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and TRACKER_REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context and page per test (no shared cookies)."""
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def live_seeded(seeded_app):
    """The seeded app served over HTTP on loopback."""
    with LiveServer(seeded_app) as server:
        yield server


@pytest.fixture
def live_app(app):
    """The empty app served over HTTP on loopback."""
    with LiveServer(app) as server:
        yield server
