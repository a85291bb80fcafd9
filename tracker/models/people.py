"""People and what they propose: user accounts and submissions."""

import datetime as dt
import hashlib
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
    # What a would-be representative told the admins to let them check who they are.
    representative_note: str | None = Field(default=None, max_length=2000)
    is_active: bool = Field(default=True, nullable=False)
    last_login_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

    # --- What Flask-Login asks of a user (is_active is the column above) ---

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def login_fingerprint(self) -> str:
        """Return a digest of the password hash: a new password ends every other session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.login_fingerprint}"

    # --- Roles ---

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_moderator(self) -> bool:
        """Say whether the user may work the moderation queue (admins may too)."""
        return self.role in (Role.moderator, Role.admin)

    @property
    def is_verified_representative(self) -> bool:
        return (
            self.role == Role.representative
            and self.representative_verified
            and self.brand_id is not None
        )

    def speaks_for(self, brand_id: int | None) -> bool:
        """Say whether the user is a verified representative of that brand."""
        return (
            brand_id is not None and self.is_verified_representative and (self.brand_id == brand_id)
        )


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
    # Possible duplicates found when it was stored: flagged for moderators, never dropped.
    duplicate_flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSONType, nullable=False
    )
    # The language the contributor used, for the mail that tells them the decision.
    contact_language: str | None = Field(default=None, max_length=12)
    # The public record it became, or the one it changed, once approved.
    record_type: EntityType | None = Field(default=None, sa_type=enum_type(EntityType))
    record_id: int | None = None

    @property
    def is_open(self) -> bool:
        """Say whether the submission still awaits a decision or its contributor."""
        return self.state in OPEN_STATES


OPEN_STATES = frozenset(
    {
        SubmissionState.pending,
        SubmissionState.awaiting_confirmation,
        SubmissionState.changes_requested,
    }
)
