"""What the record remembers: revisions of public records, and where seed data went."""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import EntityType, JSONType, enum_type


class Revision(SQLModel, table=True):
    """One version of a public record, as it then stood. Append-only."""

    __table_args__ = (
        sa.UniqueConstraint("entity_type", "entity_id", "version", name="revision_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_type: EntityType = Field(sa_type=enum_type(EntityType), nullable=False)
    entity_id: int = Field(nullable=False)
    version: int = Field(nullable=False)
    snapshot: dict[str, Any] = Field(sa_type=JSONType, nullable=False)
    reason: str = Field(max_length=2000)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    author_label: str = Field(max_length=120)  # a public handle, "seed", "system"
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SeedRecord(SQLModel, table=True):
    """Which seed entry produced which record, and the digest it was last loaded with."""

    __tablename__ = "seed_record"

    seed_key: str = Field(primary_key=True, max_length=200)
    table: str = Field(max_length=40)
    entity_id: int = Field(nullable=False)
    digest: str = Field(max_length=64)
