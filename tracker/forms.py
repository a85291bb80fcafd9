"""Form pieces every area shares: the base form, a honeypot, URLs, dates with precision."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, SelectMultipleField, StringField
from wtforms.fields import FieldList, FormField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.models import DatePrecision
from tracker.services.dates import PartialDate

NUL = "\x00"
EARLIEST_YEAR = 1800


def strip(value):
    """Trim surrounding whitespace from a one-line value."""
    return value.strip() if isinstance(value, str) else value


def newlines(value):
    """Turn the CRLF a browser sends for a textarea back into the newlines that were typed."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _fields(form):
    """Yield every field of a form, descending into lists of subforms."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from _fields(entry.form)
                else:
                    yield entry
        elif isinstance(field, FormField):
            yield from _fields(field.form)
        else:
            yield field


def refuse_nul(form) -> bool:
    """Add an error to every text field holding a NUL character, which no database stores."""
    ok = True
    for field in _fields(form):
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(isinstance(value, str) and NUL in value for value in values):
            field.errors = [
                *field.errors,
                _l("Remove the NUL character (\\0): it cannot be stored."),
            ]
            ok = False
    return ok


class TrackerForm(FlaskForm):
    """A form with CSRF protection that also refuses NUL characters in any field."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return refuse_nul(self) and valid


class SubForm(Form):
    """A repeated part of a form (one source); the outer form carries the CSRF token."""


class EmptyForm(FlaskForm):
    """A form with no fields: the CSRF token of a POST-only button."""


class HoneypotForm(TrackerForm):
    """A public form with a field people never see and bots fill in."""

    homepage = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )

    def validate_homepage(self, field) -> None:
        if field.data:
            raise ValidationError(_l("This form could not be accepted. Leave this field empty."))


class HttpUrl:
    """Accept only absolute http and https addresses."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if not value:
            return
        try:
            parts = urlsplit(value)
            port_ok = parts.port is None or 0 < parts.port < 65536
        except ValueError:
            parts, port_ok = None, False
        if (
            parts is None
            or parts.scheme.lower() not in ("http", "https")
            or not parts.hostname
            or not port_ok
            or any(char.isspace() for char in value)
        ):
            raise ValidationError(
                self.message or _l("Enter a full web address starting with http:// or https://.")
            )


class AtLeastOne:
    """Require at least one checked box, without marking every box as required in HTML."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data:
            raise ValidationError(self.message)


class MultiCheckboxField(SelectMultipleField):
    """A choice of several values as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartialDateField(Field):
    """A date as three inputs (day, month, year): leave the day, or day and month, empty
    when only the month or year is known. Its data is a PartialDate (or None when empty)."""

    PARTS = ("day", "month", "year")

    def __init__(self, label=None, validators=None, *, required: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.parts = dict.fromkeys(self.PARTS, "")
        if required:
            self.flags.required = True

    def part_id(self, part: str) -> str:
        return f"{self.id}-{part}"

    def part_name(self, part: str) -> str:
        return f"{self.name}-{part}"

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.parts = dict.fromkeys(self.PARTS, "")
        if data:
            self._parts_from(data)
        if formdata is not None and any(self.part_name(part) in formdata for part in self.PARTS):
            self.parts = {
                part: (formdata.get(self.part_name(part)) or "").strip() for part in self.PARTS
            }
            self.raw_data = [self.parts[part] for part in self.PARTS]
        self.data = None
        try:
            self.data = self._parse()
        except ValueError as error:
            self.process_errors.append(error.args[0])

    def _parts_from(self, data) -> None:
        try:
            partial = data if isinstance(data, PartialDate) else PartialDate.parse(data)
        except ValueError:
            return
        if partial.value is None:
            return
        self.parts["year"] = str(partial.value.year)
        if partial.precision in (DatePrecision.month, DatePrecision.day):
            self.parts["month"] = str(partial.value.month)
        if partial.precision is DatePrecision.day:
            self.parts["day"] = str(partial.value.day)

    def _number(self, part: str, low: int, high: int, message) -> int | None:
        text = self.parts[part]
        if not text:
            return None
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(message)
        return int(text)

    def _parse(self) -> PartialDate | None:
        if not any(self.parts.values()):
            return None
        today = dt.date.today()
        year = self._number(
            "year",
            EARLIEST_YEAR,
            9999,
            _l("Enter the year as four digits, for example %(year)d.", year=today.year),
        )
        month = self._number("month", 1, 12, _l("Enter the month as a number from 1 to 12."))
        day = self._number("day", 1, 31, _l("Enter the day as a number from 1 to 31."))
        if year is None:
            raise ValueError(_l("Enter the year; the day and month may be left empty."))
        if day is not None and month is None:
            raise ValueError(_l("Enter the month as well as the day, or leave both empty."))
        try:
            if day is not None:
                partial = PartialDate(dt.date(year, month, day), DatePrecision.day)
            elif month is not None:
                partial = PartialDate(dt.date(year, month, 1), DatePrecision.month)
            else:
                partial = PartialDate(dt.date(year, 1, 1), DatePrecision.year)
        except ValueError:
            raise ValueError(_l("That day does not exist in that month.")) from None
        if partial.value > today:
            raise ValueError(_l("The date cannot be in the future."))
        return partial

    def pre_validate(self, form) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise ValidationError(_l("Enter at least the year."))

    def _value(self) -> str:
        return self.data.iso() if self.data else ""

    def iso(self) -> str | None:
        """Return the date at its precision ("2024", "2024-03", "2024-03-20") or None."""
        return self.data.iso() if self.data else None


def error_list(form) -> list[tuple[str, str, str]]:
    """Return (anchor id, field label, message) for every error, for the summary on top."""
    found = []
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        found.append(("", "", str(_l("The form expired or came from elsewhere. Send it again."))))
    for field in form:
        if field.short_name == "csrf_token":  # a prefixed form's token too
            continue
        if isinstance(field, FieldList):
            for message in field.errors:
                if isinstance(message, str):
                    found.append((field.id, str(field.label.text), message))
            for number, entry in enumerate(field.entries, start=1):
                sub = entry.form if isinstance(entry, FormField) else None
                for anchor, label, message in error_list(sub) if sub else []:
                    found.append((anchor, f"{field.label.text} {number}: {label}", message))
                if sub is None:
                    found += [(entry.id, str(entry.label.text), str(e)) for e in entry.errors]
            continue
        anchor = field.part_id("day") if isinstance(field, PartialDateField) else field.id
        if isinstance(field, MultiCheckboxField | SelectMultipleField) and field.choices:
            anchor = f"{field.id}-0"
        for message in field.errors if isinstance(field.errors, list) else []:
            found.append((anchor, str(field.label.text), str(message)))
    return found


def init_app(app) -> None:
    """Give templates the error summary helper."""
    app.jinja_env.globals["form_error_list"] = error_list
