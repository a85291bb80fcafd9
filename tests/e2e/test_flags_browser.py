"""Legal flags in a real browser: a badge opens with the keyboard, without JavaScript, at
360 px, and the claim page passes axe's checks with a flag open."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import LiveServer
from tracker.models import Brand, Claim, ClaimTopic, DatePrecision, Topic
from tracker.services.revisions import SEED, save_revision

pytestmark = pytest.mark.browser


@pytest.fixture
def flagged(app):
    """An app with a fictional brand whose claim gets three flags, served over HTTP."""
    database = app.extensions["tracker_db"]
    with app.app_context(), database.unit_of_work() as session:
        brand = Brand(slug="acme-cosmetics", name="Acme Cosmetics", country="NL")
        save_revision(session, brand, author=SEED, reason="test brand")
        claim = Claim(
            brand_id=brand.id,
            quote="100% eco-friendly packaging, climate neutral by 2030",
            language="en",
            date=dt.date(2025, 4, 1),
            date_precision=DatePrecision.day,
        )
        claim.topic_links = [ClaimTopic(topic=Topic.climate)]
        save_revision(session, claim, author=SEED, reason="first publication")
        claim_id = claim.id
    with LiveServer(app) as server:
        yield server, claim_id


def test_a_flag_opens_with_the_keyboard_and_shows_why(page, flagged):
    server, claim_id = flagged
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{server.url}/claims/{claim_id}")

    summary = page.locator(f"#flag-{claim_id}-EU825-GENERIC > summary")
    summary.focus()
    page.keyboard.press("Enter")

    why = page.locator(f"#flag-{claim_id}-EU825-GENERIC .flag-why")
    assert why.is_visible()
    assert why.locator("mark").first.inner_text() == "eco-friendly"
    assert "Would fall under EU825-GENERIC from 27 September 2026" in why.inner_text()
    assert "not a finding that the brand broke the law" in why.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_flags_work_without_javascript(chromium, flagged):
    server, claim_id = flagged
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/brands/acme-cosmetics")

    page.locator(f"#flag-{claim_id}-CDR-ABSOLUTE > summary").click()

    assert page.locator(f"#flag-{claim_id}-CDR-ABSOLUTE .flag-why").is_visible()
    context.close()
