"""Every public page type with the shipped seed data, as a reader sees it.

Real brands appear only as the seed files describe them; changes and merges are made on the
clearly fictional Acme Cosmetics (tests/fictional.py), added beside the seed.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import func, select

from tests.conftest import make_app
from tests.fictional import make_fictional_brand
from tests.page_reader import get
from tracker.models import (
    Brand,
    Claim,
    Contradiction,
    Response,
    SeedRecord,
    Visibility,
)
from tracker.services.revisions import Author, save_revision

JUDGMENT_URL = (
    "https://uitspraken.rechtspraak.nl/details?id=ECLI%3ANL%3ARBAMS%3A2024%3A1512"
    "&keyword=%22KLM%22+%22misleidend%22+%22misleidt+KLM%22+%22milieu%22+%22misleidende%22"
    "+%22misleiden%22+%22misleidend.+KLM%22"
)


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def words(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


def seeded_id(app, key: str) -> int:
    """Return the id of the record a seed entry produced."""
    with app.extensions["tracker_db"].session() as session:
        return session.get(SeedRecord, key).entity_id


def glance(soup: BeautifulSoup) -> dict[str, str]:
    """Return the figures of a counts panel: {"Claims": "4", ...}."""
    panel = soup.select_one("dl.counts")
    return {words(item.dt): words(item.dd) for item in panel.find_all("div") if item.dt and item.dd}


def years(soup: BeautifulSoup) -> list[str]:
    return [words(heading) for heading in soup.select("section.year h3")]


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


@pytest.fixture
def acme(seeded_app):
    """The fictional Acme Cosmetics, published beside the seed data."""
    with seeded_app.extensions["tracker_db"].session(write=True) as session:
        return make_fictional_brand(session)


# --- The two facts the issue names -------------------------------------------------------


def test_klm_page_shows_the_amsterdam_judgment_with_its_source(seeded_client, reader_app):
    soup = soup_of(seeded_client.get("/brands/klm"))
    judgment = next(
        event
        for event in soup.select("li.event-contradiction")
        if "ECLI:NL:RBAMS:2024:1512" in words(event)
    )

    assert judgment.find("time")["datetime"] == "2024-03-20"
    assert "20 March 2024" in words(judgment.find("time"))
    assert "Amsterdam District Court" in words(judgment)
    assert "Upheld" in words(judgment)
    source = judgment.find("a", href=JUDGMENT_URL)
    assert source is not None and words(source) == "ECLI:NL:RBAMS:2024:1512"
    assert "Rechtspraak.nl (Rechtbank Amsterdam)" in words(source.parent)

    record = get(seeded_client, f"/contradictions/{seeded_id(reader_app, 'klm-court-2024')}")
    assert "Judgment ECLI:NL:RBAMS:2024:1512 (case C/13/719848 / HA ZA 22-524)" in record.text
    assert JUDGMENT_URL in record.links


def test_eni_page_shows_that_the_fine_was_later_annulled(seeded_client):
    soup = soup_of(seeded_client.get("/brands/eni"))
    fine = soup.select_one("li.event-contradiction")
    annulment = next(
        event for event in soup.select("li.event-outcome") if "Annulled on appeal" in words(event)
    )

    assert "EUR 5 million" in words(fine) and "annulled on appeal in 2024" in words(fine)
    assert "Overturned" in words(fine.select_one(".badge"))
    assert "23 April 2024" in words(annulment)
    assert "annulled the AGCM decision and fine" in words(annulment)
    assert glance(soup)["Overturned"] == "1" and glance(soup)["Upheld"] == "0"
    # The fine, the court that confirmed it and the court that annulled it, in order.
    oldest = words(soup_of(seeded_client.get("/brands/eni?order=oldest")).select_one(".timeline"))
    assert (
        oldest.index("AGCM")
        < oldest.index("TAR Lazio")
        < oldest.index("annulled the AGCM decision and fine")
    )


# --- Home and brand index ---------------------------------------------------------------


def test_home_shows_counts_and_the_latest_contradictions(seeded_client, reader_app):
    with reader_app.extensions["tracker_db"].session() as session:

        def published(model):
            return session.exec(
                select(func.count()).select_from(model).where(model.visibility == "published")
            ).one()

        expected = {
            "Brands": published(Brand),
            "Claims": published(Claim),
            "Contradictions": published(Contradiction),
            "Brand responses": published(Response),
        }
    soup = soup_of(seeded_client.get("/"))

    figures = glance(soup)
    assert {name: int(figures[name]) for name in expected} == expected
    assert expected["Brands"] == 10
    latest = soup.select("section[aria-labelledby=latest-heading] li.card")
    assert len(latest) == 8
    assert "ECLI:NL:RBAMS:2024:1512" in words(latest[0])  # the most recent, 20 March 2024
    assert latest[0].find("a", href="/brands/klm")
    assert "Rituals" not in soup.get_text()


def brand_rows(response) -> list[list[str]]:
    table = soup_of(response).select_one("table.brand-table")
    if table is None:
        return []
    return [[words(cell) for cell in row.find_all(["th", "td"])] for row in table.tbody("tr")]


def test_brand_index_lists_every_brand_a_to_z_with_its_counts(seeded_client):
    rows = brand_rows(seeded_client.get("/brands/"))

    names = [row[0] for row in rows]
    assert names == sorted(names, key=str.lower) and len(names) == 10
    klm = next(row for row in rows if row[0] == "KLM")
    assert klm == ["KLM", "Aviation", "Netherlands", "4", "2", "0", "2", "0"]
    decathlon = next(row for row in rows if row[0] == "Decathlon")
    assert decathlon[2] == ""  # its country is not verified, so none is shown


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=aviation", ["KLM"]),
        ("sector=oil+and+gas+%2F+energy", ["Petronas", "Repsol", "Shell"]),
        ("country=GB", ["Shell", "The Body Shop"]),
        ("country=gb", ["Shell", "The Body Shop"]),
        ("country=GB&sector=cosmetics+and+personal+care", ["The Body Shop"]),
        ("letter=T", ["The Body Shop"]),
        ("letter=h", ["H&M"]),
        ("letter=%23", []),
        ("letter=Q", []),
        ("sector=no+such+sector", []),
    ],
)
def test_brand_index_filters(seeded_client, query, expected):
    response = seeded_client.get(f"/brands/?{query}")
    assert response.status_code == 200
    assert [row[0] for row in brand_rows(response)] == expected
    if not expected:
        assert "No brand matches these filters." in words(soup_of(response))


def test_brand_index_offers_every_letter_and_the_filters(seeded_client):
    soup = soup_of(seeded_client.get("/brands/?sector=aviation"))
    letters = [words(link) for link in soup.select("nav.letters a")]
    assert letters == ["All", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"]
    assert soup.select_one("nav.letters a[href*='letter=K'][href*='sector=aviation']")
    sectors = [option["value"] for option in soup.select("#filter-sector option")]
    assert "aviation" in sectors and "sporting goods retail" in sectors
    countries = {words(option) for option in soup.select("#filter-country option")}
    assert {"Netherlands", "Italy", "Malaysia"} <= countries


class TestPagination:
    @pytest.fixture
    def app_config(self):
        return {"PAGE_SIZE": 2}

    @pytest.fixture
    def seeded_client(self, seeded_app):
        return seeded_app.test_client()  # the app built with this class's app_config

    def test_the_index_is_split_into_pages(self, seeded_client):
        seen = []
        for number in range(1, 6):
            response = seeded_client.get(f"/brands/?page={number}")
            soup = soup_of(response)
            assert f"Page {number} of 5" in words(soup.select_one("nav.pagination"))
            assert bool(soup.select_one("a[rel=prev]")) == (number > 1)
            assert bool(soup.select_one("a[rel=next]")) == (number < 5)
            seen += [row[0] for row in brand_rows(response)]
        assert len(seen) == 10 == len(set(seen))
        assert seen == sorted(seen, key=str.lower)

    def test_page_links_keep_the_filters(self, seeded_client):
        first = soup_of(seeded_client.get("/brands/?sector=oil+and+gas+%2F+energy"))
        assert [words(row.th) for row in first.select("table.brand-table tbody tr")] == [
            "Petronas",
            "Repsol",
        ]
        second = seeded_client.get(first.select_one("nav.pagination a[rel=next]")["href"])
        assert [row[0] for row in brand_rows(second)] == ["Shell"]
        assert "Page 2 of 2" in words(soup_of(second))

    @pytest.mark.parametrize(
        ("page", "shown"),
        [
            ("abc", 1),
            ("0", 1),
            ("-2", 1),
            ("1.5", 1),
            ("", 1),
            ("%00", 1),
            ("99999999999999999999", 1),
            ("5", 5),
            ("99", 5),
        ],
    )
    def test_a_malformed_or_too_large_page_number_shows_a_real_page(
        self, seeded_client, page, shown
    ):
        response = seeded_client.get(f"/brands/?page={page}")
        assert response.status_code == 200
        assert f"Page {shown} of 5" in words(soup_of(response))


# --- Brand page: counts and timeline ---------------------------------------------------


def test_brand_page_shows_who_they_are_and_counts_at_a_glance(seeded_client):
    soup = soup_of(seeded_client.get("/brands/klm"))
    facts = words(soup.select_one("dl.facts"))
    assert "Koninklijke Luchtvaart Maatschappij N.V." in facts
    assert "Air France-KLM" in facts and "Netherlands" in facts and "Sector Aviation" in facts
    assert glance(soup) == {
        "Claims": "4",
        "Contradictions": "2",
        "Open": "0",
        "Disputed by the brand": "0",
        "Upheld": "2",
        "Remedied": "0",
        "Overturned": "0",
        "Response rate": "100%",
        "Remedies": "0",
    }

    volkswagen = glance(soup_of(seeded_client.get("/brands/volkswagen")))
    assert (volkswagen["Open"], volkswagen["Upheld"], volkswagen["Remedied"]) == ("1", "1", "1")
    body_shop = glance(soup_of(seeded_client.get("/brands/the-body-shop")))
    assert body_shop["Response rate"] == "\u2013"  # no contradiction to answer


def test_the_timeline_is_grouped_by_year_newest_first(seeded_client):
    soup = soup_of(seeded_client.get("/brands/klm"))

    assert years(soup) == ["2024", "2023", "2022", "2019", "Date not known"]
    days = [tag.get("datetime") or "" for tag in soup.select("li.event h4 time")]
    assert days[0] == "2024-05-01"  # the claimants' letter, after the judgment
    exact = [day for day in days if len(day) == 10]
    assert exact == sorted(exact, reverse=True)
    undated = soup.select("section.year")[-1].select("li.event")
    assert all("date unknown" in words(event.find("time")) for event in undated)


def test_oldest_first_reverses_the_years_and_the_events(seeded_client):
    soup = soup_of(seeded_client.get("/brands/klm?order=oldest"))

    assert years(soup) == ["2019", "2022", "2023", "2024", "Date not known"]
    first = soup.select_one("li.event")
    assert "Fly Responsibly" in words(first) and "29 June 2019" in words(first)
    assert soup.select_one(".order-switch a")["href"] == "/brands/klm"


@pytest.mark.parametrize("order", ["sideways", "", "OLDEST", "<script>", "newest"])
def test_an_unknown_order_shows_newest_first(seeded_client, order):
    response = seeded_client.get(f"/brands/klm?order={order}")
    assert response.status_code == 200
    assert years(soup_of(response))[0] == "2024"


def test_each_event_has_its_date_kind_summary_sources_and_link(seeded_client):
    soup = soup_of(seeded_client.get("/brands/hm"))
    events = soup.select("li.event")

    assert len(events) == 11
    for event in events:
        assert event.find("time") and event.select_one(".event-kind")
        assert words(event.select_one(".event-summary"))
        assert event.select(".event-sources a[rel~=external]")
        assert event.select_one(".event-link a")["href"].split("/")[1] in {
            "claims",
            "contradictions",
            "responses",
            "outcomes",
        }
    kinds = {words(event.select_one(".event-kind")) for event in events}
    assert {"Claim made", "Contradiction documented", "Brand response"} <= kinds
    assert "Outcome: Commitment" in kinds and "Outcome: Investigation opened" in kinds
    month = next(e for e in events if "Vi beklager" in words(e) or "seven clothing" in words(e))
    assert "July 2020" in words(month.find("time"))


def test_caveats_are_shown_beside_what_they_qualify(seeded_client, reader_app):
    brand = soup_of(seeded_client.get("/brands/eni"))
    caveats = brand.select_one("aside.caveats")
    assert "Caveats" in words(caveats)
    assert "The final legal outcome favours Eni." in words(caveats)
    flagged = [e for e in brand.select("li.event") if e.select_one(".caveat-flag")]
    assert flagged and all("with caveats" in words(e) for e in flagged)

    record = get(seeded_client, f"/contradictions/{seeded_id(reader_app, 'dws-sec-2023')}")
    assert 'DIMA settled "without admitting or denying" them.' in record.text


# --- One page per record ---------------------------------------------------------------


def test_claim_page(seeded_client, reader_app):
    page = get(seeded_client, f"/claims/{seeded_id(reader_app, 'eni-diesel-plus-emissions')}")
    assert page.status == 200
    assert "riduce le emissioni di gas serra fino al 40%" in page.text
    assert "Translation: reduces greenhouse gas emissions by up to 40%" in page.text
    assert "2016 to 2019" in page.text
    assert "Advertisement: Italian multimedia advertising campaign" in page.text
    assert "Withdrawn" in page.text and "Climate" in page.text
    assert "Italian Competition Authority (AGCM) fined Eni" in page.text  # evidence against it
    html = soup_of(
        seeded_client.get(f"/claims/{seeded_id(reader_app, 'eni-diesel-plus-emissions')}")
    )
    assert html.select_one("blockquote.claim-quote")["lang"] == "it"

    summary_only = get(seeded_client, f"/claims/{seeded_id(reader_app, 'klm-nineteen-statements')}")
    assert "The 19 advertising statements challenged in court" in summary_only.text


def test_contradiction_page(seeded_client, reader_app):
    page = get(
        seeded_client, f"/contradictions/{seeded_id(reader_app, 'hm-forbrukertilsynet-2019')}"
    )
    assert page.status == 200
    assert (
        "Vi har konkludert med at de driver villedende reklame og at de har brutt loven"
        in page.text
    )
    assert "Bente Øverli, deputy director, Forbrukertilsynet (to NRK)" in page.text
    assert "Forbrukertilsynet (Norwegian Consumer Authority) (Regulator)" in page.text
    assert "Regulator decision" in page.text and "June 2019" in page.text
    assert "The claims it contradicts" in page.text
    assert "sustainable fashion pieces that make you both look and feel good" in page.text
    assert "H&M declined an NRK interview" in page.text  # the reply
    claim_links = [link for link in page.links if link.startswith("/claims/")]
    assert len(claim_links) == 2


def test_response_page(seeded_client, reader_app):
    page = get(seeded_client, f"/responses/{seeded_id(reader_app, 'klm-response-court-start')}")
    assert page.status == 200
    assert "Response of KLM" in page.text
    assert (
        "De negentien uitingen die in deze zaak centraal staan, gebruiken we niet meer."
        in page.text
    )
    assert "In reply to Amsterdam District Court" in page.text
    assert "date unknown" in page.text
    assert "Het Parool article date not visible in stored copy." in page.text
    html = soup_of(
        seeded_client.get(f"/responses/{seeded_id(reader_app, 'klm-response-court-start')}")
    )
    assert html.select_one("blockquote")["lang"] == "nl"


def test_outcome_page(seeded_client, reader_app):
    page = get(seeded_client, f"/outcomes/{seeded_id(reader_app, 'dws-sec-order-2023')}")
    assert page.status == 200
    assert "Order · DWS" in page.text
    assert "U.S. Securities and Exchange Commission (SEC)" in page.text
    assert "Amount $19,000,000.00" in page.text
    assert "25 September 2023" in page.text
    assert "SEC settled order" in page.text  # what it follows


def test_source_page_lists_where_it_is_cited(seeded_client, reader_app):
    source_id = seeded_id(reader_app, "src-klm-osborne")
    soup = soup_of(seeded_client.get(f"/sources/{source_id}"))
    text = words(soup)

    assert (
        "District Court of Amsterdam declares green claims of KLM misleading and unlawful" in text
    )
    assert "Osborne Clarke" in text and "22 March 2024" in text and "Law firm" in text
    cited = soup.select("section[aria-labelledby=cited-in] li.card")
    targets = {card.select("a")[-1]["href"].split("/")[1] for card in cited}
    assert len(cited) == 2 and targets == {"contradictions", "outcomes"}
    assert "Filing date 6 July 2022" in words(soup.select_one("section[aria-labelledby=cited-in]"))

    shared = soup_of(seeded_client.get(f"/sources/{seeded_id(reader_app, 'src-aa-asa-2023')}"))
    brands = {words(a) for a in shared.select("section[aria-labelledby=cited-in] .card-meta a")}
    assert brands == {"Shell", "Repsol", "Petronas"}


def test_a_source_without_title_shows_its_description_and_caveats(seeded_client, reader_app):
    page = get(seeded_client, f"/sources/{seeded_id(reader_app, 'src-klm-bhrrc')}")
    assert "Stored URL is the zh-hant locale path, as found." in page.text
    untitled = get(seeded_client, f"/sources/{seeded_id(reader_app, 'src-klm-loyens')}")
    assert "Loyens & Loeff news item on the first Dutch greenwashing class action" in untitled.text
    assert "date unknown" in untitled.text


# --- History and comparison -------------------------------------------------------------


def test_history_of_a_seeded_record(seeded_client, reader_app):
    page = get(seeded_client, f"/claims/{seeded_id(reader_app, 'shell-uk-households')}/history")
    assert page.status == 200
    assert "Version 1" in page.text
    assert "Loaded from seed file brands/shell.yaml" in page.text
    assert "by seed" in page.text
    brand = get(seeded_client, "/brands/shell/history")
    assert "Loaded from seed file brands/shell.yaml" in brand.text


def test_history_and_compare_after_a_change(seeded_app, acme):
    with seeded_app.extensions["tracker_db"].session(write=True) as session:
        claim = session.get(Claim, acme.claim_id)
        claim.where = "On the lid of the 200 ml jar"
        save_revision(session, claim, author=Author("mod-bram"), reason="Where it was said")
        session.commit()
    client = seeded_app.test_client()

    history = soup_of(client.get(f"/claims/{acme.claim_id}/history"))
    versions = [words(h) for h in history.select("ol.revisions h2")]
    assert versions == ["Version 3", "Version 2", "Version 1"]
    newest = history.select_one("ol.revisions li")
    assert "Where it was said" in words(newest) and "by mod-bram" in words(newest)
    assert "On the lid of the 200 ml jar" in words(newest.select_one("table.diff"))

    compare = soup_of(client.get(f"/claims/{acme.claim_id}/history?from=1&to=3"))
    section = words(compare.select_one("section.compare"))
    assert "Changes from version 1 to version 3" in section
    assert "Summary (empty) Printed on the jar of the face scrub." in section
    assert "Where exactly (empty) On the lid of the 200 ml jar" in section
    same = soup_of(client.get(f"/claims/{acme.claim_id}/history?from=2&to=2"))
    assert "The two versions are the same." in words(same)

    timeline = soup_of(client.get(f"/brands/{acme.slug}"))
    assert len(timeline.select("li.event-update")) == 2


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("from=a&to=1", 400),
        ("from=1", 400),
        ("to=1", 400),
        ("from=-1&to=1", 400),
        ("from=1&to=9", 404),
        ("from=99999999999999999999&to=1", 404),
    ],
)
def test_malformed_compare_parameters_never_break_the_page(
    seeded_client, reader_app, query, status
):
    claim_id = seeded_id(reader_app, "klm-fly-responsibly")
    assert seeded_client.get(f"/claims/{claim_id}/history?{query}").status_code == status


# --- Addresses that do not exist, or moved -----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/brands/rituals",
        "/brands/no-such-brand",
        "/brands/no-such-brand/history",
        "/claims/999999",
        "/claims/0",
        "/claims/abc",
        "/contradictions/999999",
        "/responses/999999/history",
        "/outcomes/999999",
        "/sources/999999",
        "/sources/-1",
        "/brands/%00",
        "/brands/a%00b/history",
    ],
)
def test_unknown_slugs_and_ids_get_the_404_page(seeded_client, url):
    response = seeded_client.get(url)
    assert response.status_code == 404
    page = get(seeded_client, url)
    assert "Page not found" in page.text
    assert "/brands/" in page.links  # a way on from the error page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("letter=ZZ", 10),
        ("letter=%3Cscript%3E", 10),
        ("country=XYZ", 10),
        ("country=%00", 10),
        ("country=G%00", 10),
        ("sector=a%00b", 10),
        ("sector=%3Cscript%3E", 0),
        ("page=1&page=2", 10),
        ("lang=xx", 10),
    ],
)
def test_odd_index_parameters_give_a_page_not_an_error(seeded_client, query, shown):
    response = seeded_client.get(f"/brands/?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)
    # An unusable filter is ignored; a well-formed one that matches nothing shows nothing.
    assert len(brand_rows(response)) == shown


def test_a_merged_record_answers_with_a_permanent_redirect(seeded_app, acme):
    moderator = Author("mod-bram")
    with seeded_app.extensions["tracker_db"].session(write=True) as session:
        target = session.exec(select(Brand).where(Brand.slug == acme.slug)).one()
        duplicate = Brand(slug="acme-cosmetics-bv", name="Acme Cosmetics B.V.")
        save_revision(session, duplicate, author=moderator, reason="submitted twice")
        duplicate.visibility, duplicate.merged_into_id = Visibility.merged, target.id
        save_revision(session, duplicate, author=moderator, reason="merged into Acme Cosmetics")
        claim = Claim(brand_id=target.id, summary="The jar says it is plastic-free.")
        save_revision(session, claim, author=moderator, reason="submitted twice")
        claim.visibility, claim.merged_into_id = Visibility.merged, acme.claim_id
        save_revision(session, claim, author=moderator, reason="merged into the first report")
        session.commit()
        duplicate_claim = claim.id
    client = seeded_app.test_client()

    moved = client.get("/brands/acme-cosmetics-bv")
    assert moved.status_code == 301 and moved.location == f"/brands/{acme.slug}"
    assert (
        client.get("/brands/acme-cosmetics-bv/history").location == f"/brands/{acme.slug}/history"
    )
    claim_moved = client.get(f"/claims/{duplicate_claim}")
    assert claim_moved.status_code == 301 and claim_moved.location == f"/claims/{acme.claim_id}"
    followed = client.get(f"/claims/{duplicate_claim}", follow_redirects=True)
    assert followed.status_code == 200 and "100% natuurlijk en plasticvrij" in words(
        soup_of(followed)
    )
    index = [row[0] for row in brand_rows(client.get("/brands/?letter=A"))]
    assert index == ["Acme Cosmetics"]


def test_the_seeded_timeline_reads_in_dutch(seeded_client):
    klm = soup_of(seeded_client.get("/brands/klm?lang=nl"))
    assert klm.html["lang"] == "nl"
    assert "20 maart 2024" in words(klm)
    assert "Bevestigd" in [words(badge) for badge in klm.select(".badge")]
    eni = words(soup_of(seeded_client.get("/brands/eni?lang=nl")))
    assert "Ontkracht" in eni and "Vernietigd in hoger beroep" in eni
