"""Full-text search over brands, claims, contradictions and sources, on either database.

One interface, two engines: SQLite FTS5 and PostgreSQL full-text search (tsvector, GIN
index). Both are fed the same folded words (search_text.fold) and asked the same parsed
query, so they find the same records. The index follows every write: a subscriber to
revision_saved rewrites the affected documents inside the writer's own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from tracker.models import (
    Brand,
    Claim,
    Contradiction,
    EntityType,
    PublicRecord,
    SearchDocument,
    Source,
    Visibility,
)
from tracker.services.claim_flags import ANY_FLAG
from tracker.services.revisions import revision_saved
from tracker.services.search_text import (
    ParsedQuery,
    fold,
    fts5_expression,
    parse_query,
    tsquery_expression,
)

SEARCHED_TYPES = (
    EntityType.brand,
    EntityType.contradiction,
    EntityType.claim,
    EntityType.source,
)
# Past this many matches, counting stops and results come newest first instead of ranked:
# ranking every row that holds a very common word is what makes full-text search slow.
MATCH_CAP = 1000
DOCUMENTS = SearchDocument.__table__


# --- Documents ------------------------------------------------------------------------


def _join(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def _brand_public(brand: Brand | None) -> bool:
    return brand is not None and brand.visibility == Visibility.published


def document_for(record: PublicRecord) -> dict | None:
    """Return the search document of a record, or None if it must not be found."""
    if record.visibility != Visibility.published:
        return None
    brand = record if isinstance(record, Brand) else getattr(record, "brand", None)
    if not isinstance(record, Source) and not _brand_public(brand):
        return None
    values = {
        "entity_type": record.entity_type,
        "entity_id": record.id,
        "brand_id": brand.id if brand else None,
        "sector": brand.sector if brand else None,
        "country": brand.country if brand else None,
        "date": getattr(record, "date", None),
        "year": record.date.year if getattr(record, "date", None) else None,
        "state": None,
        "topics": "",
    }
    if isinstance(record, Brand):
        topics = {
            link.topic
            for claim in record.claims
            if claim.visibility == Visibility.published
            for link in claim.topic_links
        }
        values |= {
            "title": record.name,
            "body": _join(
                ", ".join(record.aliases or []),
                record.legal_name,
                record.parent_company,
                record.sector,
                record.description,
            ),
            "topics": _topics(topics),
        }
    elif isinstance(record, Claim):
        values |= {
            "title": record.headline,
            "body": _join(
                record.summary if record.quote else None,
                record.translation,
                record.speaker,
                record.where,
                brand.name,
            ),
            "state": record.status.value,
            "topics": _topics(link.topic for link in record.topic_links),
        }
    elif isinstance(record, Contradiction):
        claims = [c for c in record.claims if c.visibility == Visibility.published]
        values |= {
            "title": record.title,
            "body": _join(record.summary, record.quote, record.finder_name, brand.name),
            "state": record.state.value,
            "topics": _topics(link.topic for c in claims for link in c.topic_links),
        }
    elif isinstance(record, Source):
        values |= {
            "title": record.headline,
            "body": _join(record.description, record.publisher, record.url),
        }
    else:
        return None
    return values


def _topics(topics: Iterable) -> str:
    names = sorted({str(getattr(topic, "value", topic)) for topic in topics})
    return f" {' '.join(names)} " if names else ""


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def write_document(session: Session, entity_type: EntityType, entity_id: int, values) -> None:
    """Put one document (or its absence, for None) into the index."""
    existing = session.execute(
        sa.select(DOCUMENTS.c.id).where(
            DOCUMENTS.c.entity_type == entity_type, DOCUMENTS.c.entity_id == entity_id
        )
    ).scalar()
    sqlite = _dialect(session) == "sqlite"
    if existing is not None:
        if sqlite:
            session.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), {"id": existing})
        if values is None:
            session.execute(sa.delete(DOCUMENTS).where(DOCUMENTS.c.id == existing))
            return
        session.execute(sa.update(DOCUMENTS).where(DOCUMENTS.c.id == existing).values(**values))
        document_id = existing
    elif values is None:
        return
    else:
        document_id = session.execute(
            sa.insert(DOCUMENTS).values(**values).returning(DOCUMENTS.c.id)
        ).scalar_one()
    _write_text(session, document_id, values["title"], values["body"], sqlite=sqlite)


def _write_text(session: Session, document_id: int, title: str, body: str, *, sqlite: bool):
    if sqlite:
        session.execute(
            sa.text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
            {"id": document_id, "title": fold(title), "body": fold(body)},
        )
    else:
        session.execute(
            sa.text(
                "UPDATE search_document SET search_vector ="
                " setweight(to_tsvector('simple', :title), 'A')"
                " || setweight(to_tsvector('simple', :body), 'B') WHERE id = :id"
            ),
            {"id": document_id, "title": fold(title), "body": fold(body)},
        )


def reindex_record(session: Session, record: PublicRecord) -> None:
    """Rewrite a record's document."""
    write_document(session, record.entity_type, record.id, document_for(record))


def _affected(record: PublicRecord) -> list[PublicRecord]:
    """Return the records whose documents a change to this one alters."""
    if isinstance(record, Brand):
        return [record, *record.claims, *_brand_contradictions(record)]
    if isinstance(record, Claim):
        return [record, record.brand, *record.contradictions]
    if isinstance(record, Contradiction | Source):
        return [record]
    return []


def _brand_contradictions(brand: Brand) -> list[Contradiction]:
    session = Session.object_session(brand)
    if session is None:
        return []
    return list(session.exec(select(Contradiction).where(Contradiction.brand_id == brand.id)))


def _on_revision_saved(record: PublicRecord, *, session: Session, revision, **_) -> None:
    for affected in _affected(record):
        if affected is not None and affected.id is not None:
            reindex_record(session, affected)


revision_saved.connect(_on_revision_saved, weak=False)

REINDEX_OPTIONS = {
    EntityType.brand: (selectinload(Brand.claims).selectinload(Claim.topic_links),),
    EntityType.claim: (selectinload(Claim.brand), selectinload(Claim.topic_links)),
    EntityType.contradiction: (
        selectinload(Contradiction.brand),
        selectinload(Contradiction.claims).selectinload(Claim.topic_links),
    ),
    EntityType.source: (),
}
MODELS = {
    EntityType.brand: Brand,
    EntityType.claim: Claim,
    EntityType.contradiction: Contradiction,
    EntityType.source: Source,
}


def reindex_all(session: Session, *, batch: int = 500, progress=None) -> int:
    """Rebuild the whole index from the records, a batch at a time; return documents made."""
    sqlite = _dialect(session) == "sqlite"
    if sqlite:
        session.execute(sa.text("DELETE FROM search_fts"))
    session.execute(sa.delete(DOCUMENTS))
    made = 0
    for entity_type in SEARCHED_TYPES:
        model = MODELS[entity_type]
        last = 0
        while True:
            records = list(
                session.exec(
                    select(model)
                    .where(model.id > last)
                    .order_by(model.id)
                    .limit(batch)
                    .options(*REINDEX_OPTIONS[entity_type])
                )
            )
            if not records:
                break
            last = records[-1].id
            rows = [doc for doc in map(document_for, records) if doc is not None]
            if rows:
                ids = session.execute(
                    sa.insert(DOCUMENTS).returning(DOCUMENTS.c.id, sort_by_parameter_order=True),
                    rows,
                ).scalars()
                for document_id, row in zip(ids, rows, strict=True):
                    _write_text(session, document_id, row["title"], row["body"], sqlite=sqlite)
                made += len(rows)
            session.expunge_all()
            if progress:
                progress(f"{entity_type.value}: up to id {last}")
    return made


# --- Searching ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    types: tuple[EntityType, ...] = SEARCHED_TYPES
    topic: str | None = None
    sector: str | None = None
    country: str | None = None
    year: int | None = None
    state: str | None = None
    flag: str | None = None  # a legal-flag rule id, or "any": only flagged claims and brands


@dataclass(frozen=True)
class Hit:
    entity_type: EntityType
    entity_id: int
    title: str
    body: str
    date: object
    state: str | None
    country: str | None
    slug: str | None = None  # brands are addressed by slug


@dataclass
class Group:
    entity_type: EntityType
    count: int
    hits: list[Hit] = field(default_factory=list)


@dataclass
class SearchResult:
    query: ParsedQuery
    groups: list[Group]
    capped: bool  # more than MATCH_CAP matches: counts are "at least", order is newest first

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


# Claims with an undismissed legal flag of the rule (or any), and brands with such a published
# claim; the same SQL on both engines, so both find the same records.
FLAGGED = (
    "(CASE d.entity_type"
    " WHEN 'claim' THEN EXISTS (SELECT 1 FROM claim_flag cf"
    " WHERE cf.claim_id = d.entity_id AND cf.dismissal_id IS NULL{rule})"
    " WHEN 'brand' THEN EXISTS (SELECT 1 FROM claim fc JOIN claim_flag cf ON cf.claim_id = fc.id"
    " WHERE fc.brand_id = d.entity_id AND fc.visibility = :published"
    " AND cf.dismissal_id IS NULL{rule})"
    " ELSE 1 = 0 END)"
)


def _filter_sql(filters: SearchFilters) -> tuple[str, dict]:
    clauses = []
    values: dict = {}
    if filters.topic:
        clauses.append("d.topics LIKE :topic")
        values["topic"] = f"% {filters.topic} %"
    for name in ("sector", "country", "year", "state"):
        if getattr(filters, name) is not None:
            clauses.append(f"d.{name} = :{name}")
            values[name] = getattr(filters, name)
    if filters.flag:
        one_rule = filters.flag != ANY_FLAG
        clauses.append(FLAGGED.format(rule=" AND cf.rule_id = :flag" if one_rule else ""))
        values |= {"published": Visibility.published.value, "flag": filters.flag}
    return "".join(f" AND {clause}" for clause in clauses), values


def _engine_sql(session: Session, query: ParsedQuery) -> tuple[str, str, str, str, dict]:
    """Return (FROM, WHERE, ranked ORDER BY, newest-first ORDER BY) for the database."""
    if _dialect(session) == "sqlite":
        return (
            "search_fts f JOIN search_document d ON d.id = f.rowid",
            "search_fts MATCH :match",
            "bm25(search_fts, 10.0, 1.0), d.id DESC",
            # FTS5 walks its matches in rowid order itself, so this needs no sort.
            "f.rowid DESC",
            {"match": fts5_expression(query)},
        )
    return (
        "search_document d",
        "d.search_vector @@ to_tsquery('simple', :match)",
        "ts_rank_cd(d.search_vector, to_tsquery('simple', :match)) DESC, d.id DESC",
        "d.id DESC",
        {"match": tsquery_expression(query)},
    )


def _day(value) -> dt.date | None:
    # Raw SQL hands SQLite's dates back as text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def search(
    session: Session,
    *,
    text: str | None,
    filters: SearchFilters | None = None,
    per_type: int = 5,
    offset: int = 0,
) -> SearchResult:
    """Find published records matching what the reader typed, grouped by type."""
    filters = filters or SearchFilters()
    query = parse_query(text)
    if query.empty:
        return SearchResult(query=query, groups=[], capped=False)
    source, match, rank, newest, values = _engine_sql(session, query)
    where, filter_values = _filter_sql(filters)
    values |= filter_values | {"cap": MATCH_CAP + 1}
    type_list = ", ".join(f"'{t.value}'" for t in filters.types)  # enum values, not input
    counted = session.execute(
        sa.text(
            f"SELECT entity_type, count(*) FROM (SELECT d.entity_type FROM {source}"
            f" WHERE {match}{where} AND d.entity_type IN ({type_list}) LIMIT :cap) AS m"
            " GROUP BY entity_type"
        ),
        values,
    ).all()
    counts = {EntityType(kind): number for kind, number in counted}
    capped = sum(counts.values()) > MATCH_CAP
    order = newest if capped else rank
    groups = []
    for entity_type in filters.types:
        if not counts.get(entity_type):
            continue
        rows = session.execute(
            sa.text(
                "SELECT d.entity_type, d.entity_id, d.title, d.body, d.date, d.state, d.country"
                f" FROM {source} WHERE {match}{where} AND d.entity_type = :kind"
                f" ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            values | {"kind": entity_type.value, "limit": per_type, "offset": offset},
        ).all()
        hits = [
            Hit(EntityType(row[0]), row[1], row[2], row[3], _day(row[4]), row[5], row[6])
            for row in rows
        ]
        if entity_type is EntityType.brand:
            hits = _with_slugs(session, hits)
        groups.append(Group(entity_type, counts[entity_type], hits))
    return SearchResult(query=query, groups=groups, capped=capped)


def _with_slugs(session: Session, hits: list[Hit]) -> list[Hit]:
    ids = [hit.entity_id for hit in hits]
    slugs = dict(session.execute(sa.select(Brand.id, Brand.slug).where(Brand.id.in_(ids))).all())
    return [replace(hit, slug=slugs.get(hit.entity_id)) for hit in hits]


def facets(session: Session) -> dict[str, list]:
    """Return the values the filters offer: sectors, countries, and the years records span."""

    def distinct(column):
        published = Brand.visibility == Visibility.published
        query = sa.select(column).where(column.is_not(None), published).distinct()
        return list(session.execute(query.order_by(column)).scalars())

    years: set[int] = set()
    for model in (Claim, Contradiction, Source):
        low, high = session.execute(
            sa.select(sa.func.min(model.date), sa.func.max(model.date))
        ).one()
        if low and high:
            years.update(range(_year(low), _year(high) + 1))
    return {
        "sector": distinct(Brand.sector),
        "country": distinct(Brand.country),
        "year": sorted(years, reverse=True),
    }


def _year(value) -> int:
    return int(str(value)[:4])
