"""Error pages: in the site's style, in the reader's language, never a stack trace."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from werkzeug.exceptions import BadRequest

from tests.conftest import make_app

BROKEN = "the ledger ran out of ink at line 42"


@pytest.fixture
def app_config() -> dict:
    # TESTING makes Flask re-raise errors; a real server does not, and neither do these tests.
    return {"PROPAGATE_EXCEPTIONS": False}


def add_failing_routes(app) -> None:
    @app.get("/test/crash")
    def crash():
        raise RuntimeError(BROKEN)

    @app.get("/test/bad")
    def bad():
        raise BadRequest(BROKEN)


def assert_site_page(html: str) -> BeautifulSoup:
    """Check the page wears the site's clothes: stylesheet, header, navigation, a way home."""
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("link", rel="stylesheet")["href"].endswith("/static/css/site.css")
    assert soup.find("header", class_="site-header")
    assert soup.find("nav", attrs={"aria-label": True})
    assert soup.find("main", id="main")
    assert soup.find("footer", class_="site-footer")
    assert len(soup.find_all("h1")) == 1
    assert soup.select_one("main a[href='/']"), "no way home from the error page"
    assert soup.find("meta", attrs={"name": "robots", "content": "noindex"})
    return soup


def assert_no_internals(html: str) -> None:
    for leak in ("Traceback", BROKEN, "RuntimeError", "werkzeug", 'File "', "site-packages"):
        assert leak not in html


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Page not found"), ("nl", "Pagina niet gevonden")]
)
@pytest.mark.parametrize("url", ["/no/such/page", "/brands/no-such-brand", "/claims/999999"])
def test_unknown_pages_get_the_styled_404(client, url, language, heading):
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 404
    soup = assert_site_page(response.get_data(as_text=True))
    assert soup.html["lang"] == language
    assert soup.h1.get_text(strip=True) == heading


def test_a_crash_gives_the_styled_500_without_a_trace(app, client):
    add_failing_routes(app)
    for language, heading in (("en", "Something went wrong on our side"), ("nl", "Er ging")):
        response = client.get("/test/crash", headers={"Accept-Language": language})
        html = response.get_data(as_text=True)
        assert response.status_code == 500
        soup = assert_site_page(html)
        assert soup.h1.get_text(strip=True).startswith(heading)
        assert_no_internals(html)


def test_a_crash_is_logged_for_the_operators(app, client, caplog):
    add_failing_routes(app)
    client.get("/test/crash")
    assert BROKEN in caplog.text


def test_a_bad_request_gets_the_styled_400(app, client):
    add_failing_routes(app)
    response = client.get("/test/bad", headers={"Accept-Language": "nl"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    soup = assert_site_page(html)
    assert soup.h1.get_text(strip=True) == "Dit verzoek werd niet begrepen"
    assert_no_internals(html)


def test_a_malformed_history_comparison_is_a_400(client):
    response = client.get("/brands/anything/history?from=one&to=two")
    assert response.status_code in (400, 404)
    assert_site_page(response.get_data(as_text=True))


def test_a_wrong_method_gets_the_styled_405_and_keeps_allow(client):
    response = client.post("/brands/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    soup = assert_site_page(response.get_data(as_text=True))
    assert soup.h1.get_text(strip=True) == "That method is not allowed here"


def test_routing_redirects_are_not_error_pages(client):
    response = client.get("/brands")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/brands/")


def test_the_500_page_renders_when_the_database_is_unreachable(tmp_path):
    app = make_app(
        "postgresql://tracker@127.0.0.1:1/nowhere",
        tmp_path / "instance",
        PROPAGATE_EXCEPTIONS=False,
    )
    client = app.test_client()
    for url, language in (("/", "en"), ("/brands/acme", "nl")):
        response = client.get(url, headers={"Accept-Language": language})
        html = response.get_data(as_text=True)
        assert response.status_code == 500
        soup = assert_site_page(html)
        assert soup.html["lang"] == language
        assert "127.0.0.1" not in html and "OperationalError" not in html
    app.extensions["tracker_db"].engine.dispose()


def test_a_broken_error_page_falls_back_to_a_plain_one(app, client, monkeypatch):
    add_failing_routes(app)

    def explode(*args, **kwargs):
        raise RuntimeError("the template engine is gone too")

    monkeypatch.setattr("tracker.web.render_template", explode)
    response = client.get("/test/crash")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'lang="nl"' in html
    assert "/static/css/site.css" in html
    assert_no_internals(html)
