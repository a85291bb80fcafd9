"""Back up the database: SQLite through its online backup API, PostgreSQL through pg_dump.

A SQLite database in WAL mode is never copied as a file (the live file alone can miss
committed pages that still sit in its -wal); the backup API copies a consistent snapshot
while the site keeps serving, and the copy must pass PRAGMA integrity_check before it takes
its final name. A PostgreSQL backup is a pg_dump archive (custom format) that pg_restore
must be able to list.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

PAGES_PER_STEP = 4096  # copy in steps, so writers are not held up for the whole copy


class BackupError(Exception):
    """The backup could not be made; nothing was left under the destination's name."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    seconds: float
    check: str

    def __str__(self) -> str:
        return f"{self.path} ({self.size:,} bytes, {self.seconds:.1f} s, check: {self.check})"


def backup_database(*, url: str, destination: Path) -> Backup:
    """Back up the database at url into destination (a folder, or a new file's path)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return backup_sqlite(source=Path(parsed.database), destination=destination)
    if parsed.get_backend_name() == "postgresql":
        return backup_postgresql(url=parsed, destination=destination)
    raise BackupError(f"no backup method for {parsed.get_backend_name()} databases")


def target_path(destination: Path, suffix: str) -> Path:
    """Return the file to write: a timestamped name inside a folder, else the path itself."""
    if destination.is_dir() or not destination.suffix:
        destination.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"tracker-{stamp}{suffix}"
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose another name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination


def backup_sqlite(*, source: Path, destination: Path) -> Backup:
    """Copy a live SQLite database with the online backup API, then check the copy."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    target = target_path(destination, ".sqlite3")
    partial = target.with_name(target.name + ".partial")
    started = time.perf_counter()
    try:
        live = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            live.backup(copy, pages=PAGES_PER_STEP)
            # A backup is one self-contained file, whatever mode the live database runs in.
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        finally:
            copy.close()
            live.close()
        if problems != ["ok"]:
            raise BackupError("the copy failed its integrity check: " + "; ".join(problems[:5]))
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {source}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, time.perf_counter() - started, "integrity ok")


def backup_postgresql(*, url: sa.URL, destination: Path) -> Backup:
    """Dump a PostgreSQL database with pg_dump (custom format), then list the archive."""
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not (pg_dump and pg_restore):
        raise BackupError(
            "pg_dump and pg_restore are needed to back up PostgreSQL and were not found on "
            "PATH; install the PostgreSQL client tools (Debian: apt-get install "
            "postgresql-client) in the server's major version or newer"
        )
    target = target_path(destination, ".dump")
    partial = target.with_name(target.name + ".partial")
    # The password goes through the environment, never the command line (ps shows that).
    environment = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string()
    started = time.perf_counter()
    try:
        _run(
            [pg_dump, "--format=custom", f"--file={partial}", f"--dbname={libpq_url}"], environment
        )
        listing = _run([pg_restore, "--list", str(partial)], environment)
        if "TABLE DATA" not in listing:
            raise BackupError("the dump holds no table data; it was not kept")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(
        target, target.stat().st_size, time.perf_counter() - started, "pg_restore --list ok"
    )


def _run(command: list[str], environment: dict[str, str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout
