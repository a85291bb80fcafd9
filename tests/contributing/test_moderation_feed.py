"""The moderation log as an Atom feed: read by a feed parser, what the log shows and no more."""

from __future__ import annotations

import feedparser
import pytest
from sqlmodel import select

from tests.contributing.support import (
    claim_payload,
    decide,
    login_as,
    make_brand,
    make_user,
    stored,
    text,
)
from tracker.models import Claim, Role, SubmissionKind


@pytest.fixture
def decided(db, client):
    """An approved claim from a named contributor and a rejected one from an anonymous one."""
    brand = make_brand(db, "Acme Cosmetics")
    moderator = make_user(db, "mod-ana", Role.moderator)
    contributor = make_user(db, "zoe", Role.contributor)
    contributor.display_name = "Zoë Private-Name"
    db.add(contributor)
    db.commit()
    approved, _ = stored(
        db, SubmissionKind.claim, claim_payload(brand, "Ocean-kind formula"), submitter=contributor
    )
    rejected, _ = stored(
        db,
        SubmissionKind.claim,
        claim_payload(brand, "Spam claim"),
        contact_email="private@example.test",
    )
    login_as(client, moderator)
    decide(client, approved, "approve")
    decide(client, rejected, "reject", reason_code="spam", message="Dear private@example.test")
    login_as(client, None)
    claim = db.exec(select(Claim).where(Claim.quote == "Ocean-kind formula")).one()
    return {"approved": approved.id, "rejected": rejected.id, "claim": claim.id}


def test_the_moderation_log_feed_parses_and_says_what_the_log_says(client, decided):
    response = client.get("/feeds/moderation.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert "moderation log" in feed.feed.title
    by_title = {entry.title: entry for entry in feed.entries}
    approved = by_title[f"Approved · New claim #{decided['approved']}"]
    rejected = by_title[f"Rejected · New claim #{decided['rejected']}"]
    assert approved.link.endswith(f"/claims/{decided['claim']}")
    assert "Ocean-kind formula" in approved.summary and "mod-ana" in approved.summary
    assert "Reason: Spam" in rejected.summary
    assert rejected.link.endswith(f"/moderation/log#decision-{rejected.id.split('-')[-1]}")
    assert all(entry.id and entry.updated for entry in feed.entries)
    for private in ("Zoë", "Private-Name", "zoe", "private@example.test", "Dear"):
        assert private.encode() not in response.data
    # Every entry is a row of the log page, which links to the feed.
    log = text(client.get("/moderation/log"))
    assert 'rel="alternate" type="application/atom+xml"' in log
    assert f'id="{rejected.id.split("#")[-1]}"' in log


def test_the_feed_takes_the_log_pages_filters_and_speaks_dutch(client, decided):
    spam = feedparser.parse(client.get("/feeds/moderation.atom?decision=reject").data)
    titles = [entry.title for entry in spam.entries]
    assert titles == [f"Rejected · New claim #{decided['rejected']}"]
    ignored = feedparser.parse(client.get("/feeds/moderation.atom?decision=nonsense").data)
    assert len(ignored.entries) == 2
    page = text(client.get("/moderation/log?decision=reject"))
    assert "/feeds/moderation.atom?decision=reject" in page
    dutch = feedparser.parse(client.get("/feeds/moderation.atom?lang=nl").data)
    assert "moderatielogboek" in dutch.feed.title
    assert any("Reden: " in entry.summary for entry in dutch.entries)
