"""Readers filter the brand index by legal flag; dismissed flags and hidden claims don't count."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contributing.conftest import open_db
from tests.contributing.support import text
from tracker.models import Brand, Claim, ClaimTopic, DatePrecision, Topic, Visibility
from tracker.services import claim_flags
from tracker.services.revisions import SEED, Author, save_revision


@pytest.fixture
def db(app):
    session, engine = open_db(app)
    yield session
    session.close()
    engine.dispose()


def brand_with_claim(db, name: str, quote: str, **claim_fields) -> Claim:
    brand = Brand(slug=name.lower().replace(" ", "-"), name=name, country="NL")
    save_revision(db, brand, author=SEED, reason="test brand")
    claim = Claim(
        brand_id=brand.id,
        quote=quote,
        language="en",
        date=dt.date(2027, 3, 1),
        date_precision=DatePrecision.day,
        **claim_fields,
    )
    claim.topic_links = [ClaimTopic(topic=Topic.climate)]
    save_revision(db, claim, author=SEED, reason="first publication")
    db.commit()
    return claim


@pytest.fixture
def brands(db):
    brand_with_claim(db, "Acme Cosmetics", "Eco-friendly packaging")
    brand_with_claim(db, "Birch Foods", "We opened a plant in Delft in 1990")
    dismissed = brand_with_claim(db, "Cedar Air", "Eco-friendly flights")
    claim_flags.dismiss(
        session=db,
        claim=dismissed,
        rule_id="EU825-GENERIC",
        reason="Certified under a public scheme.",
        author=Author("mod-ana"),
    )
    brand_with_claim(db, "Dune Energy", "100% green power", visibility=Visibility.withdrawn)
    db.commit()


def names(page: str) -> list[str]:
    return [name for name in ("Acme", "Birch", "Cedar", "Dune") if f">{name} " in page]


def test_the_brand_index_filters_by_one_rule(client, brands):
    page = text(client.get("/brands/?flag=EU825-GENERIC"))

    assert names(page) == ["Acme"]
    selected = '<option value="EU825-GENERIC" selected>EU825-GENERIC: Generic environmental'
    assert selected in page
    assert "It is not a finding that the brand broke the law" in page
    assert "letter=A&amp;flag=EU825-GENERIC" in page


def test_any_flag_and_no_filter(client, brands):
    assert names(text(client.get("/brands/?flag=any"))) == ["Acme"]
    assert names(text(client.get("/brands/"))) == ["Acme", "Birch", "Cedar", "Dune"]


def test_an_unknown_flag_is_ignored_not_an_error(client, brands):
    response = client.get("/brands/?flag=NOT-A-RULE")
    assert response.status_code == 200
    assert names(text(response)) == ["Acme", "Birch", "Cedar", "Dune"]


def test_a_rule_of_another_jurisdiction_finds_no_dutch_brand(client, brands):
    page = text(client.get("/brands/?flag=CMA-GENERIC"))
    assert names(page) == []
    assert "No brand matches these filters." in page


def test_the_filter_speaks_dutch(client, brands):
    page = text(client.get("/brands/?flag=any&lang=nl"))
    assert "Juridisch signaal" in page
    assert "EU825-GENERIC: Algemene milieuclaim" in page
