"""Readers see each flag as a badge with why, the disclaimer beside it; moderators dismiss,
restore and record facts with a reason, and the claim's history keeps every step."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.contributing.conftest import open_db
from tests.contributing.support import login_as, make_user, text
from tracker.models import (
    Brand,
    Claim,
    ClaimChannel,
    ClaimFlag,
    ClaimTopic,
    CosmeticKind,
    DatePrecision,
    Role,
    Topic,
)
from tracker.services.revisions import SEED, save_revision

DISCLAIMER = "It is not a finding that the brand broke the law"


@pytest.fixture
def db(app):
    session, engine = open_db(app)
    yield session
    session.close()
    engine.dispose()


def publish(db, quote: str, *, country: str = "NL", day=dt.date(2027, 3, 1), **fields) -> Claim:
    brand = db.get(Brand, 1) or Brand(slug="acme-cosmetics", name="Acme Cosmetics")
    brand.country = country
    save_revision(db, brand, author=SEED, reason="test brand")
    claim = Claim(
        brand_id=brand.id,
        quote=quote,
        language=fields.pop("language", "en"),
        date=day,
        date_precision=DatePrecision.day if day else DatePrecision.unknown,
        channel=fields.pop("channel", ClaimChannel.advert),
        **fields,
    )
    claim.topic_links = [ClaimTopic(topic=Topic.climate)]
    save_revision(db, claim, author=SEED, reason="first publication")
    db.commit()
    return claim


def form_post(client, claim_id: int, action: str, prefix: str, fields: dict):
    """Submit one of the review page's forms as a browser would, with its CSRF token."""
    page = text(client.get(f"/moderation/claims/{claim_id}/flags"))
    token = re.search(rf'name="{re.escape(prefix)}-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, f"no {prefix} form on the page"
    data = {f"{prefix}-csrf_token": token.group(1)}
    data |= {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(f"/moderation/claims/{claim_id}/{action}", data=data)


# What a browser sends for the facts form's fields left as they were.
UNCHANGED_FACTS = {
    "version": "1",
    "markets": "",
    "scope": "",
    "evidence_one_aspect": "",
    "relies_on_offsets": "",
    "certification_present": "",
    "future_target_year": "",
    "cosmetic_kind": "",
    "ingredients": "",
}


@pytest.fixture
def moderator(db, client):
    user = make_user(db, "mod-ana", Role.moderator)
    login_as(client, user)
    return user


def test_claim_page_shows_each_flag_with_why_and_the_disclaimer(client, db):
    claim = publish(db, "Eco-friendly packaging, climate neutral flights")

    page = text(client.get(f"/claims/{claim.id}"))

    assert "Legal flags" in page
    assert page.count('class="flag-badge">') == 3  # EU825-GENERIC, EU825-OFFSET, ACM-VAGUE
    assert '<mark class="flag-match flag-match-trigger">Eco-friendly</mark> packaging' in page
    assert "Annex I point 4a" not in page or "4a" in page
    assert "UCPD Annex I, point 4a" in page
    assert 'href="https://eur-lex.europa.eu/eli/dir/2024/825/oj"' in page
    assert DISCLAIMER in page
    assert "the Commission sent formal notices to 20 Member States" in page


def test_highlighting_escapes_the_claims_own_text(client, db):
    claim = publish(db, '<script>alert("x")</script> eco-friendly <b>soap</b>')

    page = text(client.get(f"/claims/{claim.id}"))

    assert "<script>alert" not in page
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; "
        '<mark class="flag-match flag-match-trigger">eco-friendly</mark> &lt;b&gt;soap&lt;/b&gt;'
    ) in page


def test_a_claim_made_before_the_rule_would_fall_under_it(client, db):
    claim = publish(db, "Eco-friendly packaging", day=dt.date(2025, 5, 1))

    page = text(client.get(f"/claims/{claim.id}"))

    assert "Would fall under EU825-GENERIC from 27 September 2026" in page
    assert "It is not a breach." in page


def test_dutch_readers_get_the_rule_and_disclaimer_in_dutch(client, db):
    claim = publish(db, "Duurzame mode", language="nl")

    page = text(client.get(f"/claims/{claim.id}?lang=nl"))

    assert "Vage duurzaamheidsterm" in page
    assert "De Autoriteit Consument &amp; Markt (ACM) noemt termen" in page
    assert "Alleen een indicatie" in page
    assert "Richtlijn oneerlijke handelspraktijken, bijlage I, punt 4a" in page
    assert DISCLAIMER not in page


def test_each_microplastic_flag_says_which_list_matched(client, db):
    claim = publish(
        db,
        "Natural scrub",
        ingredients="Aqua, Polyethylene, Polyquaternium-7",
        cosmetic_kind=CosmeticKind.rinse_off,
    )

    page = text(client.get(f"/claims/{claim.id}"))
    eu = page.split(f'id="flag-{claim.id}-MP-EU78"')[1].split("</details>")[0]
    assert "On the EU REACH Annex XVII entry 78 list: Polyethylene." in eu
    assert '<mark class="flag-match flag-match-ingredient">Polyethylene</mark>' in eu
    assert "Polyquaternium-7" not in eu.split("Ingredients, with those on the list marked:")[0]
    assert "(would apply from 17 October 2027)" in eu  # rinse-off: from 2027
    assert "The claim calls the product “Natural” beside this ingredient." in eu
    psf = page.split(f'id="flag-{claim.id}-MP-PSF"')[1].split("</details>")[0]
    assert "On the Plastic Soup Foundation list (Beat the Microbead): Polyquaternium-7." in psf
    assert "(not a law)" in psf
    assert "On the EU REACH" not in psf

    dutch = text(client.get(f"/claims/{claim.id}?lang=nl"))
    assert "Op de EU-lijst van REACH bijlage XVII, vermelding 78: Polyethylene." in dutch
    assert "Op de lijst van de Plastic Soup Foundation (Beat the Microbead): Polyquaternium-7." in (
        dutch
    )


def test_the_brand_timeline_shows_flags_beside_each_claim(client, db):
    claim = publish(db, "100% recycled")

    page = text(client.get("/brands/acme-cosmetics"))

    assert f'id="flag-{claim.id}-CDR-ABSOLUTE"' in page
    assert "Legal flags (indicative, not a verdict):" in page
    assert DISCLAIMER in page


def test_a_claim_without_flags_shows_no_flag_section_to_readers(client, db):
    claim = publish(db, "Our plant in Delft opened in 1990")
    assert "Legal flags" not in text(client.get(f"/claims/{claim.id}"))


def test_only_moderators_review_flags(client, db):
    claim = publish(db, "Eco-friendly packaging")
    url = f"/moderation/claims/{claim.id}/flags"

    assert client.get(url).status_code == 302  # to the login page
    login_as(client, make_user(db, "carla", Role.contributor))
    assert client.get(url).status_code == 403
    assert "Review flags and record facts" not in text(client.get(f"/claims/{claim.id}"))

    login_as(client, make_user(db, "mod-bo", Role.moderator))
    assert client.get(url).status_code == 200
    assert "Review flags and record facts" in text(client.get(f"/claims/{claim.id}"))


def test_dismissing_a_flag_shows_it_as_dismissed_with_the_reason(client, db, moderator):
    claim = publish(db, "Eco-friendly packaging")

    response = form_post(
        client,
        claim.id,
        "flags/EU825-GENERIC/dismiss",
        "dismiss-EU825-GENERIC",
        {"reason": "The pack names its EU Ecolabel licence next to the words."},
    )

    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim.id}"))
    assert "Flags dismissed by a moderator" in page
    assert "Dismissed by mod-ana on" in page
    assert "The pack names its EU Ecolabel licence next to the words." in page
    assert "flag flag-in_force flag-dismissed" in page
    history = text(client.get(f"/claims/{claim.id}/history"))
    assert "Flag EU825-GENERIC dismissed: The pack names its EU Ecolabel licence" in history
    assert "Dismissed legal flags" in history
    timeline = text(client.get("/brands/acme-cosmetics"))
    assert "1 flag was dismissed by a moderator; the claim's page says why." in timeline
    assert f'id="flag-{claim.id}-EU825-GENERIC"' not in timeline


def test_a_dismissal_without_a_reason_is_refused_and_loses_nothing(client, db, moderator):
    claim = publish(db, "Eco-friendly packaging")

    response = form_post(
        client, claim.id, "flags/EU825-GENERIC/dismiss", "dismiss-EU825-GENERIC", {"reason": "ok"}
    )

    assert response.status_code == 400
    assert "Use 10 to 2000 characters." in text(response)
    assert "ok</textarea>" in text(response)
    assert db.query(ClaimFlag).filter_by(rule_id="EU825-GENERIC").one().dismissal_id is None


def test_a_restored_flag_shows_again(client, db, moderator):
    claim = publish(db, "Eco-friendly packaging")
    form_post(
        client,
        claim.id,
        "flags/EU825-GENERIC/dismiss",
        "dismiss-EU825-GENERIC",
        {"reason": "Certified by a public scheme."},
    )

    response = form_post(
        client,
        claim.id,
        "flags/EU825-GENERIC/restore",
        "restore-EU825-GENERIC",
        {"reason": "The certificate had lapsed by then."},
    )

    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim.id}"))
    assert "Flags dismissed by a moderator" not in page
    assert "flag-dismissed" not in page
    history = text(client.get(f"/claims/{claim.id}/history"))
    assert "Flag EU825-GENERIC restored: The certificate had lapsed by then." in history


def test_recording_facts_moves_the_flags(client, db, moderator):
    claim = publish(db, "Eco-friendly labels", channel=ClaimChannel.label)
    assert "EU825-LABEL" in text(client.get(f"/claims/{claim.id}"))

    response = form_post(
        client,
        claim.id,
        "facts",
        "facts",
        UNCHANGED_FACTS
        | {
            "markets": "gb, IE",
            "certification_present": "yes",
            "reason": "Sold in British and Irish shops; the label is the EU Ecolabel.",
        },
    )

    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim.id}"))
    assert "EU825-LABEL" not in page
    assert "CMA-GENERIC" in page and "EU825-GENERIC" in page
    assert "Place: where the claim addressed consumers (United Kingdom, Ireland)" in page
    history = text(client.get(f"/claims/{claim.id}/history"))
    assert "Legal facts recorded: Sold in British and Irish shops" in history


def test_a_bad_market_code_is_explained_and_the_form_keeps_what_was_typed(client, db, moderator):
    claim = publish(db, "Eco-friendly packaging")

    response = form_post(
        client,
        claim.id,
        "facts",
        "facts",
        UNCHANGED_FACTS | {"markets": "NL, XQ", "ingredients": "Aqua, Nylon-12", "reason": "typo"},
    )

    assert response.status_code == 400
    page = text(response)
    assert "Not a country code: XQ." in page
    assert 'value="NL, XQ"' in page
    assert "Aqua, Nylon-12</textarea>" in page


def test_facts_saved_over_a_newer_version_are_refused(client, db, moderator):
    claim = publish(db, "Eco-friendly packaging")
    claim.summary = "Seen on the jar"
    save_revision(db, claim, author=SEED, reason="summary added")
    db.commit()

    response = form_post(
        client,
        claim.id,
        "facts",
        "facts",
        UNCHANGED_FACTS | {"relies_on_offsets": "no", "reason": "checked the sources"},
    )

    assert response.status_code == 409
    assert "Someone changed this claim while you were editing" in text(response)


def test_the_flag_styles_use_only_the_checked_palette():
    from tests.test_accessibility import CSS, TEXT_PAIRS

    css = re.sub(r"/\*.*?\*/", "", (CSS.parent / "flags.css").read_text(), flags=re.S)
    assert not re.findall(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|rgba|hsl|hsla)\(", css)
    for rule in re.findall(r"{([^}]*)}", css):
        text = re.search(r"(?<![-\w])color\s*:\s*var\(--([\w-]+)\)", rule)
        back = re.search(r"background\s*:\s*var\(--([\w-]+)\)", rule)
        if text and back:
            assert back.group(1) in TEXT_PAIRS[text.group(1)], rule


def test_the_history_shows_facts_dismissals_and_restores_in_the_readers_language(
    client, db, moderator
):
    claim = publish(db, "Carbon neutral shipping", channel=ClaimChannel.advert)
    form_post(
        client,
        claim.id,
        "facts",
        "facts",
        UNCHANGED_FACTS
        | {
            "markets": "NL, BE",
            "scope": "whole_business",
            "relies_on_offsets": "yes",
            "reason": "The advert names a tree-planting partner.",
        },
    )
    form_post(
        client,
        claim.id,
        "flags/EU825-OFFSET/dismiss",
        "dismiss-EU825-OFFSET",
        {"reason": "The brand cut its own emissions first."},
    )
    form_post(
        client,
        claim.id,
        "flags/EU825-OFFSET/restore",
        "restore-EU825-OFFSET",
        {"reason": "The cuts covered one depot only."},
    )

    history = text(client.get(f"/claims/{claim.id}/history"))
    # Each step with its reason, newest first.
    steps = [
        "Flag EU825-OFFSET restored: The cuts covered one depot only.",
        "Flag EU825-OFFSET dismissed: The brand cut its own emissions first.",
        "Legal facts recorded: The advert names a tree-planting partner.",
    ]
    assert all(step in history for step in steps)
    assert [history.index(step) for step in steps] == sorted(history.index(s) for s in steps)
    # The facts and the dismissal read as words, not as field names and JSON.
    assert '<th scope="row">Markets</th>' in history
    assert "Netherlands, Belgium" in history
    assert '<th scope="row">Rests on offsetting</th>' in history
    assert "<td>Yes</td>" in history
    assert "the whole business" in history
    assert '<th scope="row">Dismissed legal flags</th>' in history
    assert "EU825-OFFSET: The brand cut its own emissions first. (mod-ana," in history
    assert "dismissed_flags" not in history and "relies_on_offsets" not in history

    dutch = text(client.get(f"/claims/{claim.id}/history?lang=nl"))
    assert "Signaal EU825-OFFSET teruggezet: The cuts covered one depot only." in dutch
    assert "Signaal EU825-OFFSET afgewezen: The brand cut its own emissions first." in dutch
    assert "Juridische feiten vastgelegd: The advert names a tree-planting partner." in dutch
    assert "Berust op compensatie" in dutch and "Nederland, België" in dutch
    assert "<td>Ja</td>" in dutch
