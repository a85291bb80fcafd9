"""Languages: Flask-Babel, the reader's choice of language, and locale-aware dates and numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask.globals import _cv_app
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
    to_user_timezone,
)
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from tracker.models import DatePrecision

T = TypeVar("T")

LANGUAGE_COOKIE = "lang"
LANGUAGE_QUERY = "lang"
# Each language names itself, so a reader who cannot read the page still finds their own.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
# "20 March 2024" / "20 maart 2024": day first in both languages, as readers here expect.
DAY_PATTERN = "d MMMM y"
MONTH_PATTERN = "LLLL y"
MOMENT_PATTERN = "d MMMM y, HH:mm"


def chosen_language() -> str | None:
    """Return the language asked for in ?lang= or remembered in the cookie, if valid."""
    languages = current_app.config["LANGUAGES"]
    for choice in (request.args.get(LANGUAGE_QUERY), request.cookies.get(LANGUAGE_COOKIE)):
        if choice in languages:
            return choice
    return None


def select_locale() -> str:
    """Choose the language: an explicit ?lang=, the remembered choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a background job: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return (
        chosen_language()
        or accepted_language(languages)
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def accepted_language(languages: tuple[str, ...] | list[str]) -> str | None:
    """Return the reader's most preferred language we have, a region matching its language.

    Werkzeug's best_match prefers any exact match over a region, so "en-GB, nl;q=0.5" would
    give Dutch; the reader's order comes first here.
    """
    preferred = [
        value.replace("-", "_").lower() for value, quality in request.accept_languages if quality
    ]
    return negotiate_locale(preferred, languages, sep="_")


def _reader_locale() -> Locale:
    return get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_locale_key() -> str:
    """Return the reader's language as a short key, cheaply: pages ask thousands of times.

    Reads the locale Flask-Babel has already chosen for this request (force_locale included)
    without its chain of context-local proxies, and falls back to get_locale() otherwise.
    """
    app_context = _cv_app.get(None)
    babel_context = getattr(app_context.g, "_flask_babel", None) if app_context else None
    locale = getattr(babel_context, "babel_locale", None) or get_locale()
    if locale is None:
        return ""
    if locale.territory or locale.script or locale.variant:
        return str(locale)
    return locale.language


def per_language(name: str, make: Callable[[], T]) -> T:
    """Return the request's `name` for the reader's language, made once by make(): for
    helpers that look up their words and settings once per page."""
    made = g.setdefault(name, {})
    key = current_locale_key()
    if key not in made:
        made[key] = make()
    return made[key]


def format_partial_date(value: dt.date | None, precision: DatePrecision | str | None) -> str:
    """Write a date at its precision in the reader's language: "20 March 2024", "March 2024"."""
    if value is None or precision in (None, DatePrecision.unknown):
        return _("date unknown")
    precision = DatePrecision(precision)
    if precision is DatePrecision.year:
        return str(value.year)
    return _written_date(current_locale_key(), value, precision)


# Babel takes about 20 µs a date and a timeline shows hundreds: remember each one, per
# language (locale_key only keys the cache; the language is the request's).
@lru_cache(maxsize=20_000)
def _written_date(locale_key: str, value: dt.date, precision: DatePrecision) -> str:
    pattern = MONTH_PATTERN if precision is DatePrecision.month else DAY_PATTERN
    return format_date(value, pattern)


def iso_partial_date(value: dt.date | None, precision: DatePrecision | str | None) -> str | None:
    """Return a machine-readable date at its precision for <time datetime>: "2024-03"."""
    if value is None or precision in (None, DatePrecision.unknown):
        return None
    width = {DatePrecision.year: 4, DatePrecision.month: 7}.get(DatePrecision(precision), 10)
    return value.isoformat()[:width]


def time_tag(
    value: dt.date | None,
    precision: DatePrecision | str | None,
    end: dt.date | None = None,
    end_precision: DatePrecision | str | None = None,
) -> Markup:
    """Return a <time> element for a date or a range at its precision, with the machine date
    for a single date. Python, not a template macro, and remembered per language: a
    timeline writes hundreds, many of them the same."""
    return _time_tag(current_locale_key(), value, precision, end, end_precision)


@lru_cache(maxsize=20_000)
def _time_tag(locale_key: str, value, precision, end, end_precision) -> Markup:
    machine = iso_partial_date(value, precision) if end is None else None
    written = escape(format_date_range(value, precision, end, end_precision))
    # An f-string, not Markup.format: string.Formatter took most of the time.
    if machine:  # digits and dashes: nothing to escape
        return Markup(f'<time datetime="{machine}">{written}</time>')
    return Markup(f"<time>{written}</time>")


def format_long_date(value: dt.date | dt.datetime | None) -> str:
    """Write a day in full in the reader's language and time zone."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):  # the day it was where the reader is
        value = to_user_timezone(value).date()
    return format_partial_date(value, DatePrecision.day)  # remembered: lists repeat days


def format_moment(value: dt.datetime | None) -> str:
    """Write a moment to the minute in the reader's language and time zone."""
    return format_datetime(value, MOMENT_PATTERN) if value else ""


def format_date_range(
    value: dt.date | None,
    precision: DatePrecision | str | None,
    end: dt.date | None = None,
    end_precision: DatePrecision | str | None = None,
) -> str:
    """Write a date or a range of dates, each end at its own precision."""
    start = format_partial_date(value, precision)
    if end is None:
        return start
    return _("%(start)s to %(end)s", start=start, end=format_partial_date(end, end_precision))


def format_number(value: int | float | Decimal | None) -> str:
    """Write a count with the reader's digit grouping: 12,345 or 12.345."""
    return "" if value is None else format_decimal(value)


def format_amount(value: Decimal | float | None, currency: str | None) -> str:
    """Write a sum of money in the reader's style: €1,000.00 or € 1.000,00."""
    if value is None:
        return ""
    return format_currency(value, (currency or "EUR").upper())


def language_name(code: str | None) -> str:
    """Name a language (an ISO 639 code such as "nl" or "en-GB") in the reader's language."""
    if not code:
        return ""
    try:
        language = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    name = language.get_display_name(_reader_locale()) or code
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=512)  # a pure function of the code, asked for every quote and source
@lru_cache(maxsize=256)
def html_language(code: str | None) -> str | None:
    """Return a language code fit for an HTML lang attribute, or None if it is not one."""
    if not code:
        return None
    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    return code.replace("_", "-")


def catalogue_per_locale() -> Callable[[], NullTranslations]:
    """Return a function giving the current language's catalogue, kept once looked up.

    Flask-Babel looks the domain, the locale and the catalogue up through several
    context-local proxies on every call, and a brand page with 200 events makes over a
    thousand calls; a language's catalogue does not change while the app runs.
    """
    catalogues: dict[str, NullTranslations] = {}

    def current() -> NullTranslations:
        key = current_locale_key()
        catalogue = catalogues.get(key)
        if catalogue is None:
            catalogue = catalogues[key] = get_translations()
        return catalogue

    return current


def remembered_gettext(gettext: Callable[..., str]) -> Callable[..., str]:
    """Wrap Jinja's gettext to remember each translated message per language and arguments.

    A timeline translates the same few labels for each of its events; only plain text and
    number arguments are remembered, and the memory is bounded.
    """
    remembered: dict[tuple, str] = {}

    @pass_context
    def template_gettext(context: Context, message: str, **variables) -> str:
        if not context.eval_ctx.autoescape or not all(
            type(value) in _PLAIN for value in variables.values()
        ):
            return gettext(context, message, **variables)
        key = (current_locale_key(), message, *variables.items())
        text = remembered.get(key)
        if text is None:
            if len(remembered) > 10_000:
                remembered.clear()
            text = remembered[key] = gettext(context, message, **variables)
        return text

    return template_gettext


# Argument types whose value alone decides the text (Markup included: it is escaped already).
_PLAIN = frozenset({str, int, Markup})


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the template helpers for dates, numbers and languages."""
    Babel(app, locale_selector=select_locale)
    current = catalogue_per_locale()
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current().ugettext(s),
        ngettext=lambda s, p, n: current().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current().upgettext(c, s),
        npgettext=lambda c, s, p, n: current().unpgettext(c, s, p, n),
    )
    template_gettext = remembered_gettext(app.jinja_env.globals["gettext"])
    app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext)
    app.jinja_env.filters.update(
        partial_date=format_partial_date,
        long_date=format_long_date,
        moment=format_moment,
        number=format_number,
    )
    app.jinja_env.globals.update(
        date_range=format_date_range,
        iso_date=iso_partial_date,
        time_tag=time_tag,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        get_locale=get_locale,
        language_name=language_name,
        html_language=html_language,
        format_percent=format_percent,
        format_decimal=format_decimal,
        format_currency=format_currency,
        format_amount=format_amount,
    )
