"""Stored legal flags: kept in step with every claim write, recomputed when the rules change,
dismissed and restored by moderators, and looked up for pages and filters.

The flags themselves are derived data (tracker.services.flags computes them); a dismissal is a
decision, kept for good and recorded in the claim's history as a new revision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from tracker.db import utcnow
from tracker.models import (
    Brand,
    Claim,
    ClaimFacts,
    ClaimFlag,
    FlagDismissal,
    FlagRulesState,
    FlagTiming,
    Revision,
    Visibility,
)
from tracker.services.dates import PartialDate
from tracker.services.flags import KEY_ROLES, ClaimInput, Finding, evaluate
from tracker.services.revisions import Author, save_revision
from tracker.services.rulebook import Rulebook

STATE_NAME = "rules"
RECOMPUTE_BATCH = 500
ANY_FLAG = "any"


class FlagError(Exception):
    """A dismissal or restoration that cannot be done; the message says why."""


@dataclass
class RecomputeReport:
    claims: int = 0
    flags: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    dismissed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.claims} claims, {self.flags} flags ({self.added} added, {self.removed} "
            f"removed, {self.changed} changed); {self.dismissed} dismissed by moderators"
        )


def _values(finding: Finding, dismissal_id: int | None) -> dict[str, Any]:
    """Return what a reader sees of a finding, as a stored flag's column values."""
    return {
        "timing": finding.timing,
        "applies_from": finding.applies_from.value,
        "applies_from_precision": finding.applies_from.precision,
        "jurisdiction": finding.jurisdiction,
        "matches": [match.as_dict() for match in finding.matches],
        "notes": [dict(note) for note in finding.notes],
        "fingerprint": finding.fingerprint,
        "dismissal_id": dismissal_id,
    }


def _update(flag: ClaimFlag, values: dict[str, Any], rules: Rulebook) -> bool:
    """Write new values onto a stored flag; return whether anything a reader sees changed."""
    changed = any(getattr(flag, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(flag, name, value)
    flag.rules_digest = rules.digest
    if changed:
        flag.computed_at = utcnow()
    return changed


def _apply(
    session: Session,
    claim: Claim,
    rules: Rulebook,
    stored: dict[str, ClaimFlag],
    dismissals: dict[tuple[str, str], int],
    report: RecomputeReport,
) -> list[ClaimFlag]:
    """Bring a claim's stored flags in line with what the rules find now."""
    kept = []
    for finding in evaluate(rules, ClaimInput.of(claim)):
        values = _values(finding, dismissals.get((finding.rule_id, finding.fingerprint)))
        flag = stored.pop(finding.rule_id, None)
        if flag is None:
            # Every column given: SQLModel's default factories are slow to construct.
            flag = ClaimFlag(
                claim_id=claim.id,
                rule_id=finding.rule_id,
                rules_digest=rules.digest,
                computed_at=utcnow(),
                **values,
            )
            report.added += 1
        elif _update(flag, values, rules):
            report.changed += 1
        report.dismissed += flag.dismissal_id is not None
        session.add(flag)
        kept.append(flag)
    for gone in stored.values():
        session.delete(gone)
        report.removed += 1
    report.claims += 1
    report.flags += len(kept)
    return kept


def _stored_and_dismissed(session: Session, claim_ids: list[int]):
    """Load the stored flags and standing dismissals of these claims, by claim, in 2 queries."""
    stored: dict[int, dict[str, ClaimFlag]] = {claim_id: {} for claim_id in claim_ids}
    for flag in session.exec(select(ClaimFlag).where(col(ClaimFlag.claim_id).in_(claim_ids))):
        stored[flag.claim_id][flag.rule_id] = flag
    dismissals: dict[int, dict[tuple[str, str], int]] = {claim_id: {} for claim_id in claim_ids}
    for dismissal in session.exec(
        select(FlagDismissal).where(
            col(FlagDismissal.claim_id).in_(claim_ids), col(FlagDismissal.restored_at).is_(None)
        )
    ):
        dismissals[dismissal.claim_id][(dismissal.rule_id, dismissal.fingerprint)] = dismissal.id
    return stored, dismissals


def refresh_claim(
    session: Session, claim: Claim, *, rules: Rulebook, report: RecomputeReport | None = None
) -> list[ClaimFlag]:
    """Recompute one claim's flags and store them in the caller's transaction."""
    stored, dismissals = _stored_and_dismissed(session, [claim.id])
    kept = _apply(
        session, claim, rules, stored[claim.id], dismissals[claim.id], report or RecomputeReport()
    )
    session.flush()
    return kept


def refresh_brand(session: Session, brand: Brand, *, rules: Rulebook) -> None:
    """Recompute the flags of a brand's claims: its country decides where they were made."""
    if brand.id is None:
        return
    claims = session.exec(
        select(Claim).where(Claim.brand_id == brand.id).options(selectinload(Claim.topic_links))
    )
    for claim in claims:
        refresh_claim(session, claim, rules=rules)


def stale(session: Session, rules: Rulebook) -> bool:
    """Say whether the stored flags were computed with other rules than these."""
    state = session.get(FlagRulesState, STATE_NAME)
    return state is None or state.digest != rules.digest


def recompute_all(
    session: Session, *, rules: Rulebook, batch_size: int = RECOMPUTE_BATCH
) -> RecomputeReport:
    """Recompute every claim's flags with these rules and remember the rules' digest.

    Claims go in batches by id, each batch's flags and dismissals in two queries, and the
    session lets go of each batch's claims and flags once they are flushed, so memory stays
    flat at any size.
    """
    report = RecomputeReport()
    last_id = 0
    while True:
        claims = list(
            session.exec(
                select(Claim)
                .where(Claim.id > last_id)
                .order_by(Claim.id)
                .limit(batch_size)
                .options(selectinload(Claim.topic_links), selectinload(Claim.brand))
            )
        )
        if not claims:
            break
        ids = [claim.id for claim in claims]
        stored, dismissals = _stored_and_dismissed(session, ids)
        done: list[ClaimFlag | Claim] = []
        for claim in claims:
            done += _apply(session, claim, rules, stored[claim.id], dismissals[claim.id], report)
        session.flush()
        for record in [*done, *claims]:
            session.expunge(record)
        last_id = ids[-1]
    state = session.get(FlagRulesState, STATE_NAME) or FlagRulesState(name=STATE_NAME, digest="")
    state.digest = rules.digest
    state.recomputed_at = utcnow()
    session.add(state)
    session.flush()
    return report


FACT_FIELDS = frozenset(ClaimFacts.model_fields)


def record_facts(
    *,
    session: Session,
    claim: Claim,
    facts: dict[str, Any],
    reason: str,
    author: Author,
    expected_version: int | None = None,
) -> Revision | None:
    """Record the facts a moderator established on a claim; return None if none changed.

    The claim gets a new revision (its flags follow through revision_saved). Raises
    RevisionConflict if the claim moved on since expected_version.
    """
    unknown = set(facts) - FACT_FIELDS
    if unknown:
        raise ValueError(f"not a claim fact: {', '.join(sorted(unknown))}")
    for name, value in facts.items():
        setattr(claim, name, value)
    return save_revision(
        session,
        claim,
        author=author,
        reason=f"Legal facts recorded: {reason.strip()}",
        expected_version=expected_version,
    )


def dismiss(
    *, session: Session, claim: Claim, rule_id: str, reason: str, author: Author
) -> FlagDismissal:
    """Dismiss one flag on one claim, with a reason; the claim gets a new revision."""
    reason = reason.strip()
    if not reason:
        raise FlagError("A dismissal needs a reason.")
    flag = session.exec(
        select(ClaimFlag).where(ClaimFlag.claim_id == claim.id, ClaimFlag.rule_id == rule_id)
    ).first()
    if flag is None:
        raise FlagError(f"Claim {claim.id} has no flag {rule_id}.")
    if flag.dismissal_id is not None:
        raise FlagError(f"The flag {rule_id} on claim {claim.id} is already dismissed.")
    dismissal = FlagDismissal(
        claim_id=claim.id,
        rule_id=rule_id,
        fingerprint=flag.fingerprint,
        reason=reason,
        dismissed_by_id=author.user_id,
        dismissed_by_label=author.label,
    )
    session.add(dismissal)
    session.flush()
    flag.dismissal_id = dismissal.id
    session.add(flag)
    save_revision(session, claim, author=author, reason=f"Flag {rule_id} dismissed: {reason}")
    return dismissal


def restore(
    *, session: Session, claim: Claim, rule_id: str, reason: str, author: Author
) -> FlagDismissal:
    """Withdraw a dismissal, so the flag shows again; the claim gets a new revision."""
    reason = reason.strip()
    if not reason:
        raise FlagError("Restoring a flag needs a reason.")
    dismissal = session.exec(
        select(FlagDismissal).where(
            FlagDismissal.claim_id == claim.id,
            FlagDismissal.rule_id == rule_id,
            col(FlagDismissal.restored_at).is_(None),
        )
    ).first()
    if dismissal is None:
        raise FlagError(f"The flag {rule_id} on claim {claim.id} is not dismissed.")
    dismissal.restored_at = utcnow()
    dismissal.restored_by_id = author.user_id
    dismissal.restored_by_label = author.label
    dismissal.restore_reason = reason
    session.add(dismissal)
    for flag in session.exec(select(ClaimFlag).where(ClaimFlag.dismissal_id == dismissal.id)):
        flag.dismissal_id = None
        session.add(flag)
    session.flush()
    save_revision(session, claim, author=author, reason=f"Flag {rule_id} restored: {reason}")
    return dismissal


@dataclass(frozen=True)
class StoredFlag:
    """A stored flag with its standing dismissal, if any, for display."""

    flag: ClaimFlag
    dismissal: FlagDismissal | None


def flags_for_claims(session: Session, claim_ids: Iterable[int]) -> dict[int, list[StoredFlag]]:
    """Return the stored flags of these claims with their dismissals, in one query."""
    ids = sorted(set(claim_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(ClaimFlag, FlagDismissal)
        .join(FlagDismissal, FlagDismissal.id == ClaimFlag.dismissal_id, isouter=True)
        .where(col(ClaimFlag.claim_id).in_(ids))
        .order_by(ClaimFlag.claim_id, ClaimFlag.id)
    )
    found: dict[int, list[StoredFlag]] = {claim_id: [] for claim_id in ids}
    for flag, dismissal in rows:
        found[flag.claim_id].append(StoredFlag(flag, dismissal))
    return found


def flags_of_brand(session: Session, brand_id: int) -> dict[int, list[StoredFlag]]:
    """Return the stored flags of every claim of a brand, by claim id, in one query."""
    rows = session.exec(
        select(ClaimFlag, FlagDismissal)
        .join(Claim, Claim.id == ClaimFlag.claim_id)
        .join(FlagDismissal, FlagDismissal.id == ClaimFlag.dismissal_id, isouter=True)
        .where(Claim.brand_id == brand_id)
        .order_by(ClaimFlag.claim_id, ClaimFlag.id)
    )
    found: dict[int, list[StoredFlag]] = {}
    for flag, dismissal in rows:
        found.setdefault(flag.claim_id, []).append(StoredFlag(flag, dismissal))
    return found


def flagged_claim_ids(rule_id: str) -> sa.Select:
    """Return a query for the ids of claims with an undismissed flag of a rule (or any)."""
    query = select(ClaimFlag.claim_id).where(col(ClaimFlag.dismissal_id).is_(None))
    if rule_id != ANY_FLAG:
        query = query.where(ClaimFlag.rule_id == rule_id)
    return query


def flagged_brand_ids(rule_id: str) -> sa.Select:
    """Return a query for the ids of brands with a published claim flagged by a rule (or any)."""
    return (
        select(Claim.brand_id)
        .where(
            Claim.visibility == Visibility.published,
            col(Claim.id).in_(flagged_claim_ids(rule_id)),
        )
        .distinct()
    )


def brand_has_flag(rule_id: str) -> sa.Exists:
    """Return a condition on Brand: it has a published claim with an undismissed flag of a
    rule (or any). Correlated, so a page of brands in id order stops at its last brand."""
    conditions = [
        Claim.brand_id == Brand.id,
        Claim.visibility == Visibility.published,
        ClaimFlag.claim_id == Claim.id,
        col(ClaimFlag.dismissal_id).is_(None),
    ]
    if rule_id != ANY_FLAG:
        conditions.append(ClaimFlag.rule_id == rule_id)
    return sa.exists().where(*conditions)


# --- Flags for machines: the API and the downloads give the same plain values ---------

# How a claim's date stands to the rule's, in words a client can filter on.
FLAG_STATUS: dict[FlagTiming, str] = {
    FlagTiming.in_force: "applies",  # made while the rule applied where it was made
    FlagTiming.before: "would_apply",  # made before: would fall under the rule from applies_from
    FlagTiming.date_unknown: "date_unclear",  # the claim's date is too imprecise to say
    FlagTiming.not_a_law: "not_a_law",  # an NGO's definition, with no date
}


@dataclass(frozen=True)
class PublicFlag:
    """One flag on one claim as published: rule, status, what matched, and any dismissal."""

    claim_id: int
    rule_id: str
    jurisdiction: str
    status: str
    applies_from: str | None  # at its precision: YYYY, YYYY-MM or YYYY-MM-DD
    matched: list[str]  # the claim's words (or ingredients) the rule matched
    ingredient_lists: list[str]  # for microplastic rules: which list matched (eu78, psf)
    dismissed: bool
    dismissal_reason: str | None
    dismissed_at: dt.datetime | None


def public_flag(flag: ClaimFlag, dismissal: FlagDismissal | None = None) -> PublicFlag:
    """Return a stored flag as published; dismissal is the flag's standing dismissal, if any."""
    matched = dict.fromkeys(
        match.get("text", "") for match in flag.matches if match.get("role") in KEY_ROLES
    )
    lists = dict.fromkeys(note["list"] for note in flag.notes if note.get("code") == "list_matched")
    dismissed = flag.dismissal_id is not None
    return PublicFlag(
        claim_id=flag.claim_id,
        rule_id=flag.rule_id,
        jurisdiction=flag.jurisdiction,
        status=FLAG_STATUS[flag.timing],
        applies_from=PartialDate(flag.applies_from, flag.applies_from_precision).iso(),
        matched=[text for text in matched if text],
        ingredient_lists=list(lists),
        dismissed=dismissed,
        dismissal_reason=dismissal.reason if dismissed and dismissal else None,
        dismissed_at=dismissal.dismissed_at if dismissed and dismissal else None,
    )


def is_flag_filter(value: str, rules: Rulebook) -> bool:
    """Say whether a flag filter names a rule of these rules, or is "any"."""
    return value == ANY_FLAG or rules.rule(value) is not None
