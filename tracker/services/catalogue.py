"""Finding public records: the brand index, the home page figures, single records."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, col, select

from tracker.models import (
    Brand,
    Citation,
    Claim,
    Contradiction,
    ContradictionState,
    EntityType,
    Outcome,
    PublicRecord,
    Response,
    Source,
    Visibility,
)
from tracker.services import claim_flags

LETTERS = tuple(string.ascii_uppercase)
OTHER_LETTER = "#"


class NotFound(LookupError):
    """No public record answers to that address."""


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    claims: int
    contradictions: int
    open: int
    upheld: int
    remedied: int


@dataclass(frozen=True)
class BrandPage:
    rows: list[BrandRow]
    total: int
    page: int
    pages: int
    sectors: list[str]
    countries: list[str]


@dataclass(frozen=True)
class SiteCounts:
    brands: int
    claims: int
    contradictions: int
    by_state: dict[ContradictionState, int]
    responses: int


def _published(model: type[PublicRecord]):
    return model.visibility == Visibility.published


def brand_index(
    session: Session,
    *,
    letter: str | None = None,
    sector: str | None = None,
    country: str | None = None,
    flag: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> BrandPage:
    """Return one page of published brands A to Z with their counts, filtered.

    flag keeps brands with a published claim carrying an undismissed legal flag of that rule
    ("any" for any rule).
    """
    query = select(Brand).where(_published(Brand))
    if letter == OTHER_LETTER:
        first = func.upper(func.substr(Brand.name, 1, 1))
        query = query.where(~first.in_(LETTERS))
    elif letter:
        query = query.where(func.upper(func.substr(Brand.name, 1, 1)) == letter)
    if sector:
        query = query.where(Brand.sector == sector)
    if country:
        query = query.where(Brand.country == country)
    if flag:
        query = query.where(col(Brand.id).in_(claim_flags.flagged_brand_ids(flag)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), pages)
    brands = session.exec(
        query.order_by(func.lower(Brand.name), Brand.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return BrandPage(
        rows=_rows_with_counts(session, list(brands)),
        total=total,
        page=page,
        pages=pages,
        sectors=_distinct(session, Brand.sector),
        countries=_distinct(session, Brand.country),
    )


def _distinct(session: Session, column) -> list[str]:
    return list(
        session.exec(
            select(column).where(column.is_not(None), _published(Brand)).distinct().order_by(column)
        )
    )


def _rows_with_counts(session: Session, brands: list[Brand]) -> list[BrandRow]:
    ids = [brand.id for brand in brands]
    if not ids:
        return []
    claims = dict(
        session.exec(
            select(Claim.brand_id, func.count())
            .where(col(Claim.brand_id).in_(ids), _published(Claim))
            .group_by(Claim.brand_id)
        ).all()
    )
    states: dict[int, dict[ContradictionState, int]] = {}
    for brand_id, state, count in session.exec(
        select(Contradiction.brand_id, Contradiction.state, func.count())
        .where(col(Contradiction.brand_id).in_(ids), _published(Contradiction))
        .group_by(Contradiction.brand_id, Contradiction.state)
    ):
        states.setdefault(brand_id, {})[state] = count
    rows = []
    for brand in brands:
        by_state = states.get(brand.id, {})
        rows.append(
            BrandRow(
                brand=brand,
                claims=claims.get(brand.id, 0),
                contradictions=sum(by_state.values()),
                open=by_state.get(ContradictionState.open, 0)
                + by_state.get(ContradictionState.disputed, 0),
                upheld=by_state.get(ContradictionState.upheld, 0),
                remedied=by_state.get(ContradictionState.remedied, 0),
            )
        )
    return rows


def site_counts(session: Session) -> SiteCounts:
    """Count the published record for the home page."""

    def count(model):
        return session.exec(select(func.count()).select_from(model).where(_published(model))).one()

    by_state = dict(
        session.exec(
            select(Contradiction.state, func.count())
            .where(_published(Contradiction))
            .group_by(Contradiction.state)
        ).all()
    )
    return SiteCounts(
        brands=count(Brand),
        claims=count(Claim),
        contradictions=sum(by_state.values()),
        by_state={state: by_state.get(state, 0) for state in ContradictionState},
        responses=count(Response),
    )


def latest_contradictions(session: Session, limit: int = 10) -> list[Contradiction]:
    """Return the most recently dated published contradictions with their brands.

    Dated ones first, newest first, then undated ones: two plain orders that an index on
    (date, id) serves on both databases, where "date DESC NULLS LAST" made PostgreSQL sort
    every contradiction.
    """
    base = select(Contradiction).where(_published(Contradiction))
    base = base.options(joinedload(Contradiction.brand))
    dated = session.exec(
        base.where(col(Contradiction.date).is_not(None))
        .order_by(col(Contradiction.date).desc(), col(Contradiction.id).desc())
        .limit(limit)
    ).all()
    undated = session.exec(
        base.where(col(Contradiction.date).is_(None))
        .order_by(col(Contradiction.id).desc())
        .limit(max(limit - len(dated), 0))
    ).all()
    return [*dated, *undated]


def brand_by_slug(session: Session, slug: str) -> Brand:
    """Return the brand with that slug, or raise NotFound."""
    brand = session.exec(select(Brand).where(Brand.slug == slug)).first()
    if brand is None:
        raise NotFound(slug)
    return brand


_RECORD_OPTIONS = {
    EntityType.claim: (
        selectinload(Claim.topic_links),
        selectinload(Claim.citations).joinedload(Citation.source),
        selectinload(Claim.contradictions),
        joinedload(Claim.brand),
    ),
    EntityType.contradiction: (
        joinedload(Contradiction.brand),
        selectinload(Contradiction.claims)
        .selectinload(Claim.citations)
        .joinedload(Citation.source),
        selectinload(Contradiction.citations).joinedload(Citation.source),
        selectinload(Contradiction.responses).selectinload(Response.citations),
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
    EntityType.source: (
        selectinload(Source.citations).options(
            joinedload(Citation.claim).joinedload(Claim.brand),
            joinedload(Citation.contradiction).joinedload(Contradiction.brand),
            joinedload(Citation.response).joinedload(Response.brand),
            joinedload(Citation.outcome).joinedload(Outcome.brand),
        ),
    ),
    EntityType.brand: (),
}


def record_by_id(session: Session, model: type[PublicRecord], record_id: int) -> PublicRecord:
    """Return one record with what its page shows, or raise NotFound."""
    record = session.exec(
        select(model).where(model.id == record_id).options(*_RECORD_OPTIONS[model.entity_type])
    ).first()
    if record is None:
        raise NotFound(f"{model.entity_type} {record_id}")
    return record
