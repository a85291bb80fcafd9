"""How a request's database session ends. A request that only reads (GET, HEAD, OPTIONS) ends
with COMMIT on PostgreSQL, in a read-only transaction, so psycopg keeps the page's prepared
statements; whatever a request did not commit itself is never kept, on either database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import abort
from sqlalchemy import text
from sqlmodel import select

from tests import records
from tracker.db import get_session
from tracker.models import Brand


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False}  # let the test routes' POSTs through


@pytest.fixture
def routes(app):
    """Test-only routes that write through the request's session without committing."""

    def orm_flush():
        session = get_session()
        session.add(Brand(slug="written-by-orm", name="Written by the ORM"))
        session.flush()
        return "flushed"

    def orm_add():
        get_session().add(Brand(slug="added-by-orm", name="Added by the ORM"))
        return "added"

    def core_insert():
        get_session().execute(
            sa.insert(Brand.__table__).values(
                slug="written-by-core", name="Written by Core", visibility="published"
            )
        )
        return "inserted"

    def core_insert_then_not_found():
        core_insert()
        abort(404)

    def core_insert_then_refused():
        core_insert()
        return "refused", 422

    for rule, view in {
        "/_test/orm-flush": orm_flush,
        "/_test/orm-add": orm_add,
        "/_test/core-insert": core_insert,
        "/_test/core-insert-then-404": core_insert_then_not_found,
        "/_test/core-insert-then-422": core_insert_then_refused,
    }.items():
        app.add_url_rule(rule, view.__name__, view, methods=["GET", "POST"])
    return app


def brand_slugs(app) -> set[str]:
    with app.extensions["tracker_db"].session() as session:
        return set(session.exec(select(Brand.slug)).all())


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "path",
    [
        "/_test/orm-flush",
        "/_test/orm-add",
        "/_test/core-insert",
        "/_test/core-insert-then-404",
        "/_test/core-insert-then-422",
    ],
)
def test_a_request_keeps_nothing_it_did_not_commit(routes, client, method, path):
    try:
        response = getattr(client, method)(path)
    except sa.exc.InternalError:  # PostgreSQL refusing a write in a read-only transaction
        assert method == "get"
    else:
        assert response.status_code in (200, 404, 422)  # the route ran and answered

    assert brand_slugs(routes) == set()


def postgresql_only(app) -> sa.Engine:
    engine = app.extensions["tracker_db"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("read-only transactions and prepared statements are PostgreSQL's")
    return engine


def test_postgresql_refuses_a_write_in_a_read_request(routes, client):
    postgresql_only(routes)

    with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
        client.get("/_test/core-insert")  # the tests let errors through; a reader sees a 500
    assert client.post("/_test/core-insert").status_code == 200  # and then rolled back


def test_reads_reuse_prepared_statements_on_postgresql(app, client):
    engine = postgresql_only(app)
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


def test_a_failed_commit_at_the_end_still_answers_and_frees_the_connection(app, client):
    engine = postgresql_only(app)

    def commit_fails():
        session = get_session()
        session.execute(text("SELECT 1"))

        def commit():
            raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

        session.commit = commit
        return "made"

    app.add_url_rule("/_test/commit-fails", "commit_fails", commit_fails)

    response = client.get("/_test/commit-fails")

    assert (response.status_code, response.text) == (200, "made")
    assert engine.pool.checkedout() == 0
