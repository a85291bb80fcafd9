"""Fixtures for accounts, contributions and moderation.

`db` is a session for arranging and checking records beside a test client. Unlike the shared
`db_session` it pushes no app context (which the client's requests would then share, keeping
their sessions open) and it reads in autocommit mode, so every query sees what the requests
committed and no test ever holds SQLite's write lock while a request waits for it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session


class FreshSession(Session):
    """A session whose reads always return the latest committed state."""

    def get(self, *args, **kwargs):
        kwargs.setdefault("populate_existing", True)
        return super().get(*args, **kwargs)


def _refresh_selects(state) -> None:
    if state.is_select:
        state.update_execution_options(populate_existing=True)


def _sqlite_autocommit(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN: every statement commits
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def open_db(app) -> tuple[FreshSession, sa.Engine]:
    url = app.extensions["tracker_db"].engine.url
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_autocommit)
    else:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    session = FreshSession(engine)
    event.listen(session, "do_orm_execute", _refresh_selects)
    return session, engine


@pytest.fixture
def db(app):
    session, engine = open_db(app)
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def seeded_db(seeded_app):
    session, engine = open_db(seeded_app)
    yield session
    session.close()
    engine.dispose()
