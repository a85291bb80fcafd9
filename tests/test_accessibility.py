"""Accessible pages: landmarks, headings, labels, link text, languages, tables, contrast.

The HTML of every public page type is parsed and checked structurally, in both languages.
Contrast is computed from the colour custom properties of static/css/site.css for the light
and the dark scheme. tests/e2e/test_layout.py checks what needs a browser (layout, focus).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import url_for

from tests.fictional import make_fictional_brand

CSS = Path(__file__).resolve().parent.parent / "static/css/site.css"
VAGUE_LINK_TEXT = {
    *("click here", "here", "more", "read more", "link", "this", "details", "continue"),
    *("hier", "klik hier", "meer", "lees meer", "deze", "verder"),
}
FORM_CONTROLS = ("input", "select", "textarea")


@pytest.fixture
def acme(db_session):
    return make_fictional_brand(db_session)


# Forms anyone can open, checked too when the app has them (other blueprints own them).
OPEN_FORMS = {"log in": "auth.login", "register": "auth.register", "reset": "auth.reset_request"}


def page_urls(app, acme) -> dict[str, str]:
    with app.test_request_context():
        forms = {
            name: url_for(endpoint)
            for name, endpoint in OPEN_FORMS.items()
            if endpoint in app.view_functions
        }
    return (
        acme.pages
        | forms
        | {
            "filtered brand index": "/brands/?sector=Cosmetics&country=NL",
            "brand index by letter": "/brands/?letter=A",
            "comparison of versions": f"/claims/{acme.claim_id}/history?from=1&to=2",
            "not found": "/no/such/page",
        }
    )


# --- Structural checks: each returns a list of problems ---------------------------------


def landmark_problems(soup: BeautifulSoup) -> list[str]:
    problems = []
    body = soup.body
    mains = soup.find_all("main")
    if len(mains) != 1 or mains[0].get("id") != "main":
        problems.append(f"expected one <main id=main>, found {len(mains)}")
    for name in ("header", "footer"):
        top = [tag for tag in body.find_all(name) if not tag.find_parent(["article", "main"])]
        if len(top) != 1:
            problems.append(f"expected one page-level <{name}>, found {len(top)}")
    navs = soup.find_all("nav")
    if not navs:
        problems.append("no <nav>")
    names = [nav.get("aria-label") or nav.get("aria-labelledby") for nav in navs]
    if not all(names):
        problems.append("a <nav> without aria-label or aria-labelledby")
    if len(set(names)) != len(names):
        problems.append(f"two navigation landmarks share a name: {names}")
    for region in soup.find_all(["section", "aside", "form"], attrs={"aria-labelledby": True}):
        for target in region["aria-labelledby"].split():
            if not soup.find(id=target):
                problems.append(f"aria-labelledby points at missing id {target!r}")
    return problems


def skip_link_problems(soup: BeautifulSoup) -> list[str]:
    first = soup.body.find(["a", "button", "input", "select", "textarea"])
    if first is None or first.name != "a" or first.get("href") != "#main":
        return [f"the first focusable element is not a skip link to #main: {first}"]
    if "skip-link" not in first.get("class", []):
        return ["the skip link lacks its class (it would be always visible or never)"]
    return []


def heading_problems(soup: BeautifulSoup) -> list[str]:
    headings = soup.find_all(re.compile(r"^h[1-6]$"))
    levels = [int(tag.name[1]) for tag in headings]
    problems = []
    if levels.count(1) != 1:
        problems.append(f"expected exactly one h1, found {levels.count(1)}")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]}, not h1")
    for index in range(1, len(headings)):
        previous, level, tag = levels[index - 1], levels[index], headings[index]
        if level > previous + 1:
            problems.append(
                f"h{previous} is followed by h{level} ({tag.get_text(' ', strip=True)!r})"
            )
    problems += [f"empty h{tag.name[1]}" for tag in headings if not tag.get_text(strip=True)]
    return problems


def label_problems(soup: BeautifulSoup) -> list[str]:
    problems = []
    for control in soup.find_all(FORM_CONTROLS):
        if control.name == "input" and control.get("type") in ("hidden", "submit", "button"):
            continue
        labelled = (
            control.get("aria-label")
            or control.get("aria-labelledby")
            or control.find_parent("label")
            or (control.get("id") and soup.find("label", attrs={"for": control["id"]}))
        )
        if not labelled:
            problems.append(f"form control without a label: {control}")
    for button in soup.find_all("button"):
        if not (button.get_text(strip=True) or button.get("aria-label")):
            problems.append(f"button without a name: {button}")
    for form in soup.find_all("form"):
        if form.get("method", "get").lower() not in ("get", "post"):
            problems.append(f"form with an odd method: {form.get('method')}")
    return problems


def link_problems(soup: BeautifulSoup) -> list[str]:
    problems = []
    for link in soup.find_all("a"):
        href = link.get("href", "")
        name = " ".join(link.get_text(" ", strip=True).split()) or link.get("aria-label", "")
        if not href or href.startswith("javascript:") or (href == "#"):
            problems.append(f"link without a real address (needs JavaScript?): {link}")
        if not name:
            problems.append(f"link without text: {link}")
        elif name.lower().strip(" .:…") in VAGUE_LINK_TEXT:
            problems.append(f"link text says nothing on its own: {name!r}")
    return problems


def language_problems(soup: BeautifulSoup, language: str) -> list[str]:
    problems = []
    if soup.html.get("lang") != language:
        problems.append(f"<html lang={soup.html.get('lang')!r}>, expected {language!r}")
    for tag in soup.find_all(attrs={"lang": True}):
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag["lang"]):
            problems.append(f"invalid lang attribute {tag['lang']!r}")
    return problems


def table_problems(soup: BeautifulSoup) -> list[str]:
    problems = []
    for table in soup.find_all("table"):
        caption = table.find("caption")
        if not (caption and caption.get_text(strip=True)) and not table.get("aria-label"):
            problems.append("table without a caption")
        headers = table.find_all("th")
        if not headers:
            problems.append("table without header cells")
        problems += [f"<th> without scope: {th}" for th in headers if not th.get("scope")]
    return problems


def asset_problems(soup: BeautifulSoup) -> list[str]:
    """No CDN: stylesheets, scripts, images and fonts come from this site."""
    problems = []
    for tag in soup.find_all(["link", "script", "img", "iframe", "source"]):
        address = tag.get("href") or tag.get("src")
        if not address:
            continue
        parts = urlsplit(address)
        if tag.name == "link" and {"alternate", "canonical"} & set(tag.get("rel", [])):
            # Language alternates, feeds and the canonical address are absolute, on this site.
            if parts.netloc not in ("", "localhost"):
                problems.append(f"alternate link to another host: {address}")
            continue
        if parts.scheme or parts.netloc:
            problems.append(f"<{tag.name}> loads from outside the site: {address}")
    for tag in soup.find_all(lambda tag: any(name.startswith("on") for name in tag.attrs)):
        problems.append(f"inline script handler (pages must work without JavaScript): {tag.name}")
    return problems


def id_problems(soup: BeautifulSoup) -> list[str]:
    counts = Counter(tag["id"] for tag in soup.find_all(attrs={"id": True}))
    return [f"id {name!r} is used {n} times" for name, n in counts.items() if n > 1]


def image_problems(soup: BeautifulSoup) -> list[str]:
    return [f"image without alt: {img}" for img in soup.find_all("img") if img.get("alt") is None]


CHECKS = (
    landmark_problems,
    skip_link_problems,
    heading_problems,
    label_problems,
    link_problems,
    table_problems,
    asset_problems,
    id_problems,
    image_problems,
)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_public_page_is_structurally_accessible(app, client, acme, language):
    failures = []
    for name, url in page_urls(app, acme).items():
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == (404 if name == "not found" else 200), url
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        problems = [problem for check in CHECKS for problem in check(soup)]
        problems += language_problems(soup, language)
        failures += [f"{name} ({url}): {problem}" for problem in problems]
    assert not failures, "\n".join(failures)


def test_quotes_in_another_language_say_which(client, acme):
    brand = BeautifulSoup(client.get(f"/brands/{acme.slug}").get_data(as_text=True), "html.parser")
    assert brand.find("q", string="100% natuurlijk en plasticvrij")["lang"] == "nl"
    claim = BeautifulSoup(
        client.get(f"/claims/{acme.claim_id}").get_data(as_text=True), "html.parser"
    )
    assert claim.find("blockquote", class_="claim-quote")["lang"] == "nl"
    assert claim.find("blockquote", class_="excerpt")["lang"] == "en"  # the source's language


def test_the_current_page_is_marked_in_navigation(client, acme):
    soup = BeautifulSoup(client.get("/brands/").get_data(as_text=True), "html.parser")
    current = soup.find("nav", class_="main-nav").find(attrs={"aria-current": "page"})
    assert current is not None and current["href"] == "/brands/"


def test_the_timeline_is_a_list_of_events_under_year_headings(client, acme):
    soup = BeautifulSoup(client.get(f"/brands/{acme.slug}").get_data(as_text=True), "html.parser")
    years = soup.select(".timeline section.year")
    assert [section.h3.get_text(strip=True) for section in years][1:] == ["2024", "2023"]
    for section in years:
        events = section.select("ol.events > li.event")
        assert events and all(event.find("h4") and event.find("time") for event in events)
    contradiction = soup.select_one("li.event-contradiction")
    assert contradiction.find("time")["datetime"] == "2024-03-20"
    assert contradiction.find("a", string="Read the whole contradiction")


# --- Colours ------------------------------------------------------------------------------

# (text colour, backgrounds it is used on). Text needs 4.5:1 (WCAG 2.2 AA, 1.4.3).
TEXT_PAIRS = {
    "ink": ("paper", "wash", "notice-bg", "caveat-bg"),
    "muted": ("paper", "wash"),
    "link": ("paper", "wash"),
    "accent-ink": ("accent", "accent-hover"),
    "open": ("paper", "wash"),
    "disputed": ("paper", "wash"),
    "upheld": ("paper", "wash"),
    "remedied": ("paper", "wash"),
    "overturned": ("paper", "wash"),
    "caveat-ink": ("paper", "wash"),
    "del-ink": ("del-bg",),
    "ins-ink": ("ins-bg",),
}
# Focus rings and form control borders need 3:1 against what surrounds them (1.4.11).
NON_TEXT_PAIRS = {
    "focus": ("paper", "wash", "caveat-bg", "notice-bg"),
    "focus-on-accent": ("accent",),
    "control-line": ("paper", "wash"),
}
# Backgrounds that carry no text: the filled dot of a remedy on the timeline.
DECORATIVE_BACKGROUNDS = {"remedied"}


def css_text() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)


def palettes() -> dict[str, dict[str, str]]:
    """Return the colour custom properties of the light and the dark scheme."""
    text = css_text()
    light = re.search(r"^:root\s*{([^}]*)}", text, flags=re.M).group(1)
    dark_block = text[text.index("prefers-color-scheme: dark") :]
    dark = re.search(r":root\s*{([^}]*)}", dark_block).group(1)

    def props(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\s*;", block))

    base = props(light)
    return {"light": base, "dark": base | props(dark)}


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_of_every_colour_pair_meets_wcag_aa():
    failures = []
    for scheme, colours in palettes().items():
        for pairs, minimum in ((TEXT_PAIRS, 4.5), (NON_TEXT_PAIRS, 3.0)):
            for front, backs in pairs.items():
                for back in backs:
                    ratio = contrast(colours[front], colours[back])
                    if ratio < minimum:
                        failures.append(
                            f"{scheme}: --{front} {colours[front]} on --{back} {colours[back]}"
                            f" is {ratio:.2f}:1, needs {minimum}:1"
                        )
    assert not failures, "\n".join(failures)


def test_every_colour_in_the_stylesheet_is_a_checked_custom_property():
    text = css_text()
    without_palettes = re.sub(r":root\s*{[^}]*}", "", text)
    literals = re.findall(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|rgba|hsl|hsla)\(", without_palettes)
    assert not literals, f"colours outside the palettes, unchecked for contrast: {literals}"

    used_as_text = set(re.findall(r"(?<![-\w])color\s*:\s*var\(--([\w-]+)\)", text))
    used_as_background = set(re.findall(r"background(?:-color)?\s*:\s*var\(--([\w-]+)\)", text))
    used_as_outline = set(re.findall(r"outline(?:-color)?\s*:[^;]*var\(--([\w-]+)\)", text))
    backgrounds = {back for backs in TEXT_PAIRS.values() for back in backs}
    assert used_as_text <= set(TEXT_PAIRS), used_as_text - set(TEXT_PAIRS)
    assert used_as_background <= backgrounds | DECORATIVE_BACKGROUNDS, (
        used_as_background - backgrounds - DECORATIVE_BACKGROUNDS
    )
    assert used_as_outline <= set(NON_TEXT_PAIRS), used_as_outline - set(NON_TEXT_PAIRS)
    for scheme, colours in palettes().items():
        assert set(TEXT_PAIRS) | set(NON_TEXT_PAIRS) | backgrounds <= set(colours), scheme


def test_focus_stays_visible():
    text = css_text()
    assert re.search(r":focus-visible\s*{[^}]*outline:\s*3px solid var\(--focus\)", text)
    # Only the skip link's target may drop its outline; it is not a control.
    hidden = re.findall(r"([^{}]+){[^}]*outline:\s*(?:none|0)\b", text)
    assert [selector.strip() for selector in hidden] == ["main:focus"]
    skip = re.search(r"\.skip-link:focus\s*{([^}]*)}", text)
    assert skip and "top: 0.5rem" in skip.group(1)


def seeded_pages(client) -> list[str]:
    """Return home, the index, every seeded brand and every record its timeline links to."""
    index = client.get("/brands/").get_data(as_text=True)
    brands = list(dict.fromkeys(re.findall(r'href="(/brands/[a-z0-9-]+)"', index)))
    records = []
    for brand in brands:
        timeline = client.get(brand).get_data(as_text=True)
        records += re.findall(
            r'href="(/(?:claims|contradictions|responses|outcomes|sources)/\d+)"', timeline
        )
    return ["/", "/brands/", *brands, *dict.fromkeys(records)]


def test_every_seeded_page_is_accessible_in_both_languages(seeded_client):
    from tests.test_i18n import dutch_catalogue, english_left_on, interface_strings

    pages = seeded_pages(seeded_client)
    assert len(pages) > 20, "the seed data should give many pages"
    strings = interface_strings(dutch_catalogue())
    failures = []
    for language in ("en", "nl"):
        for url in pages:
            response = seeded_client.get(url, headers={"Accept-Language": language})
            html = response.get_data(as_text=True)
            soup = BeautifulSoup(html, "html.parser")
            problems = [problem for check in CHECKS for problem in check(soup)]
            problems += language_problems(soup, language)
            if language == "nl" and (leftover := english_left_on(html, strings)):
                problems.append(f"English interface text on a Dutch page: {leftover}")
            if response.status_code != 200:
                problems.append(f"status {response.status_code}")
            failures += [f"{language} {url}: {problem}" for problem in problems]
    assert not failures, "\n".join(failures)
