"""Reader-facing names of every enum value, in the reader's language."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from tracker.i18n import current_locale_key
from tracker.models import (
    AccountAction,
    ArchiveState,
    AttemptOutcome,
    ClaimChannel,
    ClaimScope,
    ClaimStatus,
    ContradictionKind,
    ContradictionState,
    CosmeticKind,
    DatePrecision,
    DecisionAction,
    EntityType,
    FinderKind,
    LinkHealth,
    OutcomeKind,
    ReasonCode,
    ResponseVia,
    Role,
    SourceKind,
    Stance,
    SubmissionKind,
    SubmissionState,
    Topic,
    Visibility,
)

# Keyed by enum class first: members of different enums can share a value ("other").
LABELS: dict[type[StrEnum], dict[StrEnum, object]] = {
    Topic: {
        Topic.microplastics: _l("Microplastics"),
        Topic.climate: _l("Climate"),
        Topic.packaging: _l("Packaging"),
        Topic.ingredients: _l("Ingredients"),
        Topic.labour: _l("Labour"),
        Topic.animal_welfare: _l("Animal welfare"),
        Topic.deforestation: _l("Deforestation"),
        Topic.water: _l("Water"),
        Topic.other: _l("Other"),
    },
    ClaimChannel: {
        ClaimChannel.packaging: _l("Packaging"),
        ClaimChannel.label: _l("Label"),
        ClaimChannel.advert: _l("Advertisement"),
        ClaimChannel.website: _l("Website"),
        ClaimChannel.report: _l("Report"),
        ClaimChannel.social_media: _l("Social media"),
        ClaimChannel.press: _l("Press"),
        ClaimChannel.statement: _l("Statement"),
        ClaimChannel.other: _l("Other"),
    },
    ClaimStatus: {
        ClaimStatus.active: _l("No withdrawal recorded"),
        ClaimStatus.withdrawn: _l("Withdrawn"),
        ClaimStatus.changed: _l("Changed"),
    },
    FinderKind: {
        FinderKind.ngo: _l("NGO"),
        FinderKind.journalist: _l("Journalist"),
        FinderKind.regulator: _l("Regulator"),
        FinderKind.self_regulator: _l("Self-regulatory body"),
        FinderKind.court: _l("Court"),
        FinderKind.lab: _l("Laboratory"),
        FinderKind.company: _l("The company itself"),
        FinderKind.other: _l("Other"),
    },
    ContradictionKind: {
        ContradictionKind.lab_test: _l("Lab test"),
        ContradictionKind.investigation: _l("Investigation"),
        ContradictionKind.regulator_decision: _l("Regulator decision"),
        ContradictionKind.advertising_ruling: _l("Advertising standards ruling"),
        ContradictionKind.court_ruling: _l("Court ruling"),
        ContradictionKind.ngo_report: _l("NGO report"),
        ContradictionKind.company_disclosure: _l("Company disclosure"),
    },
    ContradictionState: {
        ContradictionState.open: _l("Open"),
        ContradictionState.disputed: _l("Disputed by the brand"),
        ContradictionState.upheld: _l("Upheld"),
        ContradictionState.remedied: _l("Remedied"),
        ContradictionState.overturned: _l("Overturned"),
    },
    ResponseVia: {
        ResponseVia.representative: _l("Verified brand representative"),
        ResponseVia.public_statement: _l("Public statement"),
    },
    OutcomeKind: {
        OutcomeKind.fine: _l("Fine"),
        OutcomeKind.ruling: _l("Ruling"),
        OutcomeKind.settlement: _l("Settlement"),
        OutcomeKind.order: _l("Order"),
        OutcomeKind.commitment: _l("Commitment"),
        OutcomeKind.withdrawn_claim: _l("Claim withdrawn"),
        OutcomeKind.reformulation: _l("Product reformulated"),
        OutcomeKind.remedy: _l("Remedy"),
        OutcomeKind.annulment: _l("Annulled on appeal"),
        OutcomeKind.proceedings: _l("Legal proceedings"),
        OutcomeKind.investigation: _l("Investigation opened"),
        OutcomeKind.allegation: _l("Allegation (not a finding)"),
        OutcomeKind.other: _l("Other"),
    },
    SourceKind: {
        SourceKind.court: _l("Court document"),
        SourceKind.regulator: _l("Regulator"),
        SourceKind.self_regulator: _l("Self-regulatory body"),
        SourceKind.news: _l("News"),
        SourceKind.ngo: _l("NGO"),
        SourceKind.company: _l("Company material"),
        SourceKind.law_firm: _l("Law firm"),
        SourceKind.academic: _l("Academic"),
        SourceKind.blog: _l("Blog"),
        SourceKind.document: _l("Document"),
        SourceKind.other: _l("Other"),
    },
    Stance: {
        Stance.supports: _l("supports"),
        Stance.refutes: _l("refutes"),
    },
    EntityType: {
        EntityType.brand: _l("Brand"),
        EntityType.claim: _l("Claim"),
        EntityType.contradiction: _l("Contradiction"),
        EntityType.source: _l("Source"),
        EntityType.response: _l("Response"),
        EntityType.outcome: _l("Outcome"),
    },
    SubmissionKind: {
        SubmissionKind.brand: _l("New brand"),
        SubmissionKind.claim: _l("New claim"),
        SubmissionKind.contradiction: _l("New contradiction"),
        SubmissionKind.evidence: _l("More evidence"),
        SubmissionKind.correction: _l("Correction"),
        SubmissionKind.response: _l("Brand response"),
        SubmissionKind.remedy: _l("Remedy"),
    },
    SubmissionState: {
        SubmissionState.pending: _l("Pending"),
        SubmissionState.changes_requested: _l("Changes requested"),
        SubmissionState.awaiting_confirmation: _l("Awaiting a second moderator"),
        SubmissionState.approved: _l("Approved"),
        SubmissionState.rejected: _l("Rejected"),
        SubmissionState.withdrawn: _l("Withdrawn"),
    },
    Visibility: {
        Visibility.published: _l("Published"),
        Visibility.withdrawn: _l("Withdrawn"),
        Visibility.merged: _l("Merged into another record"),
    },
    DatePrecision: {
        DatePrecision.day: _l("Day"),
        DatePrecision.month: _l("Month"),
        DatePrecision.year: _l("Year"),
        DatePrecision.unknown: _l("Unknown"),
    },
    Role: {
        Role.contributor: _l("Contributor"),
        Role.moderator: _l("Moderator"),
        Role.admin: _l("Administrator"),
        Role.representative: _l("Brand representative"),
    },
    DecisionAction: {
        DecisionAction.approve: _l("Approved"),
        DecisionAction.approve_edited: _l("Edited and approved"),
        DecisionAction.first_approval: _l("Approved, awaiting a second moderator"),
        DecisionAction.confirm: _l("Confirmed by a second moderator"),
        DecisionAction.reject: _l("Rejected"),
        DecisionAction.request_changes: _l("Changes requested"),
        DecisionAction.merge: _l("Merged into an existing record"),
    },
    ReasonCode: {
        ReasonCode.duplicate: _l("Duplicate"),
        ReasonCode.no_evidence: _l("No evidence"),
        ReasonCode.not_sustainability: _l("Not a sustainability claim"),
        ReasonCode.unreliable_source: _l("Unreliable source"),
        ReasonCode.off_topic: _l("Off topic"),
        ReasonCode.spam: _l("Spam"),
        ReasonCode.other: _l("Other reason"),
    },
    # The facts a moderator records for the legal flags, as the review form and history say.
    ClaimScope: {
        ClaimScope.aspect: _l("one aspect of the product or business"),
        ClaimScope.whole_product: _l("the whole product"),
        ClaimScope.whole_business: _l("the whole business"),
    },
    CosmeticKind: {
        CosmeticKind.exfoliating: _l("rinse-off, with microbeads for exfoliating or cleansing"),
        CosmeticKind.rinse_off: _l("rinse-off cosmetic"),
        CosmeticKind.leave_on: _l("leave-on cosmetic"),
        CosmeticKind.lip_nail_makeup: _l("lip, nail or make-up product"),
    },
    AccountAction: {
        AccountAction.registered: _l("Account created"),
        AccountAction.role_changed: _l("Role changed"),
        AccountAction.representative_requested: _l("Asked to represent a brand"),
        AccountAction.representative_verified: _l("Verified as the brand's representative"),
        AccountAction.representative_unverified: _l("No longer a verified representative"),
        AccountAction.deactivated: _l("Account deactivated"),
        AccountAction.reactivated: _l("Account reactivated"),
        AccountAction.password_reset: _l("Password reset by email"),
    },
    ArchiveState: {
        ArchiveState.pending: _l("Waiting to be fetched"),
        ArchiveState.fetched: _l("Fetched"),
        ArchiveState.failed: _l("Fetch failed"),
        ArchiveState.refused: _l("Refused as unsafe"),
    },
    AttemptOutcome: {
        AttemptOutcome.ok: _l("Answered"),
        AttemptOutcome.failed: _l("Failed"),
        AttemptOutcome.refused: _l("Refused as unsafe"),
    },
    LinkHealth: {
        LinkHealth.ok: _l("Link works"),
        LinkHealth.redirected: _l("Redirected"),
        LinkHealth.changed: _l("Page changed"),
        LinkHealth.broken: _l("Link broken"),
        LinkHealth.refused: _l("Refused as unsafe"),
    },
}


def label(value: StrEnum | None) -> str:
    """Return the reader-facing name of an enum value."""
    if value is None:
        return ""
    # A timeline asks for the same few names hundreds of times: remember them per language.
    key = (current_locale_key(), type(value), value)
    name = _NAMES.get(key)
    if name is None:
        names = LABELS.get(type(value), {})
        name = _NAMES[key] = str(names.get(value, value.value.replace("_", " ")))
    return name


_NAMES: dict[tuple[str, type, StrEnum], str] = {}


def choices(enum_cls: type[StrEnum]) -> list[tuple[str, str]]:
    """Return (value, name) pairs for a select field, in the enum's order."""
    return [(member.value, label(member)) for member in enum_cls]
