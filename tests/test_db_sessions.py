"""How a request's database session ends: a read that wrote nothing commits (so PostgreSQL
keeps the page's prepared statements), anything else rolls back and keeps nothing."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import text
from sqlmodel import select

from tests import records
from tracker.db import get_session
from tracker.models import Brand


@pytest.fixture
def routes(app):
    """Test-only GET routes that write through the request's session."""

    def write_and_flush():
        session = get_session()
        session.add(Brand(slug="written-by-a-get", name="Written by a GET"))
        session.flush()
        return "flushed"

    def write_without_flush():
        get_session().add(Brand(slug="added-by-a-get", name="Added by a GET"))
        return "added"

    def write_then_fail():
        session = get_session()
        session.add(Brand(slug="written-then-failed", name="Written then failed"))
        session.flush()
        abort(500)

    app.add_url_rule("/_test/write-and-flush", view_func=write_and_flush)
    app.add_url_rule("/_test/write-without-flush", view_func=write_without_flush)
    app.add_url_rule("/_test/write-then-fail", view_func=write_then_fail)
    return app


def brand_slugs(app) -> set[str]:
    with app.extensions["tracker_db"].session() as session:
        return set(session.exec(select(Brand.slug)).all())


@pytest.mark.parametrize(
    "path", ["/_test/write-and-flush", "/_test/write-without-flush", "/_test/write-then-fail"]
)
def test_a_read_request_keeps_nothing_it_wrote(routes, client, path):
    client.get(path)

    assert brand_slugs(routes) == set()


def test_reads_reuse_prepared_statements_on_postgresql(app, client):
    engine = app.extensions["tracker_db"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with app.extensions["tracker_db"].unit_of_work() as session:
        records.brand(session, "Acme Cosmetics")
    engine.dispose()  # one connection from here on, the one the pages use

    for _ in range(8):  # psycopg prepares a statement on its fifth use
        assert client.get("/brands/acme-cosmetics").status_code == 200

    with engine.connect() as connection:
        prepared = connection.execute(
            text("SELECT statement FROM pg_prepared_statements")
        ).scalars()
        assert any("FROM brand" in statement for statement in prepared)
