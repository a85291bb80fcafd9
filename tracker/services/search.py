"""Full-text search over brands, claims, contradictions and sources, on either database.

One interface, two engines: SQLite FTS5 and PostgreSQL full-text search (tsvector, GIN
index). Both are fed the same folded words (search_text.fold) and asked the same parsed
query, so they find the same records. The index follows every write: a subscriber to
revision_saved rewrites the affected documents inside the writer's own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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


TAGGED = ("sector", "country", "year", "state")


def tag(name: str, value: object) -> str:
    """Return a filter value as one word of the FTS5 tags column: ("topic", "animal_welfare")
    gives "topicanimalwelfare". Only the tags column holds such words; the reader's words are
    matched in the title and body alone."""
    return name + "".join(fold(str(getattr(value, "value", value))).split())


def tags(values: dict) -> str:
    """Return the tags of a document: its type and every filter value it answers to."""
    words = [tag("type", values["entity_type"])]
    words += [tag("topic", topic) for topic in values["topics"].split()]
    words += [tag(name, values[name]) for name in TAGGED if values.get(name) is not None]
    return " ".join(words)


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
    _write_text(session, [(document_id, values)], sqlite=sqlite)


WRITE_FTS = sa.text(
    "INSERT INTO search_fts (rowid, title, body, tags) VALUES (:id, :title, :body, :tags)"
)
WRITE_VECTOR = sa.text(
    "UPDATE search_document SET search_vector ="
    " setweight(to_tsvector('simple', :title), 'A')"
    " || setweight(to_tsvector('simple', :body), 'B')"
    " || setweight(to_tsvector('simple', :tags), 'D') WHERE id = :id"
)


def _write_text(session: Session, documents: list[tuple[int, dict]], *, sqlite: bool) -> None:
    """Index the text and tags of documents (id, values), in one statement."""
    session.execute(
        WRITE_FTS if sqlite else WRITE_VECTOR,
        [
            {
                "id": document_id,
                "title": fold(values["title"]),
                "body": fold(values["body"]),
                "tags": tags(values),
            }
            for document_id, values in documents
        ],
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
                _write_text(session, list(zip(ids, rows, strict=True)), sqlite=sqlite)
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
    capped: bool = False  # more than MATCH_CAP matches: count is "at least", newest first


@dataclass
class SearchResult:
    query: ParsedQuery
    groups: list[Group]

    @property
    def capped(self) -> bool:
        return any(group.capped for group in self.groups)

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
    """Return the filters the tags do not hold exactly, as SQL: the sector, whose tag folds
    its text, and the legal flags, which change with the rules rather than the records.

    Type, topic, country, year and state are tags (see tags()); a condition on their
    columns as well would only tempt PostgreSQL into reading those columns' indexes too.
    """
    clauses = []
    values: dict = {}
    if filters.sector is not None:
        clauses.append("d.sector = :sector")
        values["sector"] = filters.sector
    if filters.flag:
        one_rule = filters.flag != ANY_FLAG
        clauses.append(FLAGGED.format(rule=" AND cf.rule_id = :flag" if one_rule else ""))
        values |= {"published": Visibility.published.value, "flag": filters.flag}
    return "".join(f" AND {clause}" for clause in clauses), values


@dataclass(frozen=True)
class _Engine:
    source: str  # FROM
    match: str  # WHERE: the text condition; {param} names its parameter
    ranked: str  # ORDER BY when ranking: title matches (:title) first, then newest
    newest: str  # ORDER BY when capped
    expression: Callable[..., str]  # (type, titles_only=False) -> a :match or :title value
    newest_where: str = ""  # extra WHERE for the newest first, with a :kind parameter
    plan_scans: bool = False  # choose the kind of scan for the planner (PostgreSQL)


def _engine(session: Session, query: ParsedQuery, filters: SearchFilters) -> _Engine:
    """Return the SQL pieces and the match expressions for the database in use.

    The filters go into the text condition as tags, so that the full-text index intersects
    them with the words itself instead of handing every match to SQL to be filtered one by
    one: a common word with a rare filter stays fast. (The SQL filters still apply.) The
    reader's words are only looked for in the title and body, the tags only in the tags.

    Both rank alike, so both databases give the same records in the same order: records
    whose title holds every word first, then the rest, newest first within each. (FTS5's
    bm25 and PostgreSQL's ts_rank differ, and bm25 reads every row holding a common word.)
    """
    wanted = [tag("topic", filters.topic)] if filters.topic else []
    wanted += [
        tag(name, getattr(filters, name)) for name in TAGGED if getattr(filters, name) is not None
    ]

    def required(kind: EntityType | None) -> list[str]:
        return wanted + ([tag("type", kind)] if kind else [])

    if _dialect(session) == "sqlite":
        text = fts5_expression(query)

        def fts5(kind: EntityType | None, titles_only: bool = False) -> str:
            columns = "{title}" if titles_only else "{title body}"
            if not required(kind):
                return f"{columns} : ({text})"
            words = " AND ".join(f'"{word}"' for word in required(kind))
            return f"{columns} : ({text}) AND tags : ({words})"

        return _Engine(
            # CROSS JOIN keeps FTS5 the outer loop: without statistics, SQLite would otherwise
            # walk a filter's index and run the MATCH once per document (seconds, not ms).
            source="search_fts f CROSS JOIN search_document d ON d.id = f.rowid",
            match="search_fts MATCH :{param}",
            ranked="(f.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :title))"
            " DESC, f.rowid DESC",
            # FTS5 walks its matches in rowid order itself, so this needs no sort.
            newest="f.rowid DESC",
            expression=fts5,
        )
    everywhere, titles = (
        tsquery_expression(query, weights="AB"),
        tsquery_expression(query, weights="A"),
    )

    def tsquery(kind: EntityType | None, titles_only: bool = False) -> str:
        text = titles if titles_only else everywhere
        return " & ".join([f"({text})", *(f"{word}:D" for word in required(kind))])

    return _Engine(
        source="search_document d",
        match="d.search_vector @@ to_tsquery('simple', :{param})",
        ranked="(d.search_vector @@ to_tsquery('simple', :title)) DESC, d.id DESC",
        newest="d.id DESC",
        expression=tsquery,
        # Past the cap the words are common: walking the primary key backwards finds the
        # newest at once, if it starts among the documents of the type.
        newest_where=" AND d.id BETWEEN"
        " (SELECT min(id) FROM search_document WHERE entity_type = :kind)"
        " AND (SELECT max(id) FROM search_document WHERE entity_type = :kind)",
        plan_scans=True,
    )


SCAN_SETTINGS = ("enable_seqscan", "enable_bitmapscan", "enable_indexscan")


@contextmanager
def _planner(session: Session, engine: _Engine) -> Iterator[Callable[[str], None]]:
    """Yield prefer(kind): plan the next statements with only "bitmap" or "index" scans.

    PostgreSQL's planner takes words and tags to be independent. When they are not (a word
    that no source holds, say), it walks the table expecting 1,001 matches soon and reads
    all 360,000 documents instead (350 ms); or it fetches 15,000 matches to sort them when
    walking the primary key backwards would find the newest five at once. Counting and
    ranking a few matches want GIN's bitmaps; the newest of very many want the key. The
    settings last until the transaction ends (set_config(..., true)); the old ones return.
    """
    if not engine.plan_scans:
        yield lambda kind: None
        return
    listed = ", ".join(f"current_setting('{name}')" for name in SCAN_SETTINGS)
    current = session.execute(sa.text(f"SELECT {listed}")).one()
    before = dict(zip(SCAN_SETTINGS, current, strict=True))
    chosen: list[str] = []

    def prefer(kind: str) -> None:
        if chosen[-1:] != [kind]:
            chosen.append(kind)
            wanted = f"enable_{kind}scan"
            _settings(session, {name: "on" if name == wanted else "off" for name in SCAN_SETTINGS})

    yield prefer
    _settings(session, before)


def _settings(session: Session, values: dict[str, str]) -> None:
    calls = ", ".join(f"set_config('{name}', :{name}, true)" for name in values)
    session.execute(sa.text(f"SELECT {calls}"), values)


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
        return SearchResult(query=query, groups=[])
    if filters.flag:  # only claims and brands carry flags: spare the other types' counts
        flaggable = (EntityType.brand, EntityType.claim)
        filters = replace(filters, types=tuple(t for t in filters.types if t in flaggable))
    engine = _engine(session, query, filters)
    where, values = _filter_sql(filters)
    # Count each type apart, up to the cap, in one statement: every type with a match gets
    # its group, and only the groups past the cap fall back to newest first.
    branches = []
    for index, kind in enumerate(filters.types):
        values[f"match{index}"] = engine.expression(kind)
        branches.append(
            f"SELECT '{kind.value}' AS kind, count(*) AS n FROM (SELECT 1 AS one"  # not input
            f" FROM {engine.source} WHERE {engine.match.format(param=f'match{index}')}"
            f"{where} LIMIT :cap) AS c{index}"
        )
    with _planner(session, engine) as prefer:
        prefer("bitmap")
        counted = session.execute(
            sa.text(" UNION ALL ".join(branches)), values | {"cap": MATCH_CAP + 1}
        ).all()
        counts = {EntityType(kind): number for kind, number in counted}
        page = values | {"limit": per_type, "offset": offset}
        groups = [
            _group(session, engine, prefer, kind, counts[kind], where, page)
            for kind in filters.types
            if counts.get(kind)
        ]
    return SearchResult(query=query, groups=groups)


def _group(
    session: Session,
    engine: _Engine,
    prefer: Callable[[str], None],
    entity_type: EntityType,
    count: int,
    where: str,
    values: dict,
) -> Group:
    """Return one type's group: its best matches, or its newest past the cap."""
    capped = count > MATCH_CAP
    if capped:
        prefer("index")
        order = f"{engine.newest_where} ORDER BY {engine.newest}"
    else:
        prefer("bitmap")
        order = f" ORDER BY {engine.ranked}"
    rows = session.execute(
        sa.text(
            "SELECT d.entity_type, d.entity_id, d.title, d.body, d.date, d.state, d.country"
            f" FROM {engine.source} WHERE {engine.match.format(param='match')}{where}"
            f"{order} LIMIT :limit OFFSET :offset"
        ),
        values
        | {
            "match": engine.expression(entity_type),
            "title": engine.expression(entity_type, titles_only=True),
            "kind": entity_type.value,
        },
    ).all()
    hits = [
        Hit(EntityType(row[0]), row[1], row[2], row[3], _day(row[4]), row[5], row[6])
        for row in rows
    ]
    if entity_type is EntityType.brand:
        hits = _with_slugs(session, hits)
    return Group(entity_type, count, hits, capped=capped)


def _with_slugs(session: Session, hits: list[Hit]) -> list[Hit]:
    ids = [hit.entity_id for hit in hits]
    slugs = dict(session.execute(sa.select(Brand.id, Brand.slug).where(Brand.id.in_(ids))).all())
    return [replace(hit, slug=slugs.get(hit.entity_id)) for hit in hits]


def facets(session: Session) -> dict[str, list]:
    """Return the values the filters offer: sectors, countries, and the years found records span."""

    def distinct(column):
        published = Brand.visibility == Visibility.published
        query = sa.select(column).where(column.is_not(None), published).distinct()
        return list(session.execute(query.order_by(column)).scalars())

    # Two lookups in the index on year, not a scan of every dated record.
    year = DOCUMENTS.c.year
    low, high = session.execute(
        sa.select(
            sa.select(sa.func.min(year)).scalar_subquery(),
            sa.select(sa.func.max(year)).scalar_subquery(),
        )
    ).one()
    years = range(low, high + 1) if low and high else range(0)
    return {
        "sector": distinct(Brand.sector),
        "country": distinct(Brand.country),
        "year": sorted(years, reverse=True),
    }
