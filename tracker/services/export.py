"""The whole public dataset as files: CSV per record type (zipped) and one JSON document.

Written to disk a batch at a time, so a dataset of any size never has to fit in memory, with
a SHA-256 of every file and a Frictionless Data Package description (datapackage.json). The
files are rebuilt only when the record has changed (a new revision) since they were made.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from tracker.legal import current_rules
from tracker.models import PUBLIC_MODELS as MODELS
from tracker.models import (
    Brand,
    Citation,
    Claim,
    Contradiction,
    ContradictionClaimLink,
    EntityType,
    Source,
    Visibility,
)
from tracker.services import flag_export
from tracker.services.dates import PartialDate
from tracker.services.published import dataset_stamp, public_query
from tracker.services.rulebook import Rulebook

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
BATCH = 1000
CSV_ZIP = "tracker-data-csv.zip"
JSON_FILE = "tracker-data.json"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type: integer, string, boolean, date, datetime, number, array
    description: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Session], Iterator[Any]]


def _partial(value, precision) -> str | None:
    return PartialDate(value, precision).iso() if value and precision else None


def _batches(session: Session, query: Select, model, options=()) -> Iterator[Any]:
    """Yield the rows of a query in id order, a batch at a time, forgetting each batch."""
    last = 0
    while True:
        batch = list(
            session.exec(
                query.where(model.id > last).order_by(model.id).limit(BATCH).options(*options)
            ).unique()
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        session.expunge_all()


def _records(entity_type: EntityType, options=()):
    model = MODELS[entity_type]
    return lambda session: _batches(session, public_query(entity_type), model, options)


def _links(session: Session) -> Iterator[Any]:
    query = (
        select(ContradictionClaimLink.contradiction_id, ContradictionClaimLink.claim_id)
        .join(Contradiction, Contradiction.id == ContradictionClaimLink.contradiction_id)
        .join(Claim, Claim.id == ContradictionClaimLink.claim_id)
        .join(Brand, Brand.id == Claim.brand_id)
        .where(
            Contradiction.visibility == Visibility.published,
            Claim.visibility == Visibility.published,
            Brand.visibility == Visibility.published,
        )
        .order_by(ContradictionClaimLink.contradiction_id, ContradictionClaimLink.claim_id)
    )
    yield from session.exec(query.execution_options(yield_per=BATCH))


def _citations(session: Session) -> Iterator[Any]:
    for entity_type, column in (
        (EntityType.claim, Citation.claim_id),
        (EntityType.contradiction, Citation.contradiction_id),
        (EntityType.response, Citation.response_id),
        (EntityType.outcome, Citation.outcome_id),
    ):
        model = MODELS[entity_type]
        subjects = public_query(entity_type).with_only_columns(model.id)
        query = (
            select(Citation)
            .join(Source, Source.id == Citation.source_id)
            .where(Source.visibility == Visibility.published, column.in_(subjects))
        )
        for citation in _batches(session, query, Citation):
            yield entity_type, citation


def _common(html_path: Callable[[Any], str]) -> tuple[Column, ...]:
    return (
        Column(
            "version", "integer", "Revision number; every change adds one.", lambda r: r.version
        ),
        Column(
            "created_at",
            "datetime",
            "When the record was first published (UTC).",
            lambda r: r.created_at,
        ),
        Column(
            "updated_at", "datetime", "When the record last changed (UTC).", lambda r: r.updated_at
        ),
        Column("url", "string", "The record's permanent page.", html_path),
    )


def _dated() -> tuple[Column, ...]:
    return (
        Column(
            "date",
            "string",
            "Date at its precision: YYYY, YYYY-MM or YYYY-MM-DD.",
            lambda r: _partial(r.date, r.date_precision),
        ),
        Column(
            "date_precision",
            "string",
            "day, month, year or unknown.",
            lambda r: r.date_precision.value,
        ),
        Column(
            "date_end",
            "string",
            "End of a date range, if any.",
            lambda r: _partial(r.date_end, r.date_end_precision),
        ),
    )


def _flag_tables(rules: Rulebook) -> list[Table]:
    """Return the legal flags' files: the flags of published claims, and the rules."""
    return [
        Table(
            "claim_flags",
            flag_export.FLAGS_DESCRIPTION,
            tuple(Column(*spec) for spec in flag_export.FLAG_COLUMNS),
            flag_export.claim_flags,
        ),
        Table(
            "flag_rules",
            flag_export.RULES_DESCRIPTION,
            tuple(Column(*spec) for spec in flag_export.RULE_COLUMNS),
            flag_export.rule_rows(rules),
        ),
    ]


def tables(site: str, rules: Rulebook | None = None) -> list[Table]:
    """Return every file of the dataset with its columns; site is the root URL ("https://x/").

    rules: the legal flag rules; by default the running app's.
    """

    def page(plural: str):
        return lambda record: f"{site}{plural}/{record.id}"

    return [
        Table(
            "brands",
            "Brands whose claims are tracked.",
            (
                Column("id", "integer", "Stable identifier.", lambda r: r.id),
                Column("slug", "string", "Identifier in addresses.", lambda r: r.slug),
                Column("name", "string", "Name the brand trades under.", lambda r: r.name),
                Column("legal_name", "string", "Registered name.", lambda r: r.legal_name),
                Column(
                    "aliases",
                    "array",
                    "Other names, separated by '; ' in CSV.",
                    lambda r: list(r.aliases or []),
                ),
                Column("parent_company", "string", "Owner.", lambda r: r.parent_company),
                Column("country", "string", "ISO 3166-1 alpha-2 country.", lambda r: r.country),
                Column("sector", "string", "Sector.", lambda r: r.sector),
                Column("website", "string", "Website.", lambda r: r.website),
                Column("description", "string", "Short description.", lambda r: r.description),
                *_common(lambda r: f"{site}brands/{r.slug}"),
            ),
            _records(EntityType.brand),
        ),
        Table(
            "claims",
            "What brands said about their sustainability.",
            (
                Column("id", "integer", "Stable identifier.", lambda r: r.id),
                Column("brand_id", "integer", "The brand (brands.id).", lambda r: r.brand_id),
                Column("quote", "string", "Verbatim, in its original language.", lambda r: r.quote),
                Column(
                    "quote_is_exact",
                    "boolean",
                    "Whether the quote is word for word.",
                    lambda r: r.quote_is_exact,
                ),
                Column("language", "string", "Language of the quote.", lambda r: r.language),
                Column(
                    "translation", "string", "Translation of the quote.", lambda r: r.translation
                ),
                Column("summary", "string", "The claim in short.", lambda r: r.summary),
                Column("speaker", "string", "Who made it.", lambda r: r.speaker),
                Column(
                    "channel",
                    "string",
                    "Where: packaging, advert, website, report ...",
                    lambda r: r.channel.value,
                ),
                Column("where", "string", "Where exactly.", lambda r: r.where),
                Column(
                    "status", "string", "active, withdrawn or changed.", lambda r: r.status.value
                ),
                Column(
                    "topics",
                    "array",
                    "Topics, separated by '; ' in CSV.",
                    lambda r: [t.value for t in r.topics],
                ),
                *_dated(),
                *_common(page("claims")),
            ),
            _records(EntityType.claim, (selectinload(Claim.topic_links),)),
        ),
        Table(
            "contradictions",
            "Documented evidence that a claim does not hold.",
            (
                Column("id", "integer", "Stable identifier.", lambda r: r.id),
                Column("brand_id", "integer", "The brand (brands.id).", lambda r: r.brand_id),
                Column("title", "string", "One-line title.", lambda r: r.title),
                Column("summary", "string", "What was found.", lambda r: r.summary),
                Column("finder_name", "string", "Who found it.", lambda r: r.finder_name),
                Column(
                    "finder_kind",
                    "string",
                    "ngo, journalist, regulator, court, lab ...",
                    lambda r: r.finder_kind.value,
                ),
                Column(
                    "kind",
                    "string",
                    "Kind of evidence: lab_test, court_ruling ...",
                    lambda r: r.kind.value,
                ),
                Column(
                    "state",
                    "string",
                    "open, disputed, upheld, remedied or overturned.",
                    lambda r: r.state.value,
                ),
                Column("quote", "string", "A quote from the evidence.", lambda r: r.quote),
                Column(
                    "published_at",
                    "datetime",
                    "When it was published here (UTC).",
                    lambda r: r.published_at,
                ),
                *_dated(),
                *_common(page("contradictions")),
            ),
            _records(EntityType.contradiction),
        ),
        Table(
            "contradiction_claims",
            "Which claims each contradiction contradicts.",
            (
                Column("contradiction_id", "integer", "contradictions.id", lambda r: r[0]),
                Column("claim_id", "integer", "claims.id", lambda r: r[1]),
            ),
            _links,
        ),
        Table(
            "responses",
            "The brands' answers to contradictions (right of reply).",
            (
                Column("id", "integer", "Stable identifier.", lambda r: r.id),
                Column("brand_id", "integer", "The brand (brands.id).", lambda r: r.brand_id),
                Column(
                    "contradiction_id", "integer", "contradictions.id", lambda r: r.contradiction_id
                ),
                Column("summary", "string", "What the brand said.", lambda r: r.summary),
                Column("quote", "string", "In the brand's words.", lambda r: r.quote),
                Column(
                    "via", "string", "representative or public_statement.", lambda r: r.via.value
                ),
                *_dated(),
                *_common(page("responses")),
            ),
            _records(EntityType.response),
        ),
        Table(
            "outcomes",
            "What followed: fines, rulings, commitments, remedies.",
            (
                Column("id", "integer", "Stable identifier.", lambda r: r.id),
                Column("brand_id", "integer", "The brand (brands.id).", lambda r: r.brand_id),
                Column(
                    "contradiction_id",
                    "integer",
                    "contradictions.id, if any.",
                    lambda r: r.contradiction_id,
                ),
                Column(
                    "kind",
                    "string",
                    "fine, ruling, commitment, reformulation ...",
                    lambda r: r.kind.value,
                ),
                Column("summary", "string", "What happened.", lambda r: r.summary),
                Column("authority", "string", "Who decided.", lambda r: r.authority),
                Column(
                    "amount",
                    "number",
                    "Amount, if any.",
                    lambda r: None if r.amount is None else str(r.amount),
                ),
                Column("currency", "string", "ISO 4217 currency.", lambda r: r.currency),
                *_dated(),
                *_common(page("outcomes")),
            ),
            _records(EntityType.outcome),
        ),
        Table(
            "sources",
            "Evidence on the web or in documents.",
            (
                Column("id", "integer", "Stable identifier.", lambda r: r.id),
                Column("url", "string", "Where it was published.", lambda r: r.url),
                Column("title", "string", "Title.", lambda r: r.title),
                Column("publisher", "string", "Publisher.", lambda r: r.publisher),
                Column("kind", "string", "court, regulator, news, ngo ...", lambda r: r.kind.value),
                Column("language", "string", "Language.", lambda r: r.language),
                *_dated(),
                *_common(page("sources")),
            ),
            _records(EntityType.source),
        ),
        Table(
            "citations",
            "Which source backs which statement, with the supporting excerpt.",
            (
                Column("source_id", "integer", "sources.id", lambda r: r[1].source_id),
                Column(
                    "subject_type",
                    "string",
                    "claim, contradiction, response or outcome.",
                    lambda r: r[0].value,
                ),
                Column(
                    "subject_id",
                    "integer",
                    "The id of that record.",
                    lambda r: getattr(r[1], f"{r[0].value}_id"),
                ),
                Column(
                    "excerpt",
                    "string",
                    "The passage that supports the point.",
                    lambda r: r[1].excerpt,
                ),
                Column("stance", "string", "supports or refutes.", lambda r: r[1].stance.value),
            ),
            _citations,
        ),
        *_flag_tables(rules or current_rules()),
    ]


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return "" if value is None else value


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


class _HashingWriter(io.RawIOBase):
    """Pass bytes on to a file while hashing and counting them."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build(session: Session, *, folder: Path, site: str) -> dict:
    """Write every file of the dataset into folder; return its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dataset_stamp(session)
    made_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    resources = []
    specs = tables(site)
    with zipfile.ZipFile(folder / CSV_ZIP, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in specs:
            with archive.open(f"{table.name}.csv", "w", force_zip64=True) as member:
                hashing = _HashingWriter(member)
                text = io.TextIOWrapper(hashing, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow([column.name for column in table.columns])
                rows = 0
                for record in table.rows(session):
                    writer.writerow([_csv_value(c.value(record)) for c in table.columns])
                    rows += 1
                text.flush()
                text.detach()
            resources.append(
                {
                    "name": table.name,
                    "path": f"{table.name}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "description": table.description,
                    "bytes": hashing.size,
                    "hash": f"sha256:{hashing.sha256.hexdigest()}",
                    "rows": rows,
                    "schema": {
                        "fields": [
                            {"name": c.name, "type": c.type, "description": c.description}
                            for c in table.columns
                        ]
                    },
                }
            )
        package = {
            "profile": "data-package",
            "name": "csr-claims-tracker",
            "title": "Brands' sustainability claims and the evidence that contradicts them",
            "created": made_at.isoformat(),
            "version": str(stamp.revision_id),
            "licenses": [LICENCE],
            "homepage": site,
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
    _write_json(session, folder / JSON_FILE, specs, package)
    manifest = {
        "made_at": made_at.isoformat(),
        "revision_id": stamp.revision_id,
        # Flags change without a revision when the rules change: their digest counts too.
        "flag_rules_digest": flag_export.stored_rules_digest(session),
        "files": {
            name: {"bytes": (folder / name).stat().st_size, "sha256": _sha256_of(folder / name)}
            for name in (CSV_ZIP, JSON_FILE)
        },
        "tables": resources,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _write_json(session: Session, path: Path, specs: list[Table], package: dict) -> None:
    with path.open("w", encoding="utf-8") as out:
        header = {key: package[key] for key in ("title", "created", "version", "licenses")}
        out.write(json.dumps(header, ensure_ascii=False)[:-1])
        for table in specs:
            out.write(f', "{table.name}": [')
            first = True
            for record in table.rows(session):
                row = {c.name: _json_value(c.value(record)) for c in table.columns}
                out.write(("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False))
                first = False
            out.write("\n]")
        out.write("}\n")


def current(root: Path) -> dict | None:
    """Return the manifest of the newest build, if there is one."""
    pointer = root / "current"
    if not pointer.exists():
        return None
    folder = root / pointer.read_text().strip()
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    manifest["folder"] = str(folder)
    return manifest


def refresh(session: Session, *, root: Path, site: str, max_age: dt.timedelta) -> dict:
    """Return the current build, rebuilding first if the record changed and it is old enough.

    Builds go to a new folder and the pointer moves only when one is complete, so a reader
    never gets half a file; a lock keeps two workers from building at once.
    """
    root.mkdir(parents=True, exist_ok=True)
    manifest = current(root)
    if manifest and not _stale(session, manifest, max_age):
        return manifest
    with (root / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = current(root)
        if manifest and not _stale(session, manifest, max_age):
            return manifest
        name = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        build(session, folder=root / name, site=site)
        (root / "current.tmp").write_text(name)
        (root / "current.tmp").replace(root / "current")
        for old in root.iterdir():
            if old.is_dir() and old.name != name:
                shutil.rmtree(old, ignore_errors=True)
    result = current(root)
    assert result is not None
    return result


def _stale(session: Session, manifest: dict, max_age: dt.timedelta) -> bool:
    same_records = dataset_stamp(session).revision_id == manifest["revision_id"]
    same_flags = flag_export.stored_rules_digest(session) == manifest.get("flag_rules_digest")
    if same_records and same_flags:
        return False
    made_at = dt.datetime.fromisoformat(manifest["made_at"])
    return dt.datetime.now(dt.UTC) - made_at >= max_age


__all__ = ["CSV_ZIP", "JSON_FILE", "LICENCE", "build", "current", "refresh", "tables"]
