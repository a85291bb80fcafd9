"""Moderating: approve as revision 1 or a new revision, edit then approve, reject with a
reason, ask for changes, merge, bulk decisions, four eyes, the public log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.contributing.support import (
    body,
    claim_payload,
    contradiction_payload,
    decide,
    login_as,
    make_brand,
    make_claim,
    make_contradiction,
    make_user,
    outbox,
    post,
    stored,
    text,
)
from tracker.models import (
    Brand,
    Citation,
    Claim,
    Contradiction,
    DecisionAction,
    ModerationDecision,
    Outcome,
    Response,
    Revision,
    Role,
    Source,
    Submission,
    SubmissionKind,
    SubmissionState,
)


@pytest.fixture
def world(db):
    brand = make_brand(db, "Acme Cosmetics")
    claim = make_claim(db, brand)
    contradiction = make_contradiction(db, brand, [claim])
    return {
        "brand": brand,
        "claim": claim,
        "contradiction": contradiction,
        "mod": make_user(db, "mod-ana", Role.moderator),
        "mod2": make_user(db, "mod-bo", Role.moderator),
    }


def fresh(db, submission) -> Submission:
    return db.get(Submission, submission.id)


def test_approving_a_claim_publishes_revision_one_with_its_reason(app, client, db, world):
    submission, token = stored(
        db, SubmissionKind.claim, claim_payload(world["brand"]), contact_email="c@example.test"
    )
    login_as(client, world["mod"])
    detail = text(client.get(f"/moderation/{submission.id}"))
    assert "As it would be published" in detail
    assert "Ocean-friendly formula" in detail
    assert "c@example.test" not in detail  # moderators do not see the contributor's address

    response = decide(client, submission, "approve")
    assert response.status_code == 302
    submission = fresh(db, submission)
    assert submission.state == SubmissionState.approved
    claim = db.get(Claim, submission.record_id)
    assert (submission.record_type, claim.quote, claim.version) == (
        "claim",
        "Ocean-friendly formula",
        1,
    )
    assert claim.date == dt.date(2024, 5, 1) and claim.date_precision == "month"
    assert sorted(claim.topics) == ["microplastics", "packaging"]
    [citation] = claim.citations
    assert citation.source.url_key == "ads.example.test/ocean"
    [revision] = db.exec(
        select(Revision).where(Revision.entity_type == "claim", Revision.entity_id == claim.id)
    ).all()
    assert (revision.reason, revision.author_label, revision.submission_id) == (
        f"Published from submission #{submission.id}",
        "mod-ana",
        submission.id,
    )
    history = text(client.get(f"/claims/{claim.id}/history"))
    assert f"Published from submission #{submission.id}" in history
    timeline = text(client.get(f"/brands/{world['brand'].slug}"))
    assert "Ocean-friendly formula" in timeline
    [decision] = db.exec(select(ModerationDecision)).all()
    assert (decision.action, decision.moderator_handle, decision.revision_id) == (
        DecisionAction.approve,
        "mod-ana",
        revision.id,
    )
    status = text(client.get(f"/submissions/{token}"))
    assert "Approved" in status and f"/claims/{claim.id}" in status
    [mail] = outbox(app)
    assert mail["To"] == "c@example.test" and f"/claims/{claim.id}" in body(mail)


def test_every_kind_is_published_through_a_revision(client, db, world):
    brand, claim, contradiction = world["brand"], world["claim"], world["contradiction"]
    rep = make_user(db, "rep", Role.representative, brand=brand, verified=True)
    source = [{"url": "https://proof.example.test/page", "excerpt": "proof"}]
    cases = [
        (
            SubmissionKind.brand,
            {"name": "Bright Fictional Foods", "aliases": ["BFF"], "country": "BE", "sources": []},
            {},
        ),
        (
            SubmissionKind.evidence,
            {
                "target_type": "claim",
                "target_id": claim.id,
                "stance": "refutes",
                "explanation": "Newer",
                "sources": source,
            },
            {"target_type": "claim", "target_id": claim.id},
        ),
        (
            SubmissionKind.correction,
            {
                "target_type": "contradiction",
                "target_id": contradiction.id,
                "field": "date",
                "what_is_wrong": "Day known",
                "fix": "2024-03-05",
                "sources": source,
            },
            {"target_type": "contradiction", "target_id": contradiction.id},
        ),
        (
            SubmissionKind.response,
            {
                "contradiction_id": contradiction.id,
                "summary": "We disagree",
                "date": "2024-04",
                "via": "public_statement",
                "sources": source,
            },
            {},
        ),
        (
            SubmissionKind.remedy,
            {
                "brand_id": brand.id,
                "contradiction_id": contradiction.id,
                "kind": "reformulation",
                "summary": "New formula without PE",
                "date": "2024-09",
                "sources": source,
            },
            {"submitter": rep},
        ),
    ]
    login_as(client, world["mod"])
    for kind, payload, extra in cases:
        submission, _ = stored(db, kind, payload, **extra)
        response = decide(client, submission, "approve")
        assert response.status_code == 302, (kind, text(response))
        assert fresh(db, submission).state == SubmissionState.approved, kind

    new_brand = db.exec(select(Brand).where(Brand.name == "Bright Fictional Foods")).one()
    assert (new_brand.slug, new_brand.aliases, new_brand.version) == (
        "bright-fictional-foods",
        ["BFF"],
        1,
    )
    claim = db.get(Claim, claim.id)
    assert claim.version == 2
    assert [c.stance for c in claim.citations] == ["refutes"]
    contradiction = db.get(Contradiction, contradiction.id)
    assert (contradiction.date, contradiction.date_precision, contradiction.version) == (
        dt.date(2024, 3, 5),
        "day",
        2,
    )
    response = db.exec(select(Response)).one()
    assert (response.via, response.contradiction_id) == ("public_statement", contradiction.id)
    remedy = db.exec(select(Outcome)).one()
    assert remedy.is_remedy and remedy.contradiction_id == contradiction.id
    reasons = {r.reason for r in db.exec(select(Revision).where(Revision.submission_id != None))}  # noqa: E711
    assert any(reason.startswith("Corrected from submission #") for reason in reasons)
    assert any(reason.startswith("Evidence added from submission #") for reason in reasons)
    # The same address is one source, however many submissions cite it.
    assert (
        len(db.exec(select(Source).where(Source.url_key == "proof.example.test/page")).all()) == 1
    )


def test_a_correction_shows_its_diff_before_approval(client, db, world):
    contradiction = world["contradiction"]
    submission, _ = stored(
        db,
        SubmissionKind.correction,
        {
            "target_type": "contradiction",
            "target_id": contradiction.id,
            "field": "title",
            "what_is_wrong": "The lab found microplastics, not microbeads",
            "fix": "Lab finds microplastics",
            "sources": [{"url": "https://lab.example.test/erratum"}],
        },
        target_type="contradiction",
        target_id=contradiction.id,
    )
    login_as(client, world["mod"])
    page = text(client.get(f"/moderation/{submission.id}"))
    assert "<del>microbeads</del>" in page
    assert "<ins>microplastics</ins>" in page


def test_four_eyes_a_contradiction_needs_a_second_moderator(app, client, db, world):
    brand, claim = world["brand"], world["claim"]
    submission, token = stored(
        db, SubmissionKind.contradiction, contradiction_payload(brand, [claim])
    )
    login_as(client, world["mod"])
    assert decide(client, submission, "approve").status_code == 302
    submission = fresh(db, submission)
    assert submission.state == SubmissionState.awaiting_confirmation
    assert (
        db.exec(
            select(Contradiction).where(Contradiction.title.startswith("Lab finds plastic"))
        ).all()
        == []
    )
    assert "second moderator" in text(client.get(f"/submissions/{token}"))

    again = decide(client, submission, "approve")
    assert again.status_code == 403
    assert "a second moderator must confirm it" in text(again)

    login_as(client, world["mod2"])
    assert decide(client, submission, "approve").status_code == 302
    submission = fresh(db, submission)
    assert submission.state == SubmissionState.approved
    published = db.get(Contradiction, submission.record_id)
    assert published.state == "open" and published.published_at is not None
    [revision] = db.exec(
        select(Revision).where(
            Revision.entity_type == "contradiction", Revision.entity_id == published.id
        )
    ).all()
    assert "approved by mod-ana, confirmed by mod-bo" in revision.reason
    actions = [
        d.action for d in db.exec(select(ModerationDecision).order_by(ModerationDecision.id))
    ]
    assert actions == [DecisionAction.first_approval, DecisionAction.confirm]


def test_four_eyes_can_be_switched_off(app, client, db, world):
    app.config["FOUR_EYES_CONTRADICTIONS"] = False
    submission, _ = stored(
        db, SubmissionKind.contradiction, contradiction_payload(world["brand"], [world["claim"]])
    )
    login_as(client, world["mod"])
    decide(client, submission, "approve")
    assert fresh(db, submission).state == SubmissionState.approved


def test_nobody_decides_their_own_submission(client, db, world):
    submission, _ = stored(
        db, SubmissionKind.claim, claim_payload(world["brand"]), submitter=world["mod"]
    )
    login_as(client, world["mod"])
    assert "You sent this submission yourself" in text(client.get(f"/moderation/{submission.id}"))
    for action, data in [
        ("approve", {}),
        ("reject", {"reason_code": "spam", "message": "x"}),
        ("request-changes", {"message": "x"}),
    ]:
        response = decide(client, submission, action, **data)
        assert response.status_code == 403, action
        assert "You cannot decide your own submission" in text(response)
    assert fresh(db, submission).state == SubmissionState.pending


def test_reject_with_a_reason_shown_to_the_contributor_and_in_the_log(app, client, db, world):
    submission, token = stored(
        db, SubmissionKind.claim, claim_payload(world["brand"]), contact_email="c@example.test"
    )
    login_as(client, world["mod"])
    bad = decide(client, submission, "reject", reason_code="", message="")
    assert bad.status_code == 422
    assert "Choose a reason." in text(bad) and "Write a message to the contributor." in text(bad)
    response = decide(
        client,
        submission,
        "reject",
        reason_code="unreliable_source",
        message="The page is a reseller's, not the brand's.",
    )
    assert response.status_code == 302
    submission = fresh(db, submission)
    assert (submission.state, submission.decision_reason_code) == ("rejected", "unreliable_source")
    status = text(client.get(f"/submissions/{token}"))
    assert "Unreliable source" in status
    assert "The page is a reseller&#39;s, not the brand&#39;s." in status
    log = text(client.get("/moderation/log"))
    assert "Unreliable source" in log and "mod-ana" in log
    assert "reseller" not in log  # the message is for the contributor only
    [mail] = outbox(app)
    assert "Unreliable source" in body(mail)


def test_request_changes_then_resubmit_then_approve(client, db, world):
    submission, token = stored(db, SubmissionKind.claim, claim_payload(world["brand"]))
    login_as(client, world["mod"])
    assert decide(client, submission, "request-changes", message="").status_code == 422
    assert (
        decide(
            client, submission, "request-changes", message="Which country was the advert shown in?"
        ).status_code
        == 302
    )
    submission = fresh(db, submission)
    assert submission.state == SubmissionState.changes_requested

    contributor = client.application.test_client()
    from tests.contributing.support import claim_form

    form = claim_form(
        world["brand"],
        quote="Ocean-friendly formula",
        where="Dutch TV, 2024",
        lock_version=str(submission.lock_version),
    )
    assert post(contributor, f"/submissions/{token}/edit", form).status_code == 302
    submission = fresh(db, submission)
    assert (submission.state, submission.payload["where"]) == ("pending", "Dutch TV, 2024")
    assert decide(client, submission, "approve").status_code == 302
    assert db.get(Claim, fresh(db, submission).record_id).where == "Dutch TV, 2024"


def test_edit_then_approve_records_the_edit(client, db, world):
    submission, _ = stored(
        db, SubmissionKind.claim, claim_payload(world["brand"], quote="Ocean friendly formula!!")
    )
    login_as(client, world["mod"])
    page = text(client.get(f"/moderation/{submission.id}/edit"))
    assert "Ocean friendly formula!!" in page
    from tests.contributing.support import claim_form

    form = claim_form(
        world["brand"],
        quote="Ocean-friendly formula",
        edit_note="Typo in the quote",
        lock_version=str(submission.lock_version),
    )
    response = post(client, f"/moderation/{submission.id}/edit", form)
    assert response.status_code == 302, text(response)
    submission = fresh(db, submission)
    assert submission.payload["quote"] == "Ocean friendly formula!!"  # kept as sent
    claim = db.get(Claim, submission.record_id)
    assert claim.quote == "Ocean-friendly formula"
    [decision] = db.exec(select(ModerationDecision)).all()
    assert decision.action == DecisionAction.approve_edited
    assert decision.edited_payload["quote"] == "Ocean-friendly formula"
    assert decision.edit_note == "Typo in the quote"
    [revision] = db.exec(
        select(Revision).where(Revision.entity_type == "claim", Revision.entity_id == claim.id)
    ).all()
    assert revision.reason.endswith("edited by the moderator: Typo in the quote")
    assert "Edited and approved" in text(client.get("/moderation/log"))


def test_merge_into_an_existing_record(client, db, world):
    claim = world["claim"]
    payload = claim_payload(world["brand"], quote=claim.quote, url="https://other.example.test/ad")
    submission, _ = stored(db, SubmissionKind.claim, payload)
    login_as(client, world["mod"])
    page = text(client.get(f"/moderation/{submission.id}"))
    assert "A nearly identical claim of this brand exists" in page
    assert decide(client, submission, "merge", target="999").status_code == 422
    response = decide(client, submission, "merge", target=str(claim.id), message="Same advert")
    assert response.status_code == 302
    claim = db.get(Claim, claim.id)
    assert claim.version == 2
    assert [c.source.url for c in claim.citations] == ["https://other.example.test/ad"]
    submission = fresh(db, submission)
    assert (submission.state, submission.record_id) == ("approved", claim.id)
    assert len(db.exec(select(Claim)).all()) == 1  # no second copy
    assert "Merged into an existing record" in text(client.get("/moderation/log"))


def test_bulk_approve_and_reject(client, db, world):
    brand, claim = world["brand"], world["claim"]
    one, _ = stored(db, SubmissionKind.claim, claim_payload(brand, "First fictional claim"))
    two, _ = stored(db, SubmissionKind.claim, claim_payload(brand, "Second fictional claim"))
    contra, _ = stored(db, SubmissionKind.contradiction, contradiction_payload(brand, [claim]))
    own, _ = stored(db, SubmissionKind.claim, claim_payload(brand, "Mine"), submitter=world["mod"])
    stale, _ = stored(db, SubmissionKind.claim, claim_payload(brand, "Stale"))
    login_as(client, world["mod"])
    selected = [f"{s.id}:{s.lock_version}" for s in (one, two, contra, own)] + [f"{stale.id}:7"]
    response = post(client, "/moderation/bulk", {"selected": selected, "action": "approve"})
    assert response.status_code == 302
    page = text(client.get("/moderation/"))
    assert "2 submissions decided." in page
    assert "1 new contradiction now waits for a second moderator." in page
    assert f"#{own.id} was skipped" in page and f"#{stale.id} was skipped" in page
    states = {s.id: fresh(db, s).state for s in (one, two, contra, own, stale)}
    assert states == {
        one.id: "approved",
        two.id: "approved",
        contra.id: "awaiting_confirmation",
        own.id: "pending",
        stale.id: "pending",
    }

    refused = post(client, "/moderation/bulk", {"selected": [f"{stale.id}:0"], "action": "reject"})
    assert refused.status_code == 302
    assert fresh(db, stale).state == "pending"  # a reason and a message are required
    post(
        client,
        "/moderation/bulk",
        {
            "selected": [f"{stale.id}:0"],
            "action": "reject",
            "reason_code": "duplicate",
            "message": "Seen already",
        },
    )
    assert fresh(db, stale).state == "rejected"


def test_the_queue_filters_and_counts(client, db, world):
    brand = world["brand"]
    other = make_brand(db, "Other Fictional Brand")
    old, _ = stored(db, SubmissionKind.claim, claim_payload(brand, "Old one", "https://a.test/1"))
    old.created_at = old.created_at - dt.timedelta(days=10)
    db.add(old)
    db.commit()
    stored(db, SubmissionKind.claim, claim_payload(brand, "New one", "https://a.test/2"))
    stored(db, SubmissionKind.claim, claim_payload(other, "Other brand's", "https://a.test/3"))
    stored(db, SubmissionKind.brand, {"name": "Acme Cosmetics", "aliases": [], "sources": []})
    login_as(client, world["mod"])
    page = text(client.get("/moderation/"))
    assert page.index("Old one") < page.index("New one")  # oldest first
    assert "4 submissions match" in page
    assert "New claim</a>: 3" in page and "New brand</a>: 1" in page
    only = text(client.get(f"/moderation/?kind=claim&brand={brand.slug}"))
    assert "2 submissions match" in only and "Other brand" not in only
    aged = text(client.get("/moderation/?age=7"))
    assert "1 submission matches" in aged and "Old one" in aged
    flagged = text(client.get("/moderation/?flagged=1"))
    assert "1 submission matches" in flagged  # the brand named like an existing one
    assert client.get("/moderation/?state=nonsense&age=abc&page=x").status_code == 200


def test_the_public_log_shows_no_personal_data(client, db, world):
    contributor = make_user(db, "zoe", Role.contributor)
    contributor.display_name = "Zoë Private-Name"
    db.add(contributor)
    db.commit()
    one, _ = stored(db, SubmissionKind.claim, claim_payload(world["brand"]), submitter=contributor)
    two, _ = stored(
        db,
        SubmissionKind.claim,
        claim_payload(world["brand"], "Other"),
        contact_email="private@example.test",
    )
    login_as(client, world["mod"])
    decide(client, one, "approve")
    decide(client, two, "reject", reason_code="spam", message="Dear private@example.test")
    login_as(client, None)
    log = text(client.get("/moderation/log"))
    for private in ("Zoë", "Private-Name", "zoe", "private@example.test", "Dear"):
        assert private not in log
    assert "mod-ana" in log and "Spam" in log
    assert client.get("/moderation/").status_code == 302  # the queue is not public


def test_a_payload_that_cannot_be_published_is_explained(client, db, world):
    # As a seed file or an old form might have stored it: no topics, a bad date.
    submission, _ = stored(
        db,
        SubmissionKind.claim,
        {
            "brand_id": world["brand"].id,
            "quote": "Fictional",
            "date": "someday",
            "seed_note": "From a fictional newsletter",
        },
    )
    login_as(client, world["mod"])
    page = text(client.get(f"/moderation/{submission.id}"))
    assert "This cannot be published as it stands" in page
    assert "topics" in page and "From a fictional newsletter" in page
    response = decide(client, submission, "approve")
    assert response.status_code == 422
    assert fresh(db, submission).state == SubmissionState.pending
    assert len(db.exec(select(Claim)).all()) == 1


def test_a_decision_on_a_stale_page_gets_a_clear_message(client, db, world):
    submission, _ = stored(db, SubmissionKind.claim, claim_payload(world["brand"]))
    login_as(client, world["mod2"])
    decide(client, submission, "reject", reason_code="off_topic", message="Not ours")
    login_as(client, world["mod"])
    response = decide(client, submission, "approve", lock_version="0")
    assert response.status_code == 409
    assert "Another moderator decided this submission a moment ago (mod-bo: Rejected)" in text(
        response
    )
    assert fresh(db, submission).state == SubmissionState.rejected
    assert len(db.exec(select(Claim)).all()) == 1
    assert len(db.exec(select(Citation)).all()) == 0
