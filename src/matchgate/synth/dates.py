"""Calendar dates as day numbers (days since 1970-01-01) and their YYYY-MM-DD text.

The synthetic world is frozen at :data:`REFERENCE_DATE` so that output never depends on the day
the generator runs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Days = npt.NDArray[np.int64]

REFERENCE_DATE = "2025-09-30"
TODAY = int(np.datetime64(REFERENCE_DATE, "D").astype(np.int64))
NO_DATE = np.iinfo(np.int64).min
"""Marks an unknown or not-applicable date in a day-number array."""

YEAR = 365.25


def day(text: str) -> int:
    """The day number of a YYYY-MM-DD date."""
    return int(np.datetime64(text, "D").astype(np.int64))


def date_strings(days: Days) -> pa.Array:
    """YYYY-MM-DD text for each day number; :data:`NO_DATE` becomes the empty string."""
    d = np.asarray(days, dtype=np.int64)
    missing = d == NO_DATE
    as_date = pa.array(np.where(missing, 0, d).astype(np.int32), pa.int32()).cast(pa.date32())
    text = as_date.cast(pa.string())
    if missing.any():
        text = pc.if_else(pa.array(missing), "", text)
    return text


def years_between(start: Days, end: Days) -> npt.NDArray[np.float64]:
    """Elapsed years from ``start`` to ``end`` (fractional)."""
    return (np.asarray(end, dtype=np.float64) - np.asarray(start, dtype=np.float64)) / YEAR


def year_of(days: Days) -> npt.NDArray[np.int64]:
    """The calendar year of each day number."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[Y]")
        .astype(np.int64)
        + 1970
    )


def from_year_and_offset(years: npt.NDArray[np.int64], offset: Days) -> Days:
    """Day numbers for ``offset`` days (0-based, clipped to the year) into each year."""
    start = (
        (np.asarray(years, dtype=np.int64) - 1970)
        .astype("datetime64[Y]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )
    length = (np.asarray(years, dtype=np.int64) + 1 - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ).astype(np.int64) - start
    return np.asarray(start + np.minimum(offset, length - 1), dtype=np.int64)


def add_years(days: Days, years: npt.NDArray[np.float64] | float) -> Days:
    """Shift day numbers by a (fractional) number of years."""
    return np.asarray(days, dtype=np.int64) + np.round(np.asarray(years) * YEAR).astype(np.int64)
