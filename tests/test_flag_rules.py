"""The legal flag rules, claim by claim: which flags a wording must get, and must not.

Claims here are fictional wording; no real brand is named. Each row says where and when the
claim was made (a Dutch brand in March 2027 unless given) and the rules it must and must not
trigger. Near misses sit beside the matches they resemble.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tracker.models import ClaimChannel, CosmeticKind, DatePrecision, FlagTiming, Topic
from tracker.services.flags import ClaimInput, evaluate
from tracker.services.rulebook import packaged_rulebook

AFTER = dt.date(2027, 3, 1)  # every EU825 rule applies by then


@dataclass
class Case:
    text: str | None
    must: set[str]
    must_not: set[str] = field(default_factory=set)
    language: str | None = "en"
    country: str | None = "NL"
    markets: tuple[str, ...] = ()
    date: dt.date | None = AFTER
    precision: DatePrecision = DatePrecision.day
    date_end: dt.date | None = None
    channel: ClaimChannel = ClaimChannel.advert
    topics: frozenset[Topic] = frozenset({Topic.climate})
    facts: dict[str, Any] = field(default_factory=dict)
    ingredients: str | None = None
    cosmetic_kind: CosmeticKind | None = None
    target_year: int | None = None  # a target year a moderator recorded
    timing: dict[str, FlagTiming] = field(default_factory=dict)
    notes: dict[str, set[str]] = field(default_factory=dict)
    highlighted: dict[str, set[str]] = field(default_factory=dict)
    id: str = ""

    def claim(self) -> ClaimInput:
        return ClaimInput(
            text=self.text,
            language=self.language,
            date=self.date,
            date_precision=self.precision if self.date else DatePrecision.unknown,
            date_end=self.date_end,
            date_end_precision=DatePrecision.day if self.date_end else None,
            channel=self.channel,
            topics=self.topics,
            markets=self.markets,
            brand_country=self.country,
            facts={"cosmetic_kind": self.cosmetic_kind, **self.facts},
            cosmetic_kind=self.cosmetic_kind,
            future_target_year=self.target_year,
            ingredients=self.ingredients,
        )


GENERIC, WHOLE, OFFSET, LABEL, LEGAL, FUTURE = (
    "EU825-GENERIC",
    "EU825-WHOLE",
    "EU825-OFFSET",
    "EU825-LABEL",
    "EU825-LEGAL",
    "EU825-FUTURE",
)
VAGUE, AMBITION, ABSOLUTE = "ACM-VAGUE", "ACM-AMBITION", "CDR-ABSOLUTE"
CMA, PARTIAL, EU78, PSF = "CMA-GENERIC", "CMA-PARTIAL", "MP-EU78", "MP-PSF"
COSMETIC = frozenset({Topic.microplastics, Topic.ingredients})

CASES = [
    # --- Generic environmental claims, English ------------------------------------------
    Case("Eco-friendly packaging", {GENERIC}, {VAGUE, CMA}, notes={GENERIC: {"unspecified"}}),
    Case("Our ecosystem services report", set(), {GENERIC, CMA}, id="ecosystem-near-miss"),
    Case("Eco-design trainers", {GENERIC}, highlighted={GENERIC: {"Eco-design"}}),
    Case("Ecodesign", {GENERIC}, highlighted={GENERIC: {"Ecodesign"}}),
    Case("The economy range", set(), {GENERIC}, id="economy-near-miss"),
    Case("Green energy for everyone", {GENERIC}),
    Case("Our greenhouse gas inventory", set(), {GENERIC}, id="greenhouse-near-miss"),
    Case("Greener than ever", {GENERIC}, highlighted={GENERIC: {"Greener"}}),
    Case("Environmentally friendly detergent", {GENERIC}),
    Case("Ecologically grown", {GENERIC}),
    Case("Climate-friendly flights", {GENERIC}),
    Case("Biodegradable cups", {GENERIC}),
    Case("Kind to the planet", {GENERIC}),
    Case(
        "Eco-friendly packaging made with 30% recycled plastic",
        {GENERIC},
        notes={GENERIC: {"specified"}},
        id="generic-with-specification",
    ),
    Case("Sustainable fashion", {GENERIC, VAGUE}),
    Case("Read our sustainability report", set(), {GENERIC, VAGUE}, id="sustainability-report"),
    Case("Fly Responsibly", {VAGUE}, {GENERIC}),
    Case("Eco range of shampoos", {GENERIC}, highlighted={GENERIC: {"Eco"}}, id="eco-alone"),
    Case("ECO FRIENDLY REFILLS", {GENERIC}, highlighted={GENERIC: {"ECO FRIENDLY"}}),
    # --- Neutrality, offsets, the future -------------------------------------------------
    Case(
        "CO2-neutral by 2030",
        {OFFSET, FUTURE, AMBITION},
        {GENERIC},
        highlighted={FUTURE: {"by 2030"}, OFFSET: {"CO2-neutral"}},
        id="future-neutral",
    ),
    Case("We aim to be net zero by 2040", {OFFSET, FUTURE, AMBITION, ABSOLUTE}),
    Case(
        "In 2019 we became carbon neutral",
        {OFFSET},
        {FUTURE, AMBITION},
        date=dt.date(2019, 5, 1),
        timing={OFFSET: FlagTiming.before},
        id="past-year-is-no-target",
    ),
    Case("Carbon neutral delivery", {OFFSET}, notes={OFFSET: {"fact_unknown"}}),
    Case(
        "Carbon neutral delivery",
        {OFFSET},
        facts={"relies_on_offsets": True},
        notes={OFFSET: {"fact_recorded"}},
        id="offsets-recorded",
    ),
    Case(
        "Carbon neutral delivery",
        set(),
        {OFFSET},
        facts={"relies_on_offsets": False},
        id="no-offsets-recorded",
    ),
    Case(
        "CO2 neutral: we compensate the emissions of your flight",
        {OFFSET},
        notes={OFFSET: {"offsetting_named"}},
    ),
    Case("Be a hero, fly CO2ZERO", {OFFSET, ABSOLUTE}, {GENERIC}),
    Case("Our new plant opens in 2030", set(), {FUTURE, AMBITION}, id="year-without-target"),
    Case(
        "Carbon neutrality achieved in 2022",
        {OFFSET, VAGUE},
        {FUTURE, AMBITION},
        highlighted={OFFSET: {"Carbon neutrality"}},
        id="neutrality-noun",
    ),
    Case("We aim to be climate neutral", {OFFSET}, {FUTURE}, id="aim-without-year"),
    Case(
        "We aim to be climate neutral",
        {OFFSET, FUTURE, AMBITION},
        target_year=2040,
        notes={FUTURE: {"target_year_recorded"}},
        id="target-year-recorded",
    ),
    # --- Absolute claims -----------------------------------------------------------------
    Case("100% recycled", {ABSOLUTE}, {GENERIC}, highlighted={ABSOLUTE: {"100%"}}),
    Case("Fully recyclable bottle", {ABSOLUTE}),
    Case("Zero waste stores", {ABSOLUTE}),
    Case("100% recycled", set(), {ABSOLUTE}, country="DE", id="absolute-outside-nl"),
    # --- Facts a moderator records -------------------------------------------------------
    Case(
        "Conscious Choice",
        {LABEL, VAGUE},
        channel=ClaimChannel.label,
        notes={LABEL: {"fact_unknown"}},
        id="label-without-certification",
    ),
    Case(
        "Conscious Choice",
        {VAGUE},
        {LABEL},
        channel=ClaimChannel.label,
        facts={"certification_present": True},
        id="certified-label",
    ),
    Case("Conscious Choice", {VAGUE}, {LABEL}, channel=ClaimChannel.website, id="not-a-label"),
    Case(
        "A better bottle for the planet",
        {WHOLE},
        facts={"scope": "whole_product", "evidence_one_aspect": True},
        id="whole-product",
    ),
    Case(
        "A better bottle for the planet",
        set(),
        {WHOLE},
        facts={"scope": "aspect", "evidence_one_aspect": True},
        id="aspect-only",
    ),
    Case("A better bottle for the planet", set(), {WHOLE}, id="scope-not-recorded"),
    # --- Microplastics -------------------------------------------------------------------
    Case(
        "Microbead-free face scrub",
        {LEGAL},
        topics=COSMETIC,
        cosmetic_kind=CosmeticKind.rinse_off,
        id="microbead-free-rinse-off",
    ),
    Case(
        "Microbead-free face scrub",
        set(),
        {LEGAL},
        cosmetic_kind=CosmeticKind.rinse_off,
        id="microbead-free-not-a-cosmetics-topic",
    ),
    Case(
        "Microbead-free face cream",
        set(),
        {LEGAL},
        topics=COSMETIC,
        cosmetic_kind=CosmeticKind.leave_on,
        id="microbead-free-leave-on",
    ),
    Case(
        "Natural scrub",
        {EU78},
        {PSF},
        topics=COSMETIC,
        ingredients="Aqua, Polyethylene, Glycerin",
        cosmetic_kind=CosmeticKind.exfoliating,
        timing={EU78: FlagTiming.in_force},
        notes={EU78: {"list_matched", "beside"}},
        highlighted={EU78: {"Polyethylene", "Natural"}},
        id="microbeads-eu-list",
    ),
    Case(
        "Clean conditioner",
        {PSF},
        {EU78},
        topics=COSMETIC,
        ingredients="Aqua, Polyquaternium-7, Glycerin",
        timing={PSF: FlagTiming.not_a_law},
        id="psf-only",
    ),
    Case(
        "Gentle cleanser",
        {PSF},
        {EU78},
        topics=COSMETIC,
        ingredients="Aqua, Polyethylene Glycol, PEG-8",
        highlighted={PSF: {"PEG-8"}},
        id="peg-is-not-polyethylene",
    ),
    Case(
        "Silky powder",
        {EU78, PSF},
        topics=COSMETIC,
        ingredients="Talc, Nylon-12, Nylon-66",
        highlighted={EU78: {"Nylon-12"}, PSF: {"Nylon-66"}},
        id="each-list-says-what-it-matched",
    ),
    Case(
        "Silky powder",
        {PSF},
        {EU78},
        country="US",
        topics=COSMETIC,
        ingredients="Talc, Nylon-12",
        id="eu-list-outside-the-eu",
    ),
    Case(
        "Fresh body wash",
        {EU78},
        topics=COSMETIC,
        ingredients="Aqua, Acrylates Copolymer",
        cosmetic_kind=CosmeticKind.rinse_off,
        date=dt.date(2025, 6, 1),
        timing={EU78: FlagTiming.before},
        id="rinse-off-before-2027",
    ),
    # --- Dates around 27 September 2026 ---------------------------------------------------
    Case(
        "Eco-friendly",
        {GENERIC},
        date=dt.date(2026, 9, 26),
        timing={GENERIC: FlagTiming.before},
        id="day-before",
    ),
    Case(
        "Eco-friendly",
        {GENERIC},
        date=dt.date(2026, 9, 27),
        timing={GENERIC: FlagTiming.in_force},
        id="day-of",
    ),
    Case(
        "Eco-friendly",
        {GENERIC},
        date=None,
        timing={GENERIC: FlagTiming.date_unknown},
        id="date-unknown",
    ),
    Case(
        "Eco-friendly",
        {GENERIC},
        date=dt.date(2026, 1, 1),
        precision=DatePrecision.year,
        timing={GENERIC: FlagTiming.date_unknown},
        id="year-straddles",
    ),
    Case(
        "Eco-friendly",
        {GENERIC},
        date=dt.date(2025, 1, 1),
        date_end=dt.date(2027, 1, 1),
        timing={GENERIC: FlagTiming.in_force},
        id="range-runs-past",
    ),
    # --- Place ------------------------------------------------------------------------------
    Case("Eco-friendly cleaning", {CMA}, {GENERIC, VAGUE}, country="GB", id="uk-brand"),
    Case(
        "Eco-friendly cleaning",
        {CMA},
        {GENERIC},
        markets=("GB",),
        id="dutch-brand-uk-market",
    ),
    Case(
        "Eco-friendly cleaning",
        {GENERIC, CMA},
        country=None,
        notes={GENERIC: {"place"}},
        id="place-unknown",
    ),
    Case(
        "Organic cotton tee",
        {PARTIAL},
        country="GB",
        facts={"evidence_one_aspect": True},
        id="partial-content-uk",
    ),
    Case("Organic cotton tee", set(), {PARTIAL}, country="GB", id="partial-not-recorded"),
    Case("Eco-friendly cleaning", set(), {GENERIC, CMA, VAGUE}, country="US", id="us-brand"),
    # --- Dutch -------------------------------------------------------------------------------
    Case("Klimaatneutraal vliegen", {OFFSET, VAGUE}, {GENERIC}, language="nl"),
    Case("Wij geven om het klimaat", set(), {OFFSET, VAGUE, GENERIC}, language="nl"),
    Case("Milieuvriendelijke verpakking", {GENERIC}, language="nl"),
    Case("Duurzame mode", {GENERIC, VAGUE}, language="nl"),
    Case("Verse groenten en fruit", set(), {GENERIC}, language="nl", id="groente-near-miss"),
    Case("Groene stroom", {GENERIC}, language="nl"),
    Case("Biologisch afbreekbare zakken", {GENERIC}, language="nl"),
    Case("Wij streven naar CO2-neutraal in 2035", {OFFSET, FUTURE, AMBITION}, language="nl"),
    Case(
        "Klimaatneutraliteit is onze ambitie voor 2040",
        {OFFSET, VAGUE, FUTURE, AMBITION},
        language="nl",
        highlighted={OFFSET: {"Klimaatneutraliteit"}},
    ),
    Case("Tegen 2030 volledig circulair", {FUTURE, AMBITION, ABSOLUTE}, language="nl"),
    Case("100 procent gerecycled plastic", {ABSOLUTE}, {GENERIC}, language="nl"),
    Case("Onze economie draait op ecologische principes", {GENERIC}, language="nl"),
    Case("Duurzamer dan ooit", {GENERIC, VAGUE}, language="nl", highlighted={VAGUE: {"Duurzamer"}}),
    Case("Het groenste warenhuis", {GENERIC}, language="nl"),
    Case("Eco-vriendelijke verpakking", {GENERIC}, language="nl"),
    Case("Een milieubewuste keuze", {VAGUE}, {GENERIC}, language="nl"),
    Case("Volledig gecompenseerd", {OFFSET, ABSOLUTE}, language="nl"),
    Case(
        "Wij willen in 2035 emissievrij zijn",
        {OFFSET, FUTURE, AMBITION},
        language="nl",
        highlighted={FUTURE: {"Wij willen", "2035"}},
    ),
    Case("Lees ons duurzaamheidsverslag", set(), {GENERIC, VAGUE}, language="nl"),
    Case("Economisch verstandig", set(), {GENERIC}, language="nl", id="economisch-near-miss"),
    Case("Reizen naar Groenland", set(), {GENERIC}, language="nl", id="groenland-near-miss"),
    Case(
        "Vrij van microbeads",
        {LEGAL},
        language="nl",
        topics=COSMETIC,
        cosmetic_kind=CosmeticKind.exfoliating,
    ),
    # --- German and French -------------------------------------------------------------------
    Case("Umweltfreundliche Verpackung", {GENERIC}, language="de", country="DE"),
    Case("Klimaneutral bis 2030", {OFFSET, FUTURE}, {AMBITION}, language="de", country="DE"),
    Case("Ökologisch produziert", {GENERIC}, language="de", country="DE"),
    Case("Die Ökonomie der Zukunft", set(), {GENERIC}, language="de", country="DE"),
    Case("Ökostrom für alle", {GENERIC}, language="de", country="DE"),
    Case("Ökonomisch sinnvoll", set(), {GENERIC}, language="de", country="DE"),
    Case("Klimaneutralität bis 2040", {OFFSET, FUTURE}, {AMBITION}, language="de", country="DE"),
    Case("Emballage écologique", {GENERIC}, language="fr", country="FR"),
    Case("Respectueux de l'environnement", {GENERIC}, language="fr", country="FR"),
    Case("Neutre en carbone d'ici 2030", {OFFSET, FUTURE}, language="fr", country="FR"),
    Case("Économie circulaire", set(), {GENERIC}, language="fr", country="FR"),
    Case("EMBALLAGE ECOLOGIQUE", {GENERIC}, language="fr", country="FR", id="no-accents-upper"),
    Case("Écoconception", {GENERIC}, language="fr", country="FR"),
    Case("Neutralité carbone", {OFFSET}, language="fr", country="FR"),
]


def _case_id(case: Case) -> str:
    return case.id or case.text[:40]


@pytest.fixture(scope="module")
def rules():
    return packaged_rulebook()


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_claim_gets_the_flags_it_must_and_none_it_must_not(rules, case: Case):
    findings = {finding.rule_id: finding for finding in evaluate(rules, case.claim())}

    assert case.must <= set(findings), f"missing {case.must - set(findings)}"
    assert not case.must_not & set(findings), f"unexpected {case.must_not & set(findings)}"
    for rule_id, timing in case.timing.items():
        assert findings[rule_id].timing is timing
    for rule_id, codes in case.notes.items():
        assert codes <= {note["code"] for note in findings[rule_id].notes}
    for rule_id, words in case.highlighted.items():
        assert words <= {match.text for match in findings[rule_id].matches}


def test_the_table_is_large_and_covers_four_languages():
    assert len(CASES) >= 40
    assert {case.language for case in CASES} >= {"en", "nl", "de", "fr"}


def test_every_rule_in_the_rules_file_is_exercised(rules):
    exercised = set().union(*(case.must for case in CASES))
    assert {rule.id for rule in rules.rules} <= exercised


def test_a_flag_names_the_date_its_rule_applies_from_for_the_product(rules):
    claim = Case(
        "Lip gloss", set(), ingredients="Polyethylene", cosmetic_kind=CosmeticKind.lip_nail_makeup
    ).claim()
    [finding] = [f for f in evaluate(rules, claim) if f.rule_id == EU78]

    assert finding.applies_from.value == dt.date(2035, 10, 17)
    assert finding.timing is FlagTiming.before


def test_a_dismissal_follows_the_words_a_flag_matched(rules):
    def fingerprint(text: str) -> str:
        [finding] = [f for f in evaluate(rules, Case(text, set()).claim()) if f.rule_id == GENERIC]
        return finding.fingerprint

    assert fingerprint("Eco-friendly packaging") == fingerprint("ECO-FRIENDLY packaging!")
    assert fingerprint("Eco-friendly packaging") != fingerprint("Green packaging")
