"""The CSR claims transparency tracker: a Flask application."""

from __future__ import annotations

import os

import click
from flask import Flask

from tracker import (
    admin,
    api,
    auth,
    cli,
    db,
    evidence,
    forms,
    i18n,
    jobs,
    legal,
    limits,
    migrate,
    moderate,
    opendata,
    public,
    reply,
    search,
    submit,
    web,
)
from tracker.config import load_config, resource_path

# CLI commands that may start the site; others (seed, db upgrade ...) manage the database
# themselves and must not be preceded by an automatic migration or seed.
SERVING_COMMANDS = frozenset({"run"})


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: config, database, languages, blueprints, commands, error pages."""
    overrides = dict(test_config or {})
    app = Flask(
        __name__,
        instance_path=overrides.pop("INSTANCE_PATH", None)
        or os.environ.get("TRACKER_INSTANCE_PATH"),
        instance_relative_config=True,
        template_folder=str(resource_path("templates")),
        static_folder=str(resource_path("static")),
    )
    load_config(app, overrides)
    database = db.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    forms.init_app(app)
    app.register_blueprint(public.bp)
    auth.init_app(app)
    admin.init_app(app)
    legal.init_app(app)
    api.init_app(app)
    search.init_app(app)
    opendata.init_app(app)
    submit.init_app(app)
    moderate.init_app(app)
    reply.init_app(app)
    evidence.init_app(app)
    limits.init_app(app)  # after every blueprint: it wraps the rate-limited views
    cli.init_app(app)
    if app.config["WORKER_IN_PROCESS"] and _development_server():
        jobs.embed_worker_on_first_request(app)
    if app.config["AUTO_MIGRATE"] and _serving():
        with app.app_context():  # seeding queues fetches of the seeded sources
            migrate.prepare(app, database)
        legal.refresh_if_stale(app, database)
    return app


def _development_server() -> bool:
    """True under `flask run` (not gunicorn, which runs `flask worker` beside it)."""
    context = click.get_current_context(silent=True)
    return context is not None and context.info_name == "run"


def _serving() -> bool:
    context = click.get_current_context(silent=True)
    return context is None or context.info_name in SERVING_COMMANDS
