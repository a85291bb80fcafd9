"""The brand's right of reply: invited when a contradiction is published, "no response yet,
invited N days ago" until a response is published; verified representatives answer and
report remedies; anyone may add a public statement with its source."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.contributing.support import (
    claim_form,
    contradiction_payload,
    decide,
    login_as,
    make_brand,
    make_claim,
    make_user,
    outbox,
    post,
    stored,
    text,
)
from tracker.models import (
    Contradiction,
    Outcome,
    Response,
    Role,
    Submission,
    SubmissionKind,
)

SOURCE = {"sources-0-url": "https://statement.example.test/reply", "sources-0-title": "Reply"}


@pytest.fixture
def world(app, db):
    app.config["FOUR_EYES_CONTRADICTIONS"] = False  # one moderator suffices in these tests
    brand = make_brand(db, "Acme Cosmetics")
    claim = make_claim(db, brand)
    return {
        "brand": brand,
        "claim": claim,
        "mod": make_user(db, "mod-ana", Role.moderator),
        "rep": make_user(db, "rep", Role.representative, brand=brand, verified=True),
    }


def publish_contradiction(client, db, world) -> Contradiction:
    submission, _ = stored(
        db, SubmissionKind.contradiction, contradiction_payload(world["brand"], [world["claim"]])
    )
    login_as(client, world["mod"])
    assert decide(client, submission, "approve").status_code == 302
    return db.get(Contradiction, db.get(Submission, submission.id).record_id)


def latest(db) -> Submission:
    return db.exec(select(Submission).order_by(Submission.id.desc())).first()


def test_the_brand_is_invited_from_the_day_of_publication(app, client, db, world):
    contradiction = publish_contradiction(client, db, world)
    [invitation] = [m for m in outbox(app) if m["To"] == "rep@example.test"]
    assert "Acme Cosmetics is invited to respond" in invitation["Subject"]
    assert f"/submit/response/{contradiction.id}" in invitation.get_content()

    page = text(client.get(f"/contradictions/{contradiction.id}"))
    assert "No response yet." in page and "invited to respond today" in page

    contradiction.published_at = contradiction.published_at - dt.timedelta(days=12)
    db.add(contradiction)
    db.commit()
    page = text(client.get(f"/contradictions/{contradiction.id}"))
    assert "The brand was invited to respond 12 days ago" in page
    brand_page = text(client.get("/brands/acme-cosmetics"))
    assert "1 contradiction has no response from the brand yet." in brand_page
    assert "invited to respond to the oldest 12 days ago" in brand_page
    assert "No response yet, invited 12 days ago." in brand_page


def test_a_verified_representative_answers_on_the_record(client, db, world):
    contradiction = publish_contradiction(client, db, world)
    login_as(client, world["rep"])
    page = text(client.get(f"/contradictions/{contradiction.id}"))
    assert "Respond on behalf of the brand" in page
    form_page = text(client.get(f"/submit/response/{contradiction.id}"))
    assert "Respond on behalf of Acme Cosmetics" in form_page
    response = post(
        client,
        f"/submit/response/{contradiction.id}",
        {
            "summary": "We changed supplier in 2024 and test every batch.",
            "quote": "Every batch is now tested.",
            "quote_language": "en",
            "date-year": "2024",
        },
    )
    assert response.status_code == 302  # no source needed from the brand itself
    submission = latest(db)
    assert submission.payload["via"] == "representative"

    login_as(client, world["mod"])
    assert decide(client, submission, "approve").status_code == 302
    published = db.exec(select(Response)).one()
    assert (published.via, published.author_id) == ("representative", world["rep"].id)
    page = text(client.get(f"/contradictions/{contradiction.id}"))
    assert "No response yet." not in page
    assert "We changed supplier in 2024" in page
    brand_page = text(client.get("/brands/acme-cosmetics"))
    assert "100%" in brand_page  # the response rate
    assert "Brand response" in brand_page
    assert "has no response from the brand yet" not in brand_page


def test_a_verified_representative_reports_a_remedy(client, db, world):
    contradiction = publish_contradiction(client, db, world)
    login_as(client, world["rep"])
    assert "Report a remedy" in text(client.get("/brands/acme-cosmetics"))
    response = post(
        client,
        "/submit/remedy/acme-cosmetics",
        {
            "contradiction": str(contradiction.id),
            "kind": "reformulation",
            "summary": "The scrub is now made without polyethylene.",
            "date-month": "9",
            "date-year": "2024",
            **SOURCE,
        },
    )
    assert response.status_code == 302
    login_as(client, world["mod"])
    assert decide(client, latest(db), "approve").status_code == 302
    remedy = db.exec(select(Outcome)).one()
    assert remedy.is_remedy and remedy.contradiction_id == contradiction.id
    brand_page = text(client.get("/brands/acme-cosmetics"))
    assert "Remedy" in brand_page and "Product reformulated" in brand_page
    assert "made without polyethylene" in brand_page


def test_anyone_may_add_a_public_statement_with_its_source(client, db, world):
    contradiction = publish_contradiction(client, db, world)
    login_as(client, None)
    form = {"summary": "The brand told a newspaper the test was flawed.", "date-year": "2024"}
    refused = post(client, f"/submit/response/{contradiction.id}", form)
    assert refused.status_code == 422
    assert "Give at least one source" in text(refused)
    assert (
        post(client, f"/submit/response/{contradiction.id}", {**form, **SOURCE}).status_code == 302
    )
    assert latest(db).payload["via"] == "public_statement"
    login_as(client, world["mod"])
    decide(client, latest(db), "approve")
    assert db.exec(select(Response)).one().via == "public_statement"


@pytest.mark.parametrize("who", ["unverified", "other brand"])
def test_others_cannot_speak_for_the_brand(client, db, world, who):
    contradiction = publish_contradiction(client, db, world)
    other = make_brand(db, "Other Fictional Brand")
    user = (
        make_user(db, "pending-rep", Role.representative, brand=world["brand"], verified=False)
        if who == "unverified"
        else make_user(db, "other-rep", Role.representative, brand=other, verified=True)
    )
    login_as(client, user)
    page = text(client.get(f"/contradictions/{contradiction.id}"))
    assert "Respond on behalf of the brand" not in page
    assert "Respond on behalf of" not in text(client.get(f"/submit/response/{contradiction.id}"))
    form = {"summary": "We disagree.", "date-year": "2024"}
    assert post(client, f"/submit/response/{contradiction.id}", form).status_code == 422
    assert (
        post(client, f"/submit/response/{contradiction.id}", {**form, **SOURCE}).status_code == 302
    )
    assert latest(db).payload["via"] == "public_statement"
    assert client.get("/submit/remedy/acme-cosmetics").status_code == 403


def test_a_lapsed_representative_answer_is_not_published_as_the_brands(client, db, world):
    contradiction = publish_contradiction(client, db, world)
    login_as(client, world["rep"])
    post(client, f"/submit/response/{contradiction.id}", {"summary": "Ours", "date-year": "2024"})
    rep = world["rep"]
    rep.representative_verified = False
    db.add(rep)
    db.commit()
    login_as(client, world["mod"])
    response = decide(client, latest(db), "approve")
    assert response.status_code == 422
    assert "no longer a verified representative" in text(response)
    assert db.exec(select(Response)).all() == []


def test_claim_submissions_still_work_for_representatives(client, db, world):
    login_as(client, world["rep"])
    assert post(client, "/submit/claim", claim_form(world["brand"])).status_code == 302
