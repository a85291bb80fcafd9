"""Legal flags in the read API: each claim's flags in its JSON, ?flag= on claims and brands,
and the OpenAPI document describing both."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import make_app
from tests.flag_records import DISMISSAL_REASON, flagged_dataset
from tracker.services.rulebook import PACKAGED_RULES


@pytest.fixture
def flagged(app):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        return flagged_dataset(session)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["data"]]


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["slug"] for item in response.json["data"]]


def flags_of(client, claim_id: int) -> dict[str, dict]:
    body = client.get(f"/api/v1/claims/{claim_id}").json
    return {flag["rule"]: flag for flag in body["flags"]}


def test_a_claim_carries_its_flags_with_rule_status_and_words(client, flagged):
    eco = flags_of(client, flagged["eco"])
    assert set(eco) == {"EU825-GENERIC"}
    generic = eco["EU825-GENERIC"]
    assert generic["status"] == "applies"
    assert generic["applies_from"] == "2026-09-27"
    assert generic["jurisdiction"] == "EU"
    assert generic["matched"] == ["Eco-friendly"]
    assert generic["title"] == "Generic environmental claim"
    assert generic["link"] == "https://eur-lex.europa.eu/eli/dir/2024/825/oj"
    assert generic["dismissed"] is False and generic["dismissal_reason"] is None

    assert client.get(f"/api/v1/claims/{flagged['plain']}").json["flags"] == []


def test_a_claim_made_before_the_rule_would_fall_under_it_from_its_date(client, flagged):
    offset = flags_of(client, flagged["neutral"])["EU825-OFFSET"]
    assert (offset["status"], offset["applies_from"]) == ("would_apply", "2026-09-27")


def test_a_microplastic_flag_says_which_list_matched(client, flagged):
    scrub = flags_of(client, flagged["scrub"])
    eu = scrub["MP-EU78"]
    assert (eu["status"], eu["applies_from"]) == ("would_apply", "2027-10-17")
    assert (eu["matched"], eu["ingredient_lists"]) == (["Polyethylene"], ["eu78"])
    psf = scrub["MP-PSF"]
    assert (psf["status"], psf["applies_from"]) == ("not_a_law", None)
    assert (psf["matched"], psf["ingredient_lists"]) == (["Polyquaternium-7"], ["psf"])


def test_a_dismissed_flag_is_marked_with_its_reason(client, flagged):
    generic = flags_of(client, flagged["dismissed"])["EU825-GENERIC"]
    assert generic["dismissed"] is True
    assert generic["dismissal_reason"] == DISMISSAL_REASON
    assert generic["dismissed_at"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flag=EU825-GENERIC", ["eco"]),
        ("flag=EU825-OFFSET", ["neutral"]),
        ("flag=MP-PSF", ["scrub"]),
        ("flag=any", ["eco", "scrub", "neutral"]),
        ("flag=CMA-GENERIC", []),
        ("flag=any&brand=globex-airways", ["neutral"]),
        ("flag=any&date_from=2027-01-01", ["eco"]),
    ],
)
def test_claims_filter_by_flag(client, flagged, query, expected):
    """Dismissed flags and withdrawn claims never count."""
    found = ids(client.get(f"/api/v1/claims?{query}"))
    assert found == sorted(flagged[name] for name in expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flag=EU825-GENERIC", ["acme-cosmetics"]),
        ("flag=any", ["acme-cosmetics", "globex-airways"]),
        ("flag=any&sector=aviation", ["globex-airways"]),
        ("flag=MP-EU78", ["acme-cosmetics"]),
    ],
)
def test_brands_filter_by_flag(client, flagged, query, expected):
    assert slugs(client.get(f"/api/v1/brands?{query}")) == expected


@pytest.mark.parametrize("value", ["NOT-A-RULE", "eu825-generic", "EU825 GENERIC", ""])
def test_an_unknown_rule_is_a_400_naming_the_parameter(client, flagged, value):
    for endpoint in ("claims", "brands"):
        response = client.get(f"/api/v1/{endpoint}?flag={value}")
        assert response.status_code == 400
        assert response.content_type == "application/problem+json"
        [error] = response.json["errors"]
        assert error["parameter"] == "flag"


def test_the_openapi_document_describes_the_filter_and_the_flags(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/claims", "/brands"):
        [flag] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "flag"]
        assert flag["schema"]["enum"][:2] == ["any", "EU825-GENERIC"]
        assert {"MP-EU78", "MP-PSF", "CDR-ABSOLUTE"} <= set(flag["schema"]["enum"])
        assert "Dismissed flags do not count" in flag["description"]
    components = document["components"]["schemas"]
    assert "flags" in components["ClaimOut"]["required"]
    status = components["Flag"]["properties"]["status"]
    assert status["enum"] == ["applies", "would_apply", "date_unclear", "not_a_law"]
    assert "flag" in client.get("/api/v1/docs").get_data(as_text=True)


def test_new_rules_change_the_etag_as_the_flags_change(app, client, flagged, tmp_path):
    """Recomputing flags for new rules adds no revision, so the rules' digest is in the ETag."""
    etag = client.get("/api/v1/claims").headers["ETag"]
    assert client.get("/api/v1/claims", headers={"If-None-Match": etag}).status_code == 304

    folder = tmp_path / "legal"
    shutil.copytree(PACKAGED_RULES.parent, folder)
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("Generic environmental claim", "Generic claim"))
    edited = make_app(app.config["DATABASE_URL"], tmp_path / "other", LEGAL_RULES_PATH=str(rules))
    try:
        answer = edited.test_client().get("/api/v1/claims", headers={"If-None-Match": etag})
        assert answer.status_code == 200
        titles = {f["title"] for claim in answer.json["data"] for f in claim["flags"]}
        assert "Generic claim" in titles
    finally:
        edited.extensions["tracker_db"].engine.dispose()


def test_a_brand_timeline_gives_each_claim_its_flags(client, flagged):
    events = client.get("/api/v1/brands/acme-cosmetics/timeline").json["events"]
    flags = {
        event["record_id"]: {flag["rule"]: flag["status"] for flag in event["flags"]}
        for event in events
        if event["kind"] == "claim"
    }
    assert flags[flagged["eco"]] == {"EU825-GENERIC": "applies"}
    assert flags[flagged["scrub"]] == {"MP-EU78": "would_apply", "MP-PSF": "not_a_law"}
    assert all(event["flags"] == [] for event in events if event["kind"] != "claim")

    cedar = client.get("/api/v1/brands/cedar-air/timeline").json["events"]
    [dismissed] = [
        event
        for event in cedar
        if event["kind"] == "claim" and event["record_id"] == flagged["dismissed"]
    ]
    generic = {flag["rule"]: flag for flag in dismissed["flags"]}["EU825-GENERIC"]
    assert generic["dismissed"] is True and generic["dismissal_reason"] == DISMISSAL_REASON
