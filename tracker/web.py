"""What every page shares: error pages, navigation, links to records, language cookie."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from flask import Flask, Response, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.i18n import LANGUAGE_COOKIE
from tracker.labels import label
from tracker.models import EntityType, PublicRecord

PLURALS = {
    EntityType.claim: "claims",
    EntityType.contradiction: "contradictions",
    EntityType.response: "responses",
    EntityType.outcome: "outcomes",
    EntityType.source: "sources",
}


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
    return url_for(f"public.{record.entity_type.value}", record_id=record.id, **values)


def url_for_history(record: PublicRecord, **values) -> str:
    """Return the address of a record's revision history."""
    if record.entity_type is EntityType.brand:
        return url_for("public.brand_history", slug=record.slug, **values)
    return url_for(f"public.{record.entity_type.value}_history", record_id=record.id, **values)


def country_name(code: str | None) -> str:
    """Return a country's name in the reader's language from its ISO 3166-1 code."""
    if not code:
        return ""
    locale = Locale.parse(str(get_locale()))
    return locale.territories.get(code.upper(), code)


def language_url(language: str) -> str:
    """Return the current page's address with the language switched."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [language]
    return url_for(request.endpoint or "public.home", **(request.view_args or {}), **args)


def render_error(error: HTTPException) -> tuple[str, int]:
    """Render an HTTP error in the site's style."""
    return render_template("errors/error.html", error=error), error.code or 500


FALLBACK_500 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>500</title>"
    "<h1>Something went wrong on our side</h1><p>Please try again in a moment.</p>"
)


def render_internal_error(error: Exception) -> tuple[str, int]:
    """Render the 500 page; if even that fails, a bare one. Never a stack trace."""
    try:
        return render_template("errors/error.html", error=InternalServerError()), 500
    except Exception:  # the page itself may depend on what just broke
        current_app.logger.exception("the error page failed to render")
        return FALLBACK_500, 500


def remember_language(response: Response) -> Response:
    """Keep an explicit ?lang= choice in a cookie for a year."""
    choice = request.args.get("lang")
    if choice and choice in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    """Register error pages, template helpers and the language cookie."""
    for code in (400, 403, 404, 405, 410, 413, 429):
        app.register_error_handler(code, render_error)
    app.register_error_handler(InternalServerError, render_internal_error)

    app.after_request(remember_language)
    register_nav(app, "public.brands", _l("Brands"), 10)
    app.jinja_env.globals.update(
        url_for_record=url_for_record,
        url_for_history=url_for_history,
        label=label,
        country_name=country_name,
        language_url=language_url,
        nav_items=lambda: sorted(app.extensions.get("tracker_nav", []), key=lambda i: i.order),
        PLURALS=PLURALS,
    )
