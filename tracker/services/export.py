"""The whole public dataset as files: CSV per record type (zipped) and one JSON document.

Written to disk as the rows stream out of the database: one SQL statement per file, read
as plain rows (no ORM objects), each row written to the CSV and the JSON file at once, so a
dataset of any size never has to fit in memory. Every file has a SHA-256 and the zip has a
Frictionless Data Package description (datapackage.json). A build goes to a folder of its
own and becomes current only when complete, so readers always get the last complete build.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Select
from sqlmodel import Session

from tracker.legal import current_rules
from tracker.models import PUBLIC_MODELS as MODELS
from tracker.models import Citation, ClaimFlag, ClaimTopic, ContradictionClaimLink, EntityType
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
    rows: Callable[[Connection | Session], Iterator[Any]]  # plain rows, streamed


def _partial(value, precision) -> str | None:
    return PartialDate(value, precision).iso() if value and precision else None


def _stream(connection: Connection | Session, query: Select) -> Iterator[Any]:
    """Yield the rows of one statement as the database hands them over, a batch at a time."""
    yield from connection.execute(query.execution_options(yield_per=BATCH))


def _public_ids(entity_type: EntityType) -> Select:
    model = MODELS[entity_type]
    return public_query(entity_type).with_only_columns(model.id)


def _records(entity_type: EntityType, *extra):
    """Return the rows of a record type's file: its published records, in id order."""
    model = MODELS[entity_type]
    query = (
        public_query(entity_type).with_only_columns(*model.__table__.c, *extra).order_by(model.id)
    )
    return lambda connection: _stream(connection, query)


def _claim_topics() -> Any:
    topic = ClaimTopic.__table__.c.topic
    return (
        sa.select(sa.func.aggregate_strings(topic, " "))
        .where(ClaimTopic.__table__.c.claim_id == MODELS[EntityType.claim].id)
        .scalar_subquery()
        .label("topic_names")
    )


def _topics(row) -> list[str]:
    return sorted((row.topic_names or "").split())


def _claim_flags() -> Any:
    flag = ClaimFlag.__table__.c
    return (
        sa.select(sa.func.aggregate_strings(flag.rule_id, " "))
        .where(flag.claim_id == MODELS[EntityType.claim].id, flag.dismissal_id.is_(None))
        .scalar_subquery()
        .label("flag_rules")
    )


def _flags(row) -> list[str]:
    return sorted((row.flag_rules or "").split())


def _links(connection: Connection) -> Iterator[Any]:
    link = ContradictionClaimLink.__table__.c

    def public(entity_type: EntityType, column) -> Any:
        # A correlated EXISTS, not IN: with IN on both columns, SQLite probes the link
        # table's key for every pair of a public contradiction and a public claim.
        model = MODELS[entity_type]
        return (
            public_query(entity_type)
            .with_only_columns(sa.literal(1))
            .where(model.id == column)
            .exists()
        )

    query = (
        sa.select(link.contradiction_id, link.claim_id)
        .where(
            public(EntityType.contradiction, link.contradiction_id),
            public(EntityType.claim, link.claim_id),
        )
        .order_by(link.contradiction_id, link.claim_id)
    )
    return _stream(connection, query)


def _citations(connection: Connection) -> Iterator[Any]:
    citation = Citation.__table__.c
    published_sources = _public_ids(EntityType.source)
    for entity_type in (
        EntityType.claim,
        EntityType.contradiction,
        EntityType.response,
        EntityType.outcome,
    ):
        subject = citation[f"{entity_type.value}_id"]
        query = (
            sa.select(
                citation.source_id,
                sa.literal(entity_type.value).label("subject_type"),
                subject.label("subject_id"),
                citation.excerpt,
                citation.stance,
            )
            .where(
                subject.in_(_public_ids(entity_type)),
                citation.source_id.in_(published_sources),
            )
            .order_by(citation.id)
        )
        yield from _stream(connection, query)


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
                    _topics,
                ),
                Column(
                    "flags",
                    "array",
                    "Rules (flag_rules.id) whose indicative legal flag stands on the claim, "
                    "separated by '; ' in CSV; dismissed flags are left out. claim_flags has "
                    "each flag's status, matched words and any dismissal.",
                    _flags,
                ),
                *_dated(),
                *_common(page("claims")),
            ),
            _records(EntityType.claim, _claim_topics(), _claim_flags()),
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
                Column(
                    "contradiction_id", "integer", "contradictions.id", lambda r: r.contradiction_id
                ),
                Column("claim_id", "integer", "claims.id", lambda r: r.claim_id),
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
                Column("source_id", "integer", "sources.id", lambda r: r.source_id),
                Column(
                    "subject_type",
                    "string",
                    "claim, contradiction, response or outcome.",
                    lambda r: r.subject_type,
                ),
                Column(
                    "subject_id",
                    "integer",
                    "The id of that record.",
                    lambda r: r.subject_id,
                ),
                Column(
                    "excerpt",
                    "string",
                    "The passage that supports the point.",
                    lambda r: r.excerpt,
                ),
                Column("stance", "string", "supports or refutes.", lambda r: r.stance.value),
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
    """Write every file of the dataset into folder in one pass per table; return its manifest."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    connection = session.connection()
    stamp = dataset_stamp(session)
    rules_digest = flag_export.stored_rules_digest(session)
    made_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    specs = tables(site)
    header = {
        "title": "Brands' sustainability claims and the evidence that contradicts them",
        "created": made_at.isoformat(),
        "version": str(stamp.revision_id),
        "licenses": [LICENCE],
    }
    resources = []
    with (
        zipfile.ZipFile(folder / CSV_ZIP, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        (folder / JSON_FILE).open("wb") as json_file,
    ):
        json_hashing = _HashingWriter(json_file)
        json_text = io.TextIOWrapper(json_hashing, encoding="utf-8", write_through=False)
        json_text.write(json.dumps(header, ensure_ascii=False)[:-1])
        for table in specs:
            resources.append(_write_table(connection, table, archive, json_text))
        json_text.write("}\n")
        json_text.flush()
        json_text.detach()
        package = {
            "profile": "data-package",
            "name": "csr-claims-tracker",
            "title": header["title"],
            "created": header["created"],
            "version": header["version"],
            "licenses": [LICENCE],
            "homepage": site,
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
    manifest = {
        "made_at": made_at.isoformat(),
        "revision_id": stamp.revision_id,
        # Flags change without a revision when the rules change: their digest counts too.
        "flag_rules_digest": rules_digest,
        "site": site,
        "files": {
            CSV_ZIP: {
                "bytes": (folder / CSV_ZIP).stat().st_size,
                "sha256": _sha256_of(folder / CSV_ZIP),
            },
            JSON_FILE: {"bytes": json_hashing.size, "sha256": json_hashing.sha256.hexdigest()},
        },
        "tables": resources,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _write_table(
    connection: Connection, table: Table, archive: zipfile.ZipFile, json_text: io.TextIOWrapper
) -> dict:
    """Stream one table into its CSV member and its array of the JSON document."""
    names = [column.name for column in table.columns]
    with archive.open(f"{table.name}.csv", "w", force_zip64=True) as member:
        hashing = _HashingWriter(member)
        text = io.TextIOWrapper(hashing, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(names)
        json_text.write(f', "{table.name}": [')
        rows = 0
        for row in table.rows(connection):
            values = [column.value(row) for column in table.columns]
            writer.writerow([_csv_value(value) for value in values])
            record = dict(zip(names, map(_json_value, values), strict=True))
            json_text.write(("," if rows else "") + "\n" + json.dumps(record, ensure_ascii=False))
            rows += 1
        json_text.write("\n]")
        text.flush()
        text.detach()
    return {
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


def stale(session: Session, manifest: dict | None, max_age: dt.timedelta) -> bool:
    """Tell whether a build is missing, or the record changed since it was made and it is at
    least max_age old (so a busy site rebuilds at most once per max_age)."""
    if manifest is None:
        return True
    same_records = dataset_stamp(session).revision_id == manifest["revision_id"]
    same_flags = flag_export.stored_rules_digest(session) == manifest.get("flag_rules_digest")
    if same_records and same_flags:
        return False
    made_at = dt.datetime.fromisoformat(manifest["made_at"])
    return dt.datetime.now(dt.UTC) - made_at >= max_age


def rebuild(
    session: Session,
    *,
    root: Path,
    site: str,
    max_age: dt.timedelta = dt.timedelta(0),
    force: bool = False,
    wait: bool = True,
) -> dict | None:
    """Build the downloads if they are missing or stale (or always, with force); return the
    manifest of the current build.

    A lock keeps two processes from building at once: with wait, wait for the other build
    and use it; without, return None at once while another process builds. Each build goes
    to a folder of its own and the pointer moves only when it is complete, so a reader never
    gets half a file; the build before it stays for readers who are still downloading it.
    """
    root.mkdir(parents=True, exist_ok=True)
    with (root / "build.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        manifest = current(root)
        if not force and not stale(session, manifest, max_age):
            return manifest
        name = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        build(session, folder=root / name, site=site)
        (root / "current.tmp").write_text(name)
        (root / "current.tmp").replace(root / "current")
        previous = Path(manifest["folder"]).name if manifest else None
        for old in root.iterdir():
            if old.is_dir() and old.name not in (name, previous):
                shutil.rmtree(old, ignore_errors=True)
    return current(root)


__all__ = [
    "CSV_ZIP",
    "JSON_FILE",
    "LICENCE",
    "build",
    "current",
    "rebuild",
    "stale",
    "tables",
]
