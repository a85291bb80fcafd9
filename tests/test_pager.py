"""The pager under a paginated list: previous and next links that keep the list's filters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from flask import get_template_attribute


def links(app, *args) -> dict[str, tuple[str, dict]]:
    with app.test_request_context():
        html = get_template_attribute("_macros/pages.html", "pager")(*args)
    found = {}
    for link in BeautifulSoup(html, "html.parser").select("nav.pagination a"):
        parts = urlsplit(link["href"])
        found[link.get_text()] = (link["rel"][0], parts.path, parse_qs(parts.query))
    return found


def test_a_middle_page_links_both_ways_keeping_the_filters(app):
    found = links(app, "moderate.log", 2, True, {"decision": "reject", "kind": None})
    assert found == {
        "Previous page": ("prev", "/moderation/log", {"page": ["1"], "decision": ["reject"]}),
        "Next page": ("next", "/moderation/log", {"page": ["3"], "decision": ["reject"]}),
    }


def test_the_first_and_last_pages_link_one_way_with_their_own_words(app):
    first = links(app, "health.links", 1, True, {"health": ["changed", "broken"]}, "Newer", "Older")
    assert first == {
        "Older": ("next", "/moderation/links", {"page": ["2"], "health": ["changed", "broken"]})
    }
    assert list(links(app, "admin.users", 4, False, {"q": "mia"})) == ["Previous page"]
    assert links(app, "admin.users", 1, False, {}) == {}
