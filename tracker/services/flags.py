"""Evaluate a claim against the legal flag rules: which rules its wording and facts fit.

A flag is indicative, never a verdict: it says the claim is of the kind a rule targets. It is
date and place aware. Place: the countries a moderator recorded as the claim's markets, else
the brand's country (consumer law follows the consumers a claim addresses, and a brand mostly
addresses its home market); when neither is known, every jurisdiction's rules are checked and
the flag says so. Date: a claim made before a rule applied gets timing "before" ("would fall
under the rule from ..."), not "in force".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from tracker.models import (
    Brand,
    Claim,
    ClaimChannel,
    CosmeticKind,
    DatePrecision,
    FlagTiming,
    Topic,
)
from tracker.services.dates import PartialDate
from tracker.services.matching import Span, find_future, fold
from tracker.services.rulebook import FactCondition, Rule, Rulebook, RuleKind

ALL_LANGUAGES = None


@dataclass(frozen=True)
class ClaimInput:
    """What the rules look at in a claim, as plain values."""

    text: str | None
    text_field: str = "quote"  # quote, or summary when no verbatim wording is known
    verbatim: bool = True
    language: str | None = None
    date: dt.date | None = None
    date_precision: DatePrecision = DatePrecision.unknown
    date_end: dt.date | None = None
    date_end_precision: DatePrecision | None = None
    channel: ClaimChannel = ClaimChannel.other
    topics: frozenset[Topic] = frozenset()
    markets: tuple[str, ...] = ()
    brand_country: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    future_target_year: int | None = None
    cosmetic_kind: CosmeticKind | None = None
    ingredients: str | None = None

    @classmethod
    def of(cls, claim: Claim, brand: Brand | None = None) -> ClaimInput:
        """Read the rules' inputs from a claim and its brand."""
        brand = brand or claim.brand
        text_field = "quote" if claim.quote else "summary"
        return cls(
            text=claim.quote or claim.summary,
            text_field=text_field,
            verbatim=bool(claim.quote) and claim.quote_is_exact,
            language=claim.language,
            date=claim.date,
            date_precision=claim.date_precision,
            date_end=claim.date_end,
            date_end_precision=claim.date_end_precision,
            channel=claim.channel,
            topics=frozenset(claim.topics),
            markets=tuple(claim.markets or ()),
            brand_country=brand.country if brand else None,
            facts={
                "scope": claim.scope,
                "evidence_one_aspect": claim.evidence_one_aspect,
                "relies_on_offsets": claim.relies_on_offsets,
                "certification_present": claim.certification_present,
                "cosmetic_kind": claim.cosmetic_kind,
            },
            future_target_year=claim.future_target_year,
            cosmetic_kind=claim.cosmetic_kind,
            ingredients=claim.ingredients,
        )

    @property
    def countries(self) -> tuple[str, ...]:
        """Return where the claim counts as made: its markets, else the brand's country."""
        if self.markets:
            return tuple(code.upper() for code in self.markets)
        return (self.brand_country.upper(),) if self.brand_country else ()

    @property
    def place_basis(self) -> str:
        if self.markets:
            return "markets"
        return "brand_country" if self.brand_country else "unknown"

    @property
    def languages(self) -> list[str] | None:
        """Return the lexicon languages to use: the claim's and English, or all if unknown."""
        if not self.language:
            return ALL_LANGUAGES
        return sorted({self.language[:2].lower(), "en"})

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """Return the first and last day the claim may have been made on."""
        start = PartialDate(self.date, self.date_precision)
        if self.date_end is not None:
            end = PartialDate(self.date_end, self.date_end_precision or DatePrecision.day)
            return start.value, end.last_day
        return start.value, start.last_day


@dataclass(frozen=True)
class Match:
    """Words a flag points at: in the claim's text or in its ingredient list."""

    field: str
    start: int
    end: int
    text: str
    term: str
    role: str  # trigger, future, ingredient, specification, offsetting, beside

    @classmethod
    def of(cls, span: Span, field: str, role: str) -> Match:
        return cls(field, span.start, span.end, span.text, span.term, role)

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "term": self.term,
            "role": self.role,
        }


@dataclass(frozen=True)
class Finding:
    """One rule's flag on one claim: why it was raised and how its dates stand."""

    rule_id: str
    timing: FlagTiming
    applies_from: PartialDate
    jurisdiction: str
    matches: tuple[Match, ...]
    notes: tuple[dict[str, Any], ...]

    @property
    def fingerprint(self) -> str:
        """Return a digest of what the flag matched, so a dismissal follows the same words."""
        matched = sorted({fold(match.text)[0] for match in self.matches if match.role in KEY_ROLES})
        return hashlib.sha256("|".join([self.rule_id, *matched]).encode()).hexdigest()


KEY_ROLES = frozenset({"trigger", "future", "ingredient"})


def timing_for(claim: ClaimInput, start: PartialDate, end: PartialDate) -> FlagTiming | None:
    """Say how the claim's date stands to a rule's dates; None if the rule had lapsed."""
    if start.value is None:
        return FlagTiming.not_a_law
    first, last = claim.period
    if first is None or last is None:
        return FlagTiming.date_unknown
    if end.last_day is not None and first > end.last_day:
        return None
    if last < start.value:
        return FlagTiming.before
    if first >= start.value or claim.date_end is not None:
        # A claim still being made after the rule applied (a range) counts as made under it.
        return FlagTiming.in_force
    return FlagTiming.date_unknown


def _place_applies(rulebook: Rulebook, rule: Rule, claim: ClaimInput) -> bool:
    countries = rulebook.jurisdictions[rule.jurisdiction].countries
    if countries == "*" or not claim.countries:
        return True
    return any(code in countries for code in claim.countries)


def _list_applies(rulebook: Rulebook, name: str, claim: ClaimInput) -> bool:
    """Say whether a rule checking that ingredient list applies where the claim was made."""
    return any(
        rule.trigger.ingredients
        and rule.trigger.ingredients.list == name
        and _place_applies(rulebook, rule, claim)
        for rule in rulebook.rules
    )


def _fact_notes(conditions: list[FactCondition], claim: ClaimInput) -> list[dict] | None:
    """Return a note per fact condition, or None if a recorded fact rules the flag out."""
    notes = []
    for condition in conditions:
        value = claim.facts.get(condition.fact)
        if value is None:
            if condition.when_unknown == "skip":
                return None
            notes.append({"code": "fact_unknown", "fact": condition.fact})
        elif condition.holds(value):
            notes.append({"code": "fact_recorded", "fact": condition.fact, "value": str(value)})
        else:
            return None
    return notes


def evaluate_rule(rulebook: Rulebook, rule: Rule, claim: ClaimInput) -> Finding | None:
    """Return the rule's flag on the claim, or None if the rule does not fit it."""
    trigger = rule.trigger
    if not _place_applies(rulebook, rule, claim):
        return None
    if trigger.channels and claim.channel not in trigger.channels:
        return None
    if trigger.topics and not claim.topics & set(trigger.topics):
        return None
    notes = _fact_notes(trigger.facts, claim)
    if notes is None:
        return None

    text, where, languages = claim.text, claim.text_field, claim.languages
    matches: list[Match] = []
    if trigger.terms:
        for name in trigger.terms:
            spans = rulebook.lexicons[name].find(text, languages)
            matches += [Match.of(span, where, "trigger") for span in spans]
        if not matches:
            return None
        matches = _without_overlaps(matches)
    if trigger.future:
        future = find_future(
            text,
            markers=rulebook.year_markers,
            aims=rulebook.lexicons["future"],
            languages=languages,
            claim_year=claim.date.year if claim.date else None,
        )
        if future:
            matches += [Match.of(span, where, "future") for span in future.spans]
            notes.append({"code": "target_year", "year": future.year})
        elif claim.future_target_year:
            notes.append({"code": "target_year_recorded", "year": claim.future_target_year})
        else:
            return None
    if trigger.ingredients:
        listed = rulebook.ingredient_lists[trigger.ingredients.list].find(claim.ingredients)
        if trigger.ingredients.except_ and _list_applies(
            rulebook, trigger.ingredients.except_, claim
        ):
            other = rulebook.ingredient_lists[trigger.ingredients.except_]
            covered = {(span.start, span.end) for span in other.find(claim.ingredients)}
            listed = [span for span in listed if (span.start, span.end) not in covered]
        if not listed:
            return None
        matches += [Match.of(span, "ingredients", "ingredient") for span in listed]
        notes.append(
            {
                "code": "list_matched",
                "list": trigger.ingredients.list,
                "ingredients": [span.text for span in listed],
            }
        )
    notes += _context_notes(rulebook, rule, claim, matches)
    matches += _context_matches(rulebook, rule, claim, matches)

    start = rule.start_for(claim.cosmetic_kind)
    if rule.phases and claim.cosmetic_kind is None:
        notes.append({"code": "cosmetic_kind_unknown"})
    timing = timing_for(claim, start, rule.end)
    if timing is None:
        return None
    if (trigger.terms or trigger.future) and not claim.verbatim and text:
        notes.append({"code": "not_verbatim", "field": where})
    notes.append({"code": "place", "basis": claim.place_basis, "countries": list(claim.countries)})
    return Finding(
        rule_id=rule.id,
        timing=timing,
        applies_from=start,
        jurisdiction=rule.jurisdiction,
        matches=tuple(sorted(matches, key=lambda m: (m.field, m.start, m.end))),
        notes=tuple(notes),
    )


def _without_overlaps(matches: list[Match]) -> list[Match]:
    """Keep the longest of overlapping matches from different lexicons."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def _context_matches(
    rulebook: Rulebook, rule: Rule, claim: ClaimInput, found: list[Match]
) -> list[Match]:
    """Return the words around a flag that explain it: specification, offsetting, purity."""
    trigger, text, where = rule.trigger, claim.text, claim.text_field
    taken = [(m.start, m.end) for m in found if m.field == where]
    extra = []
    for name, role in (
        (trigger.specification, "specification"),
        (trigger.offset_terms, "offsetting"),
        (trigger.beside_terms, "beside"),
    ):
        if not name:
            continue
        for span in rulebook.lexicons[name].find(text, claim.languages):
            if not any(span.start < end and start < span.end for start, end in taken):
                extra.append(Match.of(span, where, role))
    return extra


def _context_notes(
    rulebook: Rulebook, rule: Rule, claim: ClaimInput, found: list[Match]
) -> list[dict]:
    trigger = rule.trigger
    notes: list[dict] = []
    if trigger.specification:
        specified = rulebook.lexicons[trigger.specification].find(claim.text, claim.languages)
        notes.append({"code": "specified" if specified else "unspecified"})
    if trigger.offset_terms and rulebook.lexicons[trigger.offset_terms].find(
        claim.text, claim.languages
    ):
        notes.append({"code": "offsetting_named"})
    if trigger.beside_terms:
        beside = rulebook.lexicons[trigger.beside_terms].find(claim.text, claim.languages)
        if beside:
            notes.append({"code": "beside", "words": [span.text for span in beside]})
    return notes


def evaluate(rulebook: Rulebook, claim: ClaimInput) -> list[Finding]:
    """Return every rule's flag on the claim, in the rules file's order."""
    findings = []
    for rule in rulebook.rules:
        finding = evaluate_rule(rulebook, rule, claim)
        if finding is not None:
            findings.append(finding)
    return findings


def is_law(rule: Rule) -> bool:
    """Say whether the rule is a legal or regulatory text rather than an NGO's definition."""
    return rule.kind is not RuleKind.ngo_definition
