"""Every change to a public record goes through here: new state plus an append-only Revision."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from blinker import Namespace
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from tracker.db import utcnow
from tracker.models import (
    Claim,
    Contradiction,
    EntityType,
    FlagDismissal,
    Outcome,
    PublicRecord,
    Response,
    Revision,
    User,
)

# Fields that change with every revision and so say nothing about the record's content.
BOOKKEEPING_FIELDS = frozenset({"version", "created_at", "updated_at"})


@dataclass(frozen=True)
class Author:
    """Who made a change, as shown publicly: a user's handle, or "seed" / "system"."""

    label: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Author:
        return cls(label=user.public_handle, user_id=user.id)


signals = Namespace()
# Sent inside the writer's transaction after each new revision: sender is the record; keyword
# arguments session and revision. Subscribers keep derived data in step with every write
# (search index, legal flags) or note work to do once the transaction commits (fetching a
# source). A subscriber that raises aborts the whole unit of work.
revision_saved = signals.signal("revision-saved")

SEED = Author("seed")
SYSTEM = Author("system")


class RevisionConflict(Exception):
    """The record was changed by someone else since it was read."""


def _citations(record: Claim | Contradiction | Response | Outcome) -> list[dict[str, Any]]:
    return [
        {
            "source_id": citation.source_id,
            "excerpt": citation.excerpt,
            "note": citation.note,
            "stance": citation.stance.value,
        }
        for citation in sorted(record.citations, key=lambda c: (c.position, c.source_id))
    ]


def _dismissed_flags(claim: Claim) -> list[dict[str, str]]:
    """Return the claim's standing legal-flag dismissals, so each shows in its history."""
    session = object_session(claim)
    if session is None or claim.id is None:
        return []
    dismissals = session.exec(
        select(FlagDismissal)
        .where(FlagDismissal.claim_id == claim.id, col(FlagDismissal.restored_at).is_(None))
        .order_by(FlagDismissal.rule_id)
    )
    return [
        {
            "rule": dismissal.rule_id,
            "reason": dismissal.reason,
            "by": dismissal.dismissed_by_label,
            "at": dismissal.dismissed_at.isoformat(timespec="seconds"),
        }
        for dismissal in dismissals
    ]


def snapshot(record: PublicRecord) -> dict[str, Any]:
    """Return the full record as it now stands, children included, as JSON-ready data."""
    data = record.model_dump(mode="json")
    if isinstance(record, Claim):
        data["topics"] = [topic.value for topic in record.topics]
        if dismissed := _dismissed_flags(record):
            data["dismissed_flags"] = dismissed
    if isinstance(record, Contradiction):
        data["claim_ids"] = sorted(claim.id for claim in record.claims)
    if isinstance(record, Claim | Contradiction | Response | Outcome):
        data["citations"] = _citations(record)
    return data


def content(state: dict[str, Any]) -> dict[str, Any]:
    """Return a snapshot without its bookkeeping fields, for comparing two states."""
    return {key: value for key, value in state.items() if key not in BOOKKEEPING_FIELDS}


def latest_revision(session: Session, record: PublicRecord) -> Revision | None:
    """Return the newest revision of a record, if it has one."""
    if record.id is None:
        return None
    return session.exec(
        select(Revision)
        .where(Revision.entity_type == record.entity_type, Revision.entity_id == record.id)
        .order_by(Revision.version.desc())
        .limit(1)
    ).first()


def save_revision(
    session: Session,
    record: PublicRecord,
    *,
    author: Author,
    reason: str,
    submission_id: int | None = None,
    expected_version: int | None = None,
) -> Revision | None:
    """Write the record's current state as its next revision; return None if nothing changed.

    The caller has already added or changed the record and its children, and commits the
    session afterwards: one unit of work. When expected_version is given and the record has
    moved on since, raise RevisionConflict instead of writing over someone else's change.
    """
    if expected_version is not None and record.version != expected_version:
        raise RevisionConflict(f"{record.entity_type} {record.id} is at version {record.version}")
    session.add(record)
    session.flush()
    previous = latest_revision(session, record)
    if previous is not None and content(previous.snapshot) == content(snapshot(record)):
        return None
    record.version = (previous.version if previous else 0) + 1
    record.updated_at = utcnow()
    session.add(record)
    session.flush()
    revision = Revision(
        entity_type=record.entity_type,
        entity_id=record.id,
        version=record.version,
        snapshot=snapshot(record),
        reason=reason,
        author_id=author.user_id,
        author_label=author.label,
        submission_id=submission_id,
    )
    session.add(revision)
    session.flush()
    revision_saved.send(record, session=session, revision=revision)
    return revision


def history(session: Session, entity_type: EntityType, entity_id: int) -> list[Revision]:
    """Return a record's revisions, oldest first."""
    return list(
        session.exec(
            select(Revision)
            .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
            .order_by(Revision.version)
        )
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def word_diff(self) -> list[tuple[str, str]] | None:
        """Return (op, text) pieces of a word-level diff when both sides are text."""
        if not (isinstance(self.old, str) and isinstance(self.new, str)):
            return None
        old_words, new_words = self.old.split(" "), self.new.split(" ")
        pieces: list[tuple[str, str]] = []
        matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                pieces.append(("equal", " ".join(old_words[a1:a2])))
                continue
            if a2 > a1:
                pieces.append(("delete", " ".join(old_words[a1:a2])))
            if b2 > b1:
                pieces.append(("insert", " ".join(new_words[b1:b2])))
        return pieces


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[FieldChange]:
    """Return the fields that differ between two snapshots, in a stable order."""
    old = content(old or {})
    new = content(new)
    return [
        FieldChange(field, old.get(field), new.get(field))
        for field in sorted(set(old) | set(new))
        if old.get(field) != new.get(field)
    ]
