"""Vectorized life events: birth, immigration, SSN issuance, naturalization, death.

The numbers are rough public-statistics shapes (US births by year, Gompertz mortality,
naturalization after five or more years), good enough that ages, deaths and statuses are
distributed the way a matcher will meet them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.synth.dates import NO_DATE, TODAY, Days, add_years, day, years_between
from matchgate.synth.names import Codes
from matchgate.synth.sampling import BoolArray, chance, cumulative, weighted
from matchgate.synth.tables import ORIGINS
from matchgate.synth.text import concat, digits, where

_BIRTHS = (
    (1915, 2.9), (1925, 2.9), (1933, 2.3), (1940, 2.6), (1947, 3.8), (1957, 4.3), (1965, 3.8),
    (1973, 3.1), (1980, 3.6), (1990, 4.2), (1997, 3.9), (2007, 4.3), (2015, 4.0), (2020, 3.6),
    (2025, 3.6),
)  # fmt: skip
"""US births (millions) by year, interpolated between these points."""

FIRST_YEAR = _BIRTHS[0][0]
_YEARS = np.arange(FIRST_YEAR, _BIRTHS[-1][0] + 1)
_YEAR_CUM = cumulative(
    np.interp(_YEARS, [y for y, _ in _BIRTHS], [b for _, b in _BIRTHS])
    * np.where(_BIRTHS[-1][0] == _YEARS, 0.75, 1.0)
)

FOREIGN_BORN_SHARE: dict[str, float] = {
    "anglo": 0.04,
    "hispanic": 0.34,
    "chinese": 0.58,
    "korean": 0.55,
    "vietnamese": 0.58,
    "arabic": 0.50,
    "south_asian": 0.62,
    "slavic": 0.28,
    "portuguese": 0.30,
}
"""Share of people of an origin born outside the US (adults; children are mostly US-born)."""

_GOMPERTZ_A = 0.00005
_GOMPERTZ_B = 0.088

CITIZENSHIP = (
    "US_CITIZEN",
    "LAWFUL_ALIEN_WORK_AUTHORIZED",
    "LAWFUL_ALIEN_NOT_WORK_AUTHORIZED",
    "OTHER",
    "",
)
US_CITIZEN, WORK_AUTHORIZED, NOT_WORK_AUTHORIZED, OTHER_STATUS, NO_STATUS = range(5)
ENUMERATION_AT_BIRTH = day("1987-01-01")
SSN_PROGRAM_START = day("1936-12-01")


def birth_days(rng: np.random.Generator, n: int) -> Days:
    """Dates of birth shaped like US births by year, none after the reference date."""
    years = _YEARS[weighted(rng, _YEAR_CUM, n)]
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    dob = start + (rng.random(n) * 365.25).astype(np.int64)
    return np.minimum(dob, TODAY - rng.integers(0, 200, n))


def foreign_born(rng: np.random.Generator, origin: Codes, dob: Days) -> BoolArray:
    """Whether each person was born abroad; children of immigrants are mostly born here."""
    age = years_between(dob, np.full(dob.size, TODAY))
    share = np.array([FOREIGN_BORN_SHARE[o] for o in ORIGINS])[origin]
    factor = np.select([age < 10, age < 18, age < 70], [0.25, 0.6, 1.0], 0.7)
    return chance(rng, share * factor, dob.size)


def arrival_days(rng: np.random.Generator, dob: Days, foreign: BoolArray) -> Days:
    """When foreign-born people arrived (age 0-45, not before 1950); NO_DATE for the US-born."""
    age_now = years_between(dob, np.full(dob.size, TODAY))
    age_at = rng.random(dob.size) * np.minimum(np.maximum(age_now, 0.1), 45.0)
    arrival = np.maximum(add_years(dob, age_at), day("1950-01-01"))
    arrival = np.minimum(arrival, TODAY - 30)
    return np.where(foreign, arrival, NO_DATE)


def ssn_issue_days(rng: np.random.Generator, dob: Days, arrival: Days) -> Days:
    """When the SSN was issued (the SS-5 application): at birth since 1987, at a first job before,
    soon after arrival for immigrants."""
    n = dob.size
    first_job = add_years(dob, 14 + rng.random(n) * 11)
    at_birth = dob + rng.integers(0, 120, n)
    # From 1987 tax returns needed dependents' SSNs, so children then got one at once.
    dependents = ENUMERATION_AT_BIRTH + rng.integers(0, 1000, n)
    native = np.where(
        dob >= ENUMERATION_AT_BIRTH, at_birth, np.minimum(first_job, np.maximum(dependents, dob))
    )
    immigrant = arrival + rng.integers(10, 700, n)
    issued = np.where(arrival != NO_DATE, immigrant, native)
    issued = np.maximum(issued, SSN_PROGRAM_START + rng.integers(0, 3000, n))
    return np.minimum(np.maximum(issued, dob), TODAY)


def death_days(rng: np.random.Generator, dob: Days, issued: Days) -> Days:
    """Death dates drawn from Gompertz mortality given the age people would have today."""
    n = dob.size
    age = np.maximum(years_between(dob, np.full(n, TODAY)), 0.0)
    a, b = _GOMPERTZ_A, _GOMPERTZ_B
    p_dead = 1.0 - np.exp(-(a / b) * np.expm1(b * age))
    dead = rng.random(n) < p_dead
    u = rng.random(n) * p_dead
    death_age = np.log1p(-(b / a) * np.log1p(-u)) / b
    when = np.maximum(add_years(dob, death_age), issued + 30)
    return np.where(dead & (when < TODAY), when, NO_DATE)


@dataclass(frozen=True)
class Status:
    """Citizenship code (index into :data:`CITIZENSHIP`), its as-of day, naturalization day."""

    code: npt.NDArray[np.int8]
    as_of: Days
    naturalized: Days
    has_a_number: BoolArray


def citizenship(
    rng: np.random.Generator, dob: Days, arrival: Days, issued: Days, death: Days
) -> Status:
    """US-born are citizens; immigrants naturalize after five or more years, the rest hold a
    lawful-alien status. The as-of date is the last update: naturalization, or a plausible
    later record update, never after death."""
    n = dob.size
    foreign = arrival != NO_DATE
    end = np.where(death != NO_DATE, death, TODAY)
    years_here = np.where(foreign, years_between(arrival, end), 0.0)
    p_nat = np.clip(0.11 * (years_here - 4.5), 0.0, 0.82)
    naturalized_mask = foreign & (rng.random(n) < p_nat)
    nat_years = 5.0 + rng.random(n) * np.maximum(years_here - 5.0, 0.0)
    naturalized = np.where(
        naturalized_mask, np.minimum(add_years(arrival, nat_years), end), NO_DATE
    )
    age = years_between(dob, end)
    r = rng.random(n)
    alien = np.select(
        [r < np.where(age < 16, 0.35, 0.78), r < np.where(age < 16, 0.9, 0.92)],
        [WORK_AUTHORIZED, NOT_WORK_AUTHORIZED],
        OTHER_STATUS,
    )
    old_record = (~foreign) & (dob < day("1950-01-01")) & chance(rng, 0.05, n)
    code = np.where(
        foreign & ~naturalized_mask, alien, np.where(old_record, NO_STATUS, US_CITIZEN)
    ).astype(np.int8)
    span = np.maximum(end - issued, 0)
    update = issued + (rng.random(n) * span * chance(rng, 0.5, n)).astype(np.int64)
    as_of = np.where(naturalized_mask, naturalized, update)
    as_of = np.where(code == NO_STATUS, NO_DATE, as_of)
    has_a = foreign & ((code != OTHER_STATUS) | chance(rng, 0.5, n)) & chance(rng, 0.97, n)
    return Status(code, as_of, naturalized, has_a)


def a_number_text(rng: np.random.Generator, values: npt.NDArray[np.int64]) -> pa.Array:
    """A-numbers as records write them: 9 digits, or 8 for old numbers, sometimes 'A'-prefixed."""
    n = values.size
    nine = digits(values, 9)
    short = (values < 100_000_000) & chance(rng, 0.6, n)
    text = pc.if_else(pa.array(short), pc.utf8_slice_codeunits(nine, 1, 9), nine)
    prefixed = chance(rng, 0.25, n)
    return where(prefixed, concat(["A", text]), text)
