"""Schema migrations (Alembic) and the first-start routine: migrate, then seed if empty."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from tracker.db import Database
from tracker.models import SEARCH_UNMODELLED
from tracker.services import seeding

MIGRATIONS = Path(__file__).parent / "migrations"
PG_LOCK_KEY = 7_304_551  # any constant; names the startup lock between processes


def alembic_config(connection: sa.Connection) -> Config:
    """Return an Alembic config that runs on the given connection."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out of model comparisons what migrations make per database (full-text index)."""
    return not (reflected and compare_to is None and name in SEARCH_UNMODELLED)


def upgrade(database: Database, revision: str = "head") -> None:
    """Apply migrations up to revision."""
    with database.write_engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(database: Database, revision: str) -> None:
    """Revert migrations down to revision."""
    with database.write_engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(database: Database) -> str | None:
    """Return the revision the database is at, or None if it was never migrated."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """Return the newest migration's id."""
    with database_free_config() as config:
        return ScriptDirectory.from_config(config).get_current_head()


@contextmanager
def database_free_config() -> Iterator[Config]:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    yield config


@contextmanager
def startup_lock(database: Database, instance_path: str) -> Iterator[None]:
    """Hold a lock across processes so that several workers migrate one at a time."""
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": PG_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
                connection.commit()
        return
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    with open(Path(instance_path) / "startup.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def prepare(app: Flask, database: Database) -> None:
    """Bring the database to the newest schema and seed it if it has never been seeded."""
    with startup_lock(database, app.instance_path):
        upgrade(database)
        if app.config["AUTO_SEED"]:
            with database.unit_of_work() as session:
                if seeding.never_seeded(session):
                    seeding.load(session, seeding.seed_folder(app))
