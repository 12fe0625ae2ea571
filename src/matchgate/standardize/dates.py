"""Dates of birth -> comparable forms.

The contract's date format is ``YYYY-MM-DD``; anything else, an impossible calendar date
(``1990-02-30``), a date before :data:`EARLIEST_BIRTH` or a date after "today" (in the agency's
time zone, passed in by the caller) is not a usable date of birth.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATE = re.compile(DATE_PATTERN)

EARLIEST_BIRTH = dt.date(1870, 1, 1)
"""No living person, nor any record worth matching, was born earlier."""

MONTHS = 12


class DobProblem(Enum):
    """Why a given date of birth is unusable."""

    NOT_A_DATE = "not_a_date"
    FUTURE = "future"


@dataclass(frozen=True, slots=True)
class ParsedDob:
    """A parsed date of birth: ``value`` when usable, else ``problem`` when one was given."""

    value: dt.date | None
    problem: DobProblem | None = None


def parse_dob(raw: str | None, *, today: dt.date) -> ParsedDob:
    """Parse ``YYYY-MM-DD``; reject impossible, implausibly early and future dates."""
    if raw is None or not raw.strip():
        return ParsedDob(None)
    text = raw.strip()
    if not _DATE.fullmatch(text):
        return ParsedDob(None, DobProblem.NOT_A_DATE)
    try:
        value = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return ParsedDob(None, DobProblem.NOT_A_DATE)
    if value < EARLIEST_BIRTH:
        return ParsedDob(None, DobProblem.NOT_A_DATE)
    if value > today:
        return ParsedDob(None, DobProblem.FUTURE)
    return ParsedDob(value)


def swap_day_month(value: dt.date) -> dt.date | None:
    """The date with day and month exchanged, when that is a different real date."""
    if value.day == value.month or value.day > MONTHS:
        return None
    return value.replace(month=value.day, day=value.month)
