"""The public records: brands, claims, contradictions, responses, outcomes, sources.

They are only written through tracker.services.revisions, which appends a Revision for every
change. Nothing is hard-deleted: a record is withdrawn, or merged into another, by a new
revision.
"""

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Optional

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import (
    REMEDY_KINDS,
    ClaimChannel,
    ClaimStatus,
    ContradictionKind,
    ContradictionState,
    DatedRecord,
    EntityType,
    FinderKind,
    JSONType,
    OutcomeKind,
    PublicRecord,
    ResponseVia,
    SourceKind,
    Stance,
    Timestamped,
    Topic,
    enum_type,
)
from tracker.models.flags import ClaimFacts, ClaimFlag

# --- Public records -------------------------------------------------------------------


def _brand_records_index(table: str) -> sa.Index:
    """Index a brand's published records: the timeline and the brand index's counts."""
    return sa.Index(f"ix_{table}_brand_visibility", "brand_id", "visibility")


class Brand(PublicRecord, table=True):
    entity_type: ClassVar[EntityType] = EntityType.brand
    # Each index leads with visibility, which every public query filters on, so SQLite picks
    # it even in a database that never ran ANALYZE (it then prefers any equality index).
    __table_args__ = (
        # The brand index's order (A to Z, case-insensitive), without sorting every brand.
        sa.Index("ix_brand_visibility_name_order", "visibility", sa.text("lower(name)"), "id"),
        # The sector and country filters' choices, read from the index alone.
        sa.Index("ix_brand_visibility_sector", "visibility", "sector"),
        sa.Index("ix_brand_visibility_country", "visibility", "country"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    name: str = Field(max_length=200, index=True)
    legal_name: str | None = Field(default=None, max_length=300)
    aliases: list[str] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    parent_company: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=2, index=True)
    sector: str | None = Field(default=None, max_length=120, index=True)
    website: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    merged_into_id: int | None = Field(default=None, foreign_key="brand.id")

    claims: list["Claim"] = Relationship(back_populates="brand")


class ContradictionClaimLink(SQLModel, table=True):
    __tablename__ = "contradiction_claim"

    contradiction_id: int = Field(foreign_key="contradiction.id", primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", primary_key=True, index=True)


class ClaimTopic(SQLModel, table=True):
    __tablename__ = "claim_topic"

    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    topic: Topic = Field(sa_type=enum_type(Topic), primary_key=True, index=True)

    claim: "Claim" = Relationship(back_populates="topic_links")


class Claim(DatedRecord, ClaimFacts, table=True):
    entity_type: ClassVar[EntityType] = EntityType.claim
    __table_args__ = (_brand_records_index("claim"),)

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", index=True)
    quote: str | None = Field(default=None, max_length=5000)
    quote_is_exact: bool = Field(default=True, nullable=False)
    language: str | None = Field(default=None, max_length=12)
    translation: str | None = Field(default=None, max_length=5000)
    summary: str | None = Field(default=None, max_length=5000)
    speaker: str | None = Field(default=None, max_length=300)
    channel: ClaimChannel = Field(
        default=ClaimChannel.other, sa_type=enum_type(ClaimChannel), nullable=False
    )
    where: str | None = Field(default=None, max_length=1000)
    status: ClaimStatus = Field(
        default=ClaimStatus.active, sa_type=enum_type(ClaimStatus), nullable=False
    )
    merged_into_id: int | None = Field(default=None, foreign_key="claim.id")

    brand: "Brand" = Relationship(back_populates="claims")
    topic_links: list["ClaimTopic"] = Relationship(
        back_populates="claim", sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )
    contradictions: list["Contradiction"] = Relationship(
        back_populates="claims", link_model=ContradictionClaimLink
    )
    citations: list["Citation"] = Relationship(
        back_populates="claim", sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )
    # Read-only: flags are written by tracker.services.claim_flags, never through the claim.
    flags: list["ClaimFlag"] = Relationship(
        sa_relationship_kwargs={"viewonly": True, "order_by": "ClaimFlag.id"}
    )

    @property
    def topics(self) -> list[Topic]:
        return sorted(link.topic for link in self.topic_links)

    @property
    def headline(self) -> str:
        """Return the claim as one line: its quote, else its summary."""
        return self.quote or self.summary or ""


class Contradiction(DatedRecord, table=True):
    entity_type: ClassVar[EntityType] = EntityType.contradiction
    __table_args__ = (
        # Counting published contradictions by state (home page) from the index alone.
        sa.Index("ix_contradiction_visibility_state", "visibility", "state"),
        # The latest contradictions (home page), newest first, without a sort.
        sa.Index("ix_contradiction_visibility_date_id", "visibility", "date", "id"),
        _brand_records_index("contradiction"),
    )

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", index=True)
    title: str = Field(max_length=300)
    summary: str = Field(max_length=10000)
    finder_name: str = Field(max_length=300)
    finder_kind: FinderKind = Field(sa_type=enum_type(FinderKind), nullable=False)
    kind: ContradictionKind = Field(sa_type=enum_type(ContradictionKind), nullable=False)
    state: ContradictionState = Field(
        default=ContradictionState.open,
        sa_type=enum_type(ContradictionState),
        nullable=False,
        index=True,
    )
    quote: str | None = Field(default=None, max_length=5000)
    quote_speaker: str | None = Field(default=None, max_length=300)
    quote_language: str | None = Field(default=None, max_length=12)
    # The day the brand counts as invited to reply: the day the contradiction went public here.
    published_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    merged_into_id: int | None = Field(default=None, foreign_key="contradiction.id")

    brand: "Brand" = Relationship()
    claims: list["Claim"] = Relationship(
        back_populates="contradictions", link_model=ContradictionClaimLink
    )
    citations: list["Citation"] = Relationship(
        back_populates="contradiction", sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )
    responses: list["Response"] = Relationship(back_populates="contradiction")
    outcomes: list["Outcome"] = Relationship(back_populates="contradiction")

    @property
    def headline(self) -> str:
        return self.title


class Response(DatedRecord, table=True):
    entity_type: ClassVar[EntityType] = EntityType.response
    __table_args__ = (_brand_records_index("response"),)

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", index=True)
    contradiction_id: int = Field(foreign_key="contradiction.id", index=True)
    summary: str = Field(max_length=10000)
    quote: str | None = Field(default=None, max_length=5000)
    quote_language: str | None = Field(default=None, max_length=12)
    via: ResponseVia = Field(
        default=ResponseVia.public_statement, sa_type=enum_type(ResponseVia), nullable=False
    )
    author_id: int | None = Field(default=None, foreign_key="user.id")
    merged_into_id: int | None = Field(default=None, foreign_key="response.id")

    brand: "Brand" = Relationship()
    contradiction: "Contradiction" = Relationship(back_populates="responses")
    citations: list["Citation"] = Relationship(
        back_populates="response", sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )

    @property
    def headline(self) -> str:
        return self.summary


class Outcome(DatedRecord, table=True):
    entity_type: ClassVar[EntityType] = EntityType.outcome
    __table_args__ = (_brand_records_index("outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", index=True)
    contradiction_id: int | None = Field(default=None, foreign_key="contradiction.id", index=True)
    kind: OutcomeKind = Field(sa_type=enum_type(OutcomeKind), nullable=False)
    summary: str = Field(max_length=10000)
    authority: str | None = Field(default=None, max_length=300)
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: str | None = Field(default=None, max_length=3)
    merged_into_id: int | None = Field(default=None, foreign_key="outcome.id")

    brand: "Brand" = Relationship()
    contradiction: Optional["Contradiction"] = Relationship(back_populates="outcomes")
    citations: list["Citation"] = Relationship(
        back_populates="outcome", sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )

    @property
    def is_remedy(self) -> bool:
        return self.kind in REMEDY_KINDS

    @property
    def headline(self) -> str:
        return self.summary


class Source(DatedRecord, table=True):
    entity_type: ClassVar[EntityType] = EntityType.source

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    url_key: str = Field(max_length=2000, index=True)  # normalised URL, for duplicates
    title: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=300)
    kind: SourceKind = Field(
        default=SourceKind.other, sa_type=enum_type(SourceKind), nullable=False
    )
    language: str | None = Field(default=None, max_length=12)
    merged_into_id: int | None = Field(default=None, foreign_key="source.id")

    citations: list["Citation"] = Relationship(back_populates="source")

    @property
    def headline(self) -> str:
        return self.title or self.description or self.url


class Citation(Timestamped, table=True):
    """A source cited by exactly one claim, contradiction, response or outcome."""

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN claim_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN contradiction_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN response_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN outcome_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="citation_one_subject",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    contradiction_id: int | None = Field(default=None, foreign_key="contradiction.id", index=True)
    response_id: int | None = Field(default=None, foreign_key="response.id", index=True)
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id", index=True)
    excerpt: str | None = Field(default=None, max_length=5000)
    note: str | None = Field(default=None, max_length=2000)
    stance: Stance = Field(default=Stance.supports, sa_type=enum_type(Stance), nullable=False)
    position: int = Field(default=0, nullable=False)

    source: "Source" = Relationship(back_populates="citations")
    claim: Optional["Claim"] = Relationship(back_populates="citations")
    contradiction: Optional["Contradiction"] = Relationship(back_populates="citations")
    response: Optional["Response"] = Relationship(back_populates="citations")
    outcome: Optional["Outcome"] = Relationship(back_populates="citations")

    @property
    def subject(self) -> Claim | Contradiction | Response | Outcome:
        return self.claim or self.contradiction or self.response or self.outcome


PUBLIC_MODELS: dict[EntityType, type[PublicRecord]] = {
    EntityType.brand: Brand,
    EntityType.claim: Claim,
    EntityType.contradiction: Contradiction,
    EntityType.source: Source,
    EntityType.response: Response,
    EntityType.outcome: Outcome,
}
