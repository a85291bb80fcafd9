"""Each page issues a fixed number of SQL statements, however much it shows (no N+1 queries)."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tracker.models import (
    Brand,
    Citation,
    Claim,
    ClaimTopic,
    Contradiction,
    ContradictionKind,
    ContradictionState,
    DatePrecision,
    FinderKind,
    Outcome,
    OutcomeKind,
    Response,
    Source,
    Stance,
    Topic,
)
from tracker.services.revisions import SEED, save_revision

_numbers = itertools.count(1)


@contextmanager
def counting(app):
    """Count the SQL statements sent to the app's database inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["tracker_db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def db_session(app):
    """A write session outside any app context, so that each test request opens its own
    session (inside the shared fixture's app context, requests would share one on `g`)."""
    with app.extensions["tracker_db"].session(write=True) as session:
        yield session


def statements_for(app, url: str) -> list[str]:
    client = app.test_client()
    assert client.get(url).status_code == 200  # warm-up: first-request work is not counted
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def save(session, record):
    save_revision(session, record, author=SEED, reason="fictional test data")
    return record


def source(session) -> Source:
    number = next(_numbers)
    return save(
        session,
        Source(
            url=f"https://example.test/report/{number}",
            url_key=f"example.test/report/{number}",
            title=f"Fictional report {number}",
            publisher="Example Press",
            language="nl",
            date=dt.date(2023, 5, number % 28 + 1),
            date_precision=DatePrecision.day,
        ),
    )


def citations(session, count: int, excerpt: str = "An excerpt") -> list[Citation]:
    return [
        Citation(source_id=source(session).id, position=i, excerpt=excerpt, stance=Stance.supports)
        for i in range(count)
    ]


def brand(session, name: str) -> Brand:
    slug = name.lower().replace(" ", "-")
    return save(session, Brand(slug=slug, name=name, country="NL", sector="Cosmetics"))


def claim(session, owner: Brand, cited: int = 1) -> Claim:
    return save(
        session,
        Claim(
            brand_id=owner.id,
            quote="Our fictional range is fully natural",
            date=dt.date(2021, 3, 4),
            date_precision=DatePrecision.day,
            topic_links=[ClaimTopic(topic=Topic.ingredients), ClaimTopic(topic=Topic.climate)],
            citations=citations(session, cited),
        ),
    )


def contradiction(session, owner: Brand, claims: list[Claim], cited: int = 1) -> Contradiction:
    return save(
        session,
        Contradiction(
            brand_id=owner.id,
            title="A fictional lab test found plastic",
            summary="The invented lab found microplastics.",
            finder_name="Example Lab",
            finder_kind=FinderKind.lab,
            kind=ContradictionKind.lab_test,
            state=ContradictionState.upheld,
            date=dt.date(2022, 6, 1),
            date_precision=DatePrecision.month,
            claims=claims,
            citations=citations(session, cited),
        ),
    )


def response(session, owner: Brand, target: Contradiction, cited: int = 1) -> Response:
    return save(
        session,
        Response(
            brand_id=owner.id,
            contradiction_id=target.id,
            summary="The fictional brand disagrees.",
            date=dt.date(2022, 7, 1),
            date_precision=DatePrecision.day,
            citations=citations(session, cited),
        ),
    )


def outcome(session, owner: Brand, target: Contradiction, cited: int = 1) -> Outcome:
    return save(
        session,
        Outcome(
            brand_id=owner.id,
            contradiction_id=target.id,
            kind=OutcomeKind.reformulation,
            summary="The fictional product was reformulated.",
            date=dt.date(2023, 1, 1),
            date_precision=DatePrecision.year,
            citations=citations(session, cited),
        ),
    )


def brand_with_events(session, name: str, groups: int) -> Brand:
    """A brand with 5 timeline events per group: claim, contradiction, response, outcome and
    a correction of the claim (its revision 2)."""
    owner = brand(session, name)
    for _ in range(groups):
        made = claim(session, owner, cited=2)
        found = contradiction(session, owner, [made], cited=2)
        response(session, owner, found)
        outcome(session, owner, found)
        made.summary = "Corrected wording"
        save_revision(session, made, author=SEED, reason="a correction")
    session.commit()
    return owner


def test_brand_page_statements_do_not_grow_with_its_events(app, db_session):
    small = brand_with_events(db_session, "Acme Small", groups=1)
    large = brand_with_events(db_session, "Acme Large", groups=12)

    few = statements_for(app, f"/brands/{small.slug}")
    many = statements_for(app, f"/brands/{large.slug}")
    page = app.test_client().get(f"/brands/{large.slug}").text
    assert page.count('<li class="event ') == 60
    # every source line, though read as plain rows, says its language
    assert page.count('nofollow" hreflang="nl"') == 12 * 6
    assert len(many) == len(few), many
    assert statements_for(app, f"/brands/{large.slug}?order=oldest") == many


def test_brand_index_statements_do_not_grow_with_its_brands(app, db_session):
    for number in range(5):
        owner = brand(db_session, f"Example Brand {number:02d}")
        contradiction(db_session, owner, [claim(db_session, owner)])
    db_session.commit()
    few = statements_for(app, "/brands/")
    few_filtered = statements_for(app, "/brands/?sector=Cosmetics&country=NL&letter=E")

    for number in range(5, 60):
        owner = brand(db_session, f"Example Brand {number:02d}")
        contradiction(db_session, owner, [claim(db_session, owner)])
    db_session.commit()
    many = statements_for(app, "/brands/")
    assert "Page 1 of 2" in app.test_client().get("/brands/").text
    assert len(many) == len(few), many
    assert len(statements_for(app, "/brands/?page=2")) == len(few)
    filtered = statements_for(app, "/brands/?sector=Cosmetics&country=NL&letter=E")
    assert len(filtered) == len(few_filtered)


@pytest.fixture
def records(db_session):
    """Two of each record: one with a single citation, one with many (and more around it)."""
    owner = brand(db_session, "Acme Records")
    lone_claim = claim(db_session, owner, cited=1)
    busy_claim = claim(db_session, owner, cited=12)
    lone = contradiction(db_session, owner, [lone_claim], cited=1)
    busy = contradiction(db_session, owner, [busy_claim, lone_claim], cited=12)
    extra = contradiction(db_session, owner, [busy_claim], cited=3)
    lone_response = response(db_session, owner, lone, cited=1)
    busy_responses = [response(db_session, owner, busy, cited=6) for _ in range(4)]
    lone_outcome = outcome(db_session, owner, lone, cited=1)
    busy_outcomes = [outcome(db_session, owner, busy, cited=5) for _ in range(3)]
    lone_source = source(db_session)
    busy_source = source(db_session)
    for record in (lone_claim,):
        record.citations.append(Citation(source_id=lone_source.id, position=5))
        save(db_session, record)
    for record in (busy_claim, extra, busy_responses[0], busy_outcomes[0], busy):
        record.citations.append(Citation(source_id=busy_source.id, position=20))
        save(db_session, record)
    for number in range(5):  # a record with many revisions
        busy_claim.summary = f"Wording {number}"
        save_revision(db_session, busy_claim, author=SEED, reason=f"correction {number}")
    db_session.commit()
    return {
        "claims": (lone_claim.id, busy_claim.id),
        "contradictions": (lone.id, busy.id),
        "responses": (lone_response.id, busy_responses[0].id),
        "outcomes": (lone_outcome.id, busy_outcomes[0].id),
        "sources": (lone_source.id, busy_source.id),
    }


@pytest.mark.parametrize("plural", ["claims", "contradictions", "responses", "outcomes", "sources"])
def test_record_page_statements_do_not_grow_with_its_citations(app, records, plural):
    lone_id, busy_id = records[plural]

    few = statements_for(app, f"/{plural}/{lone_id}")
    many = statements_for(app, f"/{plural}/{busy_id}")
    assert len(many) == len(few), many
    assert len(statements_for(app, f"/{plural}/{busy_id}/history")) == len(
        statements_for(app, f"/{plural}/{lone_id}/history")
    )


def test_the_listing_indexes_exist_on_both_databases(any_kit):
    from tracker.db import make_engine

    engine = make_engine(any_kit.fresh())
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes"
    )
    with engine.connect() as connection:
        names = set(connection.exec_driver_sql(query).scalars())
    engine.dispose()
    assert {
        "ix_brand_visibility_name_order",
        "ix_brand_visibility_sector",
        "ix_claim_brand_visibility",
        "ix_contradiction_brand_visibility",
        "ix_contradiction_visibility_date_id",
        "ix_contradiction_visibility_state",
        "ix_response_brand_visibility",
        "ix_outcome_brand_visibility",
    } <= names


def test_timeline_source_lines_carry_every_shown_source_column():
    import dataclasses

    from tracker.services.timeline import SourceLine

    columns = {column.name for column in Source.__table__.columns}
    fields = {field.name for field in dataclasses.fields(SourceLine)}
    assert columns - fields == {"caveats", "created_at", "updated_at"}


def test_timeline_record_lines_read_real_columns_in_field_order():
    import dataclasses

    from tracker.services.timeline import _LINES

    for line in _LINES:
        fields = [field.name for field in dataclasses.fields(line)]
        assert list(line.columns) == fields
        assert set(fields) <= {column.name for column in line.model.__table__.columns}
