"""Turn an approved submission into public records, always through save_revision.

A new brand, claim, contradiction, response or remedy becomes revision 1 of a new record;
evidence, a correction or a merge becomes the next revision of an existing one. Sources are
found by url_key before a new one is made, so one page is one Source however it was spelled.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from tracker.db import utcnow
from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    Citation,
    Claim,
    ClaimChannel,
    ClaimStatus,
    ClaimTopic,
    Contradiction,
    ContradictionKind,
    ContradictionState,
    EntityType,
    FinderKind,
    Outcome,
    OutcomeKind,
    PublicRecord,
    Response,
    ResponseVia,
    Revision,
    Source,
    SourceKind,
    Stance,
    SubmissionKind,
    Topic,
    User,
    Visibility,
)
from tracker.services import payloads
from tracker.services.dates import PartialDate
from tracker.services.revisions import Author, FieldChange, diff, save_revision, snapshot
from tracker.services.urls import url_key


class CannotPublish(Exception):
    """The submission cannot be published as it stands; problems say why, field by field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Published:
    record: PublicRecord
    revision: Revision | None  # None: a merge that added nothing new


def check(kind: SubmissionKind, payload: dict[str, Any]) -> payloads.Payload:
    """Parse a payload for publishing; raise CannotPublish naming what is wrong."""
    try:
        return payloads.parse(kind, payload)
    except payloads.PayloadError as error:
        raise CannotPublish(error.problems) from None


# --- Shared pieces ---------------------------------------------------------------------


def _dates(value: str | None) -> dict[str, Any]:
    partial = PartialDate.parse(value)
    return {"date": partial.value, "date_precision": partial.precision}


def _published(session: Session, model: type[PublicRecord], record_id: Any) -> PublicRecord:
    record = session.get(model, record_id) if isinstance(record_id, int) else None
    if record is None or record.visibility != Visibility.published:
        name = model.entity_type.value
        raise CannotPublish([f"{name} {record_id}: no published {name} has this id"])
    return record


def unique_slug(session: Session, name: str) -> str:
    """Return a free, permanent brand address made from its name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100].strip("-") or "brand"
    slug, number = stem, 2
    while session.exec(select(Brand.id).where(Brand.slug == slug)).first() is not None:
        slug = f"{stem}-{number}"
        number += 1
    return slug


def source_for(
    session: Session,
    source: payloads.SourcePayload,
    *,
    author: Author,
    reason: str,
    submission_id: int | None,
) -> Source:
    """Return the Source for an address, making (and publishing) it if it is new."""
    key = url_key(source.url)
    existing = session.exec(select(Source).where(Source.url_key == key).order_by(Source.id)).first()
    if existing is not None:
        while existing.merged_into_id is not None:
            existing = session.get(Source, existing.merged_into_id)
        return existing
    record = Source(
        url=source.url,
        url_key=key,
        title=source.title,
        publisher=source.publisher,
        kind=SourceKind.other,
        **_dates(source.date),
    )
    save_revision(session, record, author=author, reason=reason, submission_id=submission_id)
    return record


def _add_citations(
    session: Session,
    record: Claim | Contradiction | Response | Outcome,
    sources: list[payloads.SourcePayload],
    *,
    stance: Stance = Stance.supports,
    author: Author,
    reason: str,
    submission_id: int | None,
) -> int:
    """Cite each source on the record unless it already is; return how many were added."""
    cited = {citation.source_id for citation in record.citations}
    position = max((citation.position for citation in record.citations), default=-1) + 1
    added = 0
    for source_payload in sources:
        source = source_for(
            session, source_payload, author=author, reason=reason, submission_id=submission_id
        )
        if source.id in cited:
            continue
        record.citations.append(
            Citation(
                source_id=source.id,
                excerpt=source_payload.excerpt,
                stance=stance,
                position=position,
            )
        )
        cited.add(source.id)
        position += 1
        added += 1
    return added


# --- New records -------------------------------------------------------------------------


def publish(
    session: Session,
    kind: SubmissionKind,
    payload: dict[str, Any],
    *,
    author: Author,
    reason: str,
    submission_id: int | None,
    submitter: User | None = None,
) -> Published:
    """Publish a submission's payload: a new record, or a new revision of the one it targets."""
    model = check(kind, payload)
    context = {"author": author, "reason": reason, "submission_id": submission_id}
    if kind == SubmissionKind.brand:
        return _new_brand(session, model, **context)
    if kind == SubmissionKind.claim:
        return _new_claim(session, model, **context)
    if kind == SubmissionKind.contradiction:
        return _new_contradiction(session, model, **context)
    if kind == SubmissionKind.response:
        return _new_response(session, model, submitter=submitter, **context)
    if kind == SubmissionKind.remedy:
        return _new_remedy(session, model, **context)
    if kind == SubmissionKind.evidence:
        return _add_evidence(session, model, **context)
    if kind == SubmissionKind.correction:
        return _correct(session, model, **context)
    raise CannotPublish([f"kind: {kind} cannot be published"])


def _save(session, record, *, author, reason, submission_id) -> Published:
    revision = save_revision(
        session, record, author=author, reason=reason, submission_id=submission_id
    )
    return Published(record, revision)


def _new_brand(session, model: payloads.BrandPayload, **context) -> Published:
    brand = Brand(
        slug=unique_slug(session, model.name),
        name=model.name,
        legal_name=model.legal_name,
        aliases=model.aliases,
        parent_company=model.parent_company,
        country=model.country,
        sector=model.sector,
        website=model.website,
        description=model.description,
    )
    return _save(session, brand, **context)


def _new_claim(session, model: payloads.ClaimPayload, **context) -> Published:
    brand = _published(session, Brand, model.brand_id)
    claim = Claim(
        brand_id=brand.id,
        quote=model.quote,
        quote_is_exact=model.quote_is_exact,
        language=model.language,
        translation=model.translation,
        summary=model.summary,
        speaker=model.speaker,
        channel=model.channel,
        where=model.where,
        **_dates(model.date),
    )
    claim.topic_links = [ClaimTopic(topic=topic) for topic in sorted(set(model.topics))]
    session.add(claim)
    _add_citations(session, claim, model.sources, **context)
    return _save(session, claim, **context)


def _new_contradiction(session, model: payloads.ContradictionPayload, **context) -> Published:
    brand = _published(session, Brand, model.brand_id)
    claims = [_published(session, Claim, claim_id) for claim_id in model.claim_ids]
    strangers = [claim.id for claim in claims if claim.brand_id != brand.id]
    if strangers:
        raise CannotPublish([f"claim_ids: claims {strangers} belong to another brand"])
    contradiction = Contradiction(
        brand_id=brand.id,
        title=model.title,
        summary=model.summary,
        finder_name=model.finder_name,
        finder_kind=model.finder_kind,
        kind=model.kind,
        state=ContradictionState.open,
        quote=model.quote,
        # The brand counts as invited to respond from the moment it is public here.
        published_at=utcnow(),
        **_dates(model.date),
    )
    contradiction.claims = claims
    session.add(contradiction)
    _add_citations(session, contradiction, model.sources, **context)
    return _save(session, contradiction, **context)


def _new_response(
    session, model: payloads.ResponsePayload, *, submitter: User | None, **context
) -> Published:
    contradiction = _published(session, Contradiction, model.contradiction_id)
    author_id = None
    if model.via == ResponseVia.representative:
        if submitter is None or not submitter.speaks_for(contradiction.brand_id):
            raise CannotPublish(
                ["via: the contributor is no longer a verified representative of this brand"]
            )
        author_id = submitter.id
    response = Response(
        brand_id=contradiction.brand_id,
        contradiction_id=contradiction.id,
        summary=model.summary,
        quote=model.quote,
        quote_language=model.quote_language,
        via=model.via,
        author_id=author_id,
        **_dates(model.date),
    )
    session.add(response)
    _add_citations(session, response, model.sources, **context)
    return _save(session, response, **context)


def _new_remedy(session, model: payloads.RemedyPayload, **context) -> Published:
    brand = _published(session, Brand, model.brand_id)
    contradiction_id = None
    if model.contradiction_id is not None:
        contradiction = _published(session, Contradiction, model.contradiction_id)
        if contradiction.brand_id != brand.id:
            raise CannotPublish(["contradiction_id: it belongs to another brand"])
        contradiction_id = contradiction.id
    outcome = Outcome(
        brand_id=brand.id,
        contradiction_id=contradiction_id,
        kind=model.kind,
        summary=model.summary,
        authority=model.authority,
        **_dates(model.date),
    )
    session.add(outcome)
    _add_citations(session, outcome, model.sources, **context)
    return _save(session, outcome, **context)


# --- Changes to existing records ---------------------------------------------------------


def _target(session, entity_type: EntityType, target_id: int) -> PublicRecord:
    return _published(session, PUBLIC_MODELS[entity_type], target_id)


def _add_evidence(session, model: payloads.EvidencePayload, **context) -> Published:
    record = _target(session, model.target_type, model.target_id)
    _add_citations(session, record, model.sources, stance=model.stance, **context)
    return _save(session, record, **context)


def _correct(session, model: payloads.CorrectionPayload, **context) -> Published:
    record = _target(session, model.target_type, model.target_id)
    if not model.field:
        raise CannotPublish(
            ["field: say which field the fix applies to (edit the submission to choose one)"]
        )
    for name, value in corrected_values(record, model.field, model.fix).items():
        if name == "topics":
            record.topic_links = [ClaimTopic(topic=topic) for topic in value]
        else:
            setattr(record, name, value)
    if isinstance(record, Claim | Contradiction | Response | Outcome):
        _add_citations(session, record, model.sources, **context)
    return _save(session, record, **context)


def merge(
    session: Session,
    kind: SubmissionKind,
    payload: dict[str, Any],
    target: PublicRecord,
    *,
    author: Author,
    reason: str,
    submission_id: int | None,
) -> Published:
    """Fold a submission into an existing record of its kind instead of publishing a copy:
    a brand's name becomes an alias, a record's sources become citations of the target."""
    model = check(kind, payload)
    expected = {
        SubmissionKind.brand: EntityType.brand,
        SubmissionKind.claim: EntityType.claim,
        SubmissionKind.contradiction: EntityType.contradiction,
        SubmissionKind.response: EntityType.response,
        SubmissionKind.remedy: EntityType.outcome,
    }.get(kind)
    if expected is None or target.entity_type != expected:
        raise CannotPublish([f"target: a {kind.value} submission merges into a {expected}"])
    if target.visibility != Visibility.published:
        raise CannotPublish(["target: the record is not published"])
    context = {"author": author, "reason": reason, "submission_id": submission_id}
    if isinstance(target, Brand):
        known = {name.casefold() for name in [target.name, *target.aliases]}
        new = [n for n in [model.name, *model.aliases] if n.strip() and n.casefold() not in known]
        if new:
            target.aliases = [*target.aliases, *new][:50]
    else:
        _add_citations(session, target, model.sources, **context)
    revision = save_revision(session, target, **context)
    return Published(target, revision)


# --- Corrections: from the corrected text to the field's value ---------------------------

ENUM_FIELDS: dict[tuple[EntityType, str], type[StrEnum]] = {
    (EntityType.claim, "channel"): ClaimChannel,
    (EntityType.claim, "status"): ClaimStatus,
    (EntityType.contradiction, "finder_kind"): FinderKind,
    (EntityType.contradiction, "kind"): ContradictionKind,
    (EntityType.contradiction, "state"): ContradictionState,
    (EntityType.outcome, "kind"): OutcomeKind,
}
OPTIONAL_TEXT = {
    "legal_name",
    "parent_company",
    "sector",
    "website",
    "description",
    "quote",
    "translation",
    "summary",
    "speaker",
    "where",
    "language",
    "authority",
    "title",
    "publisher",
    "currency",
}


def corrected_values(record: PublicRecord, field: str, fix: str) -> dict[str, Any]:
    """Return the attribute values a correction sets, converted to the field's type."""
    entity_type = record.entity_type
    if field not in payloads.CORRECTABLE_FIELDS.get(entity_type, []):
        raise CannotPublish([f"field: {field} cannot be corrected on a {entity_type.value}"])
    text = fix.strip()
    column = type(record).model_fields.get(field)
    limit = _max_length(column)
    if (entity_type, field) in ENUM_FIELDS:
        enum_cls = ENUM_FIELDS[(entity_type, field)]
        try:
            return {field: enum_cls(text)}
        except ValueError:
            allowed = ", ".join(member.value for member in enum_cls)
            raise CannotPublish([f"fix: {field} must be one of {allowed}"]) from None
    if field == "date":
        try:
            partial = PartialDate.parse(text)
        except ValueError as error:
            raise CannotPublish([f"fix: {error}"]) from None
        if partial.value and partial.value > dt.date.today():
            raise CannotPublish(["fix: the date is in the future"])
        return {"date": partial.value, "date_precision": partial.precision}
    if field == "topics":
        try:
            topics = sorted(
                {Topic(part.strip()) for part in re.split(r"[,\n]", text) if part.strip()}
            )
        except ValueError:
            allowed = ", ".join(topic.value for topic in Topic)
            raise CannotPublish([f"fix: topics are a comma-separated list of {allowed}"]) from None
        if not topics:
            raise CannotPublish(["fix: give at least one topic"])
        return {"topics": topics}
    if field == "aliases":
        return {"aliases": [line.strip() for line in fix.split("\n") if line.strip()][:50]}
    if field == "amount":
        try:
            return {"amount": Decimal(text.replace(",", "")) if text else None}
        except InvalidOperation:
            raise CannotPublish(["fix: the amount must be a number"]) from None
    if field == "country":
        if text and not re.fullmatch(r"[A-Za-z]{2}", text):
            raise CannotPublish(["fix: a country is a two-letter ISO code such as NL"])
        return {"country": text.upper() or None}
    if field in ("url", "website") and text and not re.fullmatch(payloads.URL_PATTERN, text):
        raise CannotPublish([f"fix: {field} must be an http or https address"])
    if limit and len(fix) > limit:
        raise CannotPublish([f"fix: {field} holds at most {limit} characters"])
    if field == "url":
        return {"url": text, "url_key": url_key(text)}
    value = fix if field in ("quote", "summary", "translation", "description") else text
    if not value.strip() and field not in OPTIONAL_TEXT:
        raise CannotPublish([f"fix: {field} cannot be empty"])
    return {field: value if value.strip() else None}


def _max_length(column) -> int | None:
    if column is None:
        return None
    for item in column.metadata:
        if hasattr(item, "max_length") and item.max_length:
            return item.max_length
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def correction_diff(record: PublicRecord, field: str | None, fix: str) -> list[FieldChange]:
    """Return what a correction would change in the record, for the moderator to see."""
    if not field:
        return []
    before = snapshot(record)
    after = dict(before)
    after.update(
        {name: _jsonable(value) for name, value in corrected_values(record, field, fix).items()}
    )
    return diff(before, after)
