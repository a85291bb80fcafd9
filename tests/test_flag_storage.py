"""Stored flags follow every claim write; the recompute command and a rules change redo them;
a moderator's dismissal is kept in the claim's history. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import sqlalchemy as sa
from flask import current_app
from sqlmodel import select

from tests.conftest import make_app
from tracker.models import (
    Brand,
    Claim,
    ClaimFlag,
    ClaimTopic,
    DatePrecision,
    FlagDismissal,
    FlagRulesState,
    FlagTiming,
    Topic,
)
from tracker.services import claim_flags
from tracker.services.revisions import SEED, Author, history, save_revision
from tracker.services.rulebook import PACKAGED_RULES, RulesError

MODERATOR = Author("mod-ana")


@pytest.fixture
def kit_app(any_kit, tmp_path):
    app = make_app(any_kit.fresh(), tmp_path / "instance")
    yield app
    app.extensions["tracker_db"].engine.dispose()


@pytest.fixture
def session(kit_app):
    with kit_app.app_context(), kit_app.extensions["tracker_db"].session(write=True) as session:
        yield session


def publish_claim(session, quote: str, *, country: str | None = "NL", **fields) -> Claim:
    brand = Brand(slug=f"acme-{len(quote)}-{country}", name="Acme Cosmetics", country=country)
    save_revision(session, brand, author=SEED, reason="first publication")
    claim = Claim(
        brand_id=brand.id,
        quote=quote,
        language="en",
        date=dt.date(2027, 3, 1),
        date_precision=DatePrecision.day,
        **fields,
    )
    claim.topic_links = [ClaimTopic(topic=Topic.climate)]
    save_revision(session, claim, author=SEED, reason="first publication")
    session.commit()
    return claim


def stored(session, claim: Claim) -> dict[str, ClaimFlag]:
    """Read a claim's stored flags in a short read session (the test's own stays free)."""
    [claim_id] = sa.inspect(claim).identity  # without reloading the claim
    with current_app.extensions["tracker_db"].session() as reader:
        rows = reader.exec(select(ClaimFlag).where(ClaimFlag.claim_id == claim_id))
        return {flag.rule_id: flag for flag in rows}


def test_flags_are_stored_with_the_claim_in_the_same_write(session):
    claim = publish_claim(session, "Eco-friendly and climate neutral")

    flags = stored(session, claim)
    assert set(flags) == {"EU825-GENERIC", "EU825-OFFSET", "ACM-VAGUE"}
    generic = flags["EU825-GENERIC"]
    assert generic.timing is FlagTiming.in_force
    assert generic.applies_from == dt.date(2026, 9, 27)
    assert [(m["text"], m["start"], m["end"]) for m in generic.matches] == [("Eco-friendly", 0, 12)]


def test_editing_a_claim_recomputes_its_flags(session):
    claim = publish_claim(session, "Eco-friendly packaging")
    claim.quote = "Packaging made from 40% recycled cardboard"
    save_revision(session, claim, author=MODERATOR, reason="exact wording")
    session.commit()

    assert set(stored(session, claim)) == set()


def test_a_brand_moving_country_moves_its_claims_flags(session):
    claim = publish_claim(session, "Eco-friendly packaging", country="NL")
    brand = session.get(Brand, claim.brand_id)
    brand.country = "GB"
    save_revision(session, brand, author=MODERATOR, reason="registered seat is in London")
    session.commit()

    assert set(stored(session, claim)) == {"CMA-GENERIC"}


def test_recording_a_fact_raises_or_clears_a_flag(session):
    claim = publish_claim(session, "Carbon neutral delivery")
    assert "EU825-OFFSET" in stored(session, claim)

    claim.relies_on_offsets = False
    save_revision(session, claim, author=MODERATOR, reason="the brand cut its own emissions")
    session.commit()
    assert "EU825-OFFSET" not in stored(session, claim)


def test_a_dismissal_is_kept_in_history_and_survives_recomputation(session, kit_app):
    claim = publish_claim(session, "Eco-friendly packaging")
    claim_flags.dismiss(
        session=session,
        claim=claim,
        rule_id="EU825-GENERIC",
        reason="The label names an EU Ecolabel licence on the same pack.",
        author=MODERATOR,
    )
    session.commit()

    versions = history(session, claim.entity_type, claim.id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[-1].reason.startswith("Flag EU825-GENERIC dismissed: The label names")
    assert versions[-1].author_label == "mod-ana"
    assert versions[-1].snapshot["dismissed_flags"] == [
        {
            "rule": "EU825-GENERIC",
            "reason": "The label names an EU Ecolabel licence on the same pack.",
            "by": "mod-ana",
            "at": versions[-1].snapshot["dismissed_flags"][0]["at"],
        }
    ]
    assert stored(session, claim)["EU825-GENERIC"].dismissed

    claim_flags.recompute_all(session, rules=kit_app.extensions["tracker_rules"])
    session.commit()
    assert stored(session, claim)["EU825-GENERIC"].dismissed


def test_a_dismissed_flag_returns_when_the_claim_matches_other_words(session):
    claim = publish_claim(session, "Eco-friendly packaging")
    claim_flags.dismiss(
        session=session, claim=claim, rule_id="EU825-GENERIC", reason="certified", author=MODERATOR
    )
    claim.quote = "Green, eco-friendly packaging"
    save_revision(session, claim, author=MODERATOR, reason="fuller quote")
    session.commit()

    assert not stored(session, claim)["EU825-GENERIC"].dismissed


def test_a_restored_flag_shows_again_and_history_says_so(session):
    claim = publish_claim(session, "Eco-friendly packaging")
    claim_flags.dismiss(
        session=session, claim=claim, rule_id="EU825-GENERIC", reason="certified", author=MODERATOR
    )
    claim_flags.restore(
        session=session,
        claim=claim,
        rule_id="EU825-GENERIC",
        reason="The certificate had lapsed.",
        author=Author("mod-bo"),
    )
    session.commit()

    assert not stored(session, claim)["EU825-GENERIC"].dismissed
    latest = history(session, claim.entity_type, claim.id)[-1]
    assert latest.reason == "Flag EU825-GENERIC restored: The certificate had lapsed."
    assert "dismissed_flags" not in latest.snapshot
    [dismissal] = session.exec(select(FlagDismissal)).all()
    assert (dismissal.restored_by_label, dismissal.reason) == ("mod-bo", "certified")


def test_a_dismissal_needs_a_reason_and_a_flag(session):
    claim = publish_claim(session, "Eco-friendly packaging")
    with pytest.raises(claim_flags.FlagError):
        claim_flags.dismiss(
            session=session, claim=claim, rule_id="EU825-GENERIC", reason="  ", author=MODERATOR
        )
    with pytest.raises(claim_flags.FlagError):
        claim_flags.dismiss(
            session=session, claim=claim, rule_id="MP-EU78", reason="no", author=MODERATOR
        )


def test_recompute_command_redoes_every_claim(kit_app, session):
    claim = publish_claim(session, "Eco-friendly packaging")
    flag = stored(session, claim)["EU825-GENERIC"]
    session.delete(flag)
    session.commit()

    result = kit_app.test_cli_runner().invoke(args=["recompute-flags"])

    assert result.exit_code == 0, result.output
    assert "Flags recomputed" in result.output
    assert "1 claims, 1 flags (1 added, 0 removed, 0 changed)" in result.output
    assert "EU825-GENERIC" in stored(session, claim)
    again = kit_app.test_cli_runner().invoke(args=["recompute-flags", "--if-stale"])
    assert "up to date" in again.output


def test_a_changed_rules_file_is_seen_and_recomputed_on_start(any_kit, tmp_path):
    url = any_kit.fresh()
    first = make_app(url, tmp_path / "one")
    with first.app_context(), first.extensions["tracker_db"].session(write=True) as session:
        claim = publish_claim(session, "Fully recyclable bottle")
        claim_id = claim.id
    first.test_cli_runner().invoke(args=["recompute-flags"])
    first.extensions["tracker_db"].engine.dispose()

    # An editor drops "fully" from the absolute-claims lexicon.
    folder = tmp_path / "legal"
    shutil.copytree(PACKAGED_RULES.parent, folder)
    lexicon = folder / "lexicons" / "absolute.yaml"
    lexicon.write_text(
        lexicon.read_text().replace('"100%", 100 percent', '"100%"').replace("fully, ", "")
    )
    second = make_app(url, tmp_path / "two", LEGAL_RULES_PATH=str(folder / "rules.yaml"))
    database = second.extensions["tracker_db"]
    with second.app_context(), database.session() as session:
        assert claim_flags.stale(session, second.extensions["tracker_rules"])

    from tracker import legal

    legal.refresh_if_stale(second, database)

    with second.app_context(), database.session() as session:
        rows = session.exec(select(ClaimFlag).where(ClaimFlag.claim_id == claim_id)).all()
        assert "CDR-ABSOLUTE" not in {flag.rule_id for flag in rows}
        state = session.get(FlagRulesState, "rules")
        assert state.digest == second.extensions["tracker_rules"].digest
    database.engine.dispose()


def test_an_invalid_rules_file_stops_the_app_naming_rule_and_field(tmp_path, db_kit):
    folder = tmp_path / "legal"
    shutil.copytree(PACKAGED_RULES.parent, folder)
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("applies_from: 2023-02-01", "applies_from: soon"))

    with pytest.raises(RulesError) as caught:
        make_app(db_kit.fresh(), tmp_path / "instance", LEGAL_RULES_PATH=str(rules))

    assert "(CDR-ABSOLUTE): applies_from: 'soon' is not a date" in str(caught.value)
