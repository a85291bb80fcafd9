"""Moderators' decisions: approve (as sent or edited), reject, ask for changes, merge.

Every decision is a ModerationDecision row (the public log) written in the same unit of
work as the state change and the publication, so a decision is never half made. Two
moderators deciding one submission at once cannot both win: each decision starts with one
conditional UPDATE on the submission's lock_version and state, and the loser gets
DecisionConflict before anything is published. New contradictions need a second moderator
(four eyes) when the setting is on; nobody decides their own submission.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.db import utcnow
from tracker.models import (
    PUBLIC_MODELS,
    DecisionAction,
    EntityType,
    ModerationDecision,
    PublicRecord,
    ReasonCode,
    Submission,
    SubmissionKind,
    SubmissionState,
    User,
)
from tracker.services import publishing
from tracker.services.publishing import CannotPublish
from tracker.services.revisions import Author
from tracker.services.submissions import StateConflict, transition

FOUR_EYES_KINDS = frozenset({SubmissionKind.contradiction})
DECIDABLE = frozenset({SubmissionState.pending, SubmissionState.awaiting_confirmation})
REASON_MAX = 2000


class ModerationError(Exception):
    """A decision that cannot be taken; the message says why, for the moderator."""


class NotAllowed(ModerationError):
    """This moderator may not take this decision."""


class DecisionConflict(ModerationError):
    """Someone decided (or the contributor changed) the submission first."""

    def __init__(self, message: str, latest: ModerationDecision | None = None):
        super().__init__(message)
        self.latest = latest


__all__ = ["CannotPublish", "DecisionConflict", "ModerationError", "NotAllowed"]


@dataclass
class Outcome:
    decision: ModerationDecision
    published: PublicRecord | None = None


def _check_moderator(submission: Submission, moderator: User) -> None:
    if not moderator.is_moderator or not moderator.is_active:
        raise NotAllowed("only moderators decide submissions")
    if submission.submitter_id is not None and submission.submitter_id == moderator.id:
        raise NotAllowed("nobody decides their own submission")


def latest_decision(session: Session, submission: Submission) -> ModerationDecision | None:
    return session.exec(
        select(ModerationDecision)
        .where(ModerationDecision.submission_id == submission.id)
        .order_by(col(ModerationDecision.id).desc())
        .limit(1)
    ).first()


def decisions(session: Session, submission: Submission) -> list[ModerationDecision]:
    """Return every decision on a submission, oldest first."""
    return list(
        session.exec(
            select(ModerationDecision)
            .where(ModerationDecision.submission_id == submission.id)
            .order_by(col(ModerationDecision.id))
        )
    )


def _first_approval(session: Session, submission: Submission) -> ModerationDecision | None:
    latest = latest_decision(session, submission)
    if latest is not None and latest.action == DecisionAction.first_approval:
        return latest
    return None


def _claim(
    session: Session,
    submission: Submission,
    expected_lock: int,
    allowed: frozenset[SubmissionState],
    values: dict[str, Any],
) -> None:
    """Take the submission with one conditional UPDATE, or raise DecisionConflict."""
    try:
        transition(session, submission, expected_lock=expected_lock, allowed=allowed, values=values)
    except StateConflict:
        session.refresh(submission)
        latest = latest_decision(session, submission)
        raise DecisionConflict(
            "someone else decided this submission (or its contributor changed it) a moment ago",
            latest,
        ) from None


def _record_decision(
    session: Session,
    submission: Submission,
    moderator: User,
    action: DecisionAction,
    **values: Any,
) -> ModerationDecision:
    decision = ModerationDecision(
        submission_id=submission.id,
        submission_kind=submission.kind,
        action=action,
        moderator_id=moderator.id,
        moderator_handle=moderator.public_handle,
        **values,
    )
    session.add(decision)
    session.flush()
    return decision


def _reason(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def approve(
    *,
    session: Session,
    submission: Submission,
    moderator: User,
    expected_lock: int,
    four_eyes: bool = True,
    edited_payload: dict[str, Any] | None = None,
    edit_note: str | None = None,
) -> Outcome:
    """Approve a submission: publish it, or, for a new contradiction under four eyes, record
    the first approval and wait for a second moderator. A second moderator's approval of a
    submission awaiting confirmation publishes it (as the first moderator approved it,
    unless edited again: then the edit needs confirming in turn)."""
    _check_moderator(submission, moderator)
    first = _first_approval(session, submission)
    confirming = (
        submission.state == SubmissionState.awaiting_confirmation
        and first is not None
        and edited_payload is None
    )
    if confirming and first.moderator_id == moderator.id:
        raise NotAllowed("a second moderator must confirm what you approved")
    if confirming:
        payload = first.edited_payload or submission.payload
    else:
        payload = edited_payload if edited_payload is not None else submission.payload
    publishing.check(submission.kind, payload)  # a clean message before anything is locked

    needs_second = four_eyes and submission.kind in FOUR_EYES_KINDS and not confirming
    if needs_second:
        _claim(
            session,
            submission,
            expected_lock,
            DECIDABLE,
            {"state": SubmissionState.awaiting_confirmation.value},
        )
        decision = _record_decision(
            session,
            submission,
            moderator,
            DecisionAction.first_approval,
            edited_payload=edited_payload,
            edit_note=edit_note,
        )
        return Outcome(decision)

    _claim(session, submission, expected_lock, DECIDABLE, {"state": SubmissionState.approved.value})
    if confirming:
        action = DecisionAction.confirm
        reason = (
            f"Published from submission #{submission.id}: approved by "
            f"{first.moderator_handle}, confirmed by {moderator.public_handle}"
        )
    elif edited_payload is not None:
        action = DecisionAction.approve_edited
        reason = f"Published from submission #{submission.id}, edited by the moderator"
        if edit_note:
            reason += f": {edit_note}"
    else:
        action = DecisionAction.approve
        reason = f"Published from submission #{submission.id}"
    if submission.kind == SubmissionKind.evidence:
        reason = reason.replace("Published from", "Evidence added from", 1)
    elif submission.kind == SubmissionKind.correction:
        reason = reason.replace("Published from", "Corrected from", 1)
    submitter = session.get(User, submission.submitter_id) if submission.submitter_id else None
    published = publishing.publish(
        session,
        submission.kind,
        payload,
        author=Author.of(moderator),
        reason=_reason(reason),
        submission_id=submission.id,
        submitter=submitter,
    )
    decision = _finish(
        session,
        submission,
        moderator,
        action,
        published,
        edited_payload=edited_payload if action != DecisionAction.confirm else None,
        edit_note=edit_note if action != DecisionAction.confirm else None,
    )
    return Outcome(decision, published.record)


def _finish(
    session: Session,
    submission: Submission,
    moderator: User,
    action: DecisionAction,
    published: publishing.Published,
    **values: Any,
) -> ModerationDecision:
    record = published.record
    submission.record_type = record.entity_type
    submission.record_id = record.id
    submission.decided_by_id = moderator.id
    submission.decided_at = utcnow()
    submission.decision_reason_code = None
    submission.decision_message = None
    session.add(submission)
    return _record_decision(
        session,
        submission,
        moderator,
        action,
        record_type=record.entity_type,
        record_id=record.id,
        revision_id=published.revision.id if published.revision else None,
        **values,
    )


def reject(
    *,
    session: Session,
    submission: Submission,
    moderator: User,
    expected_lock: int,
    reason_code: ReasonCode,
    message: str | None = None,
) -> Outcome:
    """Turn a submission down with a reason code and, ideally, a message to its contributor."""
    _check_moderator(submission, moderator)
    now = utcnow()
    _claim(
        session,
        submission,
        expected_lock,
        DECIDABLE,
        {
            "state": SubmissionState.rejected.value,
            "decision_reason_code": reason_code.value,
            "decision_message": message or None,
            "decided_by_id": moderator.id,
            "decided_at": now,
        },
    )
    decision = _record_decision(
        session,
        submission,
        moderator,
        DecisionAction.reject,
        reason_code=reason_code,
        message=message or None,
    )
    return Outcome(decision)


def request_changes(
    *,
    session: Session,
    submission: Submission,
    moderator: User,
    expected_lock: int,
    message: str,
) -> Outcome:
    """Send a submission back to its contributor with what to change."""
    _check_moderator(submission, moderator)
    if not message.strip():
        raise ModerationError("say what the contributor should change")
    _claim(
        session,
        submission,
        expected_lock,
        DECIDABLE,
        {
            "state": SubmissionState.changes_requested.value,
            "decision_reason_code": None,
            "decision_message": message,
            "decided_by_id": moderator.id,
            "decided_at": utcnow(),
        },
    )
    decision = _record_decision(
        session, submission, moderator, DecisionAction.request_changes, message=message
    )
    return Outcome(decision)


def merge(
    *,
    session: Session,
    submission: Submission,
    moderator: User,
    expected_lock: int,
    target: PublicRecord,
    message: str | None = None,
) -> Outcome:
    """Fold a submission into an existing record (a duplicate with something to add)."""
    _check_moderator(submission, moderator)
    publishing.check(submission.kind, submission.payload)
    _claim(
        session,
        submission,
        expected_lock,
        DECIDABLE,
        {
            "state": SubmissionState.approved.value,
            "decision_reason_code": ReasonCode.duplicate.value,
            "decision_message": message or None,
        },
    )
    published = publishing.merge(
        session,
        submission.kind,
        submission.payload,
        target,
        author=Author.of(moderator),
        reason=_reason(f"Submission #{submission.id} merged into this record"),
        submission_id=submission.id,
    )
    decision = _finish(
        session,
        submission,
        moderator,
        DecisionAction.merge,
        published,
        reason_code=ReasonCode.duplicate,
        message=message or None,
    )
    submission.decision_reason_code = ReasonCode.duplicate.value
    submission.decision_message = message or None
    session.add(submission)
    return Outcome(decision, published.record)


# --- Many at once -------------------------------------------------------------------------


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    awaiting: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def bulk(
    *,
    session: Session,
    moderator: User,
    items: list[tuple[int, int]],
    action: str,
    four_eyes: bool = True,
    reason_code: ReasonCode | None = None,
    message: str | None = None,
) -> BulkResult:
    """Approve or reject many submissions, each in its own savepoint: one that cannot be
    decided (taken by someone else, not publishable, the moderator's own) is skipped with
    its reason and the others go ahead. The caller commits once."""
    result = BulkResult()
    for submission_id, expected_lock in items:
        submission = session.get(Submission, submission_id)
        if submission is None:
            result.skipped.append((submission_id, "not found"))
            continue
        savepoint = session.begin_nested()
        try:
            if action == "approve":
                outcome = approve(
                    session=session,
                    submission=submission,
                    moderator=moderator,
                    expected_lock=expected_lock,
                    four_eyes=four_eyes,
                )
                target = (
                    result.awaiting
                    if outcome.decision.action == DecisionAction.first_approval
                    else result.done
                )
            else:
                reject(
                    session=session,
                    submission=submission,
                    moderator=moderator,
                    expected_lock=expected_lock,
                    reason_code=reason_code or ReasonCode.other,
                    message=message,
                )
                target = result.done
            savepoint.commit()
            target.append(submission_id)
        except (ModerationError, CannotPublish) as error:
            savepoint.rollback()
            session.expire(submission)
            result.skipped.append((submission_id, str(error)))
    return result


# --- The queue and the public log ------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    rows: list[Submission]
    total: int
    page: int
    pages: int
    by_state: dict[SubmissionState, int]
    by_kind: dict[SubmissionKind, int]


def queue(
    session: Session,
    *,
    kinds: list[SubmissionKind] | None = None,
    brand_id: int | None = None,
    states: list[SubmissionState] | None = None,
    older_than_days: int | None = None,
    flagged_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> QueuePage:
    """Return one page of submissions, oldest first, with counts by state and by kind."""
    states = states or [SubmissionState.pending, SubmissionState.awaiting_confirmation]

    def filtered(query, *, by_state=True, by_kind=True):
        if by_kind and kinds:
            query = query.where(col(Submission.kind).in_(kinds))
        if by_state:
            query = query.where(col(Submission.state).in_(states))
        if brand_id is not None:
            query = query.where(Submission.brand_id == brand_id)
        if older_than_days:
            query = query.where(Submission.created_at <= utcnow() - timedelta(days=older_than_days))
        return query

    base = filtered(select(Submission))
    if flagged_only:
        rows_all = session.exec(base.order_by(col(Submission.created_at), col(Submission.id))).all()
        rows_all = [row for row in rows_all if row.duplicate_flags]
        total = len(rows_all)
        pages = max(1, math.ceil(total / page_size))
        page = min(max(page, 1), pages)
        rows = rows_all[(page - 1) * page_size : page * page_size]
    else:
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        pages = max(1, math.ceil(total / page_size))
        page = min(max(page, 1), pages)
        rows = list(
            session.exec(
                base.order_by(col(Submission.created_at), col(Submission.id))
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        )
    by_state = dict(
        session.exec(
            filtered(select(Submission.state, func.count()), by_state=False).group_by(
                Submission.state
            )
        ).all()
    )
    by_kind = dict(
        session.exec(
            filtered(select(Submission.kind, func.count()), by_kind=False).group_by(Submission.kind)
        ).all()
    )
    return QueuePage(
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        by_state={state: by_state.get(state, 0) for state in SubmissionState},
        by_kind={kind: by_kind.get(kind, 0) for kind in SubmissionKind},
    )


@dataclass(frozen=True)
class LogPage:
    rows: list[ModerationDecision]
    page: int
    more: bool


def public_log(
    session: Session,
    *,
    action: DecisionAction | None = None,
    kind: SubmissionKind | None = None,
    page: int = 1,
    page_size: int = 50,
) -> LogPage:
    """Return one page of the public moderation log, newest first."""
    query = select(ModerationDecision)
    if action is not None:
        query = query.where(ModerationDecision.action == action)
    if kind is not None:
        query = query.where(ModerationDecision.submission_kind == kind)
    rows = list(
        session.exec(
            query.order_by(
                col(ModerationDecision.created_at).desc(), col(ModerationDecision.id).desc()
            )
            .offset((max(page, 1) - 1) * page_size)
            .limit(page_size + 1)
        )
    )
    return LogPage(rows=rows[:page_size], page=max(page, 1), more=len(rows) > page_size)


def log_records(
    session: Session, rows: list[ModerationDecision]
) -> dict[tuple[EntityType, int], PublicRecord]:
    """Return the records the given log rows name, by (type, id): one query per type."""
    wanted: dict[EntityType, set[int]] = {}
    for row in rows:
        if row.record_type and row.record_id:
            wanted.setdefault(row.record_type, set()).add(row.record_id)
    found = {}
    for entity_type, ids in wanted.items():
        model = PUBLIC_MODELS[entity_type]
        for record in session.exec(select(model).where(col(model.id).in_(ids))):
            found[(entity_type, record.id)] = record
    return found


def open_count(session: Session) -> int:
    """Return how many submissions wait for a moderator."""
    return session.exec(
        select(func.count()).select_from(Submission).where(col(Submission.state).in_(DECIDABLE))
    ).one()
