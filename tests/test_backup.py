"""flask --app tracker backup: a consistent, checked copy, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_app
from tracker.models import Brand
from tracker.services.revisions import SEED, save_revision


def app_with_brand(kit, instance: Path, name: str = "Acme Cosmetics"):
    app = make_app(kit.fresh(), instance)
    with app.extensions["tracker_db"].unit_of_work() as session:
        save_revision(session, Brand(slug="acme", name=name), author=SEED, reason="fiction")
    return app


@pytest.fixture
def sqlite_app(sqlite_kit, tmp_path):
    app = app_with_brand(sqlite_kit, tmp_path / "instance")
    yield app
    app.extensions["tracker_db"].engine.dispose()


@pytest.fixture
def postgres_app(postgres_kit, tmp_path):
    app = app_with_brand(postgres_kit, tmp_path / "instance")
    yield app
    app.extensions["tracker_db"].engine.dispose()


def brands_in(copy: Path) -> list[str]:
    with sqlite3.connect(copy) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM brand")]


def test_sqlite_backup_copies_committed_data_while_a_writer_is_busy(sqlite_app, tmp_path):
    engine = sqlite_app.extensions["tracker_db"].write_engine
    # Committed pages still in the -wal file (no checkpoint yet) belong in the copy; a write
    # still in progress does not, and does not stop the backup either.
    with engine.connect() as writer:
        writer.exec_driver_sql("UPDATE brand SET name = 'Half-written' WHERE slug = 'acme'")
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "out")])
        writer.rollback()

    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    [copy] = (tmp_path / "out").glob("tracker-*.sqlite3")
    assert brands_in(copy) == ["Acme Cosmetics"]
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not list((tmp_path / "out").glob("*.partial"))


def test_sqlite_backup_goes_to_the_instance_folder_by_default(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["backup"])

    assert result.exit_code == 0, result.output
    [copy] = (Path(sqlite_app.instance_path) / "backups").glob("tracker-*.sqlite3")
    assert str(copy) in result.output
    assert brands_in(copy) == ["Acme Cosmetics"]


def test_a_backup_never_overwrites_a_file(sqlite_app, tmp_path):
    existing = tmp_path / "kept.sqlite3"
    existing.write_text("an earlier backup")

    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(existing)])

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_text() == "an earlier backup"


def test_a_backup_of_a_missing_database_says_so(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'gone' / 'none.sqlite3'}", tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Backup failed" in result.output
    assert not list((tmp_path / "out").glob("*"))


def test_postgresql_backup_is_a_pg_dump_archive(postgres_app, tmp_path):
    target = tmp_path / "nightly.dump"
    result = postgres_app.test_cli_runner().invoke(args=["backup", str(target)])

    assert result.exit_code == 0, result.output
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public brand" in listing
    contents = subprocess.run(
        ["pg_restore", "--data-only", "--table=brand", "--file=-", str(target)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Acme Cosmetics" in contents


def test_postgresql_backup_without_pg_dump_is_a_clear_error(postgres_app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))

    result = postgres_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert "pg_dump" in result.output
    assert "postgresql-client" in result.output
    assert not list((tmp_path / "out").glob("*"))
