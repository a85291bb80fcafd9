"""The read API: every list and filter, single records, caching, CORS, errors, no leaks."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests import records

ENDPOINTS = ("brands", "claims", "contradictions", "sources", "responses", "outcomes")


@pytest.fixture
def data(app):
    """The fictional dataset's ids by name, on the app's database."""
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        made = records.dataset(session)
        return {name: record.id for name, record in made.items()}


@pytest.fixture
def api(client, data):
    def get(path, **kwargs):
        return client.get("/api/v1/" + path.lstrip("/"), **kwargs)

    return get


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["data"]]


def test_every_list_answers_published_records_only(api, data):
    assert [b["slug"] for b in api("brands").json["data"]] == ["acme-cosmetics", "globex-airways"]
    assert sorted(ids(api("claims"))) == sorted([data["scrub"], data["eco"], data["neutral"]])
    assert sorted(ids(api("contradictions"))) == sorted([data["beads"], data["court"]])
    assert sorted(ids(api("sources"))) == sorted([data["report"], data["ruling"]])
    assert ids(api("responses")) == [data["reply"]]
    assert ids(api("outcomes")) == [data["fine"]]


def test_nothing_private_or_unpublished_leaks_anywhere(api, data, client):
    bodies = [api(name + "?limit=200").get_data(as_text=True) for name in ENDPOINTS]
    bodies += [
        api(f"contradictions/{data['beads']}").get_data(as_text=True),
        api("brands/acme-cosmetics/timeline").get_data(as_text=True),
        api("openapi.json").get_data(as_text=True),
    ]
    for body in bodies:
        for secret in (
            "secret.person@example.test",
            "secret-handle",
            "PENDING-SUBMISSION-TEXT",
            "WITHDRAWN-CLAIM-TEXT",
            "Hidden brand",
            "Withdrawn source",
            "password",
            "token",
        ):
            assert secret not in body
    assert api(f"claims/{data['withdrawn_claim']}").status_code == 404
    assert api(f"claims/{data['hidden_claim']}").status_code == 404
    assert api(f"sources/{data['secret_source']}").status_code == 404
    assert api("brands/hidden-brand").status_code == 404
    assert api("brands/hidden-brand/timeline").status_code == 404
    contradiction = api(f"contradictions/{data['beads']}").json
    assert [c["source_id"] for c in contradiction["citations"]] == [data["report"]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("brands?sector=aviation", ["globex"]),
        ("brands?country=nl", ["acme"]),
        ("brands?topic=climate", ["globex"]),
        ("claims?brand=acme-cosmetics", ["scrub", "eco"]),
        ("claims?topic=packaging", ["eco"]),
        ("claims?sector=aviation", ["neutral"]),
        ("claims?country=NL", ["scrub", "eco"]),
        ("claims?status=active&language=nl", ["eco"]),
        ("claims?date_from=2022-06-01", ["eco"]),
        ("claims?date_to=2022-12-31", ["scrub", "neutral"]),
        ("contradictions?state=upheld", ["court"]),
        ("contradictions?kind=lab_test", ["beads"]),
        ("contradictions?topic=climate", ["court"]),
        ("contradictions?brand=globex-airways&date_from=2024-01-01&date_to=2024-12-31", ["court"]),
        ("contradictions?country=DE", ["court"]),
        ("sources?kind=court", ["ruling"]),
        ("sources?brand=acme-cosmetics", ["report"]),
        ("sources?date_from=2024-01-01", ["ruling"]),
        ("responses?brand=acme-cosmetics", ["reply"]),
        ("responses?topic=climate", []),
        ("outcomes?kind=fine&sector=aviation", ["fine"]),
        ("outcomes?topic=microplastics", []),
        ("claims?updated_since=2000-01-01T00:00:00Z", ["scrub", "eco", "neutral"]),
        ("claims?updated_since=2999-01-01T00:00:00%2B01:00", []),
    ],
)
def test_filters(api, data, path, expected):
    response = api(path)
    if path.startswith("brands"):
        slugs = {"acme": "acme-cosmetics", "globex": "globex-airways"}
        assert [b["slug"] for b in response.json["data"]] == [slugs[name] for name in expected]
    else:
        assert ids(response) == sorted(data[name] for name in expected)


def test_contradiction_filter_by_claim(api, data):
    assert ids(api(f"contradictions?claim={data['neutral']}")) == [data["court"]]
    assert ids(api(f"responses?contradiction={data['beads']}")) == [data["reply"]]


def test_pages_follow_next_links_in_a_stable_order(api, client, data):
    seen = []
    url = "/api/v1/claims?limit=1"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [item["id"] for item in response.json["data"]]
        url = response.json["links"]["next"]
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            assert "limit=1" in url
    assert seen == sorted([data["scrub"], data["eco"], data["neutral"]])


def test_single_records_carry_their_links_and_children(api, data):
    claim = api(f"claims/{data['scrub']}").json
    assert claim["brand"]["slug"] == "acme-cosmetics"
    assert claim["topics"] == ["microplastics"]
    assert claim["contradiction_ids"] == [data["beads"]]
    assert claim["date"] == "2022-03-01"
    assert claim["links"]["html"].endswith(f"/claims/{data['scrub']}")
    eco = api(f"claims/{data['eco']}").json
    assert (eco["date"], eco["date_precision"]) == ("2023", "year")
    court = api(f"contradictions/{data['court']}").json
    assert court["outcome_ids"] == [data["fine"]]
    assert court["topics"] == ["climate"]
    fine = api(f"outcomes/{data['fine']}").json
    assert (fine["amount"], fine["currency"], fine["is_remedy"]) == ("12500.00", "EUR", False)
    brand = api("brands/acme-cosmetics").json
    assert brand["timeline"].endswith("/api/v1/brands/acme-cosmetics/timeline")


def test_brand_timeline_uses_the_public_timeline(api, data):
    body = api("brands/acme-cosmetics/timeline").json
    assert body["counts"]["claims"] == 2
    assert body["counts"]["answered"] == 1
    kinds = {(e["record_type"], e["record_id"]) for e in body["events"]}
    assert ("contradiction", data["beads"]) in kinds
    assert ("response", data["reply"]) in kinds
    assert ("claim", data["withdrawn_claim"]) not in kinds
    [beads] = [
        e
        for e in body["events"]
        if e["record_id"] == data["beads"] and e["kind"] == "contradiction"
    ]
    assert beads["source_ids"] == [data["report"]]  # the withdrawn source is left out


def test_etag_and_last_modified_give_304_until_something_changes(app, api, data):
    first = api("claims")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert api("claims", headers={"If-None-Match": etag}).status_code == 304
    assert (
        api("claims", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code
        == 304
    )
    assert api("claims?limit=2", headers={"If-None-Match": etag}).status_code == 200
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        records.brand(session, "Initech Foods")
    changed = api("claims", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_cors_is_open_for_get_and_preflight(api, client):
    assert api("brands").headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/claims",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "ETag" in api("brands").headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("claims?topic=weather", "topic"),
        ("claims?date_from=yesterday", "date_from"),
        ("claims?limit=0", "limit"),
        ("claims?limit=100000", "limit"),
        ("claims?after=-3", "after"),
        ("claims?topc=climate", "topc"),
        ("contradictions?state=won", "state"),
        ("brands?country=Netherlands", "country"),
        ("claims?brand=a&brand=b", "brand"),
        ("claims/1?limit=3", "limit"),
    ],
)
def test_bad_parameters_are_400_problem_details(api, path, parameter):
    response = api(path)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    body = response.json
    assert body["status"] == 400
    assert body["title"] == "Bad Request"
    assert parameter in [error["parameter"] for error in body["errors"]]


def test_http_errors_are_problem_details(api, client):
    missing = api("claims/999999")
    assert (missing.status_code, missing.content_type) == (404, "application/problem+json")
    assert api("nowhere").json["status"] == 404
    assert api("claims/99999999999999999999999").status_code == 404
    post = client.post("/api/v1/claims")
    assert (post.status_code, post.json["status"]) == (405, 405)
    assert "GET" in post.headers["Allow"]
    refused = api("claims", headers={"Accept": "text/html"})
    assert (refused.status_code, refused.json["status"]) == (406, 406)
    assert api("claims", headers={"Accept": "text/html, */*;q=0.1"}).status_code == 200


def test_a_merged_record_redirects_permanently(app, api, data):
    from tracker.models import Claim, Visibility
    from tracker.services.revisions import SEED, save_revision

    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        duplicate = session.get(Claim, data["eco"])
        duplicate.visibility = Visibility.merged
        duplicate.merged_into_id = data["scrub"]
        save_revision(session, duplicate, author=SEED, reason="duplicate")
    moved = api(f"claims/{data['eco']}")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/api/v1/claims/{data['scrub']}")


def test_openapi_document_describes_every_endpoint(api):
    document = api("openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert {
        "/brands",
        "/brands/{slug}",
        "/brands/{slug}/timeline",
        "/claims",
        "/claims/{id}",
        "/contradictions",
        "/sources",
        "/responses",
        "/outcomes/{id}",
    } <= set(document["paths"])
    claims = document["paths"]["/claims"]["get"]
    names = {parameter["name"] for parameter in claims["parameters"]}
    assert {"brand", "topic", "sector", "country", "status", "date_from", "date_to"} <= names
    assert "ClaimOut" in document["components"]["schemas"]
    assert "Problem" in document["components"]["schemas"]


def test_documentation_page_is_rendered_from_the_document(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/contradictions/{id}" in html
    assert "date_from" in html
    assert "cdn" not in html.lower()
    dutch = client.get("/api/v1/docs?lang=nl").get_data(as_text=True)
    assert "Eindpunten" in dutch


def test_api_answers_match_the_openapi_document(app, data):
    """No 5xx, and every answer matches its documented schema, status and content type."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate()

        check()
