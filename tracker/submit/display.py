"""Show a submission's payload as readable rows: for its contributor and for moderators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.db import get_session
from tracker.i18n import format_partial_date
from tracker.labels import label
from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    Claim,
    ClaimChannel,
    Contradiction,
    ContradictionKind,
    EntityType,
    FinderKind,
    OutcomeKind,
    ResponseVia,
    Stance,
    SubmissionKind,
    Topic,
)
from tracker.services.dates import PartialDate
from tracker.submit.kinds import FIELD_NAMES
from tracker.web import url_for_record

# Keys in the order they are shown, with their names; enums are shown by their labels.
KEYS: list[tuple[str, object]] = [
    ("name", _l("Brand name")),
    ("legal_name", _l("Legal name")),
    ("aliases", _l("Other names")),
    ("parent_company", _l("Parent company")),
    ("country", _l("Country")),
    ("sector", _l("Sector")),
    ("website", _l("Website")),
    ("description", _l("Description")),
    ("brand_id", _l("Brand")),
    ("claim_ids", _l("The claims it contradicts")),
    ("contradiction_id", _l("Contradiction")),
    ("target_type", _l("Record")),
    ("title", _l("Title")),
    ("quote", _l("Quote")),
    ("quote_is_exact", _l("Exact words")),
    ("summary", _l("Summary")),
    ("language", _l("Language")),
    ("quote_language", _l("Language of the quote")),
    ("translation", _l("Translation")),
    ("channel", _l("Where it was said")),
    ("where", _l("Where exactly")),
    ("speaker", _l("Who said it")),
    ("finder_name", _l("Who found it")),
    ("finder_kind", _l("What kind of finder")),
    ("kind", _l("Kind")),
    ("via", _l("Came from")),
    ("stance", _l("The new evidence")),
    ("explanation", _l("What it adds")),
    ("field", _l("What needs correcting")),
    ("what_is_wrong", _l("What is wrong")),
    ("fix", _l("What it should say")),
    ("date", _l("Date")),
    ("topics", _l("Topics")),
    ("note", _l("Note for the moderators")),
    ("seed_note", _l("Why it waits here (from the seed data)")),
    ("seed_file", _l("Seed file")),
]
ENUMS = {
    "channel": ClaimChannel,
    "finder_kind": FinderKind,
    "via": ResponseVia,
    "stance": Stance,
}
SKIPPED = {"target_id", "sources"}


@dataclass(frozen=True)
class Row:
    key: str
    label: object
    value: Any
    style: str = "text"  # text, keep-lines, list, link, json
    href: str | None = None


def _enum_label(enum_cls, value: Any) -> str:
    try:
        return label(enum_cls(value))
    except ValueError:
        return str(value)


def _row(kind: SubmissionKind, key: str, name: object, value: Any, payload: dict) -> Row:
    session = get_session()
    if key == "brand_id" and isinstance(value, int):
        brand = session.get(Brand, value)
        if brand is not None:
            return Row(key, name, brand.name, "link", url_for_record(brand))
    if key == "claim_ids" and isinstance(value, list):
        claims = [session.get(Claim, claim_id) for claim_id in value if isinstance(claim_id, int)]
        items = [(claim.headline, url_for_record(claim)) for claim in claims if claim is not None]
        return Row(key, name, items, "links")
    if key == "contradiction_id" and isinstance(value, int):
        contradiction = session.get(Contradiction, value)
        if contradiction is not None:
            return Row(key, name, contradiction.title, "link", url_for_record(contradiction))
    if key == "target_type":
        try:
            entity_type = EntityType(value)
            record = session.get(PUBLIC_MODELS[entity_type], payload.get("target_id"))
        except (ValueError, TypeError):
            record = None
        if record is not None:
            return Row(
                key,
                name,
                f"{label(record.entity_type)}: {record.headline}",
                "link",
                url_for_record(record),
            )
    if key in ENUMS:
        return Row(key, name, _enum_label(ENUMS[key], value))
    if key == "kind":
        enum_cls = ContradictionKind if kind == SubmissionKind.contradiction else OutcomeKind
        return Row(key, name, _enum_label(enum_cls, value))
    if key == "topics" and isinstance(value, list):
        return Row(key, name, [_enum_label(Topic, topic) for topic in value], "list")
    if key == "field":
        return Row(key, name, FIELD_NAMES.get(value, value) if value else _l("Something else"))
    if key == "date" and isinstance(value, str):
        try:
            partial = PartialDate.parse(value)
        except ValueError:
            return Row(key, name, value)
        return Row(key, name, format_partial_date(partial.value, partial.precision))
    if key == "quote_is_exact":
        return Row(key, name, _l("yes") if value else _l("no"))
    if key == "aliases" and isinstance(value, list):
        return Row(key, name, value, "list")
    if key == "website" and isinstance(value, str):
        return Row(key, name, value, "external", value)
    if isinstance(value, str):
        return Row(key, name, value, "keep-lines")
    return Row(key, name, value, "json")


def payload_rows(kind: SubmissionKind, payload: dict[str, Any]) -> list[Row]:
    """Return the payload's fields as rows, known ones first, anything else after."""
    payload = payload if isinstance(payload, dict) else {}
    rows = []
    for key, name in KEYS:
        value = payload.get(key)
        if value in (None, "", [], {}):
            continue
        rows.append(_row(kind, key, name, value, payload))
    known = {key for key, _ in KEYS} | SKIPPED
    for key, value in payload.items():
        if key not in known and value not in (None, "", [], {}):
            rows.append(Row(key, key, value, "keep-lines" if isinstance(value, str) else "json"))
    return rows


def payload_sources(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the sources of a payload that have an address."""
    sources = payload.get("sources") if isinstance(payload, dict) else None
    return [s for s in sources or [] if isinstance(s, dict) and s.get("url")]
