"""In Chromium, on the seeded site: the home page, a link to a brand, its timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_reader_goes_from_the_home_page_to_a_brand_timeline(live_seeded, page):
    page.goto(live_seeded.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    latest = page.locator("section[aria-labelledby=latest-heading]")
    expect(latest.get_by_role("link", name="KLM", exact=True).first).to_be_visible()

    latest.get_by_role("link", name="KLM", exact=True).first.click()

    expect(page).to_have_url(re.compile(r"/brands/klm$"))
    expect(page.get_by_role("heading", name="KLM", level=1)).to_be_visible()
    timeline = page.locator("section.timeline")
    expect(timeline.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(timeline.get_by_role("heading", name="2024", level=3)).to_be_visible()
    events = timeline.locator("li.event")
    assert events.count() == 14
    judgment = events.filter(has_text="ECLI:NL:RBAMS:2024:1512").first
    expect(judgment).to_be_visible()
    expect(judgment.locator("time").first).to_have_text("20 March 2024")
    source = judgment.get_by_role("link", name="ECLI:NL:RBAMS:2024:1512", exact=True)
    expect(source).to_have_attribute(
        "href", re.compile(r"^https://uitspraken\.rechtspraak\.nl/details\?id=ECLI%3ANL%3ARBAMS")
    )

    page.get_by_role("link", name="Oldest first").click()
    expect(timeline.locator("section.year h3").first).to_have_text("2019")
