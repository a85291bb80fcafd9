"""A brand's public timeline: every published event in date order, with counts at a glance."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from typing import ClassVar

from sqlalchemy import bindparam, literal, union_all
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from tracker.models import (
    REMEDY_KINDS,
    Brand,
    Citation,
    Claim,
    ClaimStatus,
    Contradiction,
    ContradictionState,
    DatePrecision,
    EntityType,
    ListNote,
    Outcome,
    OutcomeKind,
    PublicRecord,
    Response,
    Revision,
    Source,
    SourceArchive,
    SourceFetch,
    SourceKind,
    Stance,
    Visibility,
)
from tracker.services.dates import sort_day

# Events on the same day read in the order things happen: a claim, the finding against it,
# what followed, then the brand's answer; an update of the record comes last.
KIND_ORDER = {"claim": 0, "contradiction": 1, "outcome": 2, "remedy": 2, "response": 3, "update": 4}


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which doubles the
# cost of building the hundreds of these a timeline needs.
@dataclass(slots=True)
class SourceLine:
    """What a timeline shows of a source: its line, without the cost of a full ORM record.

    Every column of Source but its caveats and timestamps, and its address's archive note;
    a template that shows something else of a source on the timeline needs it added here
    (and in _SOURCE_COLUMNS).
    """

    entity_type: ClassVar[EntityType] = EntityType.source

    id: int
    url: str
    url_key: str
    title: str | None
    description: str | None
    publisher: str | None
    kind: SourceKind
    language: str | None
    version: int
    visibility: Visibility
    merged_into_id: int | None
    date: dt.date | None
    date_precision: DatePrecision
    date_end: dt.date | None
    date_end_precision: DatePrecision | None
    archive_note: ListNote | None = None  # what archiving and link checks found

    @property
    def headline(self) -> str:
        return self.title or self.description or self.url


@dataclass(slots=True)
class CitationLine:
    """A citation on the timeline: the source, and what it supports there."""

    source_id: int
    source: SourceLine
    excerpt: str | None
    note: str | None
    stance: Stance
    position: int


# What a timeline shows of each kind of record, read as plain rows like SourceLine: a brand's
# 200 events as ORM records took 3 ms, mostly in columns the timeline never shows. A template
# or helper that needs another field of a record on the timeline needs it added here.
@dataclass(slots=True)
class RecordLine:
    entity_type: ClassVar[EntityType]
    model: ClassVar[type[PublicRecord]]
    columns: ClassVar[tuple[str, ...]] = (
        "id",
        "brand_id",
        "version",
        "caveats",
        "date",
        "date_precision",
        "date_end",
        "date_end_precision",
    )
    headline_fields: ClassVar[tuple[str, ...]]  # the first of these that is set, as a line

    id: int
    brand_id: int
    version: int
    caveats: list[str]
    date: dt.date | None
    date_precision: DatePrecision
    date_end: dt.date | None
    date_end_precision: DatePrecision | None

    @property
    def headline(self) -> str:
        """Return the record as one line, as its model's headline does."""
        for name in self.headline_fields:
            if value := getattr(self, name):
                return value
        return ""


@dataclass(slots=True)
class ClaimLine(RecordLine):
    entity_type: ClassVar[EntityType] = EntityType.claim
    model: ClassVar[type[PublicRecord]] = Claim
    columns = (*RecordLine.columns, "quote", "summary", "language", "status", "ingredients")
    headline_fields = ("quote", "summary")

    quote: str | None
    summary: str | None
    language: str | None
    status: ClaimStatus
    ingredients: str | None  # the legal flags mark words in it


@dataclass(slots=True)
class ContradictionLine(RecordLine):
    entity_type: ClassVar[EntityType] = EntityType.contradiction
    model: ClassVar[type[PublicRecord]] = Contradiction
    columns = (*RecordLine.columns, "title", "state")
    headline_fields = ("title",)

    title: str
    state: ContradictionState


@dataclass(slots=True)
class ResponseLine(RecordLine):
    entity_type: ClassVar[EntityType] = EntityType.response
    model: ClassVar[type[PublicRecord]] = Response
    columns = (*RecordLine.columns, "summary", "contradiction_id")
    headline_fields = ("summary",)

    summary: str
    contradiction_id: int


@dataclass(slots=True)
class OutcomeLine(RecordLine):
    entity_type: ClassVar[EntityType] = EntityType.outcome
    model: ClassVar[type[PublicRecord]] = Outcome
    columns = (*RecordLine.columns, "summary", "kind")
    headline_fields = ("summary",)

    summary: str
    kind: OutcomeKind

    @property
    def is_remedy(self) -> bool:
        return self.kind in REMEDY_KINDS


@dataclass(frozen=True)
class TimelineEvent:
    kind: str  # claim, contradiction, response, outcome, remedy, update
    record: RecordLine
    date: dt.date | None
    precision: DatePrecision
    date_end: dt.date | None
    date_end_precision: DatePrecision | None
    summary: str
    citations: list[CitationLine] = field(default_factory=list)
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

    @property
    def events(self) -> list[TimelineEvent]:
        return [event for _, events in self.years for event in events]


def _published(model: type[PublicRecord]):
    return model.visibility == Visibility.published


def _event(kind: str, record, summary: str, citations: list[CitationLine]) -> TimelineEvent:
    return TimelineEvent(
        kind=kind,
        record=record,
        date=record.date,
        precision=record.date_precision,
        date_end=record.date_end,
        date_end_precision=record.date_end_precision,
        summary=summary,
        citations=citations,
    )


_LINES = (ClaimLine, ContradictionLine, ResponseLine, OutcomeLine)


@cache
def _records_statement(line: type[RecordLine]):
    model = line.model
    table = model.__table__
    return select(*(table.c[name] for name in line.columns)).where(
        model.brand_id == bindparam("brand_id"), _published(model)
    )


def load_brand_records(session: Session, brand: Brand):
    """Load a brand's published claims, contradictions, responses and outcomes, as lines."""
    connection = session.connection()
    return tuple(
        [line(*row) for row in connection.execute(_records_statement(line), {"brand_id": brand.id})]
        for line in _LINES
    )


_SUBJECTS = (
    (EntityType.claim, Claim, Citation.claim_id),
    (EntityType.contradiction, Contradiction, Citation.contradiction_id),
    (EntityType.response, Response, Citation.response_id),
    (EntityType.outcome, Outcome, Citation.outcome_id),
)
_ENTITY_TYPES = {entity_type.value: entity_type for entity_type in EntityType}
_SOURCE_COLUMNS = (
    Source.id,
    Source.url,
    Source.url_key,
    Source.title,
    Source.description,
    Source.publisher,
    Source.kind,
    Source.language,
    Source.version,
    Source.visibility,
    Source.merged_into_id,
    Source.date,
    Source.date_precision,
    Source.date_end,
    Source.date_end_precision,
)
# The address's archive note (tracker.evidence): read with the citations, not in a query
# of its own with hundreds of addresses as parameters.
_NOTE_COLUMNS = (
    SourceArchive.state,
    SourceFetch.fetched_at,
    SourceArchive.changed_at,
    SourceArchive.unavailable_since,
    SourceArchive.broken_checks,
)
_SOURCE_END = 7 + len(_SOURCE_COLUMNS)


@cache
def _citations_statement():
    brand_id = bindparam("brand_id")
    parts = [
        select(
            literal(entity_type.value).label("subject_type"),
            subject_id.label("subject_id"),
            Citation.position,
            Citation.id.label("citation_id"),
            Citation.excerpt,
            Citation.note,
            Citation.stance,
            *_SOURCE_COLUMNS,
            *_NOTE_COLUMNS,
        )
        .join(model, model.id == subject_id)
        .join(Source, Source.id == Citation.source_id)
        .outerjoin(SourceArchive, SourceArchive.url_key == Source.url_key)
        .outerjoin(SourceFetch, col(SourceFetch.id) == SourceArchive.capture_id)
        .where(model.brand_id == brand_id, _published(model))
        for entity_type, model, subject_id in _SUBJECTS
    ]
    return union_all(*parts).order_by("subject_type", "subject_id", "position", "citation_id")


def brand_citations(session: Session, brand: Brand) -> dict[tuple[EntityType, int], list]:
    """Return the citations of a brand's published records, by (entity type, id), in order.

    One statement, read as plain rows: a 200-event timeline cites hundreds of sources, and
    building ORM objects for each took more time than the rest of the page.
    """
    statement = _citations_statement()
    cited: dict[tuple[EntityType, int], list[CitationLine]] = {}
    sources: dict[int, SourceLine] = {}
    for row in session.connection().execute(statement, {"brand_id": brand.id}).all():
        source = sources.get(row.id)
        if source is None:
            note = ListNote(*row[_SOURCE_END:]) if row.state is not None else None
            source = sources[row.id] = SourceLine(*row[7:_SOURCE_END], archive_note=note)
        cited.setdefault((_ENTITY_TYPES[row.subject_type], row.subject_id), []).append(
            CitationLine(
                source_id=row.id,
                source=source,
                excerpt=row.excerpt,
                note=row.note,
                stance=row.stance,
                position=row.position,
            )
        )
    return cited


@cache
def _updates_statement():
    # Per kind of record: its revisions whose record is among the brand's. Written as
    # "id IN (the brand's records)" so that both planners start from the brand's few records,
    # SQLite even without statistics; an OR across kinds made PostgreSQL scan every revision.
    brand_id = bindparam("brand_id")
    corrected = union_all(
        *(
            select(Revision.id).where(
                Revision.entity_type == entity_type,
                col(Revision.entity_id).in_(
                    select(model.id).where(model.brand_id == brand_id, _published(model))
                ),
                Revision.version > 1,
            )
            for entity_type, model, _ in _SUBJECTS
        )
    )
    return (
        select(Revision)
        .where(col(Revision.id).in_(corrected))
        .options(defer(Revision.snapshot))  # the timeline shows the reason, not the record
    )


def _updates(session: Session, brand: Brand, records: list[RecordLine]) -> list[TimelineEvent]:
    """Return an event for every revision after the first: the record was corrected."""
    by_key = {(record.entity_type, record.id): record for record in records}
    revisions = session.exec(_updates_statement(), params={"brand_id": brand.id}).all()
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
    claims: list[ClaimLine],
    contradictions: list[ContradictionLine],
    responses: list[ResponseLine],
    outcomes: list[OutcomeLine],
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
    cited = brand_citations(session, brand)

    def citations(record: RecordLine) -> list[CitationLine]:
        return cited.get((record.entity_type, record.id), [])

    events = [_event("claim", claim, claim.headline, citations(claim)) for claim in claims]
    events += [_event("contradiction", c, c.title, citations(c)) for c in contradictions]
    events += [_event("response", r, r.summary, citations(r)) for r in responses]
    events += [
        _event(
            "remedy" if outcome.is_remedy else "outcome",
            outcome,
            outcome.summary,
            citations(outcome),
        )
        for outcome in outcomes
    ]
    events += _updates(session, brand, [*claims, *contradictions, *responses, *outcomes])

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
    )
