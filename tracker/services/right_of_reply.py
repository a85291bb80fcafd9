"""The brand's right of reply: invited from the day a contradiction is published here, until
a response is published beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.models import Contradiction, Response, Role, User, Visibility


@dataclass(frozen=True)
class Invitation:
    """An unanswered contradiction: since when the brand has been invited to respond."""

    contradiction_id: int
    invited_at: dt.datetime

    def days(self, today: dt.date) -> int:
        return max(0, (today - self.invited_at.date()).days)


def open_invitations(session: Session, brand_id: int) -> dict[int, Invitation]:
    """Return the brand's published contradictions that have no published response yet."""
    answered = (
        select(Response.contradiction_id)
        .where(Response.brand_id == brand_id, Response.visibility == Visibility.published)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Contradiction.id, Contradiction.published_at).where(
            Contradiction.brand_id == brand_id,
            Contradiction.visibility == Visibility.published,
            col(Contradiction.id).not_in(answered),
        )
    ).all()
    return {row[0]: Invitation(row[0], row[1]) for row in rows}


def oldest(invitations: dict[int, Invitation]) -> Invitation | None:
    """Return the invitation that has waited longest."""
    return min(invitations.values(), key=lambda i: i.invited_at, default=None)


def representatives(session: Session, brand_id: int) -> list[User]:
    """Return the active, verified representatives of a brand (to invite them by mail)."""
    return list(
        session.exec(
            select(User).where(
                User.brand_id == brand_id,
                User.role == Role.representative,
                User.representative_verified == True,  # noqa: E712
                User.is_active == True,  # noqa: E712
            )
        )
    )
