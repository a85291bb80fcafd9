"""Decisions as rows: what admins did to accounts, and (later) what moderators decided."""

import datetime as dt
from enum import StrEnum, auto
from typing import Any

from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow
from tracker.models.base import JSONType, enum_type


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
