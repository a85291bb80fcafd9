"""Decisions as rows: every version of a submission, what moderators decided about it, and
what admins did to accounts."""

import datetime as dt
from enum import StrEnum, auto
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import EntityType, JSONType, SubmissionKind, enum_type


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


class DecisionAction(StrEnum):
    approve = auto()  # published as sent
    approve_edited = auto()  # edited by the moderator, then published
    first_approval = auto()  # four eyes: approved once, waits for a second moderator
    confirm = auto()  # four eyes: the second moderator confirmed; published
    reject = auto()
    request_changes = auto()
    merge = auto()  # folded into an existing record instead of publishing a new one


class ModerationDecision(SQLModel, table=True):
    """One moderator's decision on one submission: a row of the public moderation log.

    Who decided is kept twice: the account (for the admins) and the public handle as it was
    then (for the log, which never shows anything about the contributor).
    """

    __tablename__ = "moderation_decision"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    submission_kind: SubmissionKind = Field(sa_type=enum_type(SubmissionKind), nullable=False)
    action: DecisionAction = Field(sa_type=enum_type(DecisionAction), nullable=False, index=True)
    moderator_id: int = Field(foreign_key="user.id", index=True)
    moderator_handle: str = Field(max_length=60)
    reason_code: ReasonCode | None = Field(default=None, sa_type=enum_type(ReasonCode))
    # To the contributor, shown on their private page; not in the public log.
    message: str | None = Field(default=None, max_length=5000)
    # The record it published, changed or was merged into, and the revision that did it.
    record_type: EntityType | None = Field(default=None, sa_type=enum_type(EntityType))
    record_id: int | None = None
    revision_id: int | None = Field(default=None, foreign_key="revision.id")
    # A moderator's edit: the payload as approved, and why it was changed.
    edited_payload: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    edit_note: str | None = Field(default=None, max_length=2000)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
