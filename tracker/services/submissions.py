"""Contributions: store a submission whole, flag its possible duplicates, follow it privately.

A submission is committed as it was sent before anything else looks at it; duplicate
detection (and, through `submission_stored`, anything else such as fetching its sources)
runs afterwards and can fail without losing it. The contributor follows it through a
private link whose token is only ever stored as a hash.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from sqlmodel import Session, col, select

from tracker.db import utcnow
from tracker.models import (
    OPEN_STATES,
    EntityType,
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
    User,
)
from tracker.services import duplicates, payloads

signals = Namespace()
# Sent after a submission (or a new version of it) was committed: sender is the
# submission; keyword argument session. Evidence fetching subscribes to archive its sources.
submission_stored = signals.signal("submission-stored")

TOKEN_BYTES = 32  # 256 bits: unguessable, and only its SHA-256 is stored


class SubmissionError(Exception):
    """The submission cannot change that way now."""


class StateConflict(SubmissionError):
    """Someone (a moderator, or another tab) changed the submission first."""


def token_hash(token: str) -> str:
    """Return the stored form of a private token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def submit(
    *,
    session: Session,
    kind: SubmissionKind,
    payload: dict[str, Any],
    submitter: User | None = None,
    contact_email: str | None = None,
    language: str | None = None,
    target_type: EntityType | None = None,
    target_id: int | None = None,
    brand_id: int | None = None,
) -> tuple[Submission, str]:
    """Add a submission exactly as sent, with its first version; return it and its token.

    The caller commits, then calls flag_duplicates: the submission is stored first.
    """
    token = new_token()
    submission = Submission(
        kind=kind,
        payload=payload,
        target_type=target_type,
        target_id=target_id,
        brand_id=brand_id if brand_id is not None else payloads.brand_id_of(kind, payload),
        submitter_id=submitter.id if submitter else None,
        contact_email=(contact_email or None) if submitter is None else None,
        contact_language=language,
        token_hash=token_hash(token),
    )
    session.add(submission)
    session.flush()
    session.add(SubmissionVersion(submission_id=submission.id, number=1, payload=payload))
    session.flush()
    return submission, token


def flag_duplicates(*, session: Session, submission: Submission) -> list[dict[str, Any]]:
    """Find and record the submission's possible duplicates; the caller commits."""
    submission.duplicate_flags = duplicates.find(session, submission)
    session.add(submission)
    return submission.duplicate_flags


def by_token(session: Session, token: str) -> Submission | None:
    """Return the submission a private token opens, if any."""
    if not token or len(token) > 200:
        return None
    return session.exec(
        select(Submission).where(Submission.token_hash == token_hash(token))
    ).first()


def versions(session: Session, submission: Submission) -> list[SubmissionVersion]:
    """Return every version the contributor sent, oldest first."""
    return list(
        session.exec(
            select(SubmissionVersion)
            .where(SubmissionVersion.submission_id == submission.id)
            .order_by(SubmissionVersion.number)
        )
    )


def for_user(session: Session, user: User, limit: int = 200) -> list[Submission]:
    """Return an account's submissions, newest first."""
    return list(
        session.exec(
            select(Submission)
            .where(Submission.submitter_id == user.id)
            .order_by(col(Submission.created_at).desc(), col(Submission.id).desc())
            .limit(limit)
        )
    )


def transition(
    session: Session,
    submission: Submission,
    *,
    expected_lock: int,
    allowed: frozenset[SubmissionState] | set[SubmissionState],
    values: dict[str, Any],
) -> None:
    """Change a submission only if nobody else did since it was read (lock_version and
    state unchanged): one conditional UPDATE, so of two simultaneous changes exactly one
    succeeds and the other raises StateConflict. On SQLite the write session already holds
    the write lock; on PostgreSQL the row lock makes the second UPDATE wait for the first,
    then find nothing to update."""
    table = Submission.__table__
    result = session.execute(
        sa.update(table)
        .where(
            table.c.id == submission.id,
            table.c.lock_version == expected_lock,
            table.c.state.in_([state.value for state in allowed]),
        )
        .values(lock_version=table.c.lock_version + 1, updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:
        session.expire(submission)
        raise StateConflict(f"submission {submission.id} changed since it was read")
    session.expire(submission)


def resubmit(
    *, session: Session, submission: Submission, payload: dict[str, Any], expected_lock: int
) -> SubmissionVersion:
    """Send an edited version after a moderator asked for changes; it returns to the queue."""
    transition(
        session,
        submission,
        expected_lock=expected_lock,
        allowed={SubmissionState.changes_requested},
        values={"state": SubmissionState.pending.value, "payload": payload},
    )
    number = len(versions(session, submission)) + 1
    version = SubmissionVersion(submission_id=submission.id, number=number, payload=payload)
    session.add(version)
    session.flush()
    return version


def withdraw(*, session: Session, submission: Submission, expected_lock: int) -> None:
    """Let the contributor take back a submission that is still open."""
    transition(
        session,
        submission,
        expected_lock=expected_lock,
        allowed=OPEN_STATES,
        values={"state": SubmissionState.withdrawn.value},
    )
