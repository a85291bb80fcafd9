"""Search filters by legal flag: claim and brand results, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.contributing.support import text as page_text
from tests.flag_records import flagged_dataset
from tests.test_search import found


@pytest.fixture
def kit_app(any_kit, tmp_path):
    app = make_app(any_kit.fresh(), tmp_path / "instance")
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        app.config["IDS"] = flagged_dataset(session)
    yield app
    app.extensions["tracker_db"].engine.dispose()


QUERIES = [
    # (words, flag, {type: [names]}); dismissed flags and withdrawn claims never count
    ("eco", None, {"claim": ["eco", "dismissed"]}),
    ("eco", "EU825-GENERIC", {"claim": ["eco"]}),
    ("eco", "any", {"claim": ["eco"]}),
    ("eco", "EU825-OFFSET", {}),
    ("acme", None, {"brand": ["acme"], "claim": ["eco", "scrub"]}),
    ("acme", "MP-EU78", {"brand": ["acme"], "claim": ["scrub"]}),
    ("acme", "any", {"brand": ["acme"], "claim": ["eco", "scrub"]}),
    ("flights", None, {"claim": ["neutral", "dismissed"]}),
    ("flights", "any", {"claim": ["neutral"]}),
    ("globex", "EU825-OFFSET", {"brand": ["globex"], "claim": ["neutral"]}),
    ("cedar", "any", {}),
    ("birch", "any", {}),
    ("birch", None, {"brand": ["birch"], "claim": ["plain"]}),
]


@pytest.mark.parametrize(("words", "flag", "expected"), QUERIES)
def test_search_filters_by_flag_on_both_databases(kit_app, words, flag, expected):
    ids = kit_app.config["IDS"]
    want = {kind: sorted(ids[name] for name in names) for kind, names in expected.items()}
    assert found(kit_app, words, flag=flag) == want


def test_the_search_page_offers_the_flag_filter_and_keeps_it(kit_app):
    client = kit_app.test_client()
    page = page_text(client.get("/search?q=acme&flag=MP-EU78"))
    assert '<option value="MP-EU78" selected>MP-EU78: Synthetic polymer' in page
    assert "It is not a finding that the brand broke the law" in page
    assert "Our gentle scrub" in page and "Eco-friendly packaging" not in page

    unknown = client.get("/search?q=acme&flag=NOT-A-RULE")
    assert unknown.status_code == 200
    assert "Eco-friendly packaging" in page_text(unknown)


def test_the_flag_filter_speaks_dutch(kit_app):
    page = page_text(kit_app.test_client().get("/search?q=acme&flag=any&lang=nl"))
    assert "Juridisch signaal" in page
    assert "EU825-GENERIC: Algemene milieuclaim" in page
