"""What the Atom feeds list: the newest public events, for everyone, a brand or a topic."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import joinedload
from sqlmodel import Session, col

from tracker.models import PUBLIC_MODELS as MODELS
from tracker.models import EntityType, PublicRecord
from tracker.services.published import filtered

EVENT_TYPES = (
    EntityType.claim,
    EntityType.contradiction,
    EntityType.response,
    EntityType.outcome,
)
FEED_SIZE = 50


@dataclass(frozen=True)
class FeedEntry:
    record: PublicRecord

    @property
    def kind(self) -> EntityType:
        return self.record.entity_type


def newest_events(
    session: Session, *, filters: dict | None = None, limit: int = FEED_SIZE
) -> list[FeedEntry]:
    """Return the newest published claims, contradictions, responses and outcomes."""
    entries: list[FeedEntry] = []
    for entity_type in EVENT_TYPES:
        model = MODELS[entity_type]
        query = (
            filtered(entity_type, filters or {})
            .options(joinedload(model.brand))
            .order_by(col(model.id).desc())
            .limit(limit)
        )
        entries += [FeedEntry(record) for record in session.exec(query).unique()]
    entries.sort(key=lambda e: (e.record.created_at, e.record.id), reverse=True)
    return entries[:limit]
