"""Legal flags in the downloads: claim_flags and flag_rules in the zip and in the JSON,
described in the data dictionary; dismissed flags kept and marked; rebuilt for new rules."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest

from tests.flag_records import DISMISSAL_REASON, flagged_dataset
from tests.test_opendata import read_zip
from tracker.services import claim_flags
from tracker.services.rulebook import PACKAGED_RULES, load_rulebook


@pytest.fixture
def flagged(app):
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        return flagged_dataset(session)


def by_rule(rows, claim_id) -> dict[str, dict]:
    return {row["rule_id"]: row for row in rows if int(row["claim_id"]) == claim_id}


def test_the_zip_holds_every_flag_of_every_published_claim(client, flagged):
    rows = read_zip(client)["claim_flags"]

    assert {int(row["claim_id"]) for row in rows} == {
        flagged[name] for name in ("eco", "scrub", "neutral", "dismissed")
    }
    generic = by_rule(rows, flagged["eco"])["EU825-GENERIC"]
    assert generic == {
        "claim_id": str(flagged["eco"]),
        "rule_id": "EU825-GENERIC",
        "jurisdiction": "EU",
        "status": "applies",
        "applies_from": "2026-09-27",
        "matched": "Eco-friendly",
        "ingredient_lists": "",
        "dismissed": "false",
        "dismissal_reason": "",
        "dismissed_at": "",
    }
    offset = by_rule(rows, flagged["neutral"])["EU825-OFFSET"]
    assert (offset["status"], offset["applies_from"]) == ("would_apply", "2026-09-27")
    scrub = by_rule(rows, flagged["scrub"])
    assert (scrub["MP-EU78"]["matched"], scrub["MP-EU78"]["ingredient_lists"]) == (
        "Polyethylene",
        "eu78",
    )
    assert (scrub["MP-PSF"]["status"], scrub["MP-PSF"]["ingredient_lists"]) == ("not_a_law", "psf")


def test_a_dismissed_flag_is_kept_and_marked(client, flagged):
    rows = read_zip(client)["claim_flags"]
    dismissed = by_rule(rows, flagged["dismissed"])["EU825-GENERIC"]
    assert dismissed["dismissed"] == "true"
    assert dismissed["dismissal_reason"] == DISMISSAL_REASON
    assert dismissed["dismissed_at"].startswith("20")


def test_each_claim_row_names_the_flags_that_stand_on_it(client, flagged):
    claims = {int(row["id"]): row["flags"] for row in read_zip(client)["claims"]}
    assert claims[flagged["eco"]] == "EU825-GENERIC"
    assert claims[flagged["scrub"]] == "MP-EU78; MP-PSF"
    assert claims[flagged["plain"]] == ""
    assert "EU825-GENERIC" not in claims[flagged["dismissed"]]  # dismissed: left out

    document = json.loads(client.get("/data/tracker-data.json").get_data(as_text=True))
    [scrub] = [claim for claim in document["claims"] if claim["id"] == flagged["scrub"]]
    assert scrub["flags"] == ["MP-EU78", "MP-PSF"]


def test_the_rules_file_gives_every_rule_with_its_reference(client, flagged):
    rules = {row["id"]: row for row in read_zip(client)["flag_rules"]}
    assert len(rules) == len(load_rulebook().rules) == 13
    generic = rules["EU825-GENERIC"]
    assert (generic["jurisdiction"], generic["applies_from"], generic["kind"]) == (
        "EU",
        "2026-09-27",
        "law",
    )
    assert generic["link"] == "https://eur-lex.europa.eu/eli/dir/2024/825/oj"
    assert generic["title_nl"] == "Algemene milieuclaim"
    assert rules["MP-EU78"]["applies_from_by_product"].split("; ")[1] == "rinse_off 2027-10-17"
    assert rules["MP-PSF"]["applies_from"] == ""


def test_the_json_carries_the_same_flags_and_the_package_describes_them(client, flagged):
    document = json.loads(client.get("/data/tracker-data.json").get_data(as_text=True))
    flags = document["claim_flags"]
    assert len(flags) == len(read_zip(client)["claim_flags"])
    [dismissed] = [flag for flag in flags if flag["dismissed"]]
    assert dismissed["claim_id"] == flagged["dismissed"]
    assert dismissed["dismissal_reason"] == DISMISSAL_REASON
    [eu] = [flag for flag in flags if flag["rule_id"] == "MP-EU78"]
    assert (eu["matched"], eu["ingredient_lists"]) == (["Polyethylene"], ["eu78"])
    assert {rule["id"] for rule in document["flag_rules"]} >= {"EU825-OFFSET", "MP-PSF"}

    archive = zipfile.ZipFile(io.BytesIO(client.get("/data/tracker-data-csv.zip").data))
    package = json.loads(archive.read("datapackage.json"))
    resource = next(r for r in package["resources"] if r["name"] == "claim_flags")
    assert resource["rows"] == len(flags)
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert fields["dismissed"]["type"] == "boolean"
    assert "kept and marked" in fields["dismissed"]["description"]


def test_the_data_page_explains_flags_in_both_languages(client, flagged):
    page = client.get("/data/").get_data(as_text=True)
    assert "<code>claim_flags.csv</code>" in page
    assert "<code>flag_rules.csv</code>" in page
    assert "Flags a moderator dismissed are kept and marked, not left out" in page
    assert "<code>dismissal_reason</code>" in page  # the dictionary lists the columns
    dutch = client.get("/data/?lang=nl").get_data(as_text=True)
    assert "Juridische signalen" in dutch
    assert "blijven staan" in dutch


def test_downloads_are_rebuilt_when_new_rules_change_the_flags(app, client, flagged, tmp_path):
    """New rules recompute the flags without a revision; the downloads follow all the same."""
    before = client.get("/data/tracker-data.json")
    assert "Generic environmental claim" in before.get_data(as_text=True)
    folder = tmp_path / "legal"
    shutil.copytree(PACKAGED_RULES.parent, folder)
    path = folder / "rules.yaml"
    path.write_text(path.read_text().replace("Generic environmental claim", "Generic claim"))
    edited = load_rulebook(path)
    app.config["OPENDATA_MAX_AGE"] = 0
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        claim_flags.recompute_all(session, rules=edited)
    app.extensions["tracker_rules"] = edited

    after = client.get("/data/tracker-data.json")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Generic claim" in after.get_data(as_text=True)
