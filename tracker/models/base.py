"""Enums and the columns that records share."""

import datetime as dt
from enum import StrEnum, auto
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    """Store an enum as a plain string, so adding a value needs no migration."""
    return sa.Enum(enum_cls, native_enum=False, length=40, create_constraint=False)


# --- Enums ----------------------------------------------------------------------------


class DatePrecision(StrEnum):
    day = auto()
    month = auto()
    year = auto()
    unknown = auto()


class Topic(StrEnum):
    microplastics = auto()
    climate = auto()
    packaging = auto()
    ingredients = auto()
    labour = auto()
    animal_welfare = auto()
    deforestation = auto()
    water = auto()
    other = auto()


class ClaimChannel(StrEnum):
    packaging = auto()
    label = auto()
    advert = auto()
    website = auto()
    report = auto()
    social_media = auto()
    press = auto()
    statement = auto()
    other = auto()


class ClaimStatus(StrEnum):
    active = auto()
    withdrawn = auto()
    changed = auto()


class FinderKind(StrEnum):
    ngo = auto()
    journalist = auto()
    regulator = auto()
    self_regulator = auto()
    court = auto()
    lab = auto()
    company = auto()
    other = auto()


class ContradictionKind(StrEnum):
    lab_test = auto()
    investigation = auto()
    regulator_decision = auto()
    advertising_ruling = auto()
    court_ruling = auto()
    ngo_report = auto()
    company_disclosure = auto()


class ContradictionState(StrEnum):
    open = auto()
    disputed = auto()
    upheld = auto()
    remedied = auto()
    overturned = auto()


class ResponseVia(StrEnum):
    representative = auto()
    public_statement = auto()


class OutcomeKind(StrEnum):
    fine = auto()
    ruling = auto()
    settlement = auto()
    order = auto()
    commitment = auto()
    withdrawn_claim = auto()
    reformulation = auto()
    remedy = auto()
    annulment = auto()
    proceedings = auto()
    investigation = auto()
    allegation = auto()
    other = auto()


REMEDY_KINDS = frozenset(
    {OutcomeKind.withdrawn_claim, OutcomeKind.reformulation, OutcomeKind.remedy}
)


class SourceKind(StrEnum):
    court = auto()
    regulator = auto()
    self_regulator = auto()
    news = auto()
    ngo = auto()
    company = auto()
    law_firm = auto()
    academic = auto()
    blog = auto()
    document = auto()
    other = auto()


class Stance(StrEnum):
    supports = auto()
    refutes = auto()


class Visibility(StrEnum):
    published = auto()
    withdrawn = auto()
    merged = auto()


class EntityType(StrEnum):
    brand = auto()
    claim = auto()
    contradiction = auto()
    source = auto()
    response = auto()
    outcome = auto()


class SubmissionKind(StrEnum):
    brand = auto()
    claim = auto()
    contradiction = auto()
    evidence = auto()
    correction = auto()
    response = auto()
    remedy = auto()


class SubmissionState(StrEnum):
    pending = auto()
    changes_requested = auto()
    awaiting_confirmation = auto()
    approved = auto()
    rejected = auto()
    withdrawn = auto()


class Role(StrEnum):
    contributor = auto()
    moderator = auto()
    admin = auto()
    representative = auto()


# --- Shared columns -------------------------------------------------------------------


class Timestamped(SQLModel):
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PublicRecord(Timestamped):
    """Columns every public record has: a version, a visibility and reader-facing caveats."""

    entity_type: ClassVar[EntityType]

    version: int = Field(default=0, nullable=False)
    visibility: Visibility = Field(
        default=Visibility.published, sa_type=enum_type(Visibility), nullable=False, index=True
    )
    caveats: list[str] = Field(default_factory=list, sa_type=JSONType, nullable=False)


class DatedRecord(PublicRecord):
    """A record with a date known to a precision, optionally the start of a range."""

    date: dt.date | None = Field(default=None, index=True)
    date_precision: DatePrecision = Field(
        default=DatePrecision.unknown, sa_type=enum_type(DatePrecision), nullable=False
    )
    date_end: dt.date | None = None
    date_end_precision: DatePrecision | None = Field(default=None, sa_type=enum_type(DatePrecision))
