"""Decisions as rows: every version of a submission, what moderators decided about it, and
what admins did to accounts."""

import datetime as dt
from enum import StrEnum, auto
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import JSONType, enum_type


class ReasonCode(StrEnum):
    """Why a submission was turned down, as the public moderation log shows it."""

    duplicate = auto()
    no_evidence = auto()
    not_sustainability = auto()
    unreliable_source = auto()
    off_topic = auto()
    spam = auto()
    other = auto()


class AccountAction(StrEnum):
    registered = auto()
    role_changed = auto()
    representative_requested = auto()
    representative_verified = auto()
    representative_unverified = auto()
    deactivated = auto()
    reactivated = auto()
    password_reset = auto()


class AccountEvent(SQLModel, table=True):
    """Something that happened to an account, and who did it. Kept for the admins, not public."""

    __tablename__ = "account_event"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    action: AccountAction = Field(sa_type=enum_type(AccountAction), nullable=False)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SubmissionVersion(SQLModel, table=True):
    """A submission's content as the contributor sent it: the first time and at every resubmit."""

    __tablename__ = "submission_version"
    __table_args__ = (
        sa.UniqueConstraint("submission_id", "number", name="submission_version_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    number: int = Field(nullable=False)
    payload: dict[str, Any] = Field(sa_type=JSONType, nullable=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
