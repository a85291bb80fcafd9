"""Published records for machines: filtered, in a stable order, one keyset page at a time.

The read API and the downloads share these rules of what is public: a record is visible only
while it is published and, for records that belong to a brand, while that brand is too. A
filter is a name with a function that narrows a query; a new filter (legal flags, say) is one
more entry in FILTERS and one more field in the API's query model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, or_
from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, col, select

from tracker.models import PUBLIC_MODELS as MODELS
from tracker.models import (
    Brand,
    Citation,
    Claim,
    ClaimFlag,
    ClaimTopic,
    Contradiction,
    ContradictionClaimLink,
    EntityType,
    Outcome,
    PublicRecord,
    Response,
    Revision,
    Source,
    Visibility,
)
from tracker.services.claim_flags import brand_has_flag, flagged_claim_ids


class NotPublished(LookupError):
    """No published record answers to that key."""


class Moved(Exception):
    """The record was merged into another; target is where it lives now."""

    def __init__(self, target: PublicRecord):
        super().__init__(f"moved to {target.entity_type} {target.id}")
        self.target = target


@dataclass(frozen=True)
class Page:
    records: list[PublicRecord]
    next_after: int | None


@dataclass(frozen=True)
class DatasetStamp:
    """The newest revision: every change to the public record adds one."""

    revision_id: int
    changed_at: dt.datetime | None


BRAND_OWNED = (Claim, Contradiction, Response, Outcome)

LOAD_OPTIONS: dict[EntityType, tuple] = {
    EntityType.brand: (),
    EntityType.claim: (
        joinedload(Claim.brand),
        selectinload(Claim.topic_links),
        selectinload(Claim.citations).joinedload(Citation.source),
        selectinload(Claim.contradictions),
        selectinload(Claim.flags).joinedload(ClaimFlag.dismissal),
    ),
    EntityType.contradiction: (
        joinedload(Contradiction.brand),
        selectinload(Contradiction.claims).selectinload(Claim.topic_links),
        selectinload(Contradiction.citations).joinedload(Citation.source),
        selectinload(Contradiction.responses),
        selectinload(Contradiction.outcomes),
    ),
    EntityType.response: (
        joinedload(Response.brand),
        joinedload(Response.contradiction),
        selectinload(Response.citations).joinedload(Citation.source),
    ),
    EntityType.outcome: (
        joinedload(Outcome.brand),
        joinedload(Outcome.contradiction),
        selectinload(Outcome.citations).joinedload(Citation.source),
    ),
    EntityType.source: (),
}


def is_public(record: PublicRecord | None) -> bool:
    """Tell whether a loaded record (and the brand it belongs to) is published."""
    if record is None or record.visibility != Visibility.published:
        return False
    brand = getattr(record, "brand", None)
    return brand is None or brand.visibility == Visibility.published


def public_query(entity_type: EntityType) -> Select:
    """Return a query for the published records of one type, brand checked."""
    model = MODELS[entity_type]
    query = select(model).where(model.visibility == Visibility.published)
    if model in BRAND_OWNED:
        query = query.join(Brand, Brand.id == model.brand_id).where(
            Brand.visibility == Visibility.published
        )
    if model is Response:
        query = query.where(
            exists().where(
                Contradiction.id == Response.contradiction_id,
                Contradiction.visibility == Visibility.published,
            )
        )
    return query


# --- Filters --------------------------------------------------------------------------

Filter = Callable[[Select, type[PublicRecord], Any], Select]


def _brand_slug(query, model, slug):
    if model is Brand:
        return query.where(Brand.slug == slug)
    if model is Source:
        return query.where(_source_cited_by(Brand.slug == slug))
    return query.where(Brand.slug == slug)


def _brand_column(name: str) -> Filter:
    def apply(query, model, value):
        condition = getattr(Brand, name) == value
        if model is Source:
            return query.where(_source_cited_by(condition))
        return query.where(condition)

    return apply


def _source_cited_by(brand_condition) -> Any:
    """Return a condition: the source is cited by a published record of a matching brand."""
    branches = []
    for model, column in (
        (Claim, Citation.claim_id),
        (Contradiction, Citation.contradiction_id),
        (Response, Citation.response_id),
        (Outcome, Citation.outcome_id),
    ):
        branches.append(
            exists().where(
                Citation.source_id == Source.id,
                column == model.id,
                model.visibility == Visibility.published,
                Brand.id == model.brand_id,
                Brand.visibility == Visibility.published,
                brand_condition,
            )
        )
    return or_(*branches)


def _topic(query, model, topic):
    if model is Claim:
        return query.where(
            exists().where(ClaimTopic.claim_id == Claim.id, ClaimTopic.topic == topic)
        )
    if model is Contradiction:
        return query.where(
            exists().where(
                ContradictionClaimLink.contradiction_id == Contradiction.id,
                ClaimTopic.claim_id == ContradictionClaimLink.claim_id,
                ClaimTopic.topic == topic,
            )
        )
    if model is Brand:
        return query.where(
            exists().where(
                Claim.brand_id == Brand.id,
                Claim.visibility == Visibility.published,
                ClaimTopic.claim_id == Claim.id,
                ClaimTopic.topic == topic,
            )
        )
    return query.where(
        exists().where(
            ContradictionClaimLink.contradiction_id == model.contradiction_id,
            ClaimTopic.claim_id == ContradictionClaimLink.claim_id,
            ClaimTopic.topic == topic,
        )
    )


def _flag(query, model, rule_id):
    """Keep claims with an undismissed legal flag of the rule (or any); brands with such a
    published claim."""
    if model is Brand:
        return query.where(brand_has_flag(rule_id))
    return query.where(col(Claim.id).in_(flagged_claim_ids(rule_id)))


def _column(name: str) -> Filter:
    return lambda query, model, value: query.where(getattr(model, name) == value)


def _claim_id(query, model, claim_id):
    return query.where(
        exists().where(
            ContradictionClaimLink.contradiction_id == Contradiction.id,
            ContradictionClaimLink.claim_id == claim_id,
        )
    )


FILTERS: dict[str, Filter] = {
    "brand": _brand_slug,
    "sector": _brand_column("sector"),
    "country": _brand_column("country"),
    "topic": _topic,
    "state": _column("state"),
    "status": _column("status"),
    "kind": _column("kind"),
    "language": _column("language"),
    "contradiction": _column("contradiction_id"),
    "claim": _claim_id,
    "flag": _flag,
    "date_from": lambda query, model, value: query.where(model.date >= value),
    "date_to": lambda query, model, value: query.where(model.date <= value),
    "updated_since": lambda query, model, value: query.where(model.updated_at >= value),
}


def filtered(entity_type: EntityType, filters: dict[str, Any]) -> Select:
    """Return the published records of a type narrowed by the given filters (None = unset)."""
    model = MODELS[entity_type]
    query = public_query(entity_type)
    for name, value in filters.items():
        if value is not None:
            query = FILTERS[name](query, model, value)
    return query


def published_page(
    session: Session,
    *,
    entity_type: EntityType,
    filters: dict[str, Any],
    after: int | None = None,
    limit: int = 50,
) -> Page:
    """Return one page of published records in id order, starting after the given id."""
    model = MODELS[entity_type]
    query = filtered(entity_type, filters)
    if after is not None:
        query = query.where(model.id > after)
    query = query.order_by(model.id).limit(limit + 1).options(*LOAD_OPTIONS[entity_type])
    records = list(session.exec(query).unique())
    more = len(records) > limit
    records = records[:limit]
    return Page(records=records, next_after=records[-1].id if more else None)


def published_record(session: Session, *, entity_type: EntityType, key: int | str):
    """Return one published record by id (or a brand by slug); raise NotPublished or Moved."""
    model = MODELS[entity_type]
    column = Brand.slug if model is Brand else model.id
    record = session.exec(
        select(model).where(column == key).options(*LOAD_OPTIONS[entity_type])
    ).first()
    if record is not None and record.visibility == Visibility.merged and record.merged_into_id:
        target = session.get(model, record.merged_into_id)
        if is_public(target):
            raise Moved(target)
    if not is_public(record):
        raise NotPublished(f"{entity_type} {key}")
    if isinstance(record, Response) and not is_public(record.contradiction):
        raise NotPublished(f"{entity_type} {key}")
    return record


def dataset_stamp(session: Session) -> DatasetStamp:
    """Return the newest revision's id and time, the version of the whole public record."""
    row = session.exec(
        select(Revision.id, Revision.created_at).order_by(col(Revision.id).desc()).limit(1)
    ).first()
    return DatasetStamp(row[0], row[1]) if row else DatasetStamp(0, None)


def public_ids(records) -> list[int]:
    """Return the ids of the published records among the given ones, sorted."""
    return sorted(record.id for record in records if record.visibility == Visibility.published)


def published_source_ids(session: Session, ids: set[int]) -> set[int]:
    """Return which of the given sources are published."""
    if not ids:
        return set()
    query = select(Source.id).where(col(Source.id).in_(ids), Source.visibility == "published")
    return set(session.exec(query))
