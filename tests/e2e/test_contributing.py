"""In Chromium, with CSRF on: contribute without an account, moderate, follow the private link.

Every brand and text here is fictional (example.test); nothing is said about a real company.
"""

from __future__ import annotations

import re

import pytest

from tests.contributing.conftest import open_db
from tests.contributing.support import (
    PASSWORD,
    claim_payload,
    make_brand,
    make_claim,
    make_user,
    stored,
)
from tracker.models import Role, SubmissionKind

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_app, app):
    """A fictional airline with one published claim, and two moderators."""
    db, engine = open_db(app)
    brand = make_brand(db, "Acme Fictional Airways", slug="acme-fictional-airways")
    claim = make_claim(db, brand, quote="Fly greener with Acme, every single day")
    make_user(db, "mod-ana", Role.moderator)
    make_user(db, "mod-bo", Role.moderator)
    yield {"url": live_app.url, "brand": brand, "claim": claim}
    db.close()
    engine.dispose()


@pytest.fixture
def browse(chromium):
    """Open separate browser contexts: one per person, each with its own cookies."""
    contexts = []

    def open_page():
        context = chromium.new_context(locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, base: str, handle: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email address").fill(f"{handle}@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/account$"))


def submit_claim(page, site, quote: str) -> str:
    """Fill the claim form as an anonymous contributor; return the private link."""
    page.goto(site["url"] + "/submit/claim")
    page.get_by_label("Brand", exact=True).select_option(label="Acme Fictional Airways")
    page.get_by_label("The claim, word for word").fill(quote)
    page.get_by_label("Language of the claim").fill("en")
    page.get_by_label("Where it was said").select_option(label="Advertisement")
    page.get_by_label("Where exactly").fill("A fictional poster at a fictional airport")
    page.locator("#date-month").fill("4")
    page.locator("#date-year").fill("2024")
    page.get_by_label("Climate").check()
    page.get_by_label("Web address").fill("https://posters.example.test/acme-greener")
    page.get_by_label("Supporting excerpt").fill(quote)
    page.get_by_label("Your email address").fill("reader@example.test")
    page.get_by_role("button", name="Send for moderation").click()
    page.wait_for_url(re.compile(r"/submissions/[\w-]+$"))
    assert "Pending" in page.locator("h1").inner_text()
    return page.url


def open_in_queue(page, base: str, text: str) -> None:
    page.goto(base + "/moderation/")
    page.get_by_role("row").filter(has_text=text).get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/moderation/\d+$"))


def test_an_anonymous_claim_is_approved_and_published(site, browse):
    contributor, moderator = browse(), browse()
    quote = "Acme fictional fuel makes every flight 100% green"
    private_link = submit_claim(contributor, site, quote)
    assert private_link in contributor.locator(".private-link").inner_text()

    log_in(moderator, site["url"], "mod-ana")
    open_in_queue(moderator, site["url"], quote)
    assert quote in moderator.locator(".preview").inner_text()
    moderator.get_by_role("button", name="Approve and publish").click()
    moderator.wait_for_url(re.compile(r"/moderation/$"))
    assert "approved and published" in moderator.locator(".flashes").inner_text()

    contributor.goto(site["url"] + "/brands/acme-fictional-airways")
    assert quote in contributor.locator(".timeline").inner_text()
    contributor.goto(private_link)
    assert "Approved" in contributor.locator("h1").inner_text()
    contributor.get_by_role("link", name="See it on the tracker").click()
    assert quote in contributor.locator("main").inner_text()

    moderator.goto(site["url"] + "/moderation/log")
    log = moderator.locator("table").inner_text()
    assert "mod-ana" in log and "reader@example.test" not in log


def test_a_rejected_claim_shows_the_reason_to_its_contributor(site, browse):
    contributor, moderator = browse(), browse()
    private_link = submit_claim(contributor, site, "Acme fictional seats are made of clouds")

    log_in(moderator, site["url"], "mod-bo")
    open_in_queue(moderator, site["url"], "made of clouds")
    moderator.get_by_label("Reason", exact=True).select_option(label="Not a sustainability claim")
    moderator.locator("form[action$='/reject'] textarea").fill(
        "Comfort is not a sustainability claim; thank you all the same."
    )
    moderator.get_by_role("button", name="Reject", exact=True).click()
    moderator.wait_for_url(re.compile(r"/moderation/$"))

    contributor.goto(private_link)
    page = contributor.locator("main").inner_text()
    assert "Rejected" in page
    assert "Not a sustainability claim" in page
    assert "Comfort is not a sustainability claim; thank you all the same." in page


def test_a_contradiction_needs_two_moderators(site, browse):
    contributor, first, second = browse(), browse(), browse()
    contributor.goto(site["url"] + "/submit/contradiction/acme-fictional-airways")
    contributor.get_by_label("Fly greener with Acme, every single day").check()
    contributor.locator("#title").fill("Fictional audit finds no green fuel at all")
    contributor.get_by_label("Summary").fill(
        "A fictional auditor found no alternative fuel bought."
    )
    contributor.get_by_label("Who found it").fill("Fictional Audit Office")
    contributor.get_by_label("What kind of finder").select_option(label="Regulator")
    contributor.get_by_label("Kind of evidence").select_option(label="Investigation")
    contributor.locator("#date-year").fill("2024")
    contributor.get_by_label("Web address").fill("https://audit.example.test/acme.pdf")
    contributor.get_by_role("button", name="Send for moderation").click()
    contributor.wait_for_url(re.compile(r"/submissions/[\w-]+$"))
    private_link = contributor.url

    log_in(first, site["url"], "mod-ana")
    open_in_queue(first, site["url"], "no green fuel")
    first.get_by_role("button", name="Approve (first of two)").click()
    first.wait_for_url(re.compile(r"/moderation/$"))
    assert "a second moderator must confirm it" in first.locator(".flashes").inner_text()

    contributor.goto(site["url"] + "/brands/acme-fictional-airways")
    assert "no green fuel" not in contributor.locator("main").inner_text()
    contributor.goto(private_link)
    assert "Awaiting a second moderator" in contributor.locator("h1").inner_text()

    open_in_queue(first, site["url"], "no green fuel")
    assert first.get_by_role("button", name="Confirm and publish").is_disabled()

    log_in(second, site["url"], "mod-bo")
    open_in_queue(second, site["url"], "no green fuel")
    second.get_by_role("button", name="Confirm and publish").click()
    second.wait_for_url(re.compile(r"/moderation/$"))

    contributor.goto(site["url"] + "/brands/acme-fictional-airways")
    assert "Fictional audit finds no green fuel at all" in contributor.locator("main").inner_text()
    contributor.goto(private_link)
    assert "Approved" in contributor.locator("h1").inner_text()


def test_contribution_pages_fit_a_phone_even_with_unbroken_text(site, chromium, app):
    db, engine = open_db(app)
    submission, token = stored(
        db,
        SubmissionKind.claim,
        claim_payload(site["brand"], "x" * 400, url="https://e.test/" + "y" * 300),
    )
    submission_id = submission.id
    db.close()
    engine.dispose()
    context = chromium.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, site["url"], "mod-ana")
    for path in (
        "/submit/claim",
        "/submit/brand",
        f"/submissions/{token}",
        f"/moderation/{submission_id}",
        "/moderation/",
        "/moderation/log",
        "/account",
    ):
        page.goto(site["url"] + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    context.close()
