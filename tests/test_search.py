"""Search: the same answers on SQLite and PostgreSQL, in English and Dutch, kept in step."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests import records
from tests.conftest import make_app
from tracker import migrate
from tracker.models import Claim, EntityType, SearchDocument
from tracker.services import search
from tracker.services.revisions import SEED, save_revision
from tracker.services.search import SearchFilters


@pytest.fixture
def kit_app(any_kit, tmp_path):
    app = make_app(any_kit.fresh(), tmp_path / "instance")
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        made = records.dataset(session)
        app.config["IDS"] = {name: record.id for name, record in made.items()}
    yield app
    app.extensions["tracker_db"].engine.dispose()


def found(app, text, **filters) -> dict[str, list[int]]:
    with app.app_context(), app.extensions["tracker_db"].session() as session:
        result = search.search(session, text=text, filters=SearchFilters(**filters), per_type=50)
    return {
        group.entity_type.value: sorted(h.entity_id for h in group.hits) for group in result.groups
    }


def named(app, *names) -> list[int]:
    return sorted(app.config["IDS"][name] for name in names)


QUERIES = [
    # (query, filters, {type: [record names]})
    ("okodesign", {}, {"claim": ["eco"]}),
    ("ÖKODESIGN", {}, {"claim": ["eco"]}),
    ("milieuvriendelijk", {}, {"claim": ["eco"]}),
    ("milieuvr", {}, {"claim": ["eco"]}),
    ("natural", {}, {"claim": ["scrub"]}),
    ("Natu", {}, {"claim": ["scrub"]}),
    ('"neutral flights"', {}, {"claim": ["neutral"], "contradiction": ["court"]}),
    ('"natural flights"', {}, {}),
    ("globex", {}, {"brand": ["globex"], "claim": ["neutral"], "contradiction": ["court"]}),
    ("acme -scrub", {}, {"brand": ["acme"], "claim": ["eco"]}),
    ("court ruling", {}, {"source": ["ruling"]}),
    ("court rules", {}, {"contradiction": ["court"]}),
    ("court", {"types": (EntityType.source,)}, {"source": ["ruling"]}),
    ("acme", {"topic": "packaging"}, {"brand": ["acme"], "claim": ["eco"]}),
    ("acme", {"topic": "microplastics", "state": "open"}, {"contradiction": ["beads"]}),
    ("flights", {"sector": "aviation"}, {"claim": ["neutral"], "contradiction": ["court"]}),
    ("flights", {"country": "NL"}, {}),
    ("acme", {"year": 2023}, {"claim": ["eco"], "contradiction": ["beads"]}),
    ("hidden", {}, {}),
    ("withdrawn", {}, {}),
    ("example", {"types": (EntityType.source,)}, {"source": ["report", "ruling"]}),
]


@pytest.mark.parametrize(("text", "filters", "expected"), QUERIES)
def test_search_finds_the_same_records_on_both_databases(kit_app, text, filters, expected):
    want = {kind: named(kit_app, *names) for kind, names in expected.items()}
    assert found(kit_app, text, **filters) == want


def test_both_databases_rank_alike_title_matches_first_then_newest(kit_app):
    db = kit_app.extensions["tracker_db"]
    with kit_app.app_context(), db.unit_of_work() as session:
        owner = records.brand(session, "Zeta Foods")
        older = records.claim(session, owner, "Zebra stripes on every pack")
        body = records.claim(session, owner, "Plain words", summary="Zebra stripes inside")
        newer = records.claim(session, owner, "Zebras are back")
        ids = [newer.id, older.id, body.id]
    with kit_app.app_context(), db.session() as session:
        result = search.search(session, text="zebra", per_type=10)
    (claims,) = [group for group in result.groups if group.entity_type is EntityType.claim]
    assert [hit.entity_id for hit in claims.hits] == ids
    assert not claims.capped


def test_past_the_cap_a_group_says_many_and_shows_the_newest(kit_app, monkeypatch):
    db = kit_app.extensions["tracker_db"]
    with kit_app.app_context(), db.unit_of_work() as session:
        owner = records.brand(session, "Zebra Foods", country="DE")
        made = [records.claim(session, owner, f"Zebra number {n}").id for n in range(4)]
    monkeypatch.setattr(search, "MATCH_CAP", 3)
    with kit_app.app_context(), db.session() as session:
        result = search.search(session, text="zebra", per_type=2)
        narrowed = search.search(
            session, text="zebra", filters=SearchFilters(country="NL"), per_type=2
        )
    groups = {group.entity_type: group for group in result.groups}
    assert groups[EntityType.claim].capped and result.capped
    assert [hit.entity_id for hit in groups[EntityType.claim].hits] == made[:-3:-1]
    assert not groups[EntityType.brand].capped  # one brand: counted exactly, beside the claims
    assert narrowed.groups == []
    html = kit_app.test_client().get("/search?q=zebra").get_data(as_text=True)
    assert "(many)" in html and "More than" in html


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "!!!",
        '"',
        '""',
        "*",
        "-",
        "NEAR",
        "NEAR(a b)",
        "a:b",
        "^x",
        "(",
        "a" * 10_000,
        "x " * 5000,
        "-scrub",
        "' OR 1=1 --",
        "\x00",
        "title:acme",
        "AND OR NOT",
    ],
)
def test_absurd_queries_get_a_helpful_page_never_a_500(kit_app, text):
    response = kit_app.test_client().get("/search", query_string={"q": text})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Search</h1>" in html


def test_bad_filters_are_ignored_not_a_500(kit_app):
    client = kit_app.test_client()
    for query in (
        "sector=a%00b",
        "country=%00%00",
        "year=abcd",
        "type=users",
        "page=-1",
        "state=x",
    ):
        assert client.get(f"/search?q=acme&{query}").status_code == 200, query


def test_pages_explain_an_empty_or_wordless_search(client):
    assert "What to search for" in client.get("/search").get_data(as_text=True)
    assert "nothing to search for" in client.get("/search?q=%21%21").get_data(as_text=True)
    long = client.get("/search", query_string={"q": "acme " * 3000}).get_data(as_text=True)
    assert "only its first words were used" in long
    none = client.get("/search?q=zyzzyva").get_data(as_text=True)
    assert "No published record matches" in none
    dutch = client.get("/search?q=zyzzyva&lang=nl").get_data(as_text=True)
    assert "Geen gepubliceerde vermelding" in dutch


def test_results_are_grouped_with_escaped_highlighted_snippets(app, client):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        acme = records.brand(session, "Acme Cosmetics")
        records.claim(session, acme, "Pure <script>alert(1)</script> natural glow")
    html = client.get("/search?q=natural").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>natural</mark>" in html
    assert 'id="group-claim"' in html
    assert "/claims/" in html


def test_the_index_follows_every_write(kit_app):
    ids = kit_app.config["IDS"]
    db = kit_app.extensions["tracker_db"]
    with kit_app.app_context(), db.unit_of_work() as session:
        claim = session.get(Claim, ids["scrub"])
        claim.quote = "Now reformulated without beads"
        save_revision(session, claim, author=SEED, reason="changed wording")
    assert found(kit_app, "reformulated") == {"claim": [ids["scrub"]]}
    assert found(kit_app, "natural") == {}
    with kit_app.app_context(), db.unit_of_work() as session:
        brand = session.get(Claim, ids["scrub"]).brand
        brand.name = "Acme Renamed"
        save_revision(session, brand, author=SEED, reason="renamed")
    assert ids["scrub"] in found(kit_app, "renamed")["claim"]
    with kit_app.app_context(), db.unit_of_work() as session:
        records.withdraw(session, session.get(Claim, ids["scrub"]))
    assert found(kit_app, "reformulated") == {}


def _documents(database) -> list[tuple]:
    """Return every document with what the full-text index holds for it, ids left out."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            sa.select(SearchDocument.__table__).order_by("entity_type", "entity_id")
        ).all()
        if database.dialect == "sqlite":
            text = "SELECT rowid, title, body, tags FROM search_fts"
        else:
            text = "SELECT id, search_vector::text FROM search_document"
        indexed = {row[0]: tuple(row[1:]) for row in connection.execute(sa.text(text))}
    return [tuple(row)[1:] + indexed[row.id] for row in rows]


def test_migration_backfill_matches_the_apps_own_index(kit_app):
    database = kit_app.extensions["tracker_db"]
    expected = _documents(database)
    assert len(expected) > 5
    migrate.downgrade(database, "0201")
    migrate.upgrade(database)
    assert _documents(database) == expected
    assert found(kit_app, "okodesign") == {"claim": [kit_app.config["IDS"]["eco"]]}
    with kit_app.app_context(), database.unit_of_work() as session:
        assert search.reindex_all(session) == len(expected)
    assert _documents(database) == expected


def test_reindex_command(kit_app):
    result = kit_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "documents" in result.output
    assert found(kit_app, "okodesign")


def test_every_page_has_the_search_box(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<form class="site-search" role="search"[^>]*action="/search"', html)
    assert 'for="site-search-q"' in html


def test_seeded_data_is_searchable_in_both_languages(seeded_client):
    klm = seeded_client.get("/search?q=klm").get_data(as_text=True)
    assert 'id="group-brand"' in klm
    assert "<mark>KLM</mark>" in klm
    acm = seeded_client.get("/search?q=autoriteit+consument").get_data(as_text=True)
    assert "<mark>Autoriteit</mark>" in acm
    dutch = seeded_client.get("/search?q=klm&lang=nl").get_data(as_text=True)
    assert "Zoeken" in dutch


def test_seeded_api_and_downloads_agree(seeded_client):
    listed = []
    url = "/api/v1/contradictions?limit=200"
    while url:
        page = seeded_client.get(url).json
        listed += [item["id"] for item in page["data"]]
        url = page["links"]["next"]
    document = seeded_client.get("/data/tracker-data.json").json
    assert sorted(listed) == sorted(item["id"] for item in document["contradictions"])
    assert listed
