"""Possible duplicates of a submission: flagged for the moderator, never dropped.

Three signals, as the issue asks: a source address already cited (compared by url_key, so
tracking parameters, "www." and trailing slashes do not hide it), a brand name or alias
that exists (compared without case, accents, punctuation or legal suffixes), and a claim
text nearly identical to one the brand already has. Open submissions that say the same
thing are flagged too, so two people reporting one advert are seen together.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from sqlmodel import Session, col, select

from tracker.models import (
    OPEN_STATES,
    Brand,
    Claim,
    Contradiction,
    EntityType,
    Outcome,
    Response,
    Source,
    Submission,
    SubmissionKind,
    Visibility,
)
from tracker.services import payloads
from tracker.services.urls import url_key

TEXT_THRESHOLD = 0.85  # share of matching characters that makes two texts "nearly identical"
NAME_THRESHOLD = 0.92
OPEN_SUBMISSIONS_SCANNED = 500  # the newest open submissions compared against
LEGAL_SUFFIXES = re.compile(
    r"\b(b ?v|n ?v|inc|ltd|llc|plc|gmbh|ag|sa|s ?a|se|spa|co|corp|corporation|company|"
    r"group|holding|holdings)\b"
)


def normalise_text(text: str) -> str:
    """Fold a text for comparison: compatibility forms, case, quotes and punctuation, spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def normalise_name(name: str) -> str:
    """Fold a brand name: also drop accents and legal suffixes ("Acme B.V." is "acme")."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = normalise_text(without_accents)
    stripped = " ".join(LEGAL_SUFFIXES.sub(" ", folded).split())
    return stripped or folded


def similarity(a: str, b: str) -> float:
    """Return how alike two normalised texts are, from 0 to 1."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.real_quick_ratio() < TEXT_THRESHOLD - 0.2:
        return matcher.real_quick_ratio()
    return matcher.ratio()


def _flag(
    reason: str, entity_type: EntityType | None, entity_id: int | None, label: str, **extra: Any
) -> dict[str, Any]:
    flag = {
        "reason": reason,
        "entity_type": entity_type.value if entity_type else None,
        "entity_id": entity_id,
        "label": label[:300],
    }
    flag.update(extra)
    return flag


def find(session: Session, submission: Submission) -> list[dict[str, Any]]:
    """Return the possible duplicates of a submission, most certain first."""
    payload = submission.payload or {}
    flags: list[dict[str, Any]] = []
    flags += _cited_sources(session, payload)
    if submission.kind == SubmissionKind.brand:
        flags += _brand_names(session, payload)
    elif submission.kind == SubmissionKind.claim:
        flags += _claim_texts(session, payload)
    elif submission.kind == SubmissionKind.contradiction:
        flags += _contradiction_titles(session, payload)
    elif submission.kind == SubmissionKind.response:
        flags += _responses(session, payload)
    elif submission.kind == SubmissionKind.remedy:
        flags += _remedies(session, payload)
    flags += _open_submissions(session, submission)
    seen, unique = set(), []
    for flag in flags:
        key = (flag["reason"], flag["entity_type"], flag["entity_id"], flag.get("submission_id"))
        if key not in seen:
            seen.add(key)
            unique.append(flag)
    return unique


def _cited_sources(session: Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    keys = {url_key(url): url for url in payloads.source_urls(payload)}
    if not keys:
        return []
    sources = session.exec(select(Source).where(col(Source.url_key).in_(keys))).all()
    return [
        _flag("source_url", EntityType.source, source.id, source.headline, url=keys[source.url_key])
        for source in sources
    ]


def _brand_names(session: Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    names = [payload.get("name"), *(payload.get("aliases") or [])]
    wanted = {normalise_name(name) for name in names if isinstance(name, str) and name.strip()}
    wanted.discard("")
    if not wanted:
        return []
    flags = []
    rows = session.exec(select(Brand.id, Brand.name, Brand.aliases, Brand.visibility)).all()
    for brand_id, name, aliases, visibility in rows:
        if visibility == Visibility.merged:
            continue
        for known in [name, *(aliases or [])]:
            folded = normalise_name(known)
            score = max(similarity(folded, want) for want in wanted)
            if score == 1.0 or (score >= NAME_THRESHOLD and len(folded) >= 4):
                flags.append(
                    _flag(
                        "brand_name",
                        EntityType.brand,
                        brand_id,
                        name,
                        matched=known,
                        score=round(score, 2),
                    )
                )
                break
    return sorted(flags, key=lambda flag: -flag["score"])


def _claim_texts(session: Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    brand_id = payload.get("brand_id")
    text = payload.get("quote") or payload.get("summary")
    if not isinstance(brand_id, int) or not isinstance(text, str):
        return []
    wanted = normalise_text(text)
    flags = []
    claims = session.exec(
        select(Claim.id, Claim.quote, Claim.summary).where(
            Claim.brand_id == brand_id, Claim.visibility != Visibility.merged
        )
    ).all()
    for claim_id, quote, summary in claims:
        score = max(similarity(wanted, normalise_text(t)) for t in (quote or "", summary or ""))
        if score >= TEXT_THRESHOLD:
            flags.append(
                _flag(
                    "claim_text",
                    EntityType.claim,
                    claim_id,
                    quote or summary or "",
                    score=round(score, 2),
                )
            )
    return sorted(flags, key=lambda flag: -flag["score"])


def _contradiction_titles(session: Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    brand_id = payload.get("brand_id")
    title = payload.get("title")
    if not isinstance(brand_id, int) or not isinstance(title, str):
        return []
    wanted = normalise_text(title)
    claim_ids = set(payload.get("claim_ids") or [])
    flags = []
    rows = session.exec(
        select(Contradiction).where(
            Contradiction.brand_id == brand_id, Contradiction.visibility != Visibility.merged
        )
    ).all()
    for contradiction in rows:
        score = similarity(wanted, normalise_text(contradiction.title))
        same_claims = claim_ids and claim_ids == {claim.id for claim in contradiction.claims}
        if score >= TEXT_THRESHOLD or (same_claims and contradiction.kind == payload.get("kind")):
            flags.append(
                _flag(
                    "contradiction_title",
                    EntityType.contradiction,
                    contradiction.id,
                    contradiction.title,
                    score=round(score, 2),
                )
            )
    return flags


def _responses(session: Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    contradiction_id = payload.get("contradiction_id")
    if not isinstance(contradiction_id, int):
        return []
    responses = session.exec(
        select(Response).where(
            Response.contradiction_id == contradiction_id,
            Response.visibility == Visibility.published,
        )
    ).all()
    wanted = normalise_text(payload.get("summary") or "")
    return [
        _flag(
            "response_exists",
            EntityType.response,
            response.id,
            response.summary,
            score=round(similarity(wanted, normalise_text(response.summary)), 2),
        )
        for response in responses
    ]


def _remedies(session: Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    brand_id = payload.get("brand_id")
    if not isinstance(brand_id, int):
        return []
    wanted = normalise_text(payload.get("summary") or "")
    flags = []
    for outcome in session.exec(select(Outcome).where(Outcome.brand_id == brand_id)).all():
        score = similarity(wanted, normalise_text(outcome.summary))
        same = (
            payload.get("contradiction_id")
            and outcome.contradiction_id == payload.get("contradiction_id")
            and outcome.kind == payload.get("kind")
        )
        if score >= TEXT_THRESHOLD or same:
            flags.append(
                _flag(
                    "outcome_text",
                    EntityType.outcome,
                    outcome.id,
                    outcome.summary,
                    score=round(score, 2),
                )
            )
    return flags


def _signature(kind: SubmissionKind, payload: dict[str, Any]) -> tuple[set[str], str]:
    """Return what two submissions are compared on: source keys and the main text."""
    keys = {url_key(url) for url in payloads.source_urls(payload)}
    if kind == SubmissionKind.brand:
        text = normalise_name(str(payload.get("name") or ""))
    else:
        main = (
            payload.get("quote")
            or payload.get("title")
            or payload.get("summary")
            or payload.get("fix")
            or ""
        )
        text = normalise_text(str(main))
    return keys, text


def _open_submissions(session: Session, submission: Submission) -> list[dict[str, Any]]:
    keys, text = _signature(submission.kind, submission.payload or {})
    others = session.exec(
        select(Submission)
        .where(
            col(Submission.state).in_(OPEN_STATES),
            Submission.kind == submission.kind,
            Submission.id != submission.id,
        )
        .order_by(col(Submission.id).desc())
        .limit(OPEN_SUBMISSIONS_SCANNED)
    ).all()
    flags = []
    for other in others:
        other_brand = payloads.brand_id_of(other.kind, other.payload or {})
        own_brand = payloads.brand_id_of(submission.kind, submission.payload or {})
        if own_brand is not None and other_brand is not None and own_brand != other_brand:
            continue
        other_keys, other_text = _signature(other.kind, other.payload or {})
        shared = keys & other_keys
        score = similarity(text, other_text)
        if shared or score >= TEXT_THRESHOLD:
            flags.append(
                _flag(
                    "open_submission",
                    None,
                    None,
                    other_text,
                    submission_id=other.id,
                    score=round(score, 2),
                    shared_sources=len(shared),
                )
            )
    return flags
