"""A small, clearly fictional brand with one record of every kind, for page-level tests.

Written through save_revision like any published record, so the tests do not depend on the
curated seed data. Every name, quote and address here is invented (example.test).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tracker.models import (
    Brand,
    Citation,
    Claim,
    ClaimChannel,
    ClaimTopic,
    Contradiction,
    ContradictionKind,
    ContradictionState,
    DatePrecision,
    FinderKind,
    Outcome,
    OutcomeKind,
    Response,
    ResponseVia,
    Source,
    SourceKind,
    Stance,
    Topic,
)
from tracker.services.revisions import SEED, Author, save_revision


@dataclass(frozen=True)
class FictionalBrand:
    slug: str
    claim_id: int
    contradiction_id: int
    response_id: int
    outcome_id: int
    source_id: int

    @property
    def pages(self) -> dict[str, str]:
        """Every public page type, by name, for this brand's records."""
        return {
            "home": "/",
            "brand index": "/brands/",
            "brand": f"/brands/{self.slug}",
            "brand oldest first": f"/brands/{self.slug}?order=oldest",
            "brand history": f"/brands/{self.slug}/history",
            "claim": f"/claims/{self.claim_id}",
            "claim history": f"/claims/{self.claim_id}/history",
            "contradiction": f"/contradictions/{self.contradiction_id}",
            "response": f"/responses/{self.response_id}",
            "outcome": f"/outcomes/{self.outcome_id}",
            "source": f"/sources/{self.source_id}",
            "about": "/about",
        }


def make_fictional_brand(session, *, slug: str = "acme-cosmetics") -> FictionalBrand:
    """Publish Acme Cosmetics with a claim, a contradiction, a reply, a fine and a source."""
    brand = Brand(
        slug=slug,
        name="Acme Cosmetics",
        legal_name="Acme Cosmetics B.V.",
        country="NL",
        sector="Cosmetics",
        website="https://acme.example.test/",
        description="A fictional cosmetics brand used in tests.",
    )
    save_revision(session, brand, author=SEED, reason="first publication")

    source = Source(
        url="https://news.example.test/acme-microbeads",
        url_key="news.example.test/acme-microbeads",
        title="Lab finds microbeads in Acme scrub",
        publisher="Example Gazette",
        kind=SourceKind.news,
        language="en",
        date=dt.date(2024, 3, 20),
        date_precision=DatePrecision.day,
    )
    save_revision(session, source, author=SEED, reason="first publication")

    claim = Claim(
        brand_id=brand.id,
        quote="100% natuurlijk en plasticvrij",
        language="nl",
        translation="100% natural and plastic-free",
        channel=ClaimChannel.packaging,
        date=dt.date(2023, 5, 1),
        date_precision=DatePrecision.month,
        caveats=["The packaging was photographed by a reader; the date is approximate."],
    )
    claim.topic_links = [ClaimTopic(topic=Topic.microplastics)]
    claim.citations = [Citation(source_id=source.id, excerpt="Plastic-free, says the jar.")]
    save_revision(session, claim, author=SEED, reason="first publication")

    contradiction = Contradiction(
        brand_id=brand.id,
        title="Lab test finds polyethylene microbeads in the scrub",
        summary="An independent laboratory found polyethylene particles in the product.",
        finder_name="Example Lab",
        finder_kind=FinderKind.lab,
        kind=ContradictionKind.lab_test,
        state=ContradictionState.upheld,
        date=dt.date(2024, 3, 20),
        date_precision=DatePrecision.day,
        published_at=dt.datetime(2024, 3, 21, 9, 30, tzinfo=dt.UTC),
    )
    contradiction.claims = [claim]
    contradiction.citations = [
        Citation(source_id=source.id, stance=Stance.refutes, excerpt="Polyethylene was found.")
    ]
    save_revision(session, contradiction, author=SEED, reason="first publication")

    response = Response(
        brand_id=brand.id,
        contradiction_id=contradiction.id,
        summary="Acme says the batch was an old formula.",
        via=ResponseVia.public_statement,
        date=dt.date(2024, 4, 2),
        date_precision=DatePrecision.day,
    )
    save_revision(session, response, author=SEED, reason="first publication")

    outcome = Outcome(
        brand_id=brand.id,
        contradiction_id=contradiction.id,
        kind=OutcomeKind.fine,
        summary="A fictional regulator fined Acme.",
        authority="Example Authority",
        amount=Decimal("1234567.50"),
        currency="EUR",
        date=dt.date(2024, 9, 1),
        date_precision=DatePrecision.day,
    )
    save_revision(session, outcome, author=SEED, reason="first publication")

    # A correction, so history pages have two versions and the timeline an update event.
    claim.summary = "Printed on the jar of the face scrub."
    save_revision(session, claim, author=Author("mod-example"), reason="summary added")
    session.commit()
    return FictionalBrand(
        slug=slug,
        claim_id=claim.id,
        contradiction_id=contradiction.id,
        response_id=response.id,
        outcome_id=outcome.id,
        source_id=source.id,
    )
