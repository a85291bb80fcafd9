"""Turn records into the API's answers, only ever showing what is published."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracker import legal
from tracker.api import schemas
from tracker.models import (
    Brand,
    Citation,
    Claim,
    ClaimFlag,
    Contradiction,
    DatedRecord,
    EntityType,
    FlagDismissal,
    Outcome,
    PublicRecord,
    Response,
    Source,
    Visibility,
)
from tracker.services.claim_flags import StoredFlag, public_flag
from tracker.services.dates import PartialDate
from tracker.services.published import is_public, public_ids
from tracker.services.rulebook import localised
from tracker.services.timeline import Timeline
from tracker.web import PLURALS


@dataclass(frozen=True)
class Linker:
    """Build absolute addresses by formatting, not url_for: a list page has hundreds of them.

    The paths are permanent addresses (DESIGN.md), so they are safe to spell out here.
    """

    root: str  # the site's root URL, ending in "/"

    def html(self, record: PublicRecord) -> str:
        if record.entity_type is EntityType.brand:
            return f"{self.root}brands/{record.slug}"
        return f"{self.root}{PLURALS[record.entity_type]}/{record.id}"

    def api(self, entity_type: EntityType, key: int | str) -> str:
        plural = "brands" if entity_type is EntityType.brand else PLURALS[entity_type]
        return f"{self.root}api/v1/{plural}/{key}"

    def links(self, record: PublicRecord) -> schemas.RecordLinks:
        key = record.slug if record.entity_type is EntityType.brand else record.id
        return schemas.RecordLinks(html=self.html(record), api=self.api(record.entity_type, key))


def _partial(value, precision) -> str | None:
    return PartialDate(value, precision).iso() if value and precision else None


def _dated(record: DatedRecord) -> dict:
    return {
        "date": _partial(record.date, record.date_precision),
        "date_precision": record.date_precision,
        "date_end": _partial(record.date_end, record.date_end_precision),
        "date_end_precision": record.date_end_precision,
    }


def _common(record: PublicRecord, linker: Linker) -> dict:
    return {
        "id": record.id,
        "version": record.version,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "caveats": list(record.caveats or []),
        "links": linker.links(record),
    }


def _citations(citations: list[Citation], linker: Linker) -> list[schemas.Citation]:
    return [
        schemas.Citation(
            source_id=citation.source_id,
            source=linker.api(EntityType.source, citation.source_id),
            excerpt=citation.excerpt,
            note=citation.note,
            stance=citation.stance,
        )
        for citation in sorted(citations, key=lambda c: (c.position, c.id))
        if citation.source.visibility == Visibility.published
    ]


def _flags(flags: Iterable[tuple[ClaimFlag, FlagDismissal | None]]) -> list[schemas.Flag]:
    """Return stored flags, each with its standing dismissal, as the API gives them."""
    rules = legal.current_rules()
    answers = []
    for stored, dismissal in flags:
        rule = rules.rule(stored.rule_id)
        if rule is None:  # the rule left the file and the flags were not yet recomputed
            continue
        flag = public_flag(stored, dismissal)
        answers.append(
            schemas.Flag(
                rule=flag.rule_id,
                title=rule.title.en,
                instrument=localised(rule.instrument, "en"),
                article=localised(rule.article, "en"),
                jurisdiction=flag.jurisdiction,
                link=rule.link,
                status=flag.status,
                applies_from=flag.applies_from,
                matched=flag.matched,
                ingredient_lists=flag.ingredient_lists,
                dismissed=flag.dismissed,
                dismissal_reason=flag.dismissal_reason,
                dismissed_at=flag.dismissed_at,
            )
        )
    return answers


def brand_ref(brand: Brand, linker: Linker) -> schemas.BrandRef:
    return schemas.BrandRef(slug=brand.slug, name=brand.name, links=linker.links(brand))


def brand(record: Brand, linker: Linker) -> schemas.BrandOut:
    return schemas.BrandOut(
        **_common(record, linker),
        slug=record.slug,
        name=record.name,
        legal_name=record.legal_name,
        aliases=list(record.aliases or []),
        parent_company=record.parent_company,
        country=record.country,
        sector=record.sector,
        website=record.website,
        description=record.description,
        timeline=linker.api(EntityType.brand, record.slug) + "/timeline",
    )


def claim(record: Claim, linker: Linker) -> schemas.ClaimOut:
    return schemas.ClaimOut(
        **_common(record, linker),
        **_dated(record),
        brand=brand_ref(record.brand, linker),
        quote=record.quote,
        quote_is_exact=record.quote_is_exact,
        language=record.language,
        translation=record.translation,
        summary=record.summary,
        speaker=record.speaker,
        channel=record.channel,
        where=record.where,
        status=record.status,
        topics=record.topics,
        citations=_citations(record.citations, linker),
        contradiction_ids=public_ids(record.contradictions),
        flags=_flags((flag, flag.dismissal) for flag in record.flags),
    )


def contradiction(record: Contradiction, linker: Linker) -> schemas.ContradictionOut:
    claims = [c for c in record.claims if c.visibility == Visibility.published]
    return schemas.ContradictionOut(
        **_common(record, linker),
        **_dated(record),
        brand=brand_ref(record.brand, linker),
        title=record.title,
        summary=record.summary,
        finder_name=record.finder_name,
        finder_kind=record.finder_kind,
        kind=record.kind,
        state=record.state,
        quote=record.quote,
        quote_speaker=record.quote_speaker,
        quote_language=record.quote_language,
        published_at=record.published_at,
        topics=sorted({topic for c in claims for topic in c.topics}),
        claim_ids=public_ids(claims),
        citations=_citations(record.citations, linker),
        response_ids=public_ids(record.responses),
        outcome_ids=public_ids(record.outcomes),
    )


def response(record: Response, linker: Linker) -> schemas.ResponseOut:
    return schemas.ResponseOut(
        **_common(record, linker),
        **_dated(record),
        brand=brand_ref(record.brand, linker),
        contradiction_id=record.contradiction_id,
        summary=record.summary,
        quote=record.quote,
        quote_language=record.quote_language,
        via=record.via,
        citations=_citations(record.citations, linker),
    )


def outcome(record: Outcome, linker: Linker) -> schemas.OutcomeOut:
    contradiction_id = record.contradiction_id if is_public(record.contradiction) else None
    return schemas.OutcomeOut(
        **_common(record, linker),
        **_dated(record),
        brand=brand_ref(record.brand, linker),
        contradiction_id=contradiction_id,
        kind=record.kind,
        is_remedy=record.is_remedy,
        summary=record.summary,
        authority=record.authority,
        amount=None if record.amount is None else str(record.amount),
        currency=record.currency,
        citations=_citations(record.citations, linker),
    )


def source(record: Source, linker: Linker) -> schemas.SourceOut:
    return schemas.SourceOut(
        **_common(record, linker),
        **_dated(record),
        url=record.url,
        title=record.title,
        description=record.description,
        publisher=record.publisher,
        kind=record.kind,
        language=record.language,
    )


SERIALISERS = {
    EntityType.brand: brand,
    EntityType.claim: claim,
    EntityType.contradiction: contradiction,
    EntityType.response: response,
    EntityType.outcome: outcome,
    EntityType.source: source,
}


def timeline(
    value: Timeline,
    linker: Linker,
    public_sources: set[int],
    flags: dict[int, list[StoredFlag]],
) -> schemas.TimelineOut:
    """Return a brand's timeline; flags: the stored flags of its claims, by claim id."""
    counts = value.counts
    events = [
        schemas.TimelineEvent(
            kind=event.kind,
            record_type=event.record.entity_type.value,
            record_id=event.record.id,
            date=_partial(event.date, event.precision),
            date_precision=event.precision,
            date_end=_partial(event.date_end, event.date_end_precision),
            date_end_precision=event.date_end_precision,
            summary=event.summary,
            source_ids=sorted({c.source_id for c in event.citations} & public_sources),
            links=linker.links(event.record),
            flags=_flags(
                (stored.flag, stored.dismissal) for stored in flags.get(event.record.id, [])
            )
            if event.kind == "claim"
            else [],
        )
        for event in value.events
    ]
    return schemas.TimelineOut(
        brand=brand(value.brand, linker),
        counts=schemas.Counts(
            claims=counts.claims,
            contradictions=counts.contradictions,
            by_state=counts.by_state,
            answered=counts.answered,
            outcomes=counts.outcomes,
            remedies=counts.remedies,
            response_rate=counts.response_rate,
        ),
        events=events,
    )
