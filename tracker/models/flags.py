"""Indicative legal flags: the claim facts the rules read, computed flags and their dismissals.

A flag says that a claim's wording is of the kind a rule targets; it is never a finding that
a brand broke the law. Flags are derived data, recomputed from the rules file on every write
of a claim; a dismissal is a moderator's decision and is kept, with its reason, for good.
"""

import datetime as dt
from enum import StrEnum, auto
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import DatePrecision, JSONType, enum_type


class ClaimScope(StrEnum):
    """What a claim presents itself as covering."""

    aspect = auto()
    whole_product = auto()
    whole_business = auto()


class CosmeticKind(StrEnum):
    """The kinds of cosmetic product that REACH entry 78 dates differently."""

    exfoliating = auto()  # microbeads used for exfoliating or cleansing
    rinse_off = auto()
    leave_on = auto()
    lip_nail_makeup = auto()


class FlagTiming(StrEnum):
    """How the claim's date stands to the date the rule applies from."""

    in_force = auto()  # made while the rule applied
    before = auto()  # made before: "would fall under the rule from ..."
    date_unknown = auto()  # the claim's date is unknown or too imprecise to say
    not_a_law = auto()  # the rule is an NGO's definition, with no date


class ClaimFacts(SQLModel):
    """Facts about a claim that a moderator records so the rules can be checked."""

    # Countries (ISO 3166-1) whose consumers the claim addressed; empty: the brand's country.
    markets: list[str] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    scope: ClaimScope | None = Field(default=None, sa_type=enum_type(ClaimScope))
    # The benefit behind the claim concerns only one aspect or part of the product or business.
    evidence_one_aspect: bool | None = None
    relies_on_offsets: bool | None = None
    # A label based on a certification scheme or set up by a public authority.
    certification_present: bool | None = None
    future_target_year: int | None = None
    cosmetic_kind: CosmeticKind | None = Field(default=None, sa_type=enum_type(CosmeticKind))
    ingredients: str | None = Field(default=None, max_length=5000)  # INCI list as printed


class FlagDismissal(SQLModel, table=True):
    """A moderator's decision that one flag does not fit one claim, with the reason."""

    __tablename__ = "flag_dismissal"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    rule_id: str = Field(max_length=40)
    # What the flag matched when it was dismissed: a flag that later matches other words
    # comes back.
    fingerprint: str = Field(max_length=64)
    reason: str = Field(max_length=2000)
    dismissed_by_id: int | None = Field(default=None, foreign_key="user.id")
    dismissed_by_label: str = Field(max_length=120)
    dismissed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    restored_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    restored_by_id: int | None = Field(default=None, foreign_key="user.id")
    restored_by_label: str | None = Field(default=None, max_length=120)
    restore_reason: str | None = Field(default=None, max_length=2000)

    @property
    def active(self) -> bool:
        return self.restored_at is None


class ClaimFlag(SQLModel, table=True):
    """One rule's flag on one claim, as last computed, with the words it matched."""

    __tablename__ = "claim_flag"
    __table_args__ = (sa.UniqueConstraint("claim_id", "rule_id", name="claim_flag_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    rule_id: str = Field(max_length=40, index=True)
    timing: FlagTiming = Field(sa_type=enum_type(FlagTiming), nullable=False)
    applies_from: dt.date | None = None
    applies_from_precision: DatePrecision = Field(
        default=DatePrecision.unknown, sa_type=enum_type(DatePrecision), nullable=False
    )
    jurisdiction: str = Field(max_length=20)
    # [{field, start, end, text, term, role}]: offsets into the claim's field, for highlighting.
    matches: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    # [{code, ...params}]: why the flag was raised, what is not recorded, where the claim counts.
    notes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    fingerprint: str = Field(max_length=64)
    rules_digest: str = Field(max_length=64)
    dismissal_id: int | None = Field(default=None, foreign_key="flag_dismissal.id")
    computed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    dismissal: FlagDismissal | None = Relationship(sa_relationship_kwargs={"viewonly": True})

    @property
    def dismissed(self) -> bool:
        return self.dismissal_id is not None


class FlagRulesState(SQLModel, table=True):
    """The digest of the rules the stored flags were computed with."""

    __tablename__ = "flag_rules_state"

    name: str = Field(primary_key=True, max_length=40)
    digest: str = Field(max_length=64)
    recomputed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
