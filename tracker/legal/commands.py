"""flask --app tracker recompute-flags: bring every claim's legal flags in line with the rules."""

from __future__ import annotations

import click
from flask import current_app

from tracker.db import get_db
from tracker.services import claim_flags


@click.command("recompute-flags")
@click.option(
    "--if-stale",
    is_flag=True,
    help="Only if the rules changed since the flags were last recomputed.",
)
def recompute_flags(if_stale: bool) -> None:
    """Recompute the legal flags of every claim with the current rules file."""
    rules = current_app.extensions["tracker_rules"]
    with get_db().unit_of_work() as session:
        if if_stale and not claim_flags.stale(session, rules):
            click.echo(f"Flags are up to date with the rules ({rules.digest[:12]}).")
            return
        report = claim_flags.recompute_all(session, rules=rules)
    click.echo(f"Flags recomputed with the rules {rules.path} ({rules.digest[:12]}): {report}.")
