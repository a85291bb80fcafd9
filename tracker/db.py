"""The database: engine from DATABASE_URL, SQLite pragmas, one session per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlmodel import Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY = "read_only"  # Session.info: a PostgreSQL session whose transactions are read-only


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Store aware datetimes as UTC; SQLite drops the zone, so re-attach it on load."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Turn postgres:// and postgresql:// into the psycopg 3 driver URL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def database_url(app: Flask) -> str:
    """Return the configured database URL, defaulting to SQLite in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'tracker.sqlite3'}"
    return normalise_url(url)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN, so writers can ask for BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    # A read-then-write transaction that starts DEFERRED can fail with "database is locked"
    # under concurrent writers; write sessions take the write lock up front instead.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False) -> sa.Engine:
    """Create an engine with the pragmas and transaction handling this app relies on."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return sa.create_engine(url, echo=echo, pool_pre_ping=True)


class Database:
    """The engines of one app: plain for reads, IMMEDIATE-begin for writes on SQLite."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        # PostgreSQL refuses any write in a read-only transaction (BEGIN READ ONLY).
        self.read_only_engine = (
            engine.execution_options(postgresql_readonly=True)
            if engine.dialect.name == "postgresql"
            else None
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, write: bool = False) -> Session:
        """Open a session; a write session takes SQLite's write lock when it begins."""
        return Session(self.write_engine if write else self.engine)

    def read_only_session(self) -> Session:
        """Open a session for a request that only reads: on PostgreSQL its transactions are
        read-only, so the database itself refuses a write, and the request ends with COMMIT."""
        if self.read_only_engine is None:
            return self.session()
        return Session(self.read_only_engine, expire_on_commit=False, info={READ_ONLY: True})

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Yield a write session that commits on success and rolls back on any error."""
        with self.session(write=True) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def init_app(app: Flask) -> Database:
    """Attach a Database to the app and close each request's session at teardown."""
    database = Database(make_engine(database_url(app), echo=app.config.get("SQL_ECHO", False)))
    app.extensions["tracker_db"] = database
    app.teardown_appcontext(_close_session)
    return database


def get_db() -> Database:
    """Return the current app's Database."""
    return current_app.extensions["tracker_db"]


def get_session() -> Session:
    """Return this request's session: read-only for safe methods, else a write session."""
    if "db_session" not in g:
        if has_request_context() and request.method in SAFE_METHODS:
            g.db_session = get_db().read_only_session()
        else:
            g.db_session = get_db().session(write=True)
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is None and session.info.get(READ_ONLY):
            # A read-only transaction ends with COMMIT, not ROLLBACK: psycopg forgets every
            # prepared statement on a ROLLBACK, so PostgreSQL would plan each page's queries
            # afresh on every request (about 3 ms of a brand page). Being read-only, it
            # cannot keep anything a ROLLBACK would have undone.
            session.commit()
        else:
            session.rollback()
    except sa.exc.SQLAlchemyError:  # the page was made: a dropped connection must not undo it
        current_app.logger.exception("ending the request's database transaction failed")
    finally:
        session.close()
