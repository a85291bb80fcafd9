"""A brand's public timeline: every published event in date order, with counts at a glance."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, or_, select

from tracker.models import (
    Brand,
    Citation,
    Claim,
    Contradiction,
    ContradictionState,
    DatePrecision,
    EntityType,
    Outcome,
    PublicRecord,
    Response,
    Revision,
    Visibility,
)
from tracker.services.dates import sort_day

# Events on the same day read in the order things happen: a claim, the finding against it,
# what followed, then the brand's answer; an update of the record comes last.
KIND_ORDER = {"claim": 0, "contradiction": 1, "outcome": 2, "remedy": 2, "response": 3, "update": 4}


@dataclass(frozen=True)
class TimelineEvent:
    kind: str  # claim, contradiction, response, outcome, remedy, update
    record: PublicRecord
    date: dt.date | None
    precision: DatePrecision
    date_end: dt.date | None
    date_end_precision: DatePrecision | None
    summary: str
    citations: list[Citation] = field(default_factory=list)
    revision: Revision | None = None

    @property
    def sort_key(self) -> tuple:
        day = sort_day(self.date, self.precision)
        return (day or dt.date.min, KIND_ORDER[self.kind], self.record.id or 0)


@dataclass(frozen=True)
class BrandCounts:
    claims: int
    contradictions: int
    by_state: dict[ContradictionState, int]
    answered: int
    outcomes: int
    remedies: int

    @property
    def response_rate(self) -> float | None:
        """Return the share of contradictions the brand has answered, or None if none."""
        if not self.contradictions:
            return None
        return self.answered / self.contradictions


@dataclass(frozen=True)
class Timeline:
    brand: Brand
    counts: BrandCounts
    years: list[tuple[int | None, list[TimelineEvent]]]
    newest_first: bool
    claims: list[Claim]
    contradictions: list[Contradiction]

    @property
    def events(self) -> list[TimelineEvent]:
        return [event for _, events in self.years for event in events]


def _published(model: type[PublicRecord]):
    return model.visibility == Visibility.published


def _event(kind: str, record, summary: str, citations: list[Citation]) -> TimelineEvent:
    return TimelineEvent(
        kind=kind,
        record=record,
        date=record.date,
        precision=record.date_precision,
        date_end=record.date_end,
        date_end_precision=record.date_end_precision,
        summary=summary,
        citations=sorted(citations, key=lambda c: c.position),
    )


def load_brand_records(session: Session, brand: Brand):
    """Load a brand's published records with their citations and sources, in few queries."""
    claims = session.exec(
        select(Claim)
        .where(Claim.brand_id == brand.id, _published(Claim))
        .options(
            selectinload(Claim.topic_links),
            selectinload(Claim.citations).joinedload(Citation.source),
        )
    ).all()
    contradictions = session.exec(
        select(Contradiction)
        .where(Contradiction.brand_id == brand.id, _published(Contradiction))
        .options(
            selectinload(Contradiction.claims),
            selectinload(Contradiction.citations).joinedload(Citation.source),
        )
    ).all()
    responses = session.exec(
        select(Response)
        .where(Response.brand_id == brand.id, _published(Response))
        .options(selectinload(Response.citations).joinedload(Citation.source))
    ).all()
    outcomes = session.exec(
        select(Outcome)
        .where(Outcome.brand_id == brand.id, _published(Outcome))
        .options(selectinload(Outcome.citations).joinedload(Citation.source))
    ).all()
    return list(claims), list(contradictions), list(responses), list(outcomes)


def _updates(session: Session, records: list[PublicRecord]) -> list[TimelineEvent]:
    """Return an event for every revision after the first: the record was corrected."""
    ids_by_type: dict[EntityType, list[int]] = {}
    for record in records:
        ids_by_type.setdefault(record.entity_type, []).append(record.id)
    if not ids_by_type:
        return []
    by_key = {(record.entity_type, record.id): record for record in records}
    conditions = [
        (Revision.entity_type == entity_type) & col(Revision.entity_id).in_(ids)
        for entity_type, ids in ids_by_type.items()
    ]
    revisions = session.exec(select(Revision).where(Revision.version > 1, or_(*conditions))).all()
    events = []
    for revision in revisions:
        record = by_key[(revision.entity_type, revision.entity_id)]
        events.append(
            TimelineEvent(
                kind="update",
                record=record,
                date=revision.created_at.date(),
                precision=DatePrecision.day,
                date_end=None,
                date_end_precision=None,
                summary=revision.reason,
                revision=revision,
            )
        )
    return events


def count_records(
    claims: list[Claim],
    contradictions: list[Contradiction],
    responses: list[Response],
    outcomes: list[Outcome],
) -> BrandCounts:
    """Count a brand's records for the at-a-glance panel."""
    by_state = Counter(contradiction.state for contradiction in contradictions)
    answered = {response.contradiction_id for response in responses}
    return BrandCounts(
        claims=len(claims),
        contradictions=len(contradictions),
        by_state={state: by_state.get(state, 0) for state in ContradictionState},
        answered=sum(1 for c in contradictions if c.id in answered),
        outcomes=len(outcomes),
        remedies=sum(1 for outcome in outcomes if outcome.is_remedy),
    )


def brand_timeline(session: Session, brand: Brand, *, newest_first: bool = True) -> Timeline:
    """Build a brand's timeline, grouped by year; events of unknown date come last."""
    claims, contradictions, responses, outcomes = load_brand_records(session, brand)
    events = [_event("claim", claim, claim.headline, claim.citations) for claim in claims]
    events += [_event("contradiction", c, c.title, c.citations) for c in contradictions]
    events += [_event("response", r, r.summary, r.citations) for r in responses]
    events += [
        _event(
            "remedy" if outcome.is_remedy else "outcome",
            outcome,
            outcome.summary,
            outcome.citations,
        )
        for outcome in outcomes
    ]
    events += _updates(session, [*claims, *contradictions, *responses, *outcomes])

    dated = sorted((e for e in events if e.date), key=lambda e: e.sort_key, reverse=newest_first)
    undated = sorted((e for e in events if not e.date), key=lambda e: e.sort_key)
    years: list[tuple[int | None, list[TimelineEvent]]] = [
        (year, list(group)) for year, group in groupby(dated, key=lambda e: e.date.year)
    ]
    if undated:
        years.append((None, undated))
    return Timeline(
        brand=brand,
        counts=count_records(claims, contradictions, responses, outcomes),
        years=years,
        newest_first=newest_first,
        claims=sorted(claims, key=lambda c: c.id),
        contradictions=sorted(contradictions, key=lambda c: c.id),
    )
