"""schema.org markup: ClaimReview on contradiction pages, Organization on brand pages."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker.models import (
    Brand,
    Claim,
    Contradiction,
    ContradictionKind,
    ContradictionState,
    Stance,
    Visibility,
)
from tracker.services.dates import PartialDate
from tracker.web import url_for_record

# How firmly the evidence stands against the claim: 1 = the claim is false, 5 = true.
RATING = {
    ContradictionState.upheld: 1,
    ContradictionState.remedied: 1,
    ContradictionState.open: 2,
    ContradictionState.disputed: 3,
    ContradictionState.overturned: 4,
}
BY_KIND = {
    ContradictionKind.court_ruling: _l("Contradicted by a court ruling"),
    ContradictionKind.regulator_decision: _l("Contradicted by a regulator's decision"),
    ContradictionKind.advertising_ruling: _l("Contradicted by an advertising standards ruling"),
    ContradictionKind.lab_test: _l("Contradicted by a lab test"),
    ContradictionKind.investigation: _l("Contradicted by an investigation"),
    ContradictionKind.ngo_report: _l("Contradicted by an NGO report"),
    ContradictionKind.company_disclosure: _l("Contradicted by the company's own disclosure"),
}


def verdict(contradiction: Contradiction) -> str:
    """Return our plain verdict on the claim, from the contradiction's state and kind."""
    if contradiction.state is ContradictionState.remedied:
        return str(_l("Contradicted, later remedied"))
    if contradiction.state is ContradictionState.overturned:
        return str(_l("Contradiction overturned"))
    if contradiction.state is ContradictionState.disputed:
        return str(_l("Contradicted, disputed by the brand"))
    return str(BY_KIND.get(contradiction.kind, _l("Contradicted by documented evidence")))


def _tracker() -> dict:
    return {
        "@type": "Organization",
        "name": current_app.config["SITE_NAME"],
        "url": url_for("public.home", _external=True),
    }


def organization(brand: Brand) -> dict:
    """Return schema.org Organization markup for a brand."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": brand.name,
        "url": url_for_record(brand, _external=True),
    }
    if brand.legal_name:
        data["legalName"] = brand.legal_name
    if brand.aliases:
        data["alternateName"] = list(brand.aliases)
    if brand.website:
        data["sameAs"] = [brand.website]
    if brand.country:
        data["address"] = {"@type": "PostalAddress", "addressCountry": brand.country}
    if brand.parent_company:
        data["parentOrganization"] = {"@type": "Organization", "name": brand.parent_company}
    if brand.description:
        data["description"] = brand.description
    return data


def _appearances(claim: Claim) -> list[dict]:
    return [
        {
            "@type": "CreativeWork",
            "url": citation.source.url,
            **({"name": citation.source.title} if citation.source.title else {}),
            **(
                {"publisher": {"@type": "Organization", "name": citation.source.publisher}}
                if citation.source.publisher
                else {}
            ),
        }
        for citation in sorted(claim.citations, key=lambda c: c.position)
        if citation.stance is Stance.supports and citation.source.visibility == Visibility.published
    ]


def claim_reviews(contradiction: Contradiction) -> list[dict]:
    """Return one schema.org ClaimReview per published claim the contradiction reviews."""
    brand = contradiction.brand
    author = {"@type": "Organization", "name": brand.name}
    if brand.website:
        author["sameAs"] = brand.website
    reviews = []
    for claim in sorted(contradiction.claims, key=lambda c: c.id):
        if claim.visibility != Visibility.published:
            continue
        item = {
            "@type": "Claim",
            "author": author,
            "url": url_for_record(claim, _external=True),
        }
        if claim.date:
            item["datePublished"] = PartialDate(claim.date, claim.date_precision).iso()
        appearances = _appearances(claim)
        if appearances:
            item["appearance"] = appearances
            item["firstAppearance"] = appearances[0]
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": url_for_record(contradiction, _external=True),
                "name": contradiction.title,
                "claimReviewed": claim.quote or claim.summary or "",
                "itemReviewed": item,
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": RATING[contradiction.state],
                    "bestRating": 5,
                    "worstRating": 1,
                    "alternateName": verdict(contradiction),
                },
                "author": _tracker(),
                "publisher": _tracker(),
                "datePublished": contradiction.published_at.date().isoformat(),
                "inLanguage": str(get_locale()),
            }
        )
    return reviews
