"""In Chromium: no sideways scrolling from 360 px up, visible focus, a skip link, pages that
work without JavaScript, a remembered language switch, and no serious axe-core violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.fictional import make_fictional_brand

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
AXE_BLOCKING = {"serious", "critical"}


@pytest.fixture
def acme(db_session):
    return make_fictional_brand(db_session)


@pytest.fixture
def browse(chromium):
    """Open fresh browser contexts (own cookies, viewport, settings); close them after."""
    contexts = []

    def open_page(**options):
        context = chromium.new_context(locale="en-GB", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_page_scrolls_sideways(live_app, acme, browse, viewport):
    page = browse(viewport=VIEWPORTS[viewport])
    for name in ("home", "brand index", "brand", "claim", "contradiction", "claim history"):
        page.goto(live_app.url + acme.pages[name])
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert width <= inner, f"{name} is {width}px wide in a {inner}px window"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_skip_link_appears_on_focus_and_jumps_to_the_content(live_app, browse, viewport):
    page = browse(viewport=VIEWPORTS[viewport])
    page.goto(live_app.url + "/brands/")
    skip = page.locator("a.skip-link")
    assert not in_view(skip.bounding_box(), VIEWPORTS[viewport])

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert in_view(skip.bounding_box(), VIEWPORTS[viewport])

    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the header
    assert page.evaluate("document.activeElement.closest('main') !== null")


def in_view(box, viewport) -> bool:
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["width"] > 1
    )


def test_keyboard_focus_is_outlined_everywhere(live_app, acme, browse):
    page = browse(viewport=VIEWPORTS["desktop"])
    page.goto(live_app.url + acme.pages["brand"])
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {tag: el.tagName, text: el.textContent.trim().slice(0, 40),
                        style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
            }"""
        )
        if focus["tag"] == "BODY":  # past the last control: focus left the page
            break
        seen.append(focus)
        assert focus["style"] != "none" and focus["width"] >= 2, focus
    assert {item["tag"] for item in seen} >= {"A"}
    assert len({item["text"] for item in seen}) > 10  # focus really moved through the page


def test_a_reader_without_javascript_reaches_a_timeline(live_app, acme, browse):
    page = browse(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    page.goto(live_app.url + "/")
    page.get_by_role("link", name="Browse all brands").click()
    page.get_by_role("combobox", name="Country").select_option("NL")
    page.get_by_role("button", name="Filter").click()
    assert "country=NL" in page.url
    page.get_by_role("link", name="Acme Cosmetics").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Cosmetics"
    assert page.get_by_role("heading", name="Timeline").is_visible()
    page.get_by_role("link", name="Oldest first").click()
    first = page.locator(".timeline .year h3").first.inner_text()
    assert first == "2023"


def test_the_language_switch_works_without_javascript_and_is_remembered(live_app, acme, browse):
    page = browse(java_script_enabled=False)
    page.goto(live_app.url + acme.pages["brand"])
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", name="Tijdlijn").is_visible()
    page.get_by_role("link", name="Merken", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Merken van A tot Z"


@pytest.mark.parametrize(("language", "scheme"), [("en", "light"), ("nl", "light"), ("en", "dark")])
def test_axe_finds_no_serious_violations(live_app, acme, browse, language, scheme):
    page = browse(color_scheme=scheme, extra_http_headers={"Accept-Language": language})
    axe = Axe()
    checks = [(name, "desktop") for name in ("home", "claim", "contradiction", "outcome")]
    checks += [(name, viewport) for name in ("brand index", "brand") for viewport in VIEWPORTS]
    checks += [("not found", "phone")]
    failures = []
    for name, viewport in checks:
        page.set_viewport_size(VIEWPORTS[viewport])
        page.goto(live_app.url + acme.pages.get(name, "/no/such/page"))
        failures += [
            f"{name} ({viewport}): {violation['id']} ({violation['impact']}): "
            f"{violation['help']}: {[node['target'] for node in violation['nodes']][:3]}"
            for violation in axe.run(page).response["violations"]
            if violation["impact"] in AXE_BLOCKING
        ]
    assert not failures, "\n".join(failures)
