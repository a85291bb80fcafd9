"""The schema is built by Alembic migrations alone, the same on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from tracker import migrate
from tracker.db import Database, make_engine


def test_migrations_build_the_models_schema_from_empty(any_kit):
    database = Database(make_engine(any_kit.fresh(migrated=False)))
    assert migrate.current_revision(database) is None

    migrate.upgrade(database)

    assert migrate.current_revision(database) == migrate.head_revision()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": migrate.include_object}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    database.engine.dispose()


def test_migrations_downgrade_to_empty_and_back(any_kit):
    database = Database(make_engine(any_kit.fresh(migrated=False)))
    migrate.upgrade(database)
    migrate.downgrade(database, "base")
    with database.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(database)
    assert migrate.current_revision(database) == migrate.head_revision()
    database.engine.dispose()


def test_db_upgrade_command_reports_the_revision(app, tmp_path, db_kit):
    from tests.conftest import make_app

    fresh = make_app(db_kit.fresh(migrated=False), tmp_path / "fresh")
    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert migrate.head_revision() in result.output
    fresh.extensions["tracker_db"].engine.dispose()
