"""Every seeded claim gets the flags its wording, date and place call for, and no others.

The expectations are written from each claim as the seed files give it (quote, date, where
it was made), not read back from the code: a change to the rules that moves a seeded flag
must show up here.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import make_app
from tracker.models import ClaimFlag, FlagTiming, SeedRecord

BEFORE, IN_FORCE, UNKNOWN = FlagTiming.before, FlagTiming.in_force, FlagTiming.date_unknown

# seed key: {rule: timing}. Dates unknown in the seeds give "date unknown"; claims made before
# a rule applied "would fall under" it ("before").
EXPECTED: dict[str, dict[str, FlagTiming]] = {
    # Label "Ecodesign" on the Dutch website: generic, and no certification recorded.
    "decathlon-ecodesign": {"EU825-GENERIC": UNKNOWN, "EU825-LABEL": UNKNOWN},
    # A US asset manager's wording: no rule here covers the United States.
    "dws-esg-top-of-mind": {},
    # Italian wording: no Italian lexicon yet, and a reduction with a figure is specific.
    "eni-diesel-plus-emissions": {},
    # "Conscious" in Norway and the Dutch web shop, April 2019: the ACM's vague terms.
    "hm-conscious": {"ACM-VAGUE": BEFORE},
    # "sustainable fashion pieces", 2019, H&M is Swedish: the EU rule from 2026.
    "hm-sustainable-fashion-pieces": {"EU825-GENERIC": BEFORE},
    "hm-conscious-choice": {"EU825-LABEL": UNKNOWN},
    "klm-fly-responsibly": {"ACM-VAGUE": BEFORE},
    "klm-be-a-hero": {"EU825-OFFSET": UNKNOWN, "CDR-ABSOLUTE": UNKNOWN},
    "klm-co2-neutral-holidays": {"EU825-OFFSET": UNKNOWN, "ACM-VAGUE": UNKNOWN},
    # A summary of 19 statements: "a more sustainable future", CO2ZERO.
    "klm-nineteen-statements": {
        "EU825-GENERIC": UNKNOWN,
        "EU825-OFFSET": UNKNOWN,
        "ACM-VAGUE": UNKNOWN,
        "CDR-ABSOLUTE": UNKNOWN,
    },
    # A UK TV ad: the CMA rules here have no neutrality or future-target rule.
    "petronas-net-zero-2050": {},
    "repsol-net-zero-biofuels": {"EU825-OFFSET": BEFORE},
    "repsol-renewable-fuels": {"EU825-GENERIC": BEFORE},
    "repsol-renewable-hydrogen": {"EU825-OFFSET": BEFORE},
    "shell-bristol-ready": {},
    "shell-south-west-homes": {},
    "shell-uk-households": {},
    "tbs-microbeads-phase-out": {},
    # "... natural or naturally derived and biodegradable", 2016, a UK brand.
    "tbs-microbeads-replaced": {"CMA-GENERIC": BEFORE},
    "vw-clean-diesel": {},
    "vw-no-longer-a-dirty-word": {},
    "vw-jetta-low-on-emissions": {},
    "vw-emissions-standards-claims": {},
}


@pytest.fixture(scope="module")
def seeded_flags(db_kit, tmp_path_factory):
    """Every seeded claim's id and stored flags, read once from a freshly seeded database."""
    app = make_app(db_kit.fresh(seeded=True), tmp_path_factory.mktemp("instance"))
    database = app.extensions["tracker_db"]
    with app.app_context(), database.session() as session:
        claims = {
            row.seed_key: row.entity_id
            for row in session.exec(select(SeedRecord).where(SeedRecord.table == "claim"))
        }
        flags: dict[int, dict[str, ClaimFlag]] = {}
        for flag in session.exec(select(ClaimFlag)):
            flags.setdefault(flag.claim_id, {})[flag.rule_id] = flag
    database.engine.dispose()
    return claims, flags


def test_every_seeded_claim_is_in_the_table(seeded_flags):
    claims, _ = seeded_flags
    assert set(claims) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_seeded_claim_gets_its_expected_flags(seeded_flags, key):
    claims, flags = seeded_flags
    found = flags.get(claims[key], {})
    assert {rule: flag.timing for rule, flag in found.items()} == EXPECTED[key]


def test_seeded_facts_reach_the_flags(seeded_flags):
    claims, flags = seeded_flags
    offset = flags[claims["klm-co2-neutral-holidays"]]["EU825-OFFSET"]
    assert {"code": "fact_recorded", "fact": "relies_on_offsets", "value": "True"} in offset.notes
    assert {"code": "offsetting_named"} in offset.notes
    vague = flags[claims["hm-conscious"]]["ACM-VAGUE"]
    assert {"code": "place", "basis": "markets", "countries": ["NO", "NL"]} in vague.notes
    summary = flags[claims["klm-nineteen-statements"]]["EU825-GENERIC"]
    assert {"code": "not_verbatim", "field": "summary"} in summary.notes


def test_the_seeded_pages_show_the_flags(seeded_client):
    page = seeded_client.get("/brands/klm").get_data(as_text=True)
    assert "EU825-OFFSET" in page
    assert "May fall under EU825-OFFSET" in page
    assert "Would fall under ACM-VAGUE from 2023" in page
