"""What search engines and sharing cards read: ClaimReview, Organization, Open Graph."""

from __future__ import annotations

import extruct
import pytest

from tests import records
from tracker.models import ContradictionKind, ContradictionState


@pytest.fixture
def data(app):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        made = records.dataset(session)
        return {name: record.id for name, record in made.items()}


def metadata(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, extruct.extract(
        html, base_url="http://localhost" + path, syntaxes=["json-ld", "opengraph"], uniform=True
    )


def test_contradiction_page_carries_a_complete_claim_review(client, data):
    _, found = metadata(client, f"/contradictions/{data['court']}")
    [review] = [item for item in found["json-ld"] if item["@type"] == "ClaimReview"]
    assert review["claimReviewed"] == "Climate neutral flights"
    assert review["url"] == f"http://localhost/contradictions/{data['court']}"
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Organization", "name": "Globex Airways"}
    assert item["datePublished"] == "2022-03-01"
    assert item["appearance"][0]["url"] == "https://example.test/ruling"
    rating = review["reviewRating"]
    assert rating["alternateName"] == "Contradicted by a court ruling"
    assert (rating["ratingValue"], rating["worstRating"], rating["bestRating"]) == (1, 1, 5)
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"]
    assert review["datePublished"]


@pytest.mark.parametrize(
    ("state", "kind", "verdict"),
    [
        (ContradictionState.remedied, ContradictionKind.lab_test, "Contradicted, later remedied"),
        (ContradictionState.overturned, ContradictionKind.court_ruling, "Contradiction overturned"),
        (ContradictionState.open, ContradictionKind.lab_test, "Contradicted by a lab test"),
        (
            ContradictionState.upheld,
            ContradictionKind.court_ruling,
            "Contradicted by a court ruling",
        ),
    ],
)
def test_verdict_follows_the_state(app, client, state, kind, verdict):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        brand = records.brand(session, "Acme Cosmetics")
        claim = records.claim(session, brand)
        found = records.contradiction(session, brand, [claim], state=state, kind=kind)
        record_id = found.id
    html, data = metadata(client, f"/contradictions/{record_id}")
    [review] = data["json-ld"]
    assert review["reviewRating"]["alternateName"] == verdict
    assert verdict in html


def test_json_ld_cannot_break_out_of_its_script(app, client):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        brand = records.brand(session, "Acme Cosmetics")
        claim = records.claim(session, brand, "Safe </script><script>alert(1)</script>")
        record_id = records.contradiction(session, brand, [claim]).id
    html, data = metadata(client, f"/contradictions/{record_id}")
    assert "<script>alert(1)</script>" not in html
    assert data["json-ld"][0]["claimReviewed"] == "Safe </script><script>alert(1)</script>"


def test_brand_page_has_organization_markup_and_a_feed_link(client, data):
    html, found = metadata(client, "/brands/globex-airways")
    [organization] = [item for item in found["json-ld"] if item["@type"] == "Organization"]
    assert organization["name"] == "Globex Airways"
    assert organization["address"]["addressCountry"] == "DE"
    assert "/feeds/brands/globex-airways.atom" in html


def test_pages_have_canonical_open_graph_and_twitter_tags(client, data):
    html, found = metadata(client, "/brands/acme-cosmetics?order=oldest")
    assert '<link rel="canonical" href="http://localhost/brands/acme-cosmetics">' in html
    [card] = found["opengraph"]
    assert card["og:title"].startswith("Acme Cosmetics")
    assert card["og:url"] == "http://localhost/brands/acme-cosmetics"
    assert card["og:description"]
    assert '<meta name="twitter:card" content="summary">' in html
    home, _ = metadata(client, "/")
    assert '<link rel="canonical" href="http://localhost/">' in home


def test_every_seeded_contradiction_has_a_complete_claim_review(seeded_app):
    from sqlmodel import select

    from tracker.models import Contradiction, Visibility

    with seeded_app.app_context(), seeded_app.extensions["tracker_db"].session() as session:
        ids = session.exec(
            select(Contradiction.id).where(Contradiction.visibility == Visibility.published)
        ).all()
    assert ids
    client = seeded_app.test_client()
    for record_id in ids:
        _, found = metadata(client, f"/contradictions/{record_id}")
        reviews = [item for item in found["json-ld"] if item["@type"] == "ClaimReview"]
        assert reviews, record_id
        for review in reviews:
            assert review["claimReviewed"]
            assert review["itemReviewed"]["author"]["@type"] == "Organization"
            assert review["reviewRating"]["alternateName"]
            assert review["author"]["name"]
