"""Dates known to a precision: a day, a month, a year, or a range of those."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from tracker.models import DatePrecision

_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), DatePrecision.day),
    (re.compile(r"^(\d{4})-(\d{2})$"), DatePrecision.month),
    (re.compile(r"^(\d{4})$"), DatePrecision.year),
)


@dataclass(frozen=True)
class PartialDate:
    """A date and how precisely it is known; value is the first day of the period."""

    value: dt.date | None
    precision: DatePrecision

    @classmethod
    def parse(cls, raw: object) -> PartialDate:
        """Read "2024-03-20", "2024-03", "2024", a date, or None; raise ValueError otherwise."""
        if raw is None or raw == "":
            return cls(None, DatePrecision.unknown)
        if isinstance(raw, dt.datetime):
            raise ValueError("give a date, not a date and time")
        if isinstance(raw, dt.date):
            return cls(raw, DatePrecision.day)
        text = str(raw).strip()
        for pattern, precision in _PATTERNS:
            match = pattern.match(text)
            if not match:
                continue
            parts = [int(part) for part in match.groups()] + [1] * (3 - len(match.groups()))
            try:
                return cls(dt.date(*parts), precision)
            except ValueError as error:
                raise ValueError(f"{text!r} is not a real date") from error
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")

    @property
    def last_day(self) -> dt.date | None:
        """Return the last day of the period the date covers."""
        if self.value is None:
            return None
        if self.precision is DatePrecision.year:
            return self.value.replace(month=12, day=31)
        if self.precision is DatePrecision.month:
            days = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=days)
        return self.value

    def iso(self) -> str | None:
        """Return the date written at its precision: "2024", "2024-03" or "2024-03-20"."""
        if self.value is None:
            return None
        width = {DatePrecision.year: 4, DatePrecision.month: 7}.get(self.precision, 10)
        return self.value.isoformat()[:width]


def sort_day(value: dt.date | None, precision: DatePrecision) -> dt.date | None:
    """Return the day an event sorts on: the end of its period, so "April 2022" follows
    "8 April 2022" and a reply dated only by month follows the ruling it answers."""
    return PartialDate(value, precision).last_day
