"""English and Dutch: a complete catalogue, the reader's choice of language, local dates."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.fictional import make_fictional_brand
from tests.test_accessibility import page_urls

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "tracker/translations/nl/LC_MESSAGES/messages.po"
FIX = "run `VENV=.venv scripts/i18n-update`, then translate each listed msgid in " + str(
    CATALOGUE.relative_to(ROOT)
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# Keywords as scripts/i18n-update passes them to pybabel.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "_l": None,
}


@functools.cache
def dutch_catalogue():
    with CATALOGUE.open("rb") as po_file:
        return read_po(po_file)


def forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# --- The catalogue ----------------------------------------------------------------------


def test_every_message_has_a_dutch_translation():
    untranslated = [
        message.id
        for message in dutch_catalogue()
        if message.id and (message.fuzzy or not all(forms(message.string)))
    ]
    assert not untranslated, (
        f"{len(untranslated)} message(s) lack a Dutch translation (or are marked fuzzy); "
        f"{FIX}:\n" + "\n".join(f"  {msgid!r}" for msgid in untranslated)
    )


def test_translations_keep_every_placeholder():
    catalogue = dutch_catalogue()
    broken = []
    for message in catalogue:
        if not message.id or not all(forms(message.string)):
            continue
        source = placeholders(forms(message.id)[-1])
        plural = isinstance(message.id, tuple)
        for index, translated in enumerate(forms(message.string)):
            found = placeholders(translated)
            # A singular form may spell the number out ("één merk") instead of %(num)d.
            expected = [n for n in source if not (plural and index == 0 and n == "num")]
            if [n for n in found if not (plural and index == 0 and n == "num")] != expected:
                broken.append(f"  {message.id!r}: {translated!r} has {found}, needs {source}")
        # Babel's own checks: python-format agreement and the number of plural forms.
        broken += [f"  {message.id!r}: {error}" for error in message.check(catalogue)]
    assert not broken, (
        f"Dutch translations with broken placeholders; fix them in {CATALOGUE.name}:\n"
        + "\n".join(broken)
    )


def test_the_catalogue_holds_every_string_in_the_code():
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    skipped = {".venv", ".git", "__pycache__", "instance", "node_modules"}
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: (
            Path(path).name not in skipped and not Path(path).name.startswith(".")
        ),
    )
    catalogue = dutch_catalogue()
    missing = sorted(
        {
            f"  {forms(message)[0]!r} ({filename}:{line})"
            for filename, line, message, _comments, context in found
            if forms(message)[0] and catalogue.get(forms(message)[0], context=context) is None
        }
    )
    assert not missing, (
        f"{len(missing)} string(s) in the code are missing from the Dutch catalogue; "
        f"{FIX}:\n" + "\n".join(missing)
    )


# --- Pages in the reader's language -------------------------------------------------------


@pytest.fixture
def acme(db_session):
    return make_fictional_brand(db_session)


def visible_texts(html: str) -> set[str]:
    """Return every text a reader meets: text nodes and the labels assistive tech reads."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    texts = {" ".join(text.split()) for text in soup.stripped_strings}
    for attribute in ("aria-label", "title", "alt", "placeholder"):
        texts |= {tag[attribute].strip() for tag in soup.find_all(attrs={attribute: True})}
    description = soup.find("meta", attrs={"name": "description"})
    if description:
        texts.add(description["content"].strip())
    return texts


def interface_strings(catalogue) -> dict[str, str]:
    """English interface strings whose Dutch differs, without placeholders, by msgid."""
    return {
        message.id: message.string
        for message in catalogue
        if isinstance(message.id, str)
        and message.id
        and "%(" not in message.id
        and message.string
        and message.string != message.id
    }


def english_left_on(html: str, strings: dict[str, str]) -> list[str]:
    texts = visible_texts(html)
    return sorted(english for english in strings if english in texts)


def html_lang(html: str) -> str:
    return BeautifulSoup(html, "html.parser").html["lang"]


@pytest.mark.parametrize(
    "page",
    [
        *("home", "brand index", "brand", "brand history", "claim", "claim history"),
        *("contradiction", "response", "outcome", "source", "about", "not found"),
        *("log in", "register", "reset"),
    ],
)
def test_dutch_readers_get_dutch_pages(app, client, acme, page):
    url = page_urls(app, acme).get(page)
    if url is None:
        pytest.skip(f"this app has no {page} page")
    response = client.get(url, headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)

    assert response.status_code == (404 if page == "not found" else 200)
    assert html_lang(html) == "nl"
    assert response.headers["Content-Language"] == "nl"
    leftover = english_left_on(html, interface_strings(dutch_catalogue()))
    assert not leftover, f"English interface text on the Dutch {page} page: {leftover}"
    assert "Naar de inhoud" in html  # the skip link, on every page


def test_dutch_pages_show_dutch_words_for_the_records(client, acme):
    dutch = {"Accept-Language": "nl"}
    brand = client.get(f"/brands/{acme.slug}", headers=dutch).get_data(as_text=True)
    for words in ("Tijdlijn", "Tegenbewijs vastgelegd", "Bevestigd", "Nederland", "Claim gedaan"):
        assert words in brand
    claim = client.get(f"/claims/{acme.claim_id}", headers=dutch).get_data(as_text=True)
    assert "Microplastics" in claim and "Verpakking" in claim and "Nederlands" in claim
    missing = client.get("/brands/no-such-brand", headers=dutch).get_data(as_text=True)
    assert "Pagina niet gevonden" in missing and "Naar de startpagina" in missing


def test_english_is_the_default(client, acme):
    for headers in ({}, {"Accept-Language": "fr-FR,fr;q=0.9"}, {"Accept-Language": "*"}):
        response = client.get(f"/brands/{acme.slug}", headers=headers)
        html = response.get_data(as_text=True)
        assert html_lang(html) == "en"
        assert "Contradiction documented" in html and "Netherlands" in html
        assert "Tijdlijn" not in html


def test_accept_language_picks_dutch_by_region_and_weight(client):
    for header in ("nl-BE", "NL", "de-DE, nl;q=0.8, en;q=0.5", "nl, en;q=0.9"):
        html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert html_lang(html) == "nl", header
    html = client.get("/", headers={"Accept-Language": "en-GB, nl;q=0.5"}).get_data(as_text=True)
    assert html_lang(html) == "en"


def test_the_switch_is_remembered_and_beats_accept_language(client):
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}

    switched = client.get("/brands/?lang=nl", headers=english_browser)
    assert html_lang(switched.get_data(as_text=True)) == "nl"
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("lang=nl;") and "Max-Age=31536000" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    later = client.get("/about", headers=english_browser)
    assert html_lang(later.get_data(as_text=True)) == "nl"
    assert "Set-Cookie" not in later.headers

    back = client.get("/about?lang=en", headers={"Accept-Language": "nl"})
    assert html_lang(back.get_data(as_text=True)) == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)) == (
        "en"
    )


def test_an_unknown_language_choice_is_ignored(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "nl"})
    assert html_lang(response.get_data(as_text=True)) == "nl"
    assert "Set-Cookie" not in response.headers
    client.set_cookie("lang", "klingon")
    assert html_lang(client.get("/").get_data(as_text=True)) == "en"


def test_the_switch_links_keep_the_page_and_its_query(client, acme):
    html = client.get(f"/brands/{acme.slug}?order=oldest").get_data(as_text=True)
    switch = BeautifulSoup(html, "html.parser").find("nav", class_="lang-switch")
    link = switch.find("a", hreflang="nl")
    assert link.get_text(strip=True) == "Nederlands" and link["lang"] == "nl"
    assert link["href"] == f"/brands/{acme.slug}?order=oldest&lang=nl"
    assert switch.find(attrs={"aria-current": True}).get_text(strip=True) == "English"

    missing = client.get("/no/such/page?x=1").get_data(as_text=True)
    link = BeautifulSoup(missing, "html.parser").find("nav", class_="lang-switch").find("a")
    assert link["href"] == "/no/such/page?x=1&lang=nl"


def test_head_names_the_page_in_each_language(client, acme):
    response = client.get(f"/brands/{acme.slug}?order=oldest&lang=nl")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    alternates = {
        link["hreflang"]: link["href"]
        for link in soup.head.find_all("link", rel="alternate", hreflang=True)
    }
    base = f"http://localhost/brands/{acme.slug}?order=oldest"
    assert alternates == {"en": f"{base}&lang=en", "nl": f"{base}&lang=nl", "x-default": base}
    assert set(response.headers["Vary"].replace(" ", "").split(",")) >= {
        "Accept-Language",
        "Cookie",
    }


# --- Dates, numbers, names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "day", "month", "amount", "country", "label"),
    [
        ("en", "20 March 2024", "May 2023", "€1,234,567.50", "Netherlands", "Upheld"),
        ("nl", "20 maart 2024", "mei 2023", "€\xa01.234.567,50", "Nederland", "Bevestigd"),
    ],
)
def test_dates_numbers_and_names_follow_the_reader(
    client, acme, language, day, month, amount, country, label
):
    headers = {"Accept-Language": language}
    brand = client.get(f"/brands/{acme.slug}", headers=headers).get_data(as_text=True)
    assert f'<time datetime="2024-03-20">{day}</time>' in brand
    assert f'<time datetime="2023-05">{month}</time>' in brand
    assert country in brand and label in brand
    assert "100%" in brand  # the response rate

    outcome = client.get(f"/outcomes/{acme.outcome_id}", headers=headers).get_data(as_text=True)
    assert amount in outcome

    contradiction = client.get(f"/contradictions/{acme.contradiction_id}", headers=headers)
    assert ("21 March 2024" if language == "en" else "21 maart 2024") in contradiction.get_data(
        as_text=True
    )


def test_counts_use_the_readers_digit_grouping(app):
    from tracker.i18n import format_number

    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert format_number(12345) == "12.345"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_number(12345) == "12,345"


def test_times_are_shown_in_the_sites_time_zone(client, acme, db_session):
    from tracker.models import EntityType
    from tracker.services.revisions import history

    [first] = history(db_session, EntityType.brand, 1)
    first.created_at = dt.datetime(2024, 3, 20, 23, 30, tzinfo=dt.UTC)
    db_session.commit()
    page = client.get(f"/brands/{acme.slug}/history", headers={"Accept-Language": "nl"})
    # 23:30 UTC is half past midnight the next day in Amsterdam.
    assert "21 maart 2024, 00:30" in page.get_data(as_text=True)


def test_histories_name_fields_and_values_in_the_readers_language(client, acme, db_session):
    from tracker.models import Contradiction, ContradictionState
    from tracker.services.revisions import Author, save_revision

    contradiction = db_session.get(Contradiction, acme.contradiction_id)
    contradiction.state = ContradictionState.remedied
    save_revision(db_session, contradiction, author=Author("mod-example"), reason="fixed")
    db_session.commit()

    dutch = {"Accept-Language": "nl"}
    page = client.get(f"/contradictions/{acme.contradiction_id}/history", headers=dutch)
    row = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(
        "table.diff tbody tr"
    )
    assert [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] == [
        "Stand van zaken",
        "Bevestigd",
        "Verholpen",
    ]
    claim = client.get(f"/claims/{acme.claim_id}/history", headers=dutch).get_data(as_text=True)
    assert "Samenvatting" in claim and "<code>summary</code>" not in claim


def test_the_klm_judgment_reads_in_each_language(seeded_client):
    for language, day in (("en", "20 March 2024"), ("nl", "20 maart 2024")):
        response = seeded_client.get("/brands/klm", headers={"Accept-Language": language})
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert soup.html["lang"] == language
        judgment = next(
            event
            for event in soup.select("li.event-contradiction")
            if "ECLI:NL:RBAMS:2024:1512" in event.get_text()
        )
        assert judgment.find("time", datetime="2024-03-20").get_text() == day
        state = judgment.select_one(".badge").get_text(strip=True)
        assert state == ("Upheld" if language == "en" else "Bevestigd")


def test_every_seeded_sector_reads_in_dutch(seeded_client):
    page = seeded_client.get("/brands/", headers={"Accept-Language": "nl"})
    options = BeautifulSoup(page.get_data(as_text=True), "html.parser").select(
        "#filter-sector option[value!='']"
    )
    assert options
    untranslated = [o["value"] for o in options if o.get_text(strip=True) == o["value"]]
    assert not untranslated, (
        f"sectors without a Dutch name: {untranslated}; add them to SECTORS in tracker/web.py, "
        f"then {FIX}"
    )
    assert "Luchtvaart" in seeded_client.get(
        "/brands/klm", headers={"Accept-Language": "nl"}
    ).get_data(as_text=True)
