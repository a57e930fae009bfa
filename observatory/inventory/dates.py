"""Dates as historians write them: a year, a month, a day, or "circa" a year.

A founding date of ``2011`` is stored as 2011-01-01 with precision ``year``; it must never be
displayed or exported as the first of January.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["FuzzyDateError", "parse_fuzzy_date", "format_fuzzy_date", "ACCEPTED_FORMS"]

ACCEPTED_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or 'circa YYYY'"
_PATTERN = re.compile(
    r"^\s*(?P<circa>(circa|ca\.?|c\.|~|约)\s*)?(?P<y>\d{4})(?:[-/](?P<m>\d{1,2})(?:[-/](?P<d>\d{1,2}))?)?\s*(年)?\s*$",
    re.IGNORECASE,
)


class FuzzyDateError(ValueError):
    pass


def parse_fuzzy_date(value: object) -> tuple[dt.date | None, str]:
    """Parse a date with its precision: ``(date, precision)``; ``(None, "")`` for empty values.

    >>> parse_fuzzy_date("2011")
    (datetime.date(2011, 1, 1), 'year')
    >>> parse_fuzzy_date("circa 2008")
    (datetime.date(2008, 1, 1), 'circa')
    >>> parse_fuzzy_date("2015-06-18")
    (datetime.date(2015, 6, 18), 'day')
    """
    if value is None or value == "":
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FuzzyDateError(f"{value!r} is not a date; accepted forms: {ACCEPTED_FORMS}")
    match = _PATTERN.match(value)
    if not match:
        raise FuzzyDateError(f"{value!r} is not a date; accepted forms: {ACCEPTED_FORMS}")
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    if match["circa"] and month is not None:
        raise FuzzyDateError(f"{value!r}: 'circa' goes with a year only; accepted forms: {ACCEPTED_FORMS}")
    try:
        date = dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise FuzzyDateError(f"{value!r} is not a valid date ({exc}); accepted forms: {ACCEPTED_FORMS}") from None
    if match["circa"]:
        return date, "circa"
    if day is not None:
        return date, "day"
    if month is not None:
        return date, "month"
    return date, "year"


def format_fuzzy_date(date: dt.date | None, precision: str) -> str:
    """The inverse of :func:`parse_fuzzy_date`: ``(2011-01-01, "year") -> "2011"``."""
    if date is None:
        return ""
    if precision == "year":
        return f"{date.year:04d}"
    if precision == "circa":
        return f"circa {date.year:04d}"
    if precision == "month":
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()
