"""The shipped seed data: what it publishes, what it must never publish, and how it loads.

Expected facts are written out here from the project's fact sheet, so the test fails if a seed
edit drops or changes one; pages are read as a reader sees them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, func, select

from tests.conftest import SEEDS, make_app
from tests.page_reader import crawl, get
from tracker.models import (
    Brand,
    Claim,
    Contradiction,
    Outcome,
    Response,
    Revision,
    SeedRecord,
    Source,
    Submission,
    SubmissionState,
)
from tracker.services.seeding import read_seeds

# --- What the seed publishes ----------------------------------------------------------

# slug: (name, claims, contradictions, responses, outcomes, words a reader must find there)
PUBLISHED = {
    "klm": (
        "KLM",
        4,
        2,
        3,
        5,
        [
            "Fly Responsibly",
            "Be a hero, fly CO2ZERO",
            "CO2 neutral: KLM compensates for the CO2 emissions of your KLM Holidays flight.",
            "The 19 advertising statements challenged in court",
            "dossier 2021/00553",
            "RCC rulings are non-binding",
            "ECLI:NL:RBAMS:2024:1512",
            "15 of the 19 challenged statements",
            "studying the RCC ruling",
            "De negentien uitingen die in deze zaak centraal staan, gebruiken we niet meer.",
            "We are not greenwashing",
            "Declaratory ruling only",
            "Class action filed at the Amsterdam District Court",
            "held Fossielvrij admissible",
            "This is the claimants' allegation, not a finding.",
        ],
    ),
    "hm": (
        "H&M",
        3,
        3,
        3,
        2,
        [
            "Conscious Choice",
            "sustainable fashion pieces that make you both look and feel good",
            "Vi har konkludert med at de driver villedende reklame og at de har brutt loven",
            "not a court ruling or a fine",
            "seven clothing chains, including H&M",
            "Vi beklager denne feilmerkingen på det sterkeste",
            "wrote in April 2021 to 170 companies",
            "donate EUR 500,000",
            "ACM imposed no sanction",
            "could have been clearer and more comprehensive",
        ],
    ),
    "decathlon": (
        "Decathlon",
        1,
        1,
        1,
        1,
        [
            "Ecodesign",
            "without immediately and clearly specifying the sustainability benefit",
            "donate EUR 400,000",
            "concerned the Dutch web shop only",
        ],
    ),
    "volkswagen": (
        "Volkswagen",
        4,
        3,
        3,
        2,
        [
            "Clean Diesel",
            "Diesel. It's no longer a dirty word.",
            "you get a great car that's low on emissions…",
            '"50-state compliant"',
            "Notice of Violation of the Clean Air Act",
            "covering 3.0-litre diesel vehicles",
            "Case 3:16-cv-01534",
            "I personally am deeply sorry that we have broken the trust of our customers",
            'pulled its "Clean Diesel" ads',
            "earn back customer trust",
            "totalling up to USD 14.7 billion",
            '"fair, reasonable and adequate"',
            "distinct from the FTC's advertising case",
        ],
    ),
    "eni": (
        "Eni",
        1,
        1,
        2,
        2,
        [
            "riduce le emissioni di gas serra fino al 40%",
            "AGCM fined Eni EUR 5 million",
            "con grande sorpresa",
            "rejected Eni's appeal and confirmed the EUR 5 million fine",
            "annulled the AGCM decision and fine",
            "con soddisfazione",
        ],
    ),
    "dws": (
        "DWS",
        1,
        1,
        1,
        2,
        [
            "top of mind throughout our organization",
            "made materially misleading statements about its controls",
            "without admitting or denying",
            "USD 19 million penalty",
            "historic processes, procedures and marketing practices",
            "Desiree Fixler",
        ],
    ),
    "the-body-shop": (
        "The Body Shop",
        2,
        0,
        0,
        0,
        [
            "phasing out micro-beads from all of our products by 2015",
            "replace these ingredients with a naturally-derived alternative during 2015",
            "Both rest on blog and NGO reports rather than a regulator",
        ],
    ),
    "shell": (
        "Shell",
        3,
        1,
        1,
        1,
        [
            "BRISTOL is READY for Cleaner Energy",
            "In the South West 78,000 homes use 100% renewable electricity from Shell Energy",
            "In the UK, 1.4 million households use 100% renewable electricity from Shell",
            "Upholding a complaint by Adfree Cities",
            "only the upheld issue is described",
            "We strongly disagree with the ASA's decision",
            "must not appear again in the form complained of",
        ],
    ),
    "repsol": (
        "Repsol",
        3,
        2,
        1,
        1,
        [
            "we are developing biofuels and synthetic fuels to achieve net zero emissions",
            "Renewable fuels for more sustainable mobility",
            "Renewable hydrogen, another alternative to reduce emissions.",
            "Both issues upheld",
            "Second upheld ruling",
            "click through for more information",
        ],
    ),
    "petronas": (
        "Petronas",
        1,
        1,
        1,
        1,
        [
            "achieve net zero carbon emissions by 2050",
            "exaggerated the total environmental benefit",
            "aspiration to be net zero by 2050",
            "must not appear again in its current form",
        ],
    ),
}

# What a reader must find for every source the fact sheet gives: the exact URL of a few.
KEY_SOURCES = {
    "klm": [
        "https://uitspraken.rechtspraak.nl/details?id=ECLI%3ANL%3ARBAMS%3A2024%3A1512"
        "&keyword=%22KLM%22+%22misleidend%22+%22misleidt+KLM%22+%22milieu%22+%22misleidende%22"
        "+%22misleiden%22+%22misleidend.+KLM%22",
        "https://www.reclamecode.nl/uitspraken/klm/reizen-en-toerisme-2021-00553/338478/",
    ],
    "hm": [
        "https://www.nrk.no/troms/forbrukertilsynet-refser-h_m-for-ulovlig-miljomarkedsforing-1.14578730",
        "https://www.acm.nl/en/publications/going-forward-decathlon-and-handm-will-provide-better-information-about-sustainability-consumers",
    ],
    "decathlon": [
        "https://www.acm.nl/en/publications/going-forward-decathlon-and-handm-will-provide-better-information-about-sustainability-consumers",
    ],
    "volkswagen": ["https://www.engadget.com/2016/03/29/ftc-sues-volkswagen-over-diesel-ads/"],
    "eni": [
        "https://www.climatecasechart.com/document/italian-competition-authority-ruling-enis-diesel-advertising-campaign_79f1",
        "http://www-d.teleborsa.it/News/2024/04/24/eni-consiglio-di-stato-annulla-provvedimento-agcm-su-diesel-73.html",
    ],
    "dws": [
        "https://www.responsible-investor.com/dws-to-settle-with-sec-for-19m-over-greenwashing-claims/"
    ],
    "the-body-shop": [
        "http://5gyres.org/posts/2013/04/29/victory_1_the_body_shop_to_phase_out_plastic_micro_beads_by_2015__woot/"
    ],
    "shell": ["https://www.asa.org.uk/rulings/shell-uk-ltd-g22-1170842-shell-uk-ltd.html"],
    "repsol": ["https://asa.org.uk/rulings/repsol-sa-a23-1206254-repsol-sa.html"],
    "petronas": [
        "https://www.asa.org.uk/rulings/petroliam-nasional-berhad-a22-1169312-petroliam-nasional-berhad.html"
    ],
}

# Material that must never be public: the unverified Rituals case and the Body Shop items
# its recommendation excludes (the alleged 2017 report; the display:false negative check).
NEVER_PUBLIC = [
    "rituals",
    "wai wang",
    "cloosterman",
    "rankabrand",
    "dutyfreemag",
    "beatthemicrobead",
    "recyclenieuws",
    "maybelline",
    "plastic soup",
]


@pytest.fixture(scope="module")
def reader_app(db_kit, tmp_path_factory):
    """One seeded app for the tests that only read, so that each does not clone a database."""
    app = make_app(db_kit.fresh(seeded=True), tmp_path_factory.mktemp("reader"))
    yield app
    app.extensions["tracker_db"].engine.dispose()


@pytest.fixture
def seeded_client(reader_app):
    """The seeded site, shared by the tests that only read it."""
    return reader_app.test_client()


def brand_and_records(client, slug: str):
    """Return the brand page and every record page its timeline links to."""
    brand = get(client, f"/brands/{slug}")
    assert brand.status == 200
    record_links = {
        link
        for link in brand.links
        if link.startswith("/")
        and link.split("/")[1] in {"claims", "contradictions", "responses", "outcomes"}
        and not link.endswith("/history")
    }
    return brand, [get(client, link) for link in sorted(record_links)]


def test_the_shipped_seed_is_valid():
    seeds = read_seeds(SEEDS)
    assert {case.brand.key for _, case in seeds.cases} == set(PUBLISHED)
    assert len(seeds.sources) == 85
    assert {pending.key.split("-")[1] for _, pending in seeds.pending} == {"rituals"}


@pytest.mark.parametrize("slug", PUBLISHED)
def test_every_published_case_is_on_its_brand_page(seeded_client, slug):
    name, claims, contradictions, responses, outcomes, words = PUBLISHED[slug]
    brand, records = brand_and_records(seeded_client, slug)

    assert name in brand.text
    timeline = brand.html.split('id="timeline-heading"')[1]
    assert timeline.count('class="event event-claim"') == claims
    assert timeline.count('class="event event-contradiction"') == contradictions
    assert timeline.count('class="event event-response"') == responses
    assert (
        timeline.count('class="event event-outcome"') + timeline.count('class="event event-remedy"')
        == outcomes
    )
    assert all(record.status == 200 for record in records)
    everything = " ".join([brand.text, *(record.text for record in records)])
    missing = [phrase for phrase in words if phrase not in everything]
    assert not missing
    for url in KEY_SOURCES[slug]:
        assert url in brand.links


def test_every_source_is_published_once_and_cited(reader_app):
    with reader_app.extensions["tracker_db"].session() as session:
        sources = session.exec(select(Source)).all()
        assert len(sources) == 85
        assert len({source.url for source in sources}) == 85
        assert all(source.citations for source in sources)
    client = reader_app.test_client()
    page = get(client, f"/sources/{sources[0].id}")
    assert "Where this source is cited" in page.text


def without_legal_rules(html: str) -> str:
    """Drop the legal-flag filters: their MP-PSF rule names the Plastic Soup Foundation, whose
    list comes from RULES.md, not from the unpublished Rituals material."""
    return re.sub(r'<select id="(filter|search)-flag".*?</select>', "", html, flags=re.S)


def test_nothing_unpublishable_appears_on_any_public_page(seeded_client):
    assert seeded_client.get("/brands/rituals").status_code == 404
    pages = crawl(seeded_client, "/", "/brands/", "/about")

    assert len(pages) > 300  # every brand, record and history page was reached
    broken = {url: page.status for url, page in pages.items() if page.status != 200}
    assert not broken
    leaks = {
        url: word
        for url, page in pages.items()
        for word in NEVER_PUBLIC
        if word in without_legal_rules(page.html).lower()
    }
    assert not leaks
    assert "2017" not in pages["/brands/the-body-shop"].text


def test_rituals_waits_as_pending_submissions_with_the_reason(reader_app):
    with reader_app.extensions["tracker_db"].session() as session:
        assert not session.exec(select(Brand).where(func.lower(Brand.name) == "rituals")).all()
        submissions = session.exec(select(Submission)).all()

    assert len(submissions) == 5
    assert {s.state for s in submissions} == {SubmissionState.pending}
    assert {s.kind.value for s in submissions} == {"brand", "claim", "evidence"}
    for submission in submissions:
        payload = submission.payload
        assert "Rituals" in (payload.get("name"), payload.get("brand"))
        assert "unverified_do_not_publish" in payload["seed_note"]
        assert payload["seed_file"] == "pending/rituals.yaml"
    brand = next(s for s in submissions if s.kind.value == "brand")
    assert "No stored source documents the alleged ~2017 Dutch report" in brand.payload["seed_note"]


def test_the_body_shop_shows_only_the_neutral_commitment_timeline(seeded_client):
    brand, records = brand_and_records(seeded_client, "the-body-shop")

    assert "Contradiction documented" not in brand.text
    assert len(records) == 2
    assert all("Claim by The Body Shop" in record.text for record in records)
    assert "5 Gyres dates the commitment to April 2013" in " ".join(r.text for r in records)


# --- The care each case asks for, as caveats a reader sees ------------------------------


@pytest.mark.parametrize(
    ("slug", "caveat"),
    [
        ("klm", "RCC rulings are non-binding"),
        ("hm", "A supervisory conclusion set out in a letter to H&M, not a court ruling or a fine"),
        ("hm", "the ACM expressly imposed no sanction"),
        ("decathlon", "no country is given until they are verified"),
        ("volkswagen", "An environmental-law matter (Clean Air Act), distinct from the FTC's"),
        ("volkswagen", "US-only amounts, covering the 2.0-litre vehicles"),
        ("eni", "the Consiglio di Stato upheld Eni's appeal in full and annulled this decision"),
        ("dws", 'DIMA settled "without admitting or denying" them. It is not an admission.'),
        ("shell", "only the upheld issue is described here"),
        ("the-body-shop", "not a published company document"),
    ],
)
def test_caveats_keep_the_care_the_fact_sheet_asks_for(seeded_client, slug, caveat):
    brand, records = brand_and_records(seeded_client, slug)
    caveated = [page for page in (brand, *records) if "Caveats" in page.text]
    assert any(caveat in page.text for page in caveated)


def test_decathlon_has_no_country_and_eni_is_overturned(reader_app):
    with reader_app.extensions["tracker_db"].session() as session:
        decathlon = session.exec(select(Brand).where(Brand.slug == "decathlon")).one()
        eni = session.exec(select(Brand).where(Brand.slug == "eni")).one()
        agcm = session.exec(select(Contradiction).where(Contradiction.brand_id == eni.id)).one()
    assert decathlon.country is None
    assert agcm.state.value == "overturned"


def test_dates_keep_the_fact_sheets_precision(seeded_client):
    klm = get(seeded_client, "/brands/klm").text
    assert "20 March 2024" in klm
    assert "April 2022" in klm and "1 April 2022" not in klm  # a month stays a month
    vw = get(seeded_client, "/brands/volkswagen").text
    assert "2008 to 2015" in vw  # the FTC's campaign period, a range of years
    assert "Date not known" in vw  # null stays unknown


# --- Loading: idempotence, edits, errors ------------------------------------------------


def run_seed(app, folder: Path | None = None):
    args = ["seed"] + ([str(folder)] if folder else [])
    return app.test_cli_runner().invoke(args=args)


def seed_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def edit(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def dump(app) -> dict[str, list[tuple]]:
    """Every row of every table, in key order: the whole state of the database."""
    with app.extensions["tracker_db"].engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def count(app, model) -> int:
    with app.extensions["tracker_db"].session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_seeding_twice_changes_nothing_the_second_time(app):
    first = run_seed(app)
    assert first.exit_code == 0, first.output
    public = sum(count(app, model) for model in (Brand, Claim, Contradiction, Response, Outcome))
    assert count(app, Revision) == public + count(app, Source)
    assert " 0 updated" in first.output
    before = dump(app)

    second = run_seed(app)

    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated" in second.output
    assert dump(app) == before  # no revision, no timestamp, nothing


def test_an_edited_entry_gets_exactly_one_new_revision(seeded_app, tmp_path):
    folder = seed_copy(tmp_path)
    edit(
        folder,
        "brands/klm.yaml",
        "where: www.klm.nl, button under",
        "where: KLM's Dutch website www.klm.nl, button under",
    )
    revisions_before = count(seeded_app, Revision)

    result = run_seed(seeded_app, folder)

    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated" in result.output
    assert count(seeded_app, Revision) == revisions_before + 1
    with seeded_app.extensions["tracker_db"].session() as session:
        seeded = session.get(SeedRecord, "klm-co2-neutral-holidays")
        newest = session.exec(select(Revision).order_by(Revision.id.desc())).first()
    assert (newest.entity_type.value, newest.entity_id) == ("claim", seeded.entity_id)
    assert (newest.version, newest.author_label) == (2, "seed")
    assert newest.reason == "Seed file brands/klm.yaml changed"

    history = get(seeded_app.test_client(), f"/claims/{seeded.entity_id}/history")
    assert "Seed file brands/klm.yaml changed" in history.text
    assert "KLM's Dutch website" in history.text


def test_a_reworded_entry_that_changes_no_record_writes_no_revision(seeded_app, tmp_path):
    folder = seed_copy(tmp_path)
    edit(
        folder,
        "brands/the-body-shop.yaml",
        "[microplastics, ingredients]",
        "[ingredients, microplastics]",
    )
    before = count(seeded_app, Revision)

    result = run_seed(seeded_app, folder)

    assert "0 created, 0 updated" in result.output
    assert count(seeded_app, Revision) == before


def test_a_date_inside_a_pending_payload_loads(app, tmp_path):
    folder = seed_copy(tmp_path)
    edit(
        folder,
        "pending/rituals.yaml",
        'date: "2022-01-11"\n      date_note',
        "date: 2022-01-11\n      date_note",
    )

    assert run_seed(app, folder).exit_code == 0
    with app.extensions["tracker_db"].session() as session:
        dates = [s.payload.get("date") for s in session.exec(select(Submission))]
    assert "2022-01-11" in dates


KLM = "brands/klm.yaml"

# (name, file, old text, new text, words the error must contain: file, record, field, why)
BROKEN = [
    (
        "impossible date",
        KLM,
        "date: 2024-03-20\n    caveats:",
        "date: 2024-13-45\n    caveats:",
        [KLM, "contradictions[1] (klm-court-2024)", "date", "'2024-13-45' is not a real date"],
    ),
    (
        "date in words",
        KLM,
        "date: 2024-03-20\n    caveats:",
        "date: 20 March 2024\n    caveats:",
        [KLM, "(klm-court-2024)", "date", "is not a date: use YYYY-MM-DD, YYYY-MM or YYYY"],
    ),
    (
        "future date",
        KLM,
        'date: "2022-04"',
        'date: "2099-04"',
        [KLM, "responses[0] (klm-response-rcc)", "date", "date is in the future"],
    ),
    (
        "unknown source key",
        KLM,
        "      - source: src-klm-nu-rcc\n\n",
        "      - source: src-klm-nowhere\n\n",
        [KLM, "(klm-rcc-2022)", "citations[3].source", "unknown source 'src-klm-nowhere'"],
    ),
    (
        "unknown claim key",
        KLM,
        "claims: [klm-be-a-hero, klm-co2-neutral-holidays]",
        "claims: [klm-be-a-hero, klm-co2-neutral]",
        [KLM, "(klm-rcc-2022)", "claims", "no claim 'klm-co2-neutral' for this brand"],
    ),
    (
        "duplicate key",
        KLM,
        "key: klm-response-rcc",
        "key: hm-conscious",
        [
            KLM,
            "responses[0] (hm-conscious)",
            "key 'hm-conscious' is already used in brands/hm.yaml",
        ],
    ),
    (
        "missing required field",
        KLM,
        "    kind: court_ruling\n",
        "",
        [KLM, "contradictions[1] (klm-court-2024)", "kind", "Field required"],
    ),
    (
        "unknown field",
        KLM,
        "    kind: court_ruling\n",
        "    kind: court_ruling\n    verdict: guilty\n",
        [KLM, "(klm-court-2024)", "verdict", "Extra inputs are not permitted"],
    ),
    (
        "field given twice",
        KLM,
        "    kind: court_ruling\n",
        "    kind: court_ruling\n    state: open\n",
        [KLM, "near klm-court-2024", "field 'state' is given twice"],
    ),
    (
        "bad YAML",
        KLM,
        "    kind: court_ruling\n",
        "    kind: court_ruling\n  - [unclosed\n",
        [KLM, "line ", "column ", "near klm-court-2024", "not valid YAML"],
    ),
    (
        "wrong enum",
        KLM,
        "kind: advertising_ruling\n    state: upheld",
        "kind: advertising_ruling\n    state: proven",
        [KLM, "(klm-rcc-2022)", "state", "Input should be 'open', 'disputed'"],
    ),
    (
        "bad source URL",
        "sources.yaml",
        "url: http://www.osborneclarke.com/",
        "url: ftp://www.osborneclarke.com/",
        ["sources.yaml", "sources[1] (src-klm-osborne)", "url", "should match pattern"],
    ),
    (
        "pending submission without its reason",
        "pending/rituals.yaml",
        "    note: >-\n      Unverified case (unverified_do_not_publish): an NGO",
        "    remark: >-\n      Unverified case (unverified_do_not_publish): an NGO",
        [
            "pending/rituals.yaml",
            "submissions[4] (pending-rituals-rank-a-brand-2016)",
            "note",
            "Field required",
        ],
    ),
]


@pytest.mark.parametrize(
    ("relative", "old", "new", "words"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_seed_is_named_exactly_and_loads_nothing(
    seeded_app, tmp_path, relative, old, new, words
):
    folder = seed_copy(tmp_path)
    # A valid change in another file, to prove that nothing of it is loaded either.
    edit(folder, "brands/eni.yaml", "sector: oil and gas / fuel retail", "sector: fuel retail")
    edit(folder, relative, old, new)
    before = dump(seeded_app)

    result = run_seed(seeded_app, folder)

    assert result.exit_code == 1
    assert "nothing was loaded" in result.stderr
    assert any(all(word in line for word in words) for line in result.stderr.splitlines()), (
        result.stderr
    )
    assert dump(seeded_app) == before


def test_an_error_found_while_writing_rolls_everything_back(seeded_app, tmp_path):
    folder = seed_copy(tmp_path)
    # A change written first, then a key that once named a claim reused for a source.
    edit(folder, "sources.yaml", "publisher: Osborne Clarke", "publisher: Osborne Clarke LLP")
    klm = folder / "brands/klm.yaml"
    klm.write_text(klm.read_text().replace("klm-be-a-hero", "klm-be-a-hero-banner"))
    for relative in ("sources.yaml", "brands/klm.yaml"):
        path = folder / relative
        path.write_text(path.read_text().replace("src-klm-parool", "klm-be-a-hero"))
    before = dump(seeded_app)

    result = run_seed(seeded_app, folder)

    assert result.exit_code == 1
    assert (
        "sources.yaml: source (klm-be-a-hero): key: was loaded before as a claim" in result.stderr
    )
    assert dump(seeded_app) == before
