"""The curated seed data queues unverified material as pending submissions: moderators can
open each one, see why it cannot be published as it stands, and edit it."""

from __future__ import annotations

from sqlmodel import select

from tests.contributing.support import login_as, make_user, text
from tracker.models import Role, Submission, SubmissionState


def test_every_seeded_pending_submission_opens_for_a_moderator(seeded_app, seeded_db):
    client = seeded_app.test_client()
    login_as(client, make_user(seeded_db, "mod-ana", Role.moderator))
    pending = seeded_db.exec(select(Submission)).all()
    assert pending and {s.state for s in pending} == {SubmissionState.pending}
    queue = text(client.get("/moderation/"))
    for submission in pending:
        assert f"/moderation/{submission.id}" in queue
        page = client.get(f"/moderation/{submission.id}")
        assert page.status_code == 200, submission.id
        note = submission.payload.get("seed_note", "")
        assert note[:40] in text(page).replace("&#39;", "'").replace("&#34;", '"')
        assert client.get(f"/moderation/{submission.id}/edit").status_code in (200, 302)
