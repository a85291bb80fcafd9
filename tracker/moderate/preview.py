"""What a submission would look like once published, for the moderator's detail view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    Claim,
    Contradiction,
    ContradictionState,
    EntityType,
    PublicRecord,
    Source,
    Submission,
    SubmissionKind,
)
from tracker.services import payloads, publishing
from tracker.services.dates import PartialDate
from tracker.services.revisions import FieldChange
from tracker.services.urls import url_key


@dataclass(frozen=True)
class SourceView:
    """A source as the contributor gave it, and the Source the tracker already has for it."""

    url: str
    title: str | None
    publisher: str | None
    date: PartialDate
    excerpt: str | None
    known: Source | None


@dataclass
class Preview:
    kind: SubmissionKind
    model: payloads.Payload | None
    problems: list[str] = field(default_factory=list)
    brand: Brand | None = None
    claims: list[Claim] = field(default_factory=list)
    target: PublicRecord | None = None
    sources: list[SourceView] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    date: PartialDate = field(default_factory=lambda: PartialDate.parse(None))
    state: ContradictionState = ContradictionState.open

    @property
    def publishable(self) -> bool:
        return self.model is not None and not self.problems


def _source_views(session: Session, payload: dict[str, Any]) -> list[SourceView]:
    views = []
    for raw in payload.get("sources") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            continue
        try:
            date = PartialDate.parse(raw.get("date"))
        except ValueError:
            date = PartialDate.parse(None)
        known = session.exec(
            select(Source).where(Source.url_key == url_key(raw["url"])).order_by(Source.id)
        ).first()
        views.append(
            SourceView(
                url=raw["url"],
                title=raw.get("title"),
                publisher=raw.get("publisher"),
                date=date,
                excerpt=raw.get("excerpt"),
                known=known,
            )
        )
    return views


def build(session: Session, submission: Submission, payload: dict[str, Any]) -> Preview:
    """Return the preview of a payload of this submission's kind."""
    preview = Preview(kind=submission.kind, model=None)
    preview.sources = _source_views(session, payload)
    try:
        preview.model = publishing.check(submission.kind, payload)
    except publishing.CannotPublish as error:
        preview.problems = list(error.problems)
    model = preview.model
    brand_id = payload.get("brand_id") if isinstance(payload, dict) else None
    if isinstance(brand_id, int):
        preview.brand = session.get(Brand, brand_id)
    if model is not None and getattr(model, "date", None):
        preview.date = PartialDate.parse(model.date)
    if isinstance(model, payloads.ContradictionPayload):
        preview.claims = [c for c in (session.get(Claim, i) for i in model.claim_ids) if c]
    if isinstance(model, payloads.EvidencePayload | payloads.CorrectionPayload):
        preview.target = session.get(PUBLIC_MODELS[model.target_type], model.target_id)
    if isinstance(model, payloads.ResponsePayload | payloads.RemedyPayload):
        contradiction_id = model.contradiction_id
        if contradiction_id:
            preview.target = session.get(Contradiction, contradiction_id)
        if preview.brand is None and preview.target is not None:
            preview.brand = session.get(Brand, preview.target.brand_id)
    if isinstance(model, payloads.CorrectionPayload) and preview.target is not None:
        if model.field:
            try:
                preview.changes = publishing.correction_diff(preview.target, model.field, model.fix)
            except publishing.CannotPublish as error:
                preview.problems += error.problems
        else:
            preview.problems.append(
                "field: the contributor did not say which field; edit the submission to choose"
            )
    if preview.target is not None and preview.target.entity_type == EntityType.brand:
        preview.brand = preview.target
    return preview
