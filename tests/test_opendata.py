"""Downloads re-imported and compared with the database; feeds read by a feed parser."""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import zipfile
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
from sqlmodel import select

from tests import records
from tracker.models import Brand, Claim, Contradiction, Visibility


@pytest.fixture
def data(app):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        made = records.dataset(session)
        return {name: record.id for name, record in made.items()}


def published(app, model) -> set[int]:
    with app.app_context(), app.extensions["tracker_db"].session() as session:
        rows = session.exec(select(model).where(model.visibility == Visibility.published))
        return {
            row.id
            for row in rows
            if getattr(row, "brand", None) is None or row.brand.visibility == "published"
        }


def read_zip(client) -> dict[str, list[dict]]:
    response = client.get("/data/tracker-data-csv.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode("utf-8")
            tables[name.removesuffix(".csv")] = list(csv.DictReader(io.StringIO(text)))
    tables["datapackage"] = json.loads(archive.read("datapackage.json"))
    return tables


def test_csv_download_reimports_to_the_published_record(app, client, data):
    tables = read_zip(client)
    assert {int(row["id"]) for row in tables["brands"]} == published(app, Brand)
    assert {int(row["id"]) for row in tables["claims"]} == published(app, Claim)
    assert {int(row["id"]) for row in tables["contradictions"]} == published(app, Contradiction)
    eco = next(row for row in tables["claims"] if int(row["id"]) == data["eco"])
    assert eco["quote"] == "Ons Ökodesign is milieuvriendelijk"
    assert (eco["date"], eco["date_precision"], eco["topics"]) == ("2023", "year", "packaging")
    fine = next(iter(tables["outcomes"]))
    assert (fine["amount"], fine["currency"]) == ("12500.00", "EUR")
    links = {
        (int(r["contradiction_id"]), int(r["claim_id"])) for r in tables["contradiction_claims"]
    }
    assert links == {(data["beads"], data["scrub"]), (data["court"], data["neutral"])}
    cited = {
        (r["subject_type"], int(r["subject_id"]), int(r["source_id"])) for r in tables["citations"]
    }
    assert ("contradiction", data["beads"], data["report"]) in cited
    assert all(int(r["source_id"]) != data["secret_source"] for r in tables["citations"])
    package = tables["datapackage"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    claims = next(r for r in package["resources"] if r["name"] == "claims")
    assert claims["rows"] == 3
    assert {"quote", "topics", "date"} <= {f["name"] for f in claims["schema"]["fields"]}


def test_json_download_matches_the_csv_and_leaks_nothing(client, data):
    response = client.get("/data/tracker-data.json")
    body = response.get_data(as_text=True)
    document = json.loads(body)
    assert sorted(c["id"] for c in document["claims"]) == sorted(
        [data["scrub"], data["eco"], data["neutral"]]
    )
    assert document["licenses"][0]["path"].startswith("https://creativecommons.org/licenses/by/4.0")
    for secret in (
        "secret.person@example.test",
        "PENDING-SUBMISSION-TEXT",
        "WITHDRAWN-CLAIM-TEXT",
        "Hidden brand claim",
        "Withdrawn source",
    ):
        assert secret not in body
    assert "WITHDRAWN-CLAIM-TEXT" not in client.get("/data/tracker-data-csv.zip").data.decode(
        "latin-1"
    )


def test_data_page_gives_hashes_date_licence_and_dictionary(client, data):
    page = client.get("/data/").get_data(as_text=True)
    for name in ("tracker-data-csv.zip", "tracker-data.json"):
        digest = hashlib.sha256(client.get(f"/data/{name}").data).hexdigest()
        assert digest in page
    assert "CC BY 4.0" in page
    assert "How to attribute" in page or "how to attribute" in page
    assert "<code>finder_kind</code>" in page
    dutch = client.get("/data/?lang=nl").get_data(as_text=True)
    assert "Gegevenswoordenboek" in dutch


def test_downloads_are_rebuilt_after_a_change_and_cached_until_then(app, client, data):
    first = client.get("/data/tracker-data.json")
    again = client.get("/data/tracker-data.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    app.config["OPENDATA_MAX_AGE"] = 0
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        records.brand(session, "Initech Foods")
    rebuilt = client.get("/data/tracker-data.json")
    assert "Initech Foods" in rebuilt.get_data(as_text=True)
    assert rebuilt.headers["ETag"] != first.headers["ETag"]
    assert client.get("/data/other.csv").status_code == 404


@contextmanager
def build_lock(app):
    """Hold the downloads' build lock, as another process building would."""
    folder = Path(app.instance_path) / "opendata"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_before_the_first_build_downloads_answer_503_with_retry_after(app, client, data):
    with build_lock(app):
        waiting = client.get("/data/tracker-data.json")
        page = client.get("/data/")
    assert waiting.status_code == 503
    assert waiting.headers["Retry-After"] == "60"
    assert "being prepared" in waiting.get_data(as_text=True)
    assert page.status_code == 200
    assert "The files are being prepared" in page.get_data(as_text=True)
    assert "<code>finder_kind</code>" in page.get_data(as_text=True)  # the dictionary still
    assert client.get("/data/tracker-data.json").status_code == 200  # built once free


def test_a_stale_build_is_served_at_once_while_the_next_is_made(app, client, data):
    first = client.get("/data/tracker-data.json")
    app.config |= {"OPENDATA_MAX_AGE": 0, "OPENDATA_WAIT": 0}
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        records.brand(session, "Initech Foods")
    with build_lock(app):
        meanwhile = client.get("/data/tracker-data.json")
    assert meanwhile.status_code == 200
    assert meanwhile.headers["ETag"] == first.headers["ETag"]
    app.config["OPENDATA_WAIT"] = 5
    assert "Initech Foods" in client.get("/data/tracker-data.json").get_data(as_text=True)


def test_build_downloads_command(app, client, data):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["build-downloads"])
    assert refused.exit_code == 2
    assert "TRACKER_SITE_URL" in refused.output
    built = runner.invoke(args=["build-downloads", "--site", "https://claims.example"])
    assert built.exit_code == 0, built.output
    assert "Downloads built" in built.output
    body = client.get("/data/tracker-data.json").data
    assert hashlib.sha256(body).hexdigest() in built.output
    assert f"https://claims.example/claims/{data['eco']}".encode() in body
    again = runner.invoke(args=["build-downloads", "--site", "https://claims.example/"])
    assert "up to date" in again.output
    app.config["SITE_URL"] = "https://claims.example/"
    forced = runner.invoke(args=["build-downloads", "--force"])
    assert "Downloads built" in forced.output


def test_atom_feeds_parse_and_list_public_events(client, data):
    feed = feedparser.parse(client.get("/feeds/all.atom").data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    links = {entry.link for entry in feed.entries}
    assert any(link.endswith(f"/contradictions/{data['beads']}") for link in links)
    assert any(link.endswith(f"/responses/{data['reply']}") for link in links)
    assert not any(link.endswith(f"/claims/{data['withdrawn_claim']}") for link in links)
    assert not any(link.endswith(f"/claims/{data['hidden_claim']}") for link in links)
    assert all(entry.updated and entry.id and entry.title for entry in feed.entries)

    brand = feedparser.parse(client.get("/feeds/brands/globex-airways.atom").data)
    assert not brand.bozo
    assert {e.link.rsplit("/", 2)[-2] for e in brand.entries} == {
        "claims",
        "contradictions",
        "outcomes",
    }
    assert "Globex" in brand.feed.title

    topic = feedparser.parse(client.get("/feeds/topics/microplastics.atom").data)
    assert not topic.bozo
    assert {e.link.rsplit("/", 1)[-1] for e in topic.entries} == {
        str(data["scrub"]),
        str(data["beads"]),
        str(data["reply"]),
    }
    assert client.get("/feeds/brands/hidden-brand.atom").status_code == 404
    assert client.get("/feeds/topics/weather.atom").status_code == 404
    dutch = feedparser.parse(client.get("/feeds/all.atom?lang=nl").data)
    assert "alles wat nieuw is" in dutch.feed.title


def test_sitemap_and_robots(client, data):
    index = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    chunks = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    urls = []
    for chunk in chunks:
        path = chunk.removeprefix("http://localhost")
        urls += [
            loc.text for loc in ET.fromstring(client.get(path).data).findall("s:url/s:loc", ns)
        ]
    assert f"http://localhost/claims/{data['scrub']}" in urls
    assert "http://localhost/brands/acme-cosmetics" in urls
    assert f"http://localhost/claims/{data['withdrawn_claim']}" not in urls
    assert "http://localhost/brands/hidden-brand" not in urls
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots
    assert "Disallow: /moderation/" in robots
