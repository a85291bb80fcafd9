"""What every page shares: error pages, navigation, links to records, language cookie."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from babel import Locale
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.i18n import LANGUAGE_COOKIE, LANGUAGE_QUERY, current_locale_key
from tracker.labels import label
from tracker.models import EntityType, PublicRecord, Topic

PLURALS = {
    EntityType.claim: "claims",
    EntityType.contradiction: "contradictions",
    EntityType.response: "responses",
    EntityType.outcome: "outcomes",
    EntityType.source: "sources",
}

# Whole phrases per kind of record, never "the full %(kind)s": Dutch articles and adjectives
# agree with the noun (de claim, het tegenbewijs), so a spliced-in noun reads wrongly.
READ_RECORD = {
    EntityType.brand: _l("Open this brand's timeline"),
    EntityType.claim: _l("Read the whole claim"),
    EntityType.contradiction: _l("Read the whole contradiction"),
    EntityType.response: _l("Read the brand's whole response"),
    EntityType.outcome: _l("Read more about this outcome"),
    EntityType.source: _l("See this source"),
}
SEE_CHANGES = {
    EntityType.brand: _l("See what changed in this brand's record"),
    EntityType.claim: _l("See what changed in this claim"),
    EntityType.contradiction: _l("See what changed in this contradiction"),
    EntityType.response: _l("See what changed in this response"),
    EntityType.outcome: _l("See what changed in this outcome"),
    EntityType.source: _l("See what changed in this source"),
}

# Reader-facing names of the fields a revision can change, for the history pages.
FIELD_LABELS = {
    "name": _l("Name"),
    "slug": _l("Address"),
    "legal_name": _l("Legal name"),
    "aliases": _l("Also known as"),
    "parent_company": _l("Parent company"),
    "country": _l("Country"),
    "sector": _l("Sector"),
    "website": _l("Website"),
    "description": _l("Description"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "quote": _l("Quote"),
    "quote_is_exact": _l("Verbatim quote"),
    "quote_speaker": _l("Quoted speaker"),
    "quote_language": _l("Language of the quote"),
    "language": _l("Language"),
    "translation": _l("Translation"),
    "speaker": _l("Said by"),
    "channel": _l("Where"),
    "where": _l("Where exactly"),
    "status": _l("Status"),
    "finder_name": _l("Found by"),
    "finder_kind": _l("Kind of finder"),
    "kind": _l("Kind"),
    "state": _l("State"),
    "published_at": _l("Published here"),
    "via": _l("Given via"),
    "authority": _l("Authority"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "url": _l("Web address"),
    "publisher": _l("Publisher"),
    "topics": _l("Topics"),
    "claim_ids": _l("Claims it contradicts"),
    "citations": _l("Sources cited"),
    "date": _l("Date"),
    "date_precision": _l("Precision of the date"),
    "date_end": _l("End date"),
    "date_end_precision": _l("Precision of the end date"),
    "visibility": _l("Visibility"),
    "caveats": _l("Caveats"),
    # The facts a moderator records for the legal flags, and the flags dismissed.
    "markets": _l("Markets"),
    "scope": _l("What the claim covers"),
    "evidence_one_aspect": _l("Benefit concerns one aspect only"),
    "relies_on_offsets": _l("Rests on offsetting"),
    "certification_present": _l("Certification scheme behind the label"),
    "future_target_year": _l("Target year"),
    "cosmetic_kind": _l("Kind of cosmetic product"),
    "ingredients": _l("Ingredients (INCI)"),
    "dismissed_flags": _l("Dismissed legal flags"),
}

# Sectors are free text in the seed files; these, the ones in use, read in either language.
# A sector not listed here is shown as stored (tests/test_i18n.py asks for every seeded one).
SECTORS = {
    "apparel retail": _l("Apparel retail"),
    "automotive": _l("Automotive"),
    "aviation": _l("Aviation"),
    "cosmetics and personal care": _l("Cosmetics and personal care"),
    "financial services (asset management)": _l("Financial services (asset management)"),
    "oil and gas / energy": _l("Oil and gas / energy"),
    "oil and gas / fuel retail": _l("Oil and gas / fuel retail"),
    "sporting goods retail": _l("Sporting goods retail"),
}

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    order: int


def register_nav(app: Flask, endpoint: str, title: object, order: int) -> None:
    """Add a link to the main navigation; each blueprint adds its own."""
    app.extensions.setdefault("tracker_nav", []).append(NavItem(endpoint, title, order))


def url_for_record(record: PublicRecord, **values) -> str:
    """Return the permanent address of a public record."""
    if record.entity_type is EntityType.brand:
        return url_for("public.brand", slug=record.slug, **values)
    if values:
        return url_for(f"public.{record.entity_type.value}", record_id=record.id, **values)
    return _record_path(f"public.{record.entity_type.value}", record.id)


_ID_MARK = 918_273_645


def _record_path(endpoint: str, record_id: int) -> str:
    """Return url_for(endpoint, record_id=...) from a pattern built once per request.

    A timeline links hundreds of records and url_for takes about 13 µs a call.
    """
    head, tail = record_path_pattern(endpoint)
    return f"{head}{record_id}{tail}"


def record_path_pattern(endpoint: str) -> tuple[str, str]:
    """Return what comes before and after the id in a record's address, for this request."""
    patterns = g.setdefault("record_url_patterns", {})
    pattern = patterns.get(endpoint)
    if pattern is None:
        head, tail = url_for(endpoint, record_id=_ID_MARK).split(str(_ID_MARK))
        pattern = patterns[endpoint] = (head, tail)
    return pattern


def url_for_history(record: PublicRecord, **values) -> str:
    """Return the address of a record's revision history."""
    if record.entity_type is EntityType.brand:
        return url_for("public.brand_history", slug=record.slug, **values)
    return url_for(f"public.{record.entity_type.value}_history", record_id=record.id, **values)


def read_record_text(record: PublicRecord) -> str:
    """Return the text of a link to a record's own page, in the reader's language."""
    return _translated(READ_RECORD, record.entity_type)


def see_changes_text(record: PublicRecord) -> str:
    """Return the text of a link to a record's history, in the reader's language."""
    return _translated(SEE_CHANGES, record.entity_type)


_TRANSLATED: dict[tuple, str] = {}


def _translated(texts: dict, key) -> str:
    """Return texts[key] (a lazy string) in the reader's language, remembered per language:
    a timeline asks once for each of its events."""
    memo_key = (current_locale_key(), id(texts), key)
    text = _TRANSLATED.get(memo_key)
    if text is None:
        text = _TRANSLATED[memo_key] = str(texts[key])
    return text


# The words every timeline event repeats, translated once per page (timeline_texts).
TIMELINE_TEXTS = {
    "claim": _l("Claim made"),
    "contradiction": _l("Contradiction documented"),
    "response": _l("Brand response"),
    "remedy": _l("Remedy"),
    "outcome": _l("Outcome"),
    "update": _l("Record corrected"),
    "sources": _l("Sources"),
    "source_details": _l("source details"),
    "with_caveats": _l("with caveats"),
}


def timeline_texts() -> dict[str, str]:
    """Return TIMELINE_TEXTS in the reader's language, for a timeline to look up rather
    than translate the same words for each of its hundreds of events."""
    return {key: _translated(TIMELINE_TEXTS, key) for key in TIMELINE_TEXTS}


def field_label(field: str) -> str | None:
    """Return the reader-facing name of a record's field, or None for internal fields."""
    name = FIELD_LABELS.get(field)
    return str(name) if name is not None else None


def _enum_of(record: PublicRecord, field: str) -> type[StrEnum] | None:
    if field == "topics":
        return Topic
    info = type(record).model_fields.get(field)
    annotation = getattr(info, "annotation", None)
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return candidate
    return None


def _dismissed_flags(value: list) -> str:
    return "; ".join(
        f"{item.get('rule')}: {item.get('reason')} ({item.get('by')}, {item.get('at', '')[:10]})"
        for item in value
        if isinstance(item, dict)
    )


def field_value(record: PublicRecord, field: str, value: object) -> str | None:
    """Return a value of a revision in the reader's words: an enum's name ("Upheld",
    "Bevestigd"), yes or no, countries by name, dismissed flags with their reasons; None
    for anything else, so the page shows the stored value."""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if field == "markets" and isinstance(value, list):
        return ", ".join(country_name(str(code)) for code in value) or None
    if field == "dismissed_flags" and isinstance(value, list):
        return _dismissed_flags(value) or None
    enum_cls = _enum_of(record, field)
    if enum_cls is None or value is None:
        return None
    values = value if isinstance(value, list) else [value]
    try:
        return ", ".join(label(enum_cls(item)) for item in values)
    except ValueError:  # a value no longer in the enum: show it as stored
        return None


def sector_name(sector: str | None) -> str:
    """Return a sector's name in the reader's language when it is a known one."""
    if not sector:
        return ""
    name = SECTORS.get(sector.strip().lower())
    return str(name) if name is not None else sector


def country_name(code: str | None) -> str:
    """Return a country's name in the reader's language from its ISO 3166-1 code."""
    if not code:
        return ""
    locale = Locale.parse(str(get_locale()))
    return locale.territories.get(code.upper(), code)


def language_url(language: str | None, *, external: bool = False) -> str:
    """Return the current address with ?lang= set to a language (or removed, for None)."""
    pairs = [
        (key, value)
        for key, values in request.args.lists()
        if key != LANGUAGE_QUERY
        for value in values
    ]
    if language:
        pairs.append((LANGUAGE_QUERY, language))
    base = request.base_url if external else request.script_root + request.path
    return f"{base}?{urlencode(pairs)}" if pairs else base


def language_alternates() -> list[tuple[str, str]]:
    """Return (hreflang, absolute address) of this page in each language, for <head>."""
    links = [(code, language_url(code, external=True)) for code in current_app.config["LANGUAGES"]]
    return [*links, ("x-default", language_url(None, external=True))]


def register_error_renderer(app: Flask, prefix: str, http_error, internal_error) -> None:
    """Answer errors under a path prefix another way (an API answers JSON, not pages)."""
    app.extensions.setdefault("tracker_error_renderers", []).append(
        (prefix, http_error, internal_error)
    )


def _renderer_for(path: str):
    for prefix, http_error, internal_error in current_app.extensions.get(
        "tracker_error_renderers", []
    ):
        if path.startswith(prefix):
            return http_error, internal_error
    return None


def _error_headers(error: HTTPException) -> list[tuple[str, str]]:
    # Keep what the error says beyond its body: Allow on a 405, Retry-After on a 429.
    return [(key, value) for key, value in error.get_headers() if key.lower() != "content-type"]


def render_error(error: HTTPException):
    """Render an HTTP error in the site's style, keeping its headers."""
    if error.code is None or error.code < 400:
        return error  # redirects raised during routing pass through untouched
    if error.code >= 500:
        return render_internal_error(error)
    if renderers := _renderer_for(request.path):
        return renderers[0](error)
    body = render_template("errors/error.html", error=error)
    return body, error.code, _error_headers(error)


# The last resort when the styled page itself cannot render: plain, in both languages, and
# still on the site's stylesheet (a static file, served without the database).
FALLBACK_500 = Markup(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>500 · Something went wrong</title>"
    '<link rel="stylesheet" href="{css}"></head><body>'
    '<header class="site-header"><div class="wrap header-row">'
    '<a class="site-name" href="{home}">{site}</a></div></header>'
    '<main id="main" class="wrap"><h1>Something went wrong on our side</h1>'
    "<p>The error has been logged. Please try again in a moment.</p>"
    '<p lang="nl">Er ging bij ons iets mis. De fout is vastgelegd; probeer het zo opnieuw.</p>'
    '<p><a href="{home}">Home</a></p></main></body></html>'
)


def render_internal_error(error: Exception):
    """Render the 500 page; if even that fails, a bare one. Never a stack trace."""
    if has_request_context() and (renderers := _renderer_for(request.path)):
        return renderers[1](error)
    page = error if isinstance(error, HTTPException) else InternalServerError()
    try:
        return render_template("errors/error.html", error=page), page.code or 500
    except Exception:  # the page itself may depend on what just broke
        current_app.logger.exception("the error page failed to render")
        root = request.script_root if has_request_context() else ""
        body = FALLBACK_500.format(
            css=f"{root}/static/css/site.css",
            home=f"{root}/",
            site=current_app.config.get("SITE_NAME", ""),
        )
        return str(body), 500


def remember_language(response: Response) -> Response:
    """Keep an explicit ?lang= choice in a cookie for a year; say what the page varies on."""
    choice = request.args.get(LANGUAGE_QUERY)
    if choice in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            choice,
            max_age=LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure,
            httponly=True,
        )
    if response.mimetype == "text/html":
        # The same address serves English or Dutch: caches must keep them apart.
        response.vary.update(("Accept-Language", "Cookie"))
        locale = get_locale()
        if locale is not None:
            response.content_language.add(str(locale).replace("_", "-"))
    return response


def init_app(app: Flask) -> None:
    """Register error pages, template helpers and the language cookie."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, render_internal_error)

    app.after_request(remember_language)
    register_nav(app, "public.brands", _l("Brands"), 10)
    app.jinja_env.globals.update(
        url_for_record=url_for_record,
        url_for_history=url_for_history,
        read_record_text=read_record_text,
        timeline_texts=timeline_texts,
        see_changes_text=see_changes_text,
        field_label=field_label,
        field_value=field_value,
        label=label,
        country_name=country_name,
        sector_name=sector_name,
        language_url=language_url,
        language_alternates=language_alternates,
        nav_items=lambda: sorted(app.extensions.get("tracker_nav", []), key=lambda i: i.order),
        PLURALS=PLURALS,
    )
