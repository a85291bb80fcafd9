"""People and what they propose: user accounts and submissions."""

import datetime as dt
from typing import Any

from sqlmodel import Field

from tracker.db import UTCDateTime
from tracker.models.base import (
    EntityType,
    JSONType,
    Role,
    SubmissionKind,
    SubmissionState,
    Timestamped,
    enum_type,
)


class User(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    display_name: str = Field(max_length=120)
    public_handle: str = Field(max_length=60, unique=True)
    password_hash: str = Field(max_length=300)
    role: Role = Field(default=Role.contributor, sa_type=enum_type(Role), nullable=False)
    brand_id: int | None = Field(default=None, foreign_key="brand.id")
    representative_verified: bool = Field(default=False, nullable=False)
    is_active: bool = Field(default=True, nullable=False)
    last_login_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Submission(Timestamped, table=True):
    """A proposed record or change, kept whole as submitted."""

    id: int | None = Field(default=None, primary_key=True)
    kind: SubmissionKind = Field(sa_type=enum_type(SubmissionKind), nullable=False, index=True)
    state: SubmissionState = Field(
        default=SubmissionState.pending,
        sa_type=enum_type(SubmissionState),
        nullable=False,
        index=True,
    )
    payload: dict[str, Any] = Field(sa_type=JSONType, nullable=False)
    target_type: EntityType | None = Field(default=None, sa_type=enum_type(EntityType))
    target_id: int | None = None
    brand_id: int | None = Field(default=None, foreign_key="brand.id", index=True)
    submitter_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    contact_email: str | None = Field(default=None, max_length=320)
    token_hash: str = Field(max_length=128, unique=True)
    decision_reason_code: str | None = Field(default=None, max_length=40)
    decision_message: str | None = Field(default=None, max_length=5000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    lock_version: int = Field(default=0, nullable=False)
