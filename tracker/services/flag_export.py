"""The legal flags in the downloads: every flag of every published claim, and the rules.

Dismissed flags are kept and marked (dismissed, with the moderator's reason and when), never
dropped: the download is the whole public record, the moderators' decisions included. The
claims filter of the API and of search leaves dismissed flags out; a reuser does the same
with dismissed = false.

The rows are plain rows from one statement each, so they stream from a Session or a
Connection alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from tracker.models import Claim, ClaimFlag, EntityType, FlagDismissal, FlagRulesState
from tracker.services.claim_flags import STATE_NAME, PublicFlag, public_flag
from tracker.services.dates import PartialDate
from tracker.services.published import public_query
from tracker.services.rulebook import Rulebook, localised

BATCH = 1000
FLAGS = ClaimFlag.__table__.c
DISMISSALS = FlagDismissal.__table__.c


def stored_rules_digest(connection: Any) -> str | None:
    """Return the digest of the rules the stored flags were computed with (Session or
    Connection), or None before they were first computed."""
    state = FlagRulesState.__table__.c
    query = sa.select(state.digest).where(state.name == STATE_NAME)
    return connection.execute(query).scalar()


class _Dismissal:
    def __init__(self, row: Any):
        self.reason = row.dismissal_reason
        self.dismissed_at = row.dismissed_at


def claim_flags(connection: Any) -> Iterator[PublicFlag]:
    """Yield the flags of every published claim, dismissed ones included, by claim and rule."""
    public_claims = public_query(EntityType.claim).with_only_columns(Claim.id)
    query = (
        sa.select(
            *FLAGS,
            DISMISSALS.reason.label("dismissal_reason"),
            DISMISSALS.dismissed_at.label("dismissed_at"),
        )
        .select_from(
            ClaimFlag.__table__.outerjoin(
                FlagDismissal.__table__, DISMISSALS.id == FLAGS.dismissal_id
            )
        )
        .where(FLAGS.claim_id.in_(public_claims))
        .order_by(FLAGS.claim_id, FLAGS.id)
        .execution_options(yield_per=BATCH)
    )
    for row in connection.execute(query):
        yield public_flag(row, _Dismissal(row) if row.dismissal_id is not None else None)


def rule_rows(rules: Rulebook) -> Callable[[Any], Iterator[Any]]:
    """Return a rows function that yields the rules themselves, in the rules file's order."""
    return lambda _connection: iter(rules.rules)


def _date(value) -> str | None:
    return PartialDate.parse(value).iso()


# (name, Table Schema type, description, value) for each file; export.py makes them tables.
FLAG_COLUMNS: tuple[tuple[str, str, str, Callable[[PublicFlag], Any]], ...] = (
    ("claim_id", "integer", "The claim (claims.id).", lambda f: f.claim_id),
    ("rule_id", "string", "The rule (flag_rules.id).", lambda f: f.rule_id),
    (
        "jurisdiction",
        "string",
        "Where the rule applies: EU, NL, GB, or NGO for an NGO's definition.",
        lambda f: f.jurisdiction,
    ),
    (
        "status",
        "string",
        "How the claim's date stands to the rule's: applies (made while the rule applied), "
        "would_apply (made before: it would fall under the rule from applies_from, not a "
        "breach), date_unclear (the claim's date is too imprecise to say) or not_a_law.",
        lambda f: f.status,
    ),
    (
        "applies_from",
        "string",
        "When the rule applies from, for this kind of product: YYYY, YYYY-MM or YYYY-MM-DD.",
        lambda f: f.applies_from,
    ),
    (
        "matched",
        "array",
        "The claim's words or ingredients the rule matched, separated by '; ' in CSV.",
        lambda f: f.matched,
    ),
    (
        "ingredient_lists",
        "array",
        "For microplastic rules, the ingredient list that matched: eu78 (REACH Annex XVII "
        "entry 78) or psf (the broader Beat the Microbead list).",
        lambda f: f.ingredient_lists,
    ),
    (
        "dismissed",
        "boolean",
        "Whether a moderator dismissed this flag on this claim. Dismissed flags are kept and "
        "marked, not left out.",
        lambda f: f.dismissed,
    ),
    (
        "dismissal_reason",
        "string",
        "The moderator's reason, if dismissed.",
        lambda f: f.dismissal_reason,
    ),
    ("dismissed_at", "datetime", "When it was dismissed (UTC).", lambda f: f.dismissed_at),
)

RULE_COLUMNS: tuple[tuple[str, str, str, Callable[[Any], Any]], ...] = (
    ("id", "string", "Stable identifier, as in claim_flags.rule_id.", lambda r: r.id),
    (
        "kind",
        "string",
        "law, guidance, self_regulation or ngo_definition.",
        lambda r: r.kind.value,
    ),
    ("title", "string", "Title, in English.", lambda r: r.title.en),
    ("title_nl", "string", "Title, in Dutch.", lambda r: r.title.nl),
    (
        "instrument",
        "string",
        "The legal instrument or code.",
        lambda r: localised(r.instrument, "en"),
    ),
    ("article", "string", "The article or point.", lambda r: localised(r.article, "en")),
    ("jurisdiction", "string", "EU, NL, GB, or NGO.", lambda r: r.jurisdiction),
    (
        "applies_from",
        "string",
        "The date it applies from (YYYY, YYYY-MM or YYYY-MM-DD); empty for an NGO's definition.",
        lambda r: _date(r.applies_from),
    ),
    ("until", "string", "The date it lapses, if any.", lambda r: _date(r.until)),
    (
        "applies_from_by_product",
        "array",
        "Where the date depends on the kind of product: kind and date, separated by '; ' in CSV.",
        lambda r: [f"{phase.cosmetic_kind.value} {phase.applies_from}" for phase in r.phases],
    ),
    ("link", "string", "The official text.", lambda r: r.link),
)

FLAGS_DESCRIPTION = (
    "Indicative legal flags on published claims: the claim's wording is of a kind the rule "
    "targets. Never a finding that a brand broke the law. Flags a moderator dismissed are "
    "kept and marked (dismissed = true, with the reason)."
)
RULES_DESCRIPTION = "The rules behind the legal flags, with their legal reference and dates."
