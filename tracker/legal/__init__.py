"""Indicative legal flags on claims: the rules (data files beside this module), loaded and
checked when the app starts, flags kept in step with every claim write, their display, and a
moderator's dismissal.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_app_context

from tracker import migrate
from tracker.db import Database
from tracker.legal import commands, display, views
from tracker.models import Brand, Claim
from tracker.services import claim_flags, revisions
from tracker.services.rulebook import PACKAGED_RULES, Rulebook, load_rulebook, packaged_rulebook


def current_rules() -> Rulebook:
    """Return the app's rules, or the shipped ones outside an app (seeding from a script)."""
    if has_app_context() and "tracker_rules" in current_app.extensions:
        return current_app.extensions["tracker_rules"]
    return packaged_rulebook()


@revisions.revision_saved.connect
def keep_flags_in_step(record, *, session, revision) -> None:
    """Recompute the flags a write affects, in the writer's transaction."""
    if isinstance(record, Claim):
        claim_flags.refresh_claim(session, record, rules=current_rules())
    elif isinstance(record, Brand):
        claim_flags.refresh_brand(session, record, rules=current_rules())


def refresh_if_stale(app: Flask, database: Database) -> None:
    """Recompute every claim's flags if the rules changed since they were last computed."""
    rules = app.extensions["tracker_rules"]
    with migrate.startup_lock(database, app.instance_path), database.unit_of_work() as session:
        if claim_flags.stale(session, rules):
            report = claim_flags.recompute_all(session, rules=rules)
            app.logger.info("Legal flags recomputed for new rules: %s", report)


def init_app(app: Flask) -> None:
    """Load and check the rules (an invalid file stops the app), then register the views."""
    configured = app.config.get("LEGAL_RULES_PATH")
    if configured and Path(configured).resolve() != PACKAGED_RULES:
        app.extensions["tracker_rules"] = load_rulebook(Path(configured))
    else:
        app.extensions["tracker_rules"] = packaged_rulebook()
    app.register_blueprint(views.bp)
    app.cli.add_command(commands.recompute_flags)
    display.init_app(app)
