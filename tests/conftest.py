"""Fixtures: an app on a fresh database per test, on SQLite or on PostgreSQL.

The suite runs on SQLite unless DATABASE_URL names a PostgreSQL server; then every test gets
its own database there, cloned from a migrated (and, for seeded_app, seeded) template.
Tests marked `postgres` also run against the local PostgreSQL when it is reachable.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker import create_app, migrate
from tracker.catalogues import compile_catalogues
from tracker.config import resource_path
from tracker.db import Database, make_engine, normalise_url
from tracker.services import seeding

SEEDS = resource_path("seeds")
LOCAL_POSTGRES = "postgresql://127.0.0.1:5432/test"


def pytest_configure(config):
    # An edited .po must take effect without reinstalling the package.
    compile_catalogues(stale_only=True)


def postgres_admin_url() -> str | None:
    """Return a PostgreSQL URL to create test databases with, or None if none answers."""
    configured = os.environ.get("DATABASE_URL", "")
    url = (
        configured
        if configured.startswith("postgres")
        else os.environ.get("TEST_POSTGRES_URL", LOCAL_POSTGRES)
    )
    engine = sa.create_engine(normalise_url(url), connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return url
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def create(self, template: str | None = None) -> str:
        path = self.folder / f"{uuid.uuid4().hex}.sqlite3"
        if template:
            shutil.copyfile(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, admin_url: str):
        self.admin_url = sa.make_url(normalise_url(admin_url))
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def create(self, template: str | None = None) -> str:
        name = f"tracker_test_{uuid.uuid4().hex[:16]}"
        clause = f" TEMPLATE {sa.make_url(template).database}" if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}{clause}")
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = sa.make_url(url).database
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _prepare(url: str, *, seeded: bool) -> str:
    database = Database(make_engine(url))
    migrate.upgrade(database)
    if seeded:
        with database.unit_of_work() as session:
            seeding.load(session, SEEDS)
    database.engine.dispose()
    return url


class DatabaseKit:
    """Fresh databases of one kind, cloned from templates made once per test session.

    Dropping a PostgreSQL database waits for a checkpoint (about a second), so databases are
    dropped in background threads: each app fixture's as soon as its test ends, the rest when
    the session closes.
    """

    def __init__(self, databases: SqliteDatabases | PostgresDatabases):
        self.databases = databases
        self.kind = databases.name
        self._templates: dict[bool, str] = {}
        self._made: list[str] = []
        self._dropper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-database")
        self._drops = []

    def template(self, *, seeded: bool) -> str:
        if seeded not in self._templates:
            url = self.databases.create()
            self._made.append(url)
            self._templates[seeded] = _prepare(url, seeded=seeded)
        return self._templates[seeded]

    def fresh(self, *, migrated: bool = True, seeded: bool = False) -> str:
        template = self.template(seeded=seeded) if migrated else None
        url = self.databases.create(template)
        self._made.append(url)
        return url

    def release(self, url: str) -> None:
        """Drop a database made by fresh() once its test no longer needs it."""
        self._made.remove(url)
        self._drops.append(self._dropper.submit(self.databases.drop, url))

    def close(self) -> None:
        templates = set(self._templates.values())
        for url in self._made:
            if url not in templates:
                self._drops.append(self._dropper.submit(self.databases.drop, url))
        self._dropper.shutdown(wait=True)
        for url in templates:
            self.databases.drop(url)
        for drop in self._drops:
            drop.result()  # surface a failed drop


@pytest.fixture(scope="session")
def sqlite_kit(tmp_path_factory) -> Iterator[DatabaseKit]:
    kit = DatabaseKit(SqliteDatabases(tmp_path_factory.mktemp("databases")))
    yield kit
    kit.close()


@pytest.fixture(scope="session")
def postgres_kit() -> Iterator[DatabaseKit]:
    url = postgres_admin_url()
    if url is None:
        pytest.skip("no PostgreSQL server is reachable")
    kit = DatabaseKit(PostgresDatabases(url))
    yield kit
    kit.close()


@pytest.fixture(scope="session")
def db_kit(request) -> DatabaseKit:
    """The database kind the whole suite runs on: PostgreSQL when DATABASE_URL names it."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return request.getfixturevalue("postgres_kit")
    return request.getfixturevalue("sqlite_kit")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_kit(request) -> DatabaseKit:
    """Both database kinds, for tests that must hold on each (PostgreSQL when reachable)."""
    return request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_kit")


def make_app(url: str, instance: Path, **config):
    settings = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "AUTO_MIGRATE": False,
        "INSTANCE_PATH": str(instance),
    }
    return create_app(settings | config)


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the app fixtures; override in a test module to change them."""
    return {}


@pytest.fixture
def app(db_kit, tmp_path, app_config):
    """An app on a fresh, migrated, empty database."""
    url = db_kit.fresh()
    app = make_app(url, tmp_path / "instance", **app_config)
    yield app
    app.extensions["tracker_db"].engine.dispose()
    db_kit.release(url)


@pytest.fixture
def seeded_app(db_kit, tmp_path, app_config):
    """An app on a fresh database holding the shipped seed data."""
    url = db_kit.fresh(seeded=True)
    app = make_app(url, tmp_path / "instance", **app_config)
    yield app
    app.extensions["tracker_db"].engine.dispose()
    db_kit.release(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded_client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """A write session on the app's database, for arranging and checking records."""
    with app.app_context(), app.extensions["tracker_db"].session(write=True) as session:
        yield session
