"""The read API's shapes: what each endpoint accepts and answers, as pydantic models.

The OpenAPI document is generated from these models, and every answer is built through them,
so the description and the behaviour cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from tracker import legal
from tracker.models import (
    ClaimChannel,
    ClaimStatus,
    ContradictionKind,
    ContradictionState,
    DatePrecision,
    FinderKind,
    OutcomeKind,
    ResponseVia,
    SourceKind,
    Stance,
    Topic,
)
from tracker.services.claim_flags import ANY_FLAG, is_flag_filter

PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
COUNTRY = r"^[A-Za-z]{2}$"
# Text a database can compare: no NUL or other control characters.
TEXT = r"^[^\x00-\x1f\x7f]+$"
MAX_LIMIT = 200
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


# --- Query parameters -----------------------------------------------------------------


class NoQuery(BaseModel):
    """A single record takes no parameters."""

    model_config = ConfigDict(extra="forbid")


class ListQuery(BaseModel):
    """Parameters every list accepts: the page and when records last changed."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Records per page (1 to 200).")
    after: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="Return records whose id is greater than this; taken from the `next` link.",
    )
    updated_since: dt.datetime | None = Field(
        None, description="Only records changed at or after this moment (ISO 8601, with zone)."
    )

    @field_validator("updated_since")
    @classmethod
    def _in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        """Read a moment without a zone as UTC; one at the edge of time stays at that edge."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            edge = dt.datetime.min if value.year < 2 else dt.datetime.max
            return edge.replace(tzinfo=dt.UTC)


class DatedQuery(ListQuery):
    date_from: dt.date | None = Field(None, description="Only records dated on or after this day.")
    date_to: dt.date | None = Field(None, description="Only records dated on or before this day.")


class BrandScoped(BaseModel):
    brand: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        pattern=TEXT,
        description="Only records of the brand with this slug.",
    )
    sector: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        pattern=TEXT,
        description="Only records of brands in this sector.",
    )
    country: str | None = Field(
        None,
        pattern=COUNTRY,
        description="Only records of brands from this country (ISO 3166-1 alpha-2).",
    )


def _flag_choices(schema: dict) -> None:
    """List the rule ids the running app knows, so clients (and schemathesis) see them."""
    schema["enum"] = [ANY_FLAG, *(rule.id for rule in legal.current_rules().rules)]


class FlagScoped(BaseModel):
    flag: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9-]+$",
        description=(
            "Only records with a legal flag of this rule (a rule id such as EU825-GENERIC), or "
            "with any flag (any). Dismissed flags do not count. Flags are indicative: the "
            "wording is of a kind the rule targets, not a finding that the law was broken."
        ),
        json_schema_extra=_flag_choices,
    )

    @field_validator("flag")
    @classmethod
    def _known_rule(cls, value: str | None) -> str | None:
        if value is not None and not is_flag_filter(value, legal.current_rules()):
            raise PydanticCustomError(
                "unknown_rule", "no such rule; give a rule id listed for this parameter, or any"
            )
        return value


class BrandQuery(ListQuery, FlagScoped):
    sector: str | None = Field(
        None, min_length=1, max_length=120, pattern=TEXT, description="Sector."
    )
    country: str | None = Field(None, pattern=COUNTRY, description="ISO 3166-1 alpha-2 code.")
    topic: Topic | None = Field(None, description="Brands with a published claim on this topic.")


class ClaimQuery(DatedQuery, BrandScoped, FlagScoped):
    topic: Topic | None = Field(None, description="Claims on this topic.")
    status: ClaimStatus | None = Field(None, description="Whether the claim still stands.")
    language: str | None = Field(
        None, min_length=2, max_length=12, pattern=TEXT, description="Language of the quote."
    )


class ContradictionQuery(DatedQuery, BrandScoped):
    topic: Topic | None = Field(None, description="Contradictions of claims on this topic.")
    state: ContradictionState | None = Field(None, description="Where the contradiction stands.")
    kind: ContradictionKind | None = Field(None, description="Kind of evidence.")
    claim: int | None = Field(None, ge=1, le=MAX_ID, description="Contradictions of this claim.")


class ResponseQuery(DatedQuery, BrandScoped):
    topic: Topic | None = Field(None, description="Responses about claims on this topic.")
    contradiction: int | None = Field(
        None, ge=1, le=MAX_ID, description="Responses to this contradiction."
    )


class OutcomeQuery(DatedQuery, BrandScoped):
    topic: Topic | None = Field(None, description="Outcomes about claims on this topic.")
    kind: OutcomeKind | None = Field(None, description="Kind of outcome.")
    contradiction: int | None = Field(
        None, ge=1, le=MAX_ID, description="Outcomes of this contradiction."
    )


class SourceQuery(DatedQuery):
    brand: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        pattern=TEXT,
        description="Sources cited about this brand (slug).",
    )
    kind: SourceKind | None = Field(None, description="Kind of publisher.")
    language: str | None = Field(
        None, min_length=2, max_length=12, pattern=TEXT, description="Language."
    )


# --- Answers --------------------------------------------------------------------------


class Links(BaseModel):
    self: str = Field(description="This page.")
    next: str | None = Field(description="The next page, or null on the last one.")


class RecordLinks(BaseModel):
    html: str = Field(description="The record's permanent page for readers.")
    api: str = Field(description="The record in this API.")


class Record(BaseModel):
    id: int
    version: int = Field(description="Revision number; every change adds one.")
    created_at: dt.datetime
    updated_at: dt.datetime
    caveats: list[str] = Field(description="Caveats shown to readers beside the record.")
    links: RecordLinks


class Dated(BaseModel):
    date: str | None = Field(
        pattern=PARTIAL_DATE, description="At its precision: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    date_precision: DatePrecision
    date_end: str | None = Field(pattern=PARTIAL_DATE, description="End of a range, if any.")
    date_end_precision: DatePrecision | None


class BrandRef(BaseModel):
    slug: str
    name: str
    links: RecordLinks


class Citation(BaseModel):
    source_id: int
    source: str = Field(description="The source in this API.")
    excerpt: str | None
    note: str | None
    stance: Stance


class BrandOut(Record):
    slug: str
    name: str
    legal_name: str | None
    aliases: list[str]
    parent_company: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    sector: str | None
    website: str | None
    description: str | None
    timeline: str = Field(description="The brand's timeline in this API.")


class Flag(BaseModel):
    """An indicative legal flag: the claim's wording is of a kind the rule targets.

    It is never a finding that the brand broke the law; only a regulator or a court can
    decide that.
    """

    rule: str = Field(description="The rule's id, as in the flag filter.")
    title: str = Field(description="The rule's title, in English.")
    instrument: str = Field(description="The legal instrument or code, in English.")
    article: str = Field(description="The article or point the rule rests on, in English.")
    jurisdiction: str = Field(description="EU, NL, GB, or NGO for an NGO's definition.")
    link: str = Field(description="The official text.")
    status: Literal["applies", "would_apply", "date_unclear", "not_a_law"] = Field(
        description=(
            "applies: the claim was made while the rule applied where it was made; "
            "would_apply: made before the rule applied, so it would fall under the rule from "
            "applies_from (not a breach); date_unclear: the claim's date is too imprecise to "
            "say; not_a_law: an NGO's definition, with no date."
        )
    )
    applies_from: str | None = Field(
        pattern=PARTIAL_DATE,
        description="When the rule applies from (for this kind of product), at its precision.",
    )
    matched: list[str] = Field(description="The claim's words or ingredients the rule matched.")
    ingredient_lists: list[str] = Field(
        description="For microplastic rules, which ingredient list matched: eu78 (REACH "
        "Annex XVII entry 78) or psf (the broader list of the Beat the Microbead campaign)."
    )
    dismissed: bool = Field(description="A moderator dismissed this flag on this claim.")
    dismissal_reason: str | None = Field(description="Why, when dismissed.")
    dismissed_at: dt.datetime | None = Field(description="When, when dismissed.")


class ClaimOut(Record, Dated):
    brand: BrandRef
    quote: str | None = Field(description="Verbatim, in its original language.")
    quote_is_exact: bool
    language: str | None
    translation: str | None
    summary: str | None
    speaker: str | None
    channel: ClaimChannel
    where: str | None
    status: ClaimStatus
    topics: list[Topic]
    citations: list[Citation]
    contradiction_ids: list[int]
    flags: list[Flag] = Field(
        description="Indicative legal flags, dismissed ones included and marked as such."
    )


class ContradictionOut(Record, Dated):
    brand: BrandRef
    title: str
    summary: str
    finder_name: str
    finder_kind: FinderKind
    kind: ContradictionKind
    state: ContradictionState
    quote: str | None
    quote_speaker: str | None
    quote_language: str | None
    published_at: dt.datetime = Field(description="When it was published here.")
    topics: list[Topic]
    claim_ids: list[int]
    citations: list[Citation]
    response_ids: list[int]
    outcome_ids: list[int]


class ResponseOut(Record, Dated):
    brand: BrandRef
    contradiction_id: int
    summary: str
    quote: str | None
    quote_language: str | None
    via: ResponseVia
    citations: list[Citation]


class OutcomeOut(Record, Dated):
    brand: BrandRef
    contradiction_id: int | None
    kind: OutcomeKind
    is_remedy: bool
    summary: str
    authority: str | None
    amount: str | None = Field(pattern=r"^-?\d+(\.\d+)?$", description="Decimal, as text.")
    currency: str | None = Field(description="ISO 4217.")
    citations: list[Citation]


class SourceOut(Record, Dated):
    url: str
    title: str | None
    description: str | None
    publisher: str | None
    kind: SourceKind
    language: str | None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    links: Links


class BrandList(Page[BrandOut]):
    """One page of brands."""


class ClaimList(Page[ClaimOut]):
    """One page of claims."""


class ContradictionList(Page[ContradictionOut]):
    """One page of contradictions."""


class ResponseList(Page[ResponseOut]):
    """One page of responses."""


class OutcomeList(Page[OutcomeOut]):
    """One page of outcomes."""


class SourceList(Page[SourceOut]):
    """One page of sources."""


class Counts(BaseModel):
    claims: int
    contradictions: int
    by_state: dict[ContradictionState, int]
    answered: int = Field(description="Contradictions the brand has responded to.")
    outcomes: int
    remedies: int
    response_rate: float | None = Field(ge=0, le=1)


class TimelineEvent(BaseModel):
    kind: Literal["claim", "contradiction", "response", "outcome", "remedy", "update"]
    record_type: Literal["claim", "contradiction", "response", "outcome"]
    record_id: int
    date: str | None = Field(pattern=PARTIAL_DATE)
    date_precision: DatePrecision
    date_end: str | None = Field(pattern=PARTIAL_DATE)
    date_end_precision: DatePrecision | None
    summary: str
    source_ids: list[int]
    links: RecordLinks
    flags: list[Flag] = Field(
        description="For a claim's event, the claim's indicative legal flags as on the claim "
        "itself (dismissed ones included and marked); empty for every other event."
    )


class TimelineOut(BaseModel):
    brand: BrandOut
    counts: Counts
    events: list[TimelineEvent] = Field(description="Newest first; undated events last.")


class Endpoint(BaseModel):
    name: str
    href: str


class ApiIndex(BaseModel):
    version: str
    documentation: str
    openapi: str
    licence: str
    endpoints: list[Endpoint]


class ParameterError(BaseModel):
    parameter: str
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="A URI naming the kind of problem; about:blank for plain HTTP.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = None
    errors: list[ParameterError] | None = Field(
        None, description="For a bad request: each parameter that was wrong, and why."
    )
