"""Contributing: every form, validation that keeps what was typed, hostile input, duplicates,
the private status link, editing after "changes requested"."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from tests.contributing.support import (
    body,
    claim_form,
    login_as,
    make_brand,
    make_claim,
    make_contradiction,
    make_user,
    outbox,
    post,
    text,
)
from tracker.models import (
    Citation,
    Role,
    Source,
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)
from tracker.services import duplicates
from tracker.services.revisions import SEED, save_revision
from tracker.services.submissions import token_hash


@pytest.fixture
def world(db):
    """A fictional brand with a published claim and a contradiction of it."""
    brand = make_brand(db, "Acme Cosmetics", aliases=["Acme Naturals"])
    claim = make_claim(db, brand)
    contradiction = make_contradiction(db, brand, [claim])
    return {"brand": brand, "claim": claim, "contradiction": contradiction}


def only_submission(db) -> Submission:
    [submission] = db.exec(select(Submission)).all()
    return submission


def test_an_anonymous_claim_is_stored_whole_with_a_private_link(app, client, db, world):
    brand = world["brand"]
    response = post(
        client,
        "/submit/claim",
        claim_form(brand, contact_email="reader@example.test", note="Seen in the shop\non Monday"),
    )
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]

    submission = only_submission(db)
    assert submission.kind == SubmissionKind.claim
    assert submission.state == SubmissionState.pending
    assert submission.brand_id == brand.id
    assert submission.submitter_id is None
    assert submission.contact_email == "reader@example.test"
    assert submission.token_hash == token_hash(token) != token
    assert submission.payload == {
        "brand_id": brand.id,
        "quote": "100% natural, 0% plastic",
        "quote_is_exact": True,
        "summary": None,
        "language": "en",
        "translation": None,
        "channel": "packaging",
        "where": "The 200 ml tube",
        "speaker": None,
        "date": "2024-03",
        "topics": ["microplastics"],
        "sources": [
            {
                "url": "https://shop.example.test/scrub?utm_source=x",
                "title": "Product page",
                "publisher": None,
                "date": None,
                "excerpt": "100% natural, 0% plastic",
            }
        ],
        "note": "Seen in the shop\non Monday",
    }
    [version] = db.exec(select(SubmissionVersion)).all()
    assert (version.number, version.payload) == (1, submission.payload)

    [receipt] = outbox(app)
    assert receipt["To"] == "reader@example.test"
    link = re.search(r"http://localhost(/submissions/\S+)", body(receipt)).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Pending" in text(page)
    assert "100% natural, 0% plastic" in text(page)
    assert "March 2024" in text(page)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Referrer-Policy"] == "same-origin"
    # The contributor's address never appears on the page.
    assert "reader@example.test" not in text(page)


def test_every_form_accepts_a_valid_contribution(client, db, world):
    brand, claim, contradiction = world["brand"], world["claim"], world["contradiction"]
    source = {"sources-0-url": "https://evidence.example.test/report", "sources-0-title": "Report"}
    forms = [
        (
            "/submit/brand",
            {
                "name": "Bright Fictional Foods",
                "aliases": "BFF\nBright Foods",
                "country": "BE",
                "website": "https://bff.example.test",
            },
            SubmissionKind.brand,
            {"name": "Bright Fictional Foods", "aliases": ["BFF", "Bright Foods"], "country": "BE"},
        ),
        ("/submit/claim", claim_form(brand), SubmissionKind.claim, {"brand_id": brand.id}),
        (
            f"/submit/contradiction/{brand.slug}",
            {
                "claims": [str(claim.id)],
                "title": "Second lab finds plastic",
                "summary": "A second fictional lab confirms it.",
                "finder_name": "Other Lab",
                "finder_kind": "lab",
                "kind": "lab_test",
                "date-year": "2024",
                **source,
            },
            SubmissionKind.contradiction,
            {"claim_ids": [claim.id], "finder_kind": "lab", "date": "2024"},
        ),
        (
            f"/submit/evidence/claim/{claim.id}",
            {"stance": "refutes", "explanation": "A newer test", **source},
            SubmissionKind.evidence,
            {"target_type": "claim", "target_id": claim.id, "stance": "refutes"},
        ),
        (
            f"/submit/correction/contradiction/{contradiction.id}",
            {
                "field": "title",
                "what_is_wrong": "Typo",
                "fix": "Lab finds plastic microbeads",
                **source,
            },
            SubmissionKind.correction,
            {"target_type": "contradiction", "field": "title"},
        ),
        (
            f"/submit/response/{contradiction.id}",
            {
                "summary": "The brand says the test used an old batch.",
                "date-day": "5",
                "date-month": "4",
                "date-year": "2024",
                **source,
            },
            SubmissionKind.response,
            {"contradiction_id": contradiction.id, "via": "public_statement", "date": "2024-04-05"},
        ),
    ]
    for url, data, kind, expected in forms:
        response = post(client, url, data)
        assert response.status_code == 302, (url, text(response))
        submission = db.exec(select(Submission).order_by(Submission.id.desc())).first()
        assert submission.kind == kind
        for key, value in expected.items():
            assert submission.payload[key] == value, (url, key)
    correction = db.exec(select(Submission).where(Submission.kind == "correction")).one()
    assert (correction.target_type, correction.target_id) == ("contradiction", contradiction.id)


BAD_INPUT = {
    "brand": (
        "/submit/brand",
        {"name": "", "website": "ftp://files.example.test", "description": "Kept ✓ <i>text</i>"},
        ["Enter the brand&#39;s name.", "Enter a full web address starting with http://"],
        ['value="ftp://files.example.test"', "Kept ✓ &lt;i&gt;text&lt;/i&gt;"],
    ),
    "claim": (
        "/submit/claim",
        {
            "quote": "",
            "summary": "",
            "where": "Kept in the shop",
            "date-day": "31",
            "date-month": "2",
            "date-year": "2023",
            "sources-0-url": "",
            "sources-0-title": "Orphan",
            "brand": "",
            "channel": "advert",
        },
        [
            "Give the claim&#39;s words",
            "That day does not exist in that month.",
            "Choose at least one topic.",
            "Enter the source&#39;s web address.",
            "Choose the brand that made the claim.",
        ],
        ['value="Kept in the shop"', 'value="31"', 'value="Orphan"'],
    ),
    "contradiction": (
        "/submit/contradiction/{slug}",
        {
            "title": "x" * 301,
            "summary": "Kept summary",
            "finder_name": "",
            "finder_kind": "lab",
            "kind": "lab_test",
            "date-year": "",
            "sources-0-url": "not a url",
        },
        [
            "Choose at least one claim.",
            "Use at most 300 characters.",
            "Name who found it",
            "Enter at least the year.",
            "Enter a full web address",
        ],
        ["Kept summary", 'value="not a url"', "x" * 301],
    ),
    "evidence": (
        "/submit/evidence/claim/{claim}",
        {"stance": "supports", "explanation": "", "sources-0-url": "", "note": "Kept note"},
        ["Say what the new evidence shows.", "Give at least one source"],
        ["Kept note"],
    ),
    "correction": (
        "/submit/correction/claim/{claim}",
        {
            "field": "quote",
            "what_is_wrong": "Kept complaint",
            "fix": "",
            "sources-0-url": "https://x.example.test",
            "sources-0-date-year": "20x4",
        },
        ["Give the correct text or value.", "Enter the year as four digits"],
        ["Kept complaint", 'value="20x4"'],
    ),
    "response": (
        "/submit/response/{contradiction}",
        {
            "summary": "Kept answer",
            "date-year": "2024",
            "quote_language": "Dutch!",
            "contact_email": "not-an-email",
        },
        ["Give at least one source", "Use a language code", "Enter an email address like"],
        ["Kept answer", 'value="not-an-email"'],
    ),
}


@pytest.mark.parametrize("form", sorted(BAD_INPUT))
def test_bad_input_names_the_field_and_keeps_what_was_typed(client, db, world, form):
    url, data, messages, kept = BAD_INPUT[form]
    url = url.format(
        slug=world["brand"].slug, claim=world["claim"].id, contradiction=world["contradiction"].id
    )
    response = post(client, url, data)
    assert response.status_code == 422
    page = text(response)
    assert 'class="error-summary"' in page
    for message in messages:
        assert message in page, message
    for value in kept:
        assert value in page, value
    assert db.exec(select(Submission)).all() == []


HOSTILE = {
    "script": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "controls": "bell\x07 escape\x1b[31m tab\t vertical\x0b formfeed\x0c unit\x1f del\x7f",
    "bidi": "\u202eevil\u202c \u2066isolated\u2069 \u200fRLM",
    "mixed": "Ελληνικά العربية עברית 中文 Кириллица हिन्दी",
    "emoji": "👩🏽‍🔬 🏳️‍🌈 🇳🇱 e\u0301",
    "long": "é" * 5000,
}


def test_hostile_input_is_stored_exactly_and_shown_escaped(client, db, world):
    quote = "\n".join(value for key, value in HOSTILE.items() if key != "long")
    data = claim_form(
        world["brand"],
        quote=quote,
        translation=HOSTILE["long"],  # exactly the longest a translation may be
        where=HOSTILE["script"],
        **{"sources-0-excerpt": HOSTILE["bidi"] + HOSTILE["controls"]},
    )
    response = post(client, "/submit/claim", data)
    assert response.status_code == 302, text(response)
    submission = only_submission(db)
    assert submission.payload["quote"] == quote
    assert submission.payload["where"] == HOSTILE["script"]
    assert submission.payload["translation"] == HOSTILE["long"]
    assert submission.payload["sources"][0]["excerpt"] == HOSTILE["bidi"] + HOSTILE["controls"]

    page = text(client.get(response.headers["Location"]))
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert html.escape(HOSTILE["script"], quote=False) in page.replace("&#34;", '"')
    assert HOSTILE["mixed"] in page
    assert HOSTILE["emoji"] in page
    assert HOSTILE["long"] in page


def test_too_long_text_is_refused_not_cut(client, db, world):
    data = claim_form(world["brand"], quote="é" * 5001)
    response = post(client, "/submit/claim", data)
    assert response.status_code == 422
    assert "Use at most 5000 characters." in text(response)
    assert "é" * 5001 in text(response)  # kept, for the contributor to shorten


def test_a_nul_character_is_refused_with_a_clear_message(client, db, world):
    data = claim_form(world["brand"], quote="before\x00after", where="fine")
    response = post(client, "/submit/claim", data)
    assert response.status_code == 422
    assert "Remove the NUL character" in text(response)
    assert db.exec(select(Submission)).all() == []


def test_possible_duplicates_are_flagged_and_kept(client, db, world):
    brand, claim = world["brand"], world["claim"]
    source = Source(url="https://www.shop.example.test/scrub/", url_key="shop.example.test/scrub")
    save_revision(db, source, author=SEED, reason="test source")
    db.add(Citation(source_id=source.id, claim_id=claim.id))
    db.commit()

    # The same page behind tracking parameters, and nearly the claim's words.
    data = claim_form(brand, quote="100% Natural — and kind to the ocean!")
    assert post(client, "/submit/claim", data).status_code == 302
    assert post(client, "/submit/claim", data).status_code == 302
    assert (
        post(client, "/submit/brand", {"name": "ACME naturals", "country": ""}).status_code == 302
    )

    first, second, new_brand = db.exec(select(Submission).order_by(Submission.id)).all()
    reasons = {flag["reason"] for flag in first.duplicate_flags}
    assert reasons == {"source_url", "claim_text"}
    assert {f["entity_id"] for f in first.duplicate_flags} == {source.id, claim.id}
    assert {"open_submission"} <= {flag["reason"] for flag in second.duplicate_flags}
    assert [f["submission_id"] for f in second.duplicate_flags if f.get("submission_id")] == [
        first.id
    ]
    [brand_flag] = new_brand.duplicate_flags
    assert (brand_flag["reason"], brand_flag["entity_id"]) == ("brand_name", brand.id)
    assert all(s.state == SubmissionState.pending for s in (first, second, new_brand))


def test_a_failing_duplicate_check_loses_nothing(client, db, world, monkeypatch):
    def broken(session, submission):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(duplicates, "find", broken)
    response = post(client, "/submit/claim", claim_form(world["brand"]))
    assert response.status_code == 302
    assert only_submission(db).payload["quote"] == "100% natural, 0% plastic"


def test_a_filled_honeypot_stores_nothing(client, db, world):
    response = post(
        client, "/submit/claim", claim_form(world["brand"], homepage="http://spam.test")
    )
    assert response.status_code == 422
    assert db.exec(select(Submission)).all() == []


def test_anonymous_contributions_can_be_switched_off(app, client, db, world):
    app.config["ANONYMOUS_SUBMISSIONS"] = False
    assert client.get("/submit/claim").status_code == 302
    response = post(client, "/submit/claim", claim_form(world["brand"]))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db.exec(select(Submission)).all() == []
    login_as(client, make_user(db, "ana"))
    assert post(client, "/submit/claim", claim_form(world["brand"])).status_code == 302
    assert only_submission(db).submitter_id is not None


def test_add_another_source_keeps_everything_typed(client, db, world):
    data = claim_form(world["brand"], add_source="1", where="Kept while adding")
    response = post(client, "/submit/claim", data)
    assert response.status_code == 200
    page = text(response)
    assert 'name="sources-1-url"' in page
    assert 'value="Kept while adding"' in page
    assert 'class="error-summary"' not in page
    assert db.exec(select(Submission)).all() == []
    data = claim_form(world["brand"], **{"sources-1-url": "https://second.example.test/"})
    assert post(client, "/submit/claim", data).status_code == 302
    assert len(only_submission(db).payload["sources"]) == 2


def test_the_contributor_edits_and_resubmits_after_changes_requested(app, client, db, world):
    response = post(client, "/submit/claim", claim_form(world["brand"]))
    status_url = response.headers["Location"]
    submission = only_submission(db)
    assert client.get(status_url + "/edit").status_code == 302  # not while pending

    submission.state = SubmissionState.changes_requested
    submission.decision_message = "Please add the size of the tube."
    db.add(submission)
    db.commit()
    page = text(client.get(status_url))
    assert "Please add the size of the tube." in page
    form_page = text(client.get(status_url + "/edit"))
    assert 'value="The 200 ml tube"' in form_page
    assert "Please add the size of the tube." in form_page

    edited = claim_form(
        world["brand"], where="The 75 ml tube", lock_version=str(submission.lock_version)
    )
    assert post(client, status_url + "/edit", edited).status_code == 302
    submission = db.get(Submission, submission.id)
    assert submission.state == SubmissionState.pending
    assert submission.payload["where"] == "The 75 ml tube"
    versions = db.exec(select(SubmissionVersion).order_by(SubmissionVersion.number)).all()
    assert [v.payload["where"] for v in versions] == ["The 200 ml tube", "The 75 ml tube"]

    # A stale tab cannot resubmit twice.
    again = post(client, status_url + "/edit", edited)
    assert again.status_code == 302
    assert len(db.exec(select(SubmissionVersion)).all()) == 2


def test_the_contributor_can_withdraw_while_open(client, db, world):
    status_url = post(client, "/submit/claim", claim_form(world["brand"])).headers["Location"]
    submission = only_submission(db)
    response = post(
        client, status_url + "/withdraw", {"lock_version": str(submission.lock_version)}
    )
    assert response.status_code == 302
    assert db.get(Submission, submission.id).state == SubmissionState.withdrawn
    assert "Withdraw this contribution" not in text(client.get(status_url))


def test_unknown_tokens_and_other_peoples_submissions_are_not_found(client, db, world):
    assert client.get("/submissions/not-a-real-token").status_code == 404
    ana, bob = make_user(db, "ana"), make_user(db, "bob")
    login_as(client, ana)
    post(client, "/submit/claim", claim_form(world["brand"]))
    submission = only_submission(db)
    assert submission.submitter_id == ana.id
    assert submission.contact_email is None
    page = text(client.get("/account"))
    assert f"/account/submissions/{submission.id}" in page
    assert client.get(f"/account/submissions/{submission.id}").status_code == 200
    login_as(client, bob)
    assert client.get(f"/account/submissions/{submission.id}").status_code == 404


def test_a_logged_in_contributor_gets_the_receipt_at_their_address(app, client, db, world):
    login_as(client, make_user(db, "ana"))
    page = text(client.get("/submit/claim"))
    assert 'name="contact_email"' not in page
    post(client, "/submit/claim", claim_form(world["brand"]))
    [receipt] = outbox(app)
    assert receipt["To"] == "ana@example.test"


def test_record_pages_link_to_the_forms(client, db, world):
    claim_page = text(client.get(f"/claims/{world['claim'].id}"))
    assert f"/submit/evidence/claim/{world['claim'].id}" in claim_page
    assert f"/submit/correction/claim/{world['claim'].id}" in claim_page
    brand_page = text(client.get(f"/brands/{world['brand'].slug}"))
    assert f"/submit/claim?brand={world['brand'].slug}" in brand_page


def test_a_contradiction_needs_a_published_claim(client, db):
    brand = make_brand(db, "Claimless Fictional Co")
    page = client.get(f"/submit/contradiction/{brand.slug}")
    assert "No claim of Claimless Fictional Co is published yet" in text(page)
    assert client.get("/submit/contradiction/no-such-brand").status_code == 404


def test_the_brand_of_a_new_claim_can_be_chosen_in_advance(client, db, world):
    page = text(client.get(f"/submit/claim?brand={world['brand'].slug}"))
    assert f'<option selected value="{world["brand"].id}">' in page


def test_bad_remedy_input_names_the_field_and_keeps_what_was_typed(client, db, world):
    brand = world["brand"]
    login_as(client, make_user(db, "rep", Role.representative, brand=brand, verified=True))
    response = post(
        client,
        f"/submit/remedy/{brand.slug}",
        {
            "contradiction": "",
            "kind": "fine",
            "summary": "Kept remedy text",
            "date-day": "1",
            "date-month": "13",
            "date-year": "2024",
            "sources-0-url": "",
        },
    )
    assert response.status_code == 422
    page = text(response)
    for message in (
        "Not a valid choice",
        "Enter the month as a number from 1 to 12.",
        "Give at least one source",
    ):
        assert message in page, message
    assert "Kept remedy text" in page and 'value="13"' in page
    assert db.exec(select(Submission)).all() == []


def test_the_remedy_form_is_for_verified_representatives_only(client, db, world):
    brand = world["brand"]
    assert client.get(f"/submit/remedy/{brand.slug}").status_code == 302  # log in first
    login_as(client, make_user(db, "rep", Role.representative, brand=brand, verified=False))
    assert client.get(f"/submit/remedy/{brand.slug}").status_code == 403
