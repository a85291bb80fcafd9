"""Load the curated seed data: validate every file first, then write it in one transaction.

The format is documented in seeds/README.md. Each entry has a key; the loader remembers the
digest each key was last loaded with, so a second run changes nothing and an edited entry
updates its record through a new revision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from flask import Flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, func, select

from tracker.config import resource_path
from tracker.models import (
    Brand,
    Citation,
    Claim,
    ClaimChannel,
    ClaimScope,
    ClaimStatus,
    ClaimTopic,
    Contradiction,
    ContradictionKind,
    ContradictionState,
    CosmeticKind,
    FinderKind,
    Outcome,
    OutcomeKind,
    PublicRecord,
    Response,
    ResponseVia,
    SeedRecord,
    Source,
    SourceKind,
    Stance,
    Submission,
    SubmissionKind,
    Topic,
)
from tracker.services.dates import PartialDate
from tracker.services.revisions import SEED, save_revision
from tracker.services.urls import url_key

KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,119}$"
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class SeedError(Exception):
    """The seed data is invalid; nothing was loaded. Each problem names file, record, field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- The format -----------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DateRange(Strict):
    from_: Any = Field(alias="from")
    to: Any


DateValue = dt.date | int | str | DateRange | None


def parse_date(raw: DateValue) -> tuple[PartialDate, PartialDate | None]:
    """Read a seed date (2024-03-20, "2024-03", 2024, {from:, to:} or null)."""
    if isinstance(raw, DateRange):
        start, end = PartialDate.parse(raw.from_), PartialDate.parse(raw.to)
        if start.value is None or end.value is None:
            raise ValueError("a range needs both 'from' and 'to'")
        if end.value < start.value:
            raise ValueError("a range must not end before it starts")
        return start, end
    return PartialDate.parse(raw), None


class Dated(Strict):
    date: DateValue = None

    @field_validator("date")
    @classmethod
    def _valid_date(cls, value: DateValue) -> DateValue:
        start, end = parse_date(value)
        latest = (end or start).value
        if latest and latest > dt.date.today():
            raise ValueError("date is in the future")
        return value

    def date_fields(self) -> dict[str, Any]:
        start, end = parse_date(self.date)
        return {
            "date": start.value,
            "date_precision": start.precision,
            "date_end": end.value if end else None,
            "date_end_precision": end.precision if end else None,
        }


class CitationSeed(Strict):
    source: str
    excerpt: str | None = None
    note: str | None = None
    stance: Stance = Stance.supports


class SourceSeed(Dated):
    key: str = Field(pattern=KEY_PATTERN)
    url: str = Field(pattern=r"^https?://\S+$", max_length=2000)
    title: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=300)
    kind: SourceKind = SourceKind.other
    language: str | None = Field(default=None, max_length=12)
    caveats: list[str] = []


class BrandSeed(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    legal_name: str | None = Field(default=None, max_length=300)
    aliases: list[str] = []
    parent_company: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    sector: str | None = Field(default=None, max_length=120)
    website: str | None = Field(default=None, pattern=r"^https?://\S+$")
    description: str | None = Field(default=None, max_length=2000)
    caveats: list[str] = []


class Cited(Dated):
    key: str = Field(pattern=KEY_PATTERN)
    caveats: list[str] = []
    citations: list[CitationSeed] = Field(min_length=1)


class ClaimSeed(Cited):
    quote: str | None = Field(default=None, max_length=5000)
    quote_is_exact: bool = True
    language: str | None = Field(default=None, max_length=12)
    translation: str | None = Field(default=None, max_length=5000)
    summary: str | None = Field(default=None, max_length=5000)
    speaker: str | None = Field(default=None, max_length=300)
    channel: ClaimChannel = ClaimChannel.other
    where: str | None = Field(default=None, max_length=1000)
    status: ClaimStatus = ClaimStatus.active
    topics: list[Topic] = Field(min_length=1)
    # Facts the legal flags read (tracker/legal/rules.yaml); give only what the sources show.
    markets: list[CountryCode] = []
    scope: ClaimScope | None = None
    evidence_one_aspect: bool | None = None
    relies_on_offsets: bool | None = None
    certification_present: bool | None = None
    future_target_year: int | None = Field(default=None, ge=2000, le=2100)
    cosmetic_kind: CosmeticKind | None = None
    ingredients: str | None = Field(default=None, max_length=5000)

    def model_post_init(self, _context: Any) -> None:
        if not (self.quote or self.summary):
            raise ValueError("a claim needs a quote or a summary")


class Finder(Strict):
    name: str = Field(min_length=1, max_length=300)
    kind: FinderKind


class ContradictionSeed(Cited):
    claims: list[str] = Field(min_length=1)
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(min_length=1, max_length=10000)
    finder: Finder
    kind: ContradictionKind
    state: ContradictionState
    quote: str | None = Field(default=None, max_length=5000)
    quote_speaker: str | None = Field(default=None, max_length=300)
    quote_language: str | None = Field(default=None, max_length=12)


class ResponseSeed(Cited):
    contradiction: str
    summary: str = Field(min_length=1, max_length=10000)
    quote: str | None = Field(default=None, max_length=5000)
    quote_language: str | None = Field(default=None, max_length=12)
    via: ResponseVia = ResponseVia.public_statement


class OutcomeSeed(Cited):
    contradiction: str | None = None
    kind: OutcomeKind
    summary: str = Field(min_length=1, max_length=10000)
    authority: str | None = Field(default=None, max_length=300)
    amount: Decimal | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class CaseFile(Strict):
    brand: BrandSeed
    claims: list[ClaimSeed] = []
    contradictions: list[ContradictionSeed] = []
    responses: list[ResponseSeed] = []
    outcomes: list[OutcomeSeed] = []


class SourcesFile(Strict):
    sources: list[SourceSeed]


class PendingSeed(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    kind: SubmissionKind
    note: str = Field(min_length=1)
    payload: dict[str, Any]


class PendingFile(Strict):
    submissions: list[PendingSeed]


# --- Reading and checking -------------------------------------------------------------


@dataclass
class SeedSet:
    root: Path
    sources: list[tuple[str, SourceSeed]] = field(default_factory=list)
    cases: list[tuple[str, CaseFile]] = field(default_factory=list)
    pending: list[tuple[str, PendingSeed]] = field(default_factory=list)


def _where(path: str, loc: tuple, document: dict) -> str:
    """Name the record and field an error is in: claims[1] (klm-c2): date."""
    record, fields = "", list(loc)
    if len(loc) >= 2 and isinstance(loc[1], int):
        entry = (document.get(loc[0]) or [None] * (loc[1] + 1))[loc[1]]
        key = entry.get("key") if isinstance(entry, dict) else None
        record = f"{loc[0]}[{loc[1]}]" + (f" ({key})" if key else "")
        fields = list(loc[2:])
    elif len(loc) >= 1 and loc[0] == "brand":
        record, fields = "brand", list(loc[1:])
    field_name = ".".join(str(part) for part in fields) or "(record)"
    return f"{path}: {record + ': ' if record else ''}{field_name}"


class _SeedLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (the format parses them itself, with their precision,
    so an impossible date gets a named error) and refuses a field given twice in one record."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _value in node.value:
            name = self.construct_object(key_node, deep=True)
            if name in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"field {name!r} is given twice in one record", key_node.start_mark
                )
            seen.add(name)
        return super().construct_mapping(node, deep=deep)


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_KEY_LINE = re.compile(r"^\s*(?:-\s+)?key:\s*[\"']?([a-z0-9][a-z0-9-]*)")


def _yaml_problem(relative: str, text: str, error: yaml.YAMLError) -> str:
    """Say where a YAML syntax error is, in one line: file, line, column and nearest record."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return f"{relative}: not valid YAML: {error}"
    lines = text.splitlines()[: mark.line + 1]
    near = next((m.group(1) for line in reversed(lines) if (m := _KEY_LINE.match(line))), None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" + (f" (near {near})" if near else "")
    context = getattr(error, "context", None)
    problem = getattr(error, "problem", None) or str(error)
    return f"{relative}: {where}: not valid YAML: {problem}" + (f", {context}" if context else "")


def _read(path: Path, root: Path, schema: type[Strict], problems: list[str]):
    relative = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.load(text, Loader=_SeedLoader)  # safe: a SafeLoader subclass
    except yaml.YAMLError as error:
        problems.append(_yaml_problem(relative, text, error))
        return relative, None
    if not isinstance(document, dict):
        problems.append(f"{relative}: expected a mapping at the top of the file")
        return relative, None
    try:
        return relative, schema.model_validate(document)
    except ValidationError as error:
        for item in error.errors():
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{_where(relative, item['loc'], document)}: {message}")
        return relative, None


def read_seeds(root: Path) -> SeedSet:
    """Read and check every seed file under root; raise SeedError listing all problems."""
    problems: list[str] = []
    seeds = SeedSet(root=root)
    if not root.is_dir():
        raise SeedError([f"{root}: no such seed folder"])
    sources_path = root / "sources.yaml"
    if sources_path.exists():
        relative, parsed = _read(sources_path, root, SourcesFile, problems)
        if parsed:
            seeds.sources = [(relative, source) for source in parsed.sources]
    for path in sorted((root / "brands").glob("*.yaml")):
        relative, parsed = _read(path, root, CaseFile, problems)
        if parsed:
            seeds.cases.append((relative, parsed))
    for path in sorted((root / "pending").glob("*.yaml")):
        relative, parsed = _read(path, root, PendingFile, problems)
        if parsed:
            seeds.pending += [(relative, submission) for submission in parsed.submissions]
    problems += _check_references(seeds)
    if problems:
        raise SeedError(problems)
    return seeds


def _check_references(seeds: SeedSet) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}

    def claim_key(path: str, where: str, key: str) -> None:
        if key in seen:
            problems.append(f"{path}: {where}: key {key!r} is already used in {seen[key]}")
        seen[key] = path

    for path, source in seeds.sources:
        claim_key(path, f"sources ({source.key})", source.key)
    source_keys = {source.key for _, source in seeds.sources}
    for path, case in seeds.cases:
        claim_key(path, "brand", case.brand.key)
        claims = {claim.key for claim in case.claims}
        contradictions = {c.key for c in case.contradictions}
        sections = (
            ("claims", case.claims),
            ("contradictions", case.contradictions),
            ("responses", case.responses),
            ("outcomes", case.outcomes),
        )
        for section, entries in sections:
            for index, entry in enumerate(entries):
                where = f"{section}[{index}] ({entry.key})"
                claim_key(path, where, entry.key)
                for number, citation in enumerate(entry.citations):
                    if citation.source not in source_keys:
                        problems.append(
                            f"{path}: {where}: citations[{number}].source: "
                            f"unknown source {citation.source!r} (not in sources.yaml)"
                        )
                for claim in getattr(entry, "claims", []):
                    if claim not in claims:
                        problems.append(
                            f"{path}: {where}: claims: no claim {claim!r} for this brand"
                        )
                target = getattr(entry, "contradiction", None)
                if target is not None and target not in contradictions:
                    problems.append(
                        f"{path}: {where}: contradiction: "
                        f"no contradiction {target!r} for this brand"
                    )
    for path, pending in seeds.pending:
        claim_key(path, f"submissions ({pending.key})", pending.key)
    return problems


# --- Writing --------------------------------------------------------------------------


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _digest(entry: BaseModel) -> str:
    canonical = json.dumps(entry.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Writer:
    def __init__(self, session: Session):
        self.session = session
        self.report = SeedReport()
        self.known = {row.seed_key: row for row in session.exec(select(SeedRecord))}
        self.ids: dict[str, int] = {key: row.entity_id for key, row in self.known.items()}

    def upsert(self, path: str, entry, model: type[PublicRecord], apply) -> None:
        """Create or update one record from its seed entry, with a revision when it changes."""
        digest = _digest(entry)
        row = self.known.get(entry.key)
        if row is not None and row.table != model.__tablename__:
            raise SeedError(
                [
                    f"{path}: {model.__tablename__} ({entry.key}): key: was loaded before as a "
                    f"{row.table}; a key keeps its kind of record, so give this one a new key"
                ]
            )
        if row is not None and row.digest == digest:
            self.report.unchanged += 1
            return
        record = self.session.get(model, row.entity_id) if row else None
        creating = record is None
        record = record or model()
        apply(record, entry)
        reason = f"Loaded from seed file {path}" if creating else f"Seed file {path} changed"
        revision = save_revision(self.session, record, author=SEED, reason=reason)
        if row is None:
            row = SeedRecord(
                seed_key=entry.key, table=model.__tablename__, entity_id=record.id, digest=digest
            )
        row.entity_id, row.digest = record.id, digest
        self.session.add(row)
        self.known[entry.key] = row
        self.ids[entry.key] = record.id
        if creating:
            self.report.created += 1
        elif revision is None:  # the entry's text changed but the record it gives did not
            self.report.unchanged += 1
        else:
            self.report.updated += 1

    def citations(self, entries: list[CitationSeed]) -> list[Citation]:
        return [
            Citation(
                source_id=self.ids[entry.source],
                excerpt=entry.excerpt,
                note=entry.note,
                stance=entry.stance,
                position=position,
            )
            for position, entry in enumerate(entries)
        ]

    def replace_citations(self, record, entries: list[CitationSeed]) -> None:
        record.citations = self.citations(entries)


def _set(record, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def load(session: Session, root: Path) -> SeedReport:
    """Validate all seed files under root, then create or update their records.

    The caller owns the transaction: on any error nothing of this load is committed.
    """
    seeds = read_seeds(root)
    writer = _Writer(session)

    def apply_source(record: Source, entry: SourceSeed) -> None:
        _set(record, entry.model_dump(exclude={"key", "date"}) | entry.date_fields())
        record.url_key = url_key(entry.url)

    for path, entry in seeds.sources:
        writer.upsert(path, entry, Source, apply_source)

    for path, case in seeds.cases:

        def apply_brand(record: Brand, entry: BrandSeed) -> None:
            _set(record, entry.model_dump(exclude={"key"}))
            record.slug = entry.key

        writer.upsert(path, case.brand, Brand, apply_brand)
        brand_id = writer.ids[case.brand.key]

        def apply_claim(record: Claim, entry: ClaimSeed, brand_id=brand_id) -> None:
            _set(record, entry.model_dump(exclude={"key", "date", "topics", "citations"}))
            _set(record, entry.date_fields())
            record.brand_id = brand_id
            record.topic_links = [ClaimTopic(topic=topic) for topic in sorted(set(entry.topics))]
            writer.replace_citations(record, entry.citations)

        for entry in case.claims:
            writer.upsert(path, entry, Claim, apply_claim)

        def apply_contradiction(
            record: Contradiction, entry: ContradictionSeed, brand_id=brand_id
        ) -> None:
            _set(record, entry.model_dump(exclude={"key", "date", "claims", "citations", "finder"}))
            _set(record, entry.date_fields())
            record.brand_id = brand_id
            record.finder_name, record.finder_kind = entry.finder.name, entry.finder.kind
            record.claims = [session.get(Claim, writer.ids[key]) for key in entry.claims]
            writer.replace_citations(record, entry.citations)

        for entry in case.contradictions:
            writer.upsert(path, entry, Contradiction, apply_contradiction)

        def apply_response(record: Response, entry: ResponseSeed, brand_id=brand_id) -> None:
            _set(record, entry.model_dump(exclude={"key", "date", "contradiction", "citations"}))
            _set(record, entry.date_fields())
            record.brand_id = brand_id
            record.contradiction_id = writer.ids[entry.contradiction]
            writer.replace_citations(record, entry.citations)

        for entry in case.responses:
            writer.upsert(path, entry, Response, apply_response)

        def apply_outcome(record: Outcome, entry: OutcomeSeed, brand_id=brand_id) -> None:
            _set(record, entry.model_dump(exclude={"key", "date", "contradiction", "citations"}))
            _set(record, entry.date_fields())
            record.brand_id = brand_id
            record.contradiction_id = (
                writer.ids[entry.contradiction] if entry.contradiction else None
            )
            writer.replace_citations(record, entry.citations)

        for entry in case.outcomes:
            writer.upsert(path, entry, Outcome, apply_outcome)

    for path, pending in seeds.pending:
        _queue_pending(session, writer, path, pending)
    session.flush()
    return writer.report


def _queue_pending(session: Session, writer: _Writer, path: str, pending: PendingSeed) -> None:
    """Queue an unverified case for moderators, once; it is never published by the seed."""
    if pending.key in writer.known:
        if writer.known[pending.key].table != "submission":
            raise SeedError(
                [
                    f"{path}: submissions ({pending.key}): key: was loaded before as a "
                    f"{writer.known[pending.key].table}; give the submission a new key"
                ]
            )
        writer.report.unchanged += 1
        return
    payload = pending.model_dump(mode="json")["payload"]  # JSON-ready, whatever YAML gave
    submission = Submission(
        kind=pending.kind,
        payload=payload | {"seed_note": pending.note, "seed_file": path},
        token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
    )
    session.add(submission)
    session.flush()
    row = SeedRecord(
        seed_key=pending.key, table="submission", entity_id=submission.id, digest=_digest(pending)
    )
    session.add(row)
    writer.known[pending.key] = row
    writer.report.created += 1


def never_seeded(session: Session) -> bool:
    """Say whether the database holds neither seed data nor any brand."""
    seeded = session.exec(select(func.count()).select_from(SeedRecord)).one()
    brands = session.exec(select(func.count()).select_from(Brand)).one()
    return seeded == 0 and brands == 0


def seed_folder(app: Flask) -> Path:
    """Return the seed folder: SEED_PATH if set, else the shipped seeds/."""
    return Path(app.config["SEED_PATH"]) if app.config.get("SEED_PATH") else resource_path("seeds")
