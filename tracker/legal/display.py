"""What a reader sees of a flag: badge, the matched words highlighted, why, and the disclaimer.

Everything from the database or the rules file is escaped; the highlighting wraps escaped
pieces of the claim's own text in <mark>, built with markupsafe, never by string pasting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.db import get_session
from tracker.i18n import format_partial_date
from tracker.labels import LABELS, label
from tracker.models import (
    Claim,
    ClaimScope,
    CosmeticKind,
    FlagDismissal,
    FlagTiming,
)
from tracker.services import claim_flags
from tracker.services.claim_flags import StoredFlag
from tracker.services.rulebook import Rule, Rulebook, localised
from tracker.web import country_name

DISCLAIMER = _l(
    "Indicative only: a flag says that the wording is of a kind a rule targets. It is not a "
    "finding that the brand broke the law; only a regulator or a court can decide that."
)

SCOPES = LABELS[ClaimScope]
COSMETIC_KINDS = LABELS[CosmeticKind]
FACT_NAMES = {
    "scope": _l("what the claim covers"),
    "evidence_one_aspect": _l("whether the benefit concerns only one aspect"),
    "relies_on_offsets": _l("whether the claim rests on offsetting"),
    "certification_present": _l("a certification scheme behind the label"),
    "cosmetic_kind": _l("the kind of cosmetic product"),
}


def language() -> str:
    return str(get_locale() or "en")[:2]


def highlight(text: str | None, matches: list[dict[str, Any]], field: str) -> Markup | None:
    """Return text, escaped, with the flag's matched words in <mark>; None if nothing matched."""
    if not text:
        return None
    spans = sorted(
        (match["start"], match["end"], match["role"])
        for match in matches
        if match.get("field") == field
        # Stored offsets are only trusted while they still point at the matched words.
        and text[match["start"] : match["end"]] == match.get("text")
    )
    if not spans:
        return None
    pieces: list[Markup] = []
    position = 0
    for start, end, role in spans:
        if start < position:
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(
            Markup('<mark class="flag-match flag-match-{}">{}</mark>').format(role, text[start:end])
        )
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def _countries(codes: list[str]) -> str:
    return ", ".join(country_name(code) for code in codes)


def note_text(note: dict[str, Any], rules: Rulebook) -> str | None:
    """Return a note about a flag as a sentence in the reader's language."""
    code = note.get("code")
    if code == "unspecified":
        return _(
            "No specification of the benefit was found in the same claim, which makes a "
            "generic claim the stronger case."
        )
    if code == "specified":
        return _(
            "The claim gives some specification (marked); check whether it covers the whole claim."
        )
    if code == "offsetting_named":
        return _("The claim itself mentions compensation or offsetting.")
    if code == "fact_unknown":
        return _fact_unknown(note.get("fact", ""))
    if code == "fact_recorded":
        return _fact_recorded(note.get("fact", ""), note.get("value"))
    if code == "target_year":
        return _("The claim names a target year: %(year)s.", year=note.get("year"))
    if code == "target_year_recorded":
        return _("A moderator recorded a target year: %(year)s.", year=note.get("year"))
    if code == "list_matched":
        title = rules.list_titles.get(note.get("list", ""))
        return _(
            "On the %(list)s: %(ingredients)s.",
            list=title.get(language()) if title else note.get("list"),
            ingredients=", ".join(note.get("ingredients", [])),
        )
    if code == "beside":
        return _(
            "The claim calls the product %(words)s beside this ingredient.",
            words=", ".join(f"“{word}”" for word in note.get("words", [])),
        )
    if code == "cosmetic_kind_unknown":
        return _(
            "The kind of cosmetic product is not recorded, so the earliest date is shown; the "
            "dates differ by kind of product."
        )
    if code == "not_verbatim":
        if note.get("field") == "summary":
            return _("Matched in our summary of the claim, not in a verbatim quote.")
        return _("Matched in wording that is not a verbatim quote.")
    if code == "place":
        return _place(note)
    return None


def _fact_unknown(fact: str) -> str:
    if fact == "relies_on_offsets":
        return _("Whether the claim rests on offsetting is not recorded.")
    if fact == "certification_present":
        return _("No certification scheme or public authority behind this label is recorded.")
    if fact == "cosmetic_kind":
        return _("The kind of cosmetic product is not recorded.")
    return _("Not recorded: %(fact)s.", fact=FACT_NAMES.get(fact, fact))


def _fact_recorded(fact: str, value: Any) -> str:
    if fact == "relies_on_offsets":
        return _("A moderator recorded that the claim rests on offsetting.")
    if fact == "certification_present":
        return _(
            "A moderator recorded that no certification scheme or public authority stands "
            "behind this label."
        )
    if fact == "evidence_one_aspect":
        return _(
            "A moderator recorded that the benefit behind the claim concerns only one aspect "
            "or part."
        )
    if fact == "scope":
        return _(
            "A moderator recorded that the claim presents itself as about %(scope)s.",
            scope=SCOPES.get(value, value),
        )
    if fact == "cosmetic_kind":
        return _("Recorded kind of product: %(kind)s.", kind=COSMETIC_KINDS.get(value, value))
    return _("Recorded: %(fact)s.", fact=FACT_NAMES.get(fact, fact))


def _place(note: dict[str, Any]) -> str:
    basis, countries = note.get("basis"), note.get("countries", [])
    if basis == "markets":
        return _(
            "Place: where the claim addressed consumers (%(countries)s), as recorded.",
            countries=_countries(countries),
        )
    if basis == "brand_country":
        return _(
            "Place: the brand's country (%(countries)s), as no market is recorded for the claim.",
            countries=_countries(countries),
        )
    return _("Place: not recorded, so the rules of every jurisdiction are checked.")


@dataclass(frozen=True)
class FlagView:
    """One flag as shown to a reader."""

    stored: StoredFlag
    rule: Rule
    claim: Claim
    rules: Rulebook

    @property
    def flag(self):
        return self.stored.flag

    @property
    def dismissal(self) -> FlagDismissal | None:
        return self.stored.dismissal

    @property
    def title(self) -> str:
        return self.rule.title.get(language())

    @property
    def instrument(self) -> str:
        return localised(self.rule.instrument, language())

    @property
    def article(self) -> str:
        return localised(self.rule.article, language())

    @property
    def explanation(self) -> str:
        return self.rule.explanation.get(language())

    @property
    def caveats(self) -> list[str]:
        return [caveat.get(language()) for caveat in self.rule.caveats]

    @property
    def jurisdiction(self) -> str:
        spec = self.rules.jurisdictions.get(self.flag.jurisdiction)
        return spec.name.get(language()) if spec else self.flag.jurisdiction

    @property
    def applies_from(self) -> str:
        return format_partial_date(self.flag.applies_from, self.flag.applies_from_precision)

    @property
    def until(self) -> str | None:
        end = self.rule.end
        return format_partial_date(end.value, end.precision) if end.value else None

    @property
    def kind(self) -> str:
        return str(RULE_KINDS.get(self.rule.kind, self.rule.kind))

    @property
    def short_timing(self) -> str:
        """Return a few words for the badge: how the claim's date stands to the rule's."""
        timing = self.flag.timing
        if timing is FlagTiming.in_force:
            return _("made while it applied")
        if timing is FlagTiming.before:
            return _("would apply from %(date)s", date=self.applies_from)
        if timing is FlagTiming.date_unknown:
            return _("date unclear")
        return _("not a law")

    @property
    def timing_sentence(self) -> str:
        values = {"rule": self.rule.id, "place": self.jurisdiction, "date": self.applies_from}
        timing = self.flag.timing
        if timing is FlagTiming.in_force:
            return _(
                "The claim was made while %(rule)s applied in %(place)s (from %(date)s).",
                **values,
            )
        if timing is FlagTiming.before:
            return _(
                "Would fall under %(rule)s from %(date)s: the claim was made before the rule "
                "applied in %(place)s. It is not a breach.",
                **values,
            )
        if timing is FlagTiming.date_unknown:
            return _(
                "May fall under %(rule)s, which applies in %(place)s from %(date)s: the "
                "claim's date is not known precisely enough to say.",
                **values,
            )
        return _("%(rule)s is an NGO's definition, not a law; it has no date.", **values)

    @property
    def text_markup(self) -> Markup | None:
        field = "quote" if self.claim.quote else "summary"
        return highlight(getattr(self.claim, field), self.flag.matches, field)

    @property
    def ingredients_markup(self) -> Markup | None:
        return highlight(self.claim.ingredients, self.flag.matches, "ingredients")

    @property
    def notes(self) -> list[str]:
        texts = (note_text(note, self.rules) for note in self.flag.notes)
        return [text for text in texts if text]


RULE_KINDS = {
    "law": _l("Law"),
    "guidance": _l("Regulator's guidance"),
    "self_regulation": _l("Self-regulation"),
    "ngo_definition": _l("NGO definition"),
}


@dataclass(frozen=True)
class ClaimFlags:
    """A claim's flags: those that stand, and those a moderator dismissed."""

    active: list[FlagView]
    dismissed: list[FlagView]

    def __bool__(self) -> bool:
        return bool(self.active or self.dismissed)


def claim_flags_for(claim: Claim) -> ClaimFlags:
    """Return a claim's flags for display, loading its whole brand's flags once per request."""
    cache = g.setdefault("legal_flags_by_brand", {})
    if claim.brand_id not in cache:
        cache[claim.brand_id] = claim_flags.flags_of_brand(get_session(), claim.brand_id)
    rules: Rulebook = current_app.extensions["tracker_rules"]
    active, dismissed = [], []
    for stored in cache[claim.brand_id].get(claim.id, []):
        rule = rules.rule(stored.flag.rule_id)
        if rule is None:  # the rule left the file and the flags were not yet recomputed
            continue
        view = FlagView(stored, rule, claim, rules)
        (dismissed if stored.flag.dismissed else active).append(view)
    return ClaimFlags(active, dismissed)


def can_review_flags() -> bool:
    """Say whether the current user may dismiss flags and record claim facts."""
    return bool(getattr(current_user, "is_moderator", False))


def legal_rules() -> list[Rule]:
    """Return the rules, for filter choices."""
    return current_app.extensions["tracker_rules"].rules


def flag_choice(raw: str | None) -> str | None:
    """Read a flag filter: a rule id, "any", or None for anything else."""
    if not raw:
        return None
    if raw == claim_flags.ANY_FLAG or current_app.extensions["tracker_rules"].rule(raw):
        return raw
    return None


def rule_choice_label(rule: Rule) -> str:
    return f"{rule.id}: {rule.title.get(language())}"


# The reasons tracker.services.claim_flags gives the revisions it writes, read back so the
# history says them in the reader's language (the moderator's own words stay as written).
_REASONS = (
    (
        re.compile(r"^Flag (?P<rule>\S+) dismissed: (?P<reason>.*)$", re.S),
        _l("Flag %(rule)s dismissed: %(reason)s"),
    ),
    (
        re.compile(r"^Flag (?P<rule>\S+) restored: (?P<reason>.*)$", re.S),
        _l("Flag %(rule)s restored: %(reason)s"),
    ),
    (
        re.compile(r"^Legal facts recorded: (?P<reason>.*)$", re.S),
        _l("Legal facts recorded: %(reason)s"),
    ),
)


def revision_reason(reason: str) -> str:
    """Return a revision's reason, with the words the legal flags add in the reader's language."""
    for pattern, text in _REASONS:
        if match := pattern.match(reason):
            return str(text) % match.groupdict()
    return reason


def init_app(app: Flask) -> None:
    """Give templates the flags of a claim and the helpers their partials use."""
    app.jinja_env.globals.update(
        claim_flags=claim_flags_for,
        can_review_flags=can_review_flags,
        legal_rules=legal_rules,
        rule_choice_label=rule_choice_label,
        flag_disclaimer=DISCLAIMER,
        revision_reason=revision_reason,
        label=label,
    )
