"""Languages: Flask-Babel, the reader's choice of language, and locale-aware dates."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, request
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_decimal,
    format_percent,
    get_locale,
)
from flask_babel import gettext as _

from tracker.models import DatePrecision

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
# "20 March 2024" / "20 maart 2024": day first in both languages, as readers here expect.
DAY_PATTERN = "d MMMM y"


def select_locale() -> str:
    """Choose the language: an explicit ?lang=, the remembered choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    for choice in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if choice in languages:
            return choice
    return request.accept_languages.best_match(languages) or languages[0]


def format_partial_date(value: dt.date | None, precision: DatePrecision | str | None) -> str:
    """Write a date at its precision in the reader's language: "20 March 2024", "March 2024"."""
    if value is None or precision in (None, DatePrecision.unknown):
        return _("date unknown")
    precision = DatePrecision(precision)
    if precision is DatePrecision.year:
        return str(value.year)
    if precision is DatePrecision.month:
        return format_date(value, "LLLL y")
    return format_date(value, DAY_PATTERN)


def format_long_date(value: dt.date | dt.datetime | None) -> str:
    """Write a day in full in the reader's language and time zone."""
    return format_date(value, DAY_PATTERN) if value else ""


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


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the template helpers for dates and languages."""
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["partial_date"] = format_partial_date
    app.jinja_env.filters["long_date"] = format_long_date
    app.jinja_env.globals["date_range"] = format_date_range
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["format_percent"] = format_percent
    app.jinja_env.globals["format_decimal"] = format_decimal
    app.jinja_env.globals["format_currency"] = format_currency
