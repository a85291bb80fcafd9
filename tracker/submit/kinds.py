"""One place that knows, for each kind of submission, its form, its page and its payload.

Used three times: a new contribution, a contributor's edit after "changes requested", and a
moderator's edit before approving. What a kind needs besides the form (the brand, the record
it targets, who the answer comes from) travels in a KindContext.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    Claim,
    Contradiction,
    EntityType,
    PublicRecord,
    ResponseVia,
    Submission,
    SubmissionKind,
    Visibility,
)
from tracker.services.payloads import CORRECTABLE_FIELDS
from tracker.submit.forms import (
    BrandForm,
    ClaimForm,
    ContradictionForm,
    ContributionForm,
    CorrectionForm,
    EvidenceForm,
    RemedyForm,
    ResponseForm,
)

FORMS: dict[SubmissionKind, type[ContributionForm]] = {
    SubmissionKind.brand: BrandForm,
    SubmissionKind.claim: ClaimForm,
    SubmissionKind.contradiction: ContradictionForm,
    SubmissionKind.evidence: EvidenceForm,
    SubmissionKind.correction: CorrectionForm,
    SubmissionKind.response: ResponseForm,
    SubmissionKind.remedy: RemedyForm,
}

# The names of a record's fields as a reader knows them, for the correction form.
FIELD_NAMES: dict[str, object] = {
    "name": _l("Name"),
    "legal_name": _l("Legal name"),
    "aliases": _l("Other names"),
    "parent_company": _l("Parent company"),
    "country": _l("Country"),
    "sector": _l("Sector"),
    "website": _l("Website"),
    "description": _l("Description"),
    "quote": _l("Quote"),
    "translation": _l("Translation"),
    "summary": _l("Summary"),
    "speaker": _l("Who said it"),
    "channel": _l("Where it was said"),
    "where": _l("Where exactly"),
    "date": _l("Date"),
    "status": _l("Status"),
    "language": _l("Language"),
    "topics": _l("Topics"),
    "title": _l("Title"),
    "finder_name": _l("Who found it"),
    "finder_kind": _l("What kind of finder"),
    "kind": _l("Kind"),
    "state": _l("State"),
    "authority": _l("Authority"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "url": _l("Web address"),
    "publisher": _l("Publisher"),
}


@dataclass
class KindContext:
    """What a kind's form needs besides what is typed into it."""

    kind: SubmissionKind
    brand: Brand | None = None
    target: PublicRecord | None = (
        None  # evidence/correction: the record; response: the contradiction
    )
    via: ResponseVia = ResponseVia.public_statement


def published_brands(session: Session) -> list[Brand]:
    return list(
        session.exec(
            select(Brand).where(Brand.visibility == Visibility.published).order_by(Brand.name)
        )
    )


def published_claims(session: Session, brand: Brand) -> list[Claim]:
    return list(
        session.exec(
            select(Claim)
            .where(Claim.brand_id == brand.id, Claim.visibility == Visibility.published)
            .order_by(Claim.id)
        )
    )


def published_contradictions(session: Session, brand: Brand) -> list[Contradiction]:
    return list(
        session.exec(
            select(Contradiction)
            .where(
                Contradiction.brand_id == brand.id,
                Contradiction.visibility == Visibility.published,
            )
            .order_by(Contradiction.id)
        )
    )


def country_choices(locale) -> list[tuple[str, str]]:
    territories = {
        code: name for code, name in locale.territories.items() if len(code) == 2 and code.isalpha()
    }
    ordered = sorted(territories.items(), key=lambda item: item[1].casefold())
    return [("", "—"), *ordered]


def build_form(
    kind: SubmissionKind,
    session: Session,
    context: KindContext,
    *,
    locale,
    data: dict[str, Any] | None = None,
    **kwargs,
) -> ContributionForm:
    """Make the kind's form with its choices; data pre-fills it (GET), else the request fills it."""
    form_class = FORMS[kind]
    form = form_class(data=data, **kwargs) if data is not None else form_class(**kwargs)
    if kind == SubmissionKind.brand:
        form.country.choices = country_choices(locale)
    elif kind == SubmissionKind.claim:
        form.fill_choices(published_brands(session))
    elif kind == SubmissionKind.contradiction:
        form.fill_choices(published_claims(session, context.brand) if context.brand else [])
    elif kind == SubmissionKind.evidence:
        form.fill_choices()
    elif kind == SubmissionKind.correction:
        entity_type = context.target.entity_type if context.target else EntityType.brand
        form.fill_choices(
            [(name, FIELD_NAMES.get(name, name)) for name in CORRECTABLE_FIELDS[entity_type]]
        )
    elif kind == SubmissionKind.response:
        # A verified representative answers on the record; anyone else passes on a public
        # statement, which must come with the source where the brand made it.
        form.sources_required = context.via == ResponseVia.public_statement
    elif kind == SubmissionKind.remedy:
        form.fill_choices(published_contradictions(session, context.brand) if context.brand else [])
    return form


def payload_of(form: ContributionForm, context: KindContext) -> dict[str, Any]:
    """Return the payload the filled-in form stands for."""
    kind = context.kind
    if kind in (SubmissionKind.brand, SubmissionKind.claim):
        return form.to_payload()
    if kind in (SubmissionKind.contradiction, SubmissionKind.remedy):
        return form.to_payload(context.brand.id)
    if kind in (SubmissionKind.evidence, SubmissionKind.correction):
        return form.to_payload((context.target.entity_type, context.target.id))
    if kind == SubmissionKind.response:
        return form.to_payload(context.target.id, context.via.value)
    raise ValueError(kind)


def context_of(session: Session, submission: Submission) -> KindContext:
    """Rebuild a stored submission's context, to edit it."""
    payload = submission.payload or {}
    context = KindContext(kind=submission.kind)
    brand_id = submission.brand_id or payload.get("brand_id")
    if isinstance(brand_id, int):
        context.brand = session.get(Brand, brand_id)
    elif isinstance(payload.get("brand"), str):
        # Seed files name the brand rather than number it.
        context.brand = brand_named(session, payload["brand"])
    if submission.kind in (SubmissionKind.evidence, SubmissionKind.correction):
        target_type = submission.target_type or _entity_type(payload.get("target_type"))
        target_id = submission.target_id or payload.get("target_id")
        if target_type and isinstance(target_id, int):
            context.target = session.get(PUBLIC_MODELS[target_type], target_id)
    if submission.kind == SubmissionKind.response:
        contradiction_id = submission.target_id or payload.get("contradiction_id")
        if isinstance(contradiction_id, int):
            context.target = session.get(Contradiction, contradiction_id)
        if payload.get("via") == ResponseVia.representative.value:
            context.via = ResponseVia.representative
    return context


def brand_named(session: Session, name: str) -> Brand | None:
    """Return the published brand with this name or alias, ignoring case."""
    wanted = name.strip().casefold()
    for brand in published_brands(session):
        if wanted in {brand.name.casefold(), *(alias.casefold() for alias in brand.aliases)}:
            return brand
    return None


def editable(context: KindContext) -> bool:
    """Say whether the submission's form can be shown (its brand or record still exists)."""
    if context.kind in (SubmissionKind.contradiction, SubmissionKind.remedy):
        return context.brand is not None
    if context.kind in (
        SubmissionKind.evidence,
        SubmissionKind.correction,
        SubmissionKind.response,
    ):
        return context.target is not None
    return True


def _entity_type(value: Any) -> EntityType | None:
    try:
        return EntityType(value)
    except ValueError:
        return None
