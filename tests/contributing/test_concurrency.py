"""Two moderators decide the same submission at the same moment: exactly one decision wins,
the other is told so, nothing is published twice or lost. Real threads, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import func, select

from tests.conftest import make_app
from tests.contributing.conftest import open_db
from tests.contributing.support import (
    claim_payload,
    csrf_token,
    login_as,
    make_brand,
    make_user,
    stored,
    text,
)
from tracker.models import (
    Claim,
    ModerationDecision,
    ReasonCode,
    Revision,
    Role,
    Submission,
    SubmissionKind,
    SubmissionState,
    User,
)
from tracker.services import moderation

ROUNDS = 3  # each round a fresh submission; the threads meet at a barrier before deciding


@pytest.fixture
def raced(any_kit, tmp_path):
    """An app on a fresh database of each kind, with a brand and two moderators."""
    app = make_app(any_kit.fresh(), tmp_path / "instance")
    db, engine = open_db(app)
    brand = make_brand(db)
    moderators = [make_user(db, "mod-ana", Role.moderator), make_user(db, "mod-bo", Role.moderator)]
    yield app, db, brand, moderators
    db.close()
    engine.dispose()
    app.extensions["tracker_db"].engine.dispose()


def _race(app, submission_id: int, deciders) -> list[object]:
    """Run each decider in its own thread and write session, all released at once."""
    database = app.extensions["tracker_db"]
    barrier = threading.Barrier(len(deciders))
    results: list[object] = [None] * len(deciders)

    def run(index, decide):
        # Each moderator saw the same version of the submission on their page (as the
        # form's lock_version says); then both send their decision at once.
        with database.session() as reader:
            expected = reader.get(Submission, submission_id).lock_version
        barrier.wait(timeout=30)
        with app.app_context(), database.session(write=True) as session:
            submission = session.get(Submission, submission_id)
            moderator = session.get(User, deciders[index][0])
            try:
                outcome = decide(session, submission, moderator, expected)
                session.commit()
                results[index] = outcome.decision.action
            except moderation.DecisionConflict as error:
                session.rollback()
                results[index] = error
            except Exception as error:  # surfaced by the assertions below
                session.rollback()
                results[index] = error

    threads = [
        threading.Thread(target=run, args=(index, decide))
        for index, (_, decide) in enumerate(deciders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _approve(session, submission, moderator, expected):
    return moderation.approve(
        session=session, submission=submission, moderator=moderator, expected_lock=expected
    )


def _reject(session, submission, moderator, expected):
    return moderation.reject(
        session=session,
        submission=submission,
        moderator=moderator,
        expected_lock=expected,
        reason_code=ReasonCode.duplicate,
        message="Already on the tracker",
    )


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_moderators_at_once_exactly_one_wins(raced, second):
    app, db, brand, (ana, bo) = raced
    other = _approve if second == "approve" else _reject
    for round_number in range(ROUNDS):
        submission, _ = stored(
            db, SubmissionKind.claim, claim_payload(brand, f"Race claim {round_number}")
        )
        results = _race(app, submission.id, [(ana.id, _approve), (bo.id, other)])

        conflicts = [r for r in results if isinstance(r, moderation.DecisionConflict)]
        wins = [r for r in results if not isinstance(r, Exception)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        assert conflicts[0].latest is not None  # the loser is told who decided what

        submission = db.get(Submission, submission.id)
        decisions = db.exec(
            select(ModerationDecision).where(ModerationDecision.submission_id == submission.id)
        ).all()
        assert len(decisions) == 1
        claims = db.exec(select(Claim).where(Claim.quote == f"Race claim {round_number}")).all()
        if decisions[0].action == "reject":
            assert submission.state == SubmissionState.rejected and claims == []
        else:
            assert submission.state == SubmissionState.approved
            assert len(claims) == 1 and submission.record_id == claims[0].id
            revisions = db.exec(
                select(func.count())
                .select_from(Revision)
                .where(Revision.entity_type == "claim", Revision.entity_id == claims[0].id)
            ).one()
            assert revisions == 1


def test_two_moderators_clicking_approve_at_once_over_http(raced):
    from tests.contributing.support import post

    app, db, brand, (ana, bo) = raced
    submission, _ = stored(db, SubmissionKind.claim, claim_payload(brand, "Clicked twice"))
    clients = []
    for moderator in (ana, bo):
        client = app.test_client()
        login_as(client, moderator)
        clients.append((client, csrf_token(client)))
    barrier = threading.Barrier(2)
    responses = [None, None]

    def click(index):
        client, token = clients[index]
        barrier.wait(timeout=30)
        responses[index] = post(
            client,
            f"/moderation/{submission.id}/approve",
            {"lock_version": "0", "csrf_token": token},
        )

    threads = [threading.Thread(target=click, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(response.status_code for response in responses)
    assert codes == [302, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert "Another moderator decided this submission a moment ago" in text(loser)
    assert "nothing was published twice" in text(loser)
    assert len(db.exec(select(Claim).where(Claim.quote == "Clicked twice")).all()) == 1
