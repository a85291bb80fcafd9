"""What a submission's payload holds, kind by kind, checked before anything is published.

The forms write payloads in this shape; publishing reads them through these models, so a
payload that came another way (an edit, a seed file, an older form) is checked again and a
moderator sees what is missing instead of a half-published record. Lengths match the
columns they end up in, which PostgreSQL enforces.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tracker.models import (
    REMEDY_KINDS,
    ClaimChannel,
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

URL_PATTERN = r"^https?://[^\s]+$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
MAX_SOURCES = 10
NOTE_MAX = 2000


class PayloadError(ValueError):
    """A payload cannot be published as it stands; problems name the fields."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    note: str | None = Field(default=None, max_length=NOTE_MAX)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


def _partial_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    partial = PartialDate.parse(value)
    if partial.value and partial.value > dt.date.today():
        raise ValueError("the date is in the future")
    return partial.iso()


class SourcePayload(Payload):
    url: str = Field(max_length=2000, pattern=URL_PATTERN)
    title: str | None = Field(default=None, max_length=500)
    publisher: str | None = Field(default=None, max_length=300)
    date: str | None = None
    excerpt: str | None = Field(default=None, max_length=5000)

    _date = field_validator("date")(_partial_date)


class Sourced(Payload):
    date: str | None = None
    sources: list[SourcePayload] = Field(default_factory=list, max_length=MAX_SOURCES)

    _date = field_validator("date")(_partial_date)

    @property
    def partial_date(self) -> PartialDate:
        return PartialDate.parse(self.date)


class BrandPayload(Sourced):
    name: str = Field(min_length=1, max_length=200)
    legal_name: str | None = Field(default=None, max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    parent_company: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    sector: str | None = Field(default=None, max_length=120)
    website: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        if any(len(alias) > 200 for alias in value):
            raise ValueError("an alias is longer than 200 characters")
        return [alias for alias in value if alias.strip()]


class ClaimPayload(Sourced):
    brand_id: int
    quote: str | None = Field(default=None, max_length=5000)
    quote_is_exact: bool = True
    language: str | None = Field(default=None, max_length=12, pattern=LANGUAGE_PATTERN)
    translation: str | None = Field(default=None, max_length=5000)
    summary: str | None = Field(default=None, max_length=5000)
    speaker: str | None = Field(default=None, max_length=300)
    channel: ClaimChannel = ClaimChannel.other
    where: str | None = Field(default=None, max_length=1000)
    topics: list[Topic] = Field(min_length=1)
    sources: list[SourcePayload] = Field(min_length=1, max_length=MAX_SOURCES)

    @model_validator(mode="after")
    def _quote_or_summary(self) -> Self:
        if not self.quote and not self.summary:
            raise ValueError("give the claim's words, or a summary when they are not known")
        return self


class ContradictionPayload(Sourced):
    brand_id: int
    claim_ids: list[int] = Field(min_length=1)
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(min_length=1, max_length=10000)
    finder_name: str = Field(min_length=1, max_length=300)
    finder_kind: FinderKind
    kind: ContradictionKind
    quote: str | None = Field(default=None, max_length=5000)
    sources: list[SourcePayload] = Field(min_length=1, max_length=MAX_SOURCES)


class EvidencePayload(Sourced):
    target_type: EntityType
    target_id: int
    stance: Stance = Stance.supports
    explanation: str = Field(min_length=1, max_length=2000)
    sources: list[SourcePayload] = Field(min_length=1, max_length=MAX_SOURCES)

    @field_validator("target_type")
    @classmethod
    def _citable(cls, value: EntityType) -> EntityType:
        if value in (EntityType.brand, EntityType.source):
            raise ValueError("evidence is added to a claim, contradiction, response or outcome")
        return value


class CorrectionPayload(Sourced):
    target_type: EntityType
    target_id: int
    field: str | None = Field(default=None, max_length=40)
    what_is_wrong: str = Field(min_length=1, max_length=2000)
    fix: str = Field(min_length=1, max_length=10000)
    sources: list[SourcePayload] = Field(min_length=1, max_length=MAX_SOURCES)


class ResponsePayload(Sourced):
    contradiction_id: int
    summary: str = Field(min_length=1, max_length=10000)
    quote: str | None = Field(default=None, max_length=5000)
    quote_language: str | None = Field(default=None, max_length=12, pattern=LANGUAGE_PATTERN)
    via: ResponseVia = ResponseVia.public_statement

    @model_validator(mode="after")
    def _statement_has_a_source(self) -> Self:
        if self.via == ResponseVia.public_statement and not self.sources:
            raise ValueError("a public statement needs the source where the brand made it")
        return self


class RemedyPayload(Sourced):
    brand_id: int
    contradiction_id: int | None = None
    kind: OutcomeKind
    summary: str = Field(min_length=1, max_length=10000)
    authority: str | None = Field(default=None, max_length=300)
    sources: list[SourcePayload] = Field(min_length=1, max_length=MAX_SOURCES)

    @field_validator("kind")
    @classmethod
    def _remedy_kind(cls, value: OutcomeKind) -> OutcomeKind:
        if value not in REMEDY_KINDS:
            raise ValueError("a remedy is a withdrawn claim, a reformulation or another remedy")
        return value


# The fields of each kind of record that a correction may change, in the order a reader meets
# them. Publishing turns the corrected text into the field's type (services/publishing.py).
CORRECTABLE_FIELDS: dict[EntityType, list[str]] = {
    EntityType.brand: [
        "name",
        "legal_name",
        "aliases",
        "parent_company",
        "country",
        "sector",
        "website",
        "description",
    ],
    EntityType.claim: [
        "quote",
        "translation",
        "summary",
        "speaker",
        "channel",
        "where",
        "date",
        "language",
        "topics",
        "status",
    ],
    EntityType.contradiction: [
        "title",
        "summary",
        "finder_name",
        "finder_kind",
        "kind",
        "date",
        "quote",
        "state",
    ],
    EntityType.response: ["summary", "quote", "date"],
    EntityType.outcome: ["summary", "kind", "authority", "amount", "currency", "date"],
    EntityType.source: ["url", "title", "publisher", "date", "description"],
}

MODELS: dict[SubmissionKind, type[Payload]] = {
    SubmissionKind.brand: BrandPayload,
    SubmissionKind.claim: ClaimPayload,
    SubmissionKind.contradiction: ContradictionPayload,
    SubmissionKind.evidence: EvidencePayload,
    SubmissionKind.correction: CorrectionPayload,
    SubmissionKind.response: ResponsePayload,
    SubmissionKind.remedy: RemedyPayload,
}


def parse(kind: SubmissionKind, payload: dict[str, Any]) -> Payload:
    """Check a payload of a kind; raise PayloadError naming each problem's field."""
    try:
        return MODELS[kind].model_validate(payload)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "payload"
            problems.append(f"{where}: {_plain(item['msg'])}")
        raise PayloadError(problems) from None


def _plain(message: str) -> str:
    return re.sub(r"^Value error, ", "", message)


def source_urls(payload: dict[str, Any]) -> list[str]:
    """Return the source addresses a payload cites, whatever else it holds."""
    urls = []
    for source in payload.get("sources") or []:
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            urls.append(source["url"])
    return urls


def brand_id_of(kind: SubmissionKind, payload: dict[str, Any]) -> int | None:
    """Return the brand a payload is about, if it names one directly."""
    value = payload.get("brand_id")
    return value if isinstance(value, int) else None


__all__ = [
    "MODELS",
    "BrandPayload",
    "ClaimPayload",
    "ContradictionPayload",
    "CorrectionPayload",
    "EvidencePayload",
    "PayloadError",
    "RemedyPayload",
    "ResponsePayload",
    "SourcePayload",
    "parse",
]
