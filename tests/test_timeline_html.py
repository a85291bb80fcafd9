"""A brand's timeline as written in Python (tracker/public/timeline_html.py): what readers
and browsers rely on in its markup, hostile text kept as text, and the notes on each source's
archived copy and link health, in the reader's language and time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from tests import records
from tests.conftest import make_app
from tracker.models import (
    ArchiveState,
    AttemptOutcome,
    ContradictionState,
    OutcomeKind,
    SourceArchive,
    SourceFetch,
)
from tracker.services.revisions import SEED, save_revision

HOSTILE = "<script>alert(\"x\")</script> & <b>bold</b> 'quoted'"


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def note_archive(
    session,
    source,
    state: ArchiveState,
    *,
    copied_at: dt.datetime | None = None,
    changed_at: dt.datetime | None = None,
    unavailable_since: dt.datetime | None = None,
    broken_checks: int = 0,
) -> None:
    """Give a source the archive row (and copy) that archiving and link checks leave."""
    copy = None
    if copied_at is not None:
        copy = SourceFetch(
            url=source.url,
            url_key=source.url_key,
            source_id=source.id,
            outcome=AttemptOutcome.ok,
            status=200,
            content_type="text/html",
            fetched_at=copied_at,
            size=1234,
            sha256="0" * 64,
            warc_path="test/none.warc.gz",
            warc_offset=0,
            warc_length=10,
        )
        session.add(copy)
        session.flush()
    session.flush()
    row = session.exec(
        select(SourceArchive).where(SourceArchive.url_key == source.url_key)
    ).one_or_none() or SourceArchive(url_key=source.url_key, url=source.url)
    row.state = state
    row.capture_id = copy.id if copy else None
    row.changed_at = changed_at
    row.unavailable_since = unavailable_since
    row.broken_checks = broken_checks
    session.add(row)


@pytest.fixture
def timeline(app):
    """A fictional brand with one record of each kind, hostile text in every field a
    timeline shows, and sources in every archive state."""
    utc = dt.UTC
    with app.extensions["tracker_db"].unit_of_work() as session:
        owner = records.brand(session, "Acme Cosmetics")
        hostile = records.source(
            session, "https://example.test/hostile", title=HOSTILE, publisher=HOSTILE
        )
        copied = dt.datetime(2026, 1, 10, 12, tzinfo=utc)
        later = {"changed_at": dt.datetime(2026, 2, 1, 12, tzinfo=utc)}
        gone = {"unavailable_since": dt.datetime(2026, 4, 2, 12, tzinfo=utc)}
        states = {
            # 23:30 UTC on 4 March is 5 March in Amsterdam, the default time zone.
            "Archived": (ArchiveState.fetched, dt.datetime(2026, 3, 4, 23, 30, tzinfo=utc), {}),
            "Changed": (ArchiveState.fetched, copied, later),
            "Gone": (ArchiveState.fetched, copied, gone | {"broken_checks": 2}),
            # One broken check is not yet "unavailable" to readers.
            "Flaky": (ArchiveState.fetched, copied, gone | {"broken_checks": 1}),
            "Pending": (ArchiveState.pending, None, {}),
            "Failed": (ArchiveState.failed, None, {}),
            "Refused": (ArchiveState.refused, None, {}),
        }
        sources = {}
        for title, (state, copied_at, health) in states.items():
            url = f"https://example.test/{title.lower()}"
            sources[title] = records.source(session, url, title=title)
            note_archive(session, sources[title], state, copied_at=copied_at, **health)
        session.delete(  # an address the archive has not met yet
            session.exec(
                select(SourceArchive).where(SourceArchive.url_key == hostile.url_key)
            ).one()
        )
        cited = [hostile, sources["Archived"]]
        claim = records.claim(session, owner, HOSTILE, language="nl", sources=cited, caveats=["x"])
        contradiction = records.contradiction(
            session,
            owner,
            [claim],
            title=HOSTILE,
            state=ContradictionState.upheld,
            sources=[sources[title] for title in states if title != "Archived"],
        )
        response = records.response(session, contradiction, summary=HOSTILE)
        outcome = records.outcome(session, contradiction, kind=OutcomeKind.fine)
        response.summary = "The brand corrected its answer."
        save_revision(session, response, author=SEED, reason="Corrected in a test")
        ids = {
            "claim": claim.id,
            "contradiction": contradiction.id,
            "response": response.id,
            "outcome": outcome.id,
            "hostile": hostile.id,
        }
    return ids


def event(soup: BeautifulSoup, anchor: str):
    node = soup.find("li", id=anchor)
    assert node is not None, f"no event #{anchor}"
    return node


def source_line(soup: BeautifulSoup, title: str):
    for item in soup.select("ul.event-sources > li"):
        if item.a and item.a.get_text() == title:
            return item
    raise AssertionError(f"no source line {title!r}")


def test_hostile_text_stays_text_everywhere_on_the_timeline(client, timeline):
    response = client.get("/brands/acme-cosmetics")
    html = response.get_data(as_text=True)
    soup = soup_of(response)

    assert "<script>" not in html and "<b>bold</b>" not in html
    claim = event(soup, f"claim-{timeline['claim']}")
    quote = claim.find("q")
    assert quote.get_text() == HOSTILE and quote["lang"] == "nl"
    line = source_line(soup, HOSTILE)
    assert HOSTILE in line.get_text()  # the publisher, as text
    assert line.a["href"] == "https://example.test/hostile"
    assert line.find("a", class_="meta-link")["href"] == f"/sources/{timeline['hostile']}"
    contradiction = event(soup, f"contradiction-{timeline['contradiction']}")
    assert words(contradiction.select_one(".event-summary")) == " ".join(HOSTILE.split())


def test_each_event_says_what_it_is_and_links_to_its_page(client, timeline):
    soup = soup_of(client.get("/brands/acme-cosmetics"))

    claim = event(soup, f"claim-{timeline['claim']}")
    assert words(claim.select_one(".event-kind")) == "Claim made"
    assert claim.select_one(".event-title time")["datetime"] == "2022-03-01"
    assert claim.select_one(".event-link a")["href"] == f"/claims/{timeline['claim']}"
    assert words(claim.select_one(".caveat-flag")) == "with caveats"
    assert claim.select_one("ul.event-sources")["aria-label"] == "Sources"

    contradiction = event(soup, f"contradiction-{timeline['contradiction']}")
    assert words(contradiction.select_one(".badge.state-upheld")) == "Upheld"

    outcome = event(soup, f"outcome-{timeline['outcome']}")
    assert words(outcome.select_one(".event-kind")) == "Outcome: Fine"

    corrected = event(soup, f"update-response-{timeline['response']}-v2")
    assert "Corrected in a test" in words(corrected)
    assert corrected.select_one(".event-link a")["href"] == (
        f"/responses/{timeline['response']}/history"
    )


def test_each_source_says_what_became_of_its_copy_and_its_page(client, timeline):
    soup = soup_of(client.get("/brands/acme-cosmetics"))

    def notes(title: str) -> str:
        return " ".join(
            words(span) for span in source_line(soup, title).select(".archive-note, .health-note")
        )

    assert notes("Archived") == "archived 5 March 2026"  # the reader's day, not UTC's
    assert notes("Changed") == "archived 10 January 2026 source page changed on 1 February 2026"
    assert notes("Gone") == "archived 10 January 2026 source page unavailable since 2 April 2026"
    assert notes("Flaky") == "archived 10 January 2026"
    assert notes("Pending") == "archiving pending"
    assert notes("Failed") == "archiving failed"
    assert notes("Refused") == "not archived: unsafe address"
    assert notes(HOSTILE) == ""  # an address the archive has not met


def test_the_notes_are_in_dutch_for_a_dutch_reader(client, timeline):
    soup = soup_of(client.get("/brands/acme-cosmetics?lang=nl"))

    line = source_line(soup, "Gone")
    assert "gearchiveerd 10 januari 2026" in words(line)
    assert "bronpagina niet beschikbaar sinds 2 april 2026" in words(line)
    assert words(source_line(soup, "Pending").select_one(".archive-note")) == "archiveren volgt"
    claim = event(soup, f"claim-{timeline['claim']}")
    assert words(claim.select_one(".event-kind")) == "Claim gedaan"


def test_a_record_page_lists_its_sources_with_the_same_notes(client, timeline):
    soup = soup_of(client.get(f"/contradictions/{timeline['contradiction']}"))

    lines = {words(item.a): words(item) for item in soup.select("ol.source-list > li")}
    assert "source page unavailable since 2 April 2026" in lines["Gone"]
    assert "archived 10 January 2026" in lines["Changed"]
    assert "archiving failed" in lines["Failed"]


def test_the_archived_day_is_the_readers_day_in_the_configured_zone(db_kit, tmp_path):
    url = db_kit.fresh()
    app = make_app(url, tmp_path / "instance", BABEL_DEFAULT_TIMEZONE="America/New_York")
    try:
        with app.extensions["tracker_db"].unit_of_work() as session:
            owner = records.brand(session, "Acme Cosmetics")
            archived = records.source(session, "https://example.test/archived", title="Archived")
            # 03:00 UTC on 5 March is still 4 March in New York.
            copied_at = dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC)
            note_archive(session, archived, ArchiveState.fetched, copied_at=copied_at)
            records.claim(session, owner, sources=[archived])
        soup = soup_of(app.test_client().get("/brands/acme-cosmetics"))
        line = source_line(soup, "Archived")
        assert words(line.select_one(".archive-note")) == "archived 4 March 2026"
    finally:
        app.extensions["tracker_db"].engine.dispose()
        db_kit.release(url)
