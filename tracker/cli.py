"""Commands: flask --app tracker db upgrade | init-db | seed [PATH] | synthetic | backup ..."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker import migrate
from tracker.db import get_db
from tracker.models import Role
from tracker.services import accounts, backup, search, seeding, synthetic
from tracker.services.catalogue import NotFound, brand_by_slug

db_cli = AppGroup("db", help="Manage the database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(get_db(), revision)
    click.echo(f"Database at revision {migrate.current_revision(get_db())}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" for an empty database)."""
    migrate.downgrade(get_db(), revision)
    click.echo(f"Database at revision {migrate.current_revision(get_db())}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    click.echo(migrate.current_revision(get_db()) or "none (empty database)")


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database to the newest schema."""
    migrate.upgrade(get_db())
    click.echo(f"Database at revision {migrate.current_revision(get_db())}.")


@click.command("seed")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def seed(path: Path | None) -> None:
    """Load the seed data (default: the shipped seeds/ folder). Safe to run again."""
    folder = path or seeding.seed_folder(current_app)
    try:
        with get_db().unit_of_work() as session:
            report = seeding.load(session, folder)
    except seeding.SeedError as error:
        click.echo(f"Seed data in {folder} is invalid; nothing was loaded:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Seed loaded from {folder}: {report}.")


@click.command("synthetic")
@click.option("--scale", default=1.0, show_default=True, type=float, help="1.0 = 10,000 brands.")
@click.option("--random-seed", default=0, show_default=True, type=int)
@with_appcontext
def synthetic_data(scale: float, random_seed: int) -> None:
    """Fill an EMPTY database with fake data for benchmarks (never with real records)."""
    if not scale > 0:
        raise click.BadParameter("must be greater than 0", param_hint="--scale")
    migrate.upgrade(get_db())
    plan = synthetic.Plan.at(scale)
    click.echo(
        f"Generating synthetic data at scale {scale}: {plan.brands:,} brands, "
        f"{plan.claims:,} claims, {plan.contradictions:,} contradictions, "
        f"{plan.sources:,} sources."
    )
    try:
        with get_db().unit_of_work() as session:
            report = synthetic.generate(
                session=session, scale=scale, random_seed=random_seed, progress=click.echo
            )
    except synthetic.SyntheticRefused as error:
        click.echo(f"Refused: {error}. Nothing was written.", err=True)
        click.echo("Point DATABASE_URL or TRACKER_INSTANCE_PATH at an empty database.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Synthetic data written: {report}.")
    started = time.perf_counter()
    with get_db().unit_of_work() as session:
        documents = search.reindex_all(session, batch=2000)
    click.echo(
        f"Search index built: {documents:,} documents in {time.perf_counter() - started:.1f} s."
    )
    if get_db().dialect == "postgresql":
        # What autovacuum would do soon: planner statistics for the new rows.
        with get_db().engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    click.echo(
        f"The brand with {synthetic.BENCH_EVENTS} events: /brands/{synthetic.BENCH_BRAND_SLUG}"
    )


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.contributor.value,
    show_default=True,
)
@click.option("--name", "display_name", help="Display name (default: the part before the @).")
@click.option(
    "--handle", help="Public handle, shown in the moderation log (default: from the name)."
)
@click.option("--brand", "brand_slug", help="For a representative: the slug of their brand.")
@click.option("--verified", is_flag=True, help="For a representative: verified at once.")
@with_appcontext
def create_user(
    email: str,
    role: str,
    display_name: str | None,
    handle: str | None,
    brand_slug: str | None,
    verified: bool,
) -> None:
    """Create an account, for example the first admin. The password comes from
    TRACKER_PASSWORD or is asked for."""
    password = os.environ.get("TRACKER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.ClickException(f"the password needs at least {minimum} characters")
    if "@" not in email or len(email) > 320:
        raise click.ClickException(f"{email!r} is not an email address")
    if handle and not accounts.HANDLE_PATTERN.match(handle):
        raise click.ClickException("a handle is 3 to 40 lower-case letters, digits and hyphens")
    with get_db().unit_of_work() as session:
        brand = None
        if brand_slug:
            try:
                brand = brand_by_slug(session, brand_slug)
            except NotFound:
                raise click.ClickException(f"no brand has the slug {brand_slug!r}") from None
        try:
            user = accounts.register(
                session=session,
                email=email,
                display_name=display_name or email.split("@")[0],
                password=password,
                role=Role(role),
                public_handle=handle,
            )
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
        if brand is not None:
            user.brand_id = brand.id
            user.representative_verified = verified and user.role == Role.representative
        stored_email, handle_shown = user.email, user.public_handle
    click.echo(f"Created {role} {stored_email} (public handle {handle_shown}).")


@click.command("backup")
@click.argument("destination", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(destination: Path | None) -> None:
    """Back up the database to DESTINATION (a folder or a new file; default instance/backups).

    SQLite: the online backup API, then an integrity check of the copy. PostgreSQL: pg_dump.
    """
    folder = destination or Path(current_app.instance_path) / "backups"
    url = get_db().engine.url.render_as_string(hide_password=False)
    try:
        made = backup.backup_database(url=url, destination=folder)
    except backup.BackupError as error:
        click.echo(f"Backup failed: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Backup written: {made}.")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(init_db)
    app.cli.add_command(seed)
    app.cli.add_command(synthetic_data)
    app.cli.add_command(backup_command)
    app.cli.add_command(create_user)
