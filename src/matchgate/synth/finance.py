"""Bank accounts and earnings detail tables.

Banks and employers are pools drawn once per seed and shared by many people (with a few large
ones common), as in real files: routing numbers carry a valid ABA check digit, EINs a valid IRS
prefix.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.synth.chunk import Chunk, between, choice, counts, rows, table
from matchgate.synth.dates import add_years, day
from matchgate.synth.sampling import FloatArray, IntArray, cumulative, rng_for, weighted
from matchgate.synth.tables import RefTables
from matchgate.synth.text import concat, digits

BANKS = 800
EMPLOYERS = 5_000
TAX_YEARS = (2022, 2023, 2024)
_EIN_PREFIXES = np.array(
    [*range(1, 7), *range(10, 17), *range(20, 28), *range(30, 40), *range(40, 49),
     *range(50, 69), *range(71, 78), *range(80, 89), *range(90, 96), 98, 99],
    dtype=np.int64,
)  # fmt: skip
_EMPLOYER_SUFFIXES = ("LLC", "Inc", "Corp", "Group", "& Sons", "Holdings", "Co", "Partners")
_INDUSTRIES = (
    "Medical Center",
    "Logistics",
    "Construction",
    "Foods",
    "Public Schools",
    "Manufacturing",
    "Auto Parts",
    "Staffing Services",
    "Health System",
    "Restaurant Group",
    "Cleaning Services",
    "Home Care",
)
_STREAM_BANKS, _STREAM_EMPLOYERS = 40, 41


def aba_check_digit(first8: IntArray) -> IntArray:
    """The ninth digit that makes 3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) a multiple of 10."""
    d = [(first8 // 10 ** (7 - i)) % 10 for i in range(8)]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5]
    return np.asarray((10 - total % 10) % 10, dtype=np.int64)


def _zipf(n: int) -> FloatArray:
    return cumulative(1.0 / np.arange(1, n + 1) ** 0.9)


@functools.lru_cache(maxsize=8)
def _banks(seed: int) -> tuple[pa.Array, FloatArray]:
    rng = rng_for(seed, _STREAM_BANKS)
    district = rng.integers(1, 13, BANKS) + np.where(rng.random(BANKS) < 0.7, 0, 20)
    first8 = district * 1_000_000 + rng.integers(0, 1_000_000, BANKS)
    routing = first8 * 10 + aba_check_digit(first8)
    return digits(routing, 9), _zipf(BANKS)


_EMPLOYER_CACHE: dict[tuple[str, int], tuple[pa.Array, pa.Array, FloatArray]] = {}


def _employers(tables: RefTables, seed: int) -> tuple[pa.Array, pa.Array, FloatArray]:
    """EINs, names and weights of the employers of a run (drawn once per tables and seed)."""
    key = (str(tables.folder), seed)
    if key in _EMPLOYER_CACHE:
        return _EMPLOYER_CACHE[key]
    surnames = tables.surnames.column("surname")
    cities = tables.places.column("city")
    rng = rng_for(seed, _STREAM_EMPLOYERS)
    prefix = _EIN_PREFIXES[rng.integers(0, _EIN_PREFIXES.size, EMPLOYERS)]
    ein = concat([digits(prefix, 2), "-", digits(rng.integers(0, 10_000_000, EMPLOYERS), 7)])
    family = concat(
        [
            pc.take(surnames, pa.array(rng.integers(0, len(surnames), EMPLOYERS))),
            " ",
            choice(rng, _EMPLOYER_SUFFIXES, EMPLOYERS),
        ]
    )
    local = concat(
        [
            pc.take(cities, pa.array(rng.integers(0, len(cities), EMPLOYERS))),
            " ",
            choice(rng, _INDUSTRIES, EMPLOYERS),
        ]
    )
    name = pc.if_else(pa.array(rng.random(EMPLOYERS) < 0.55), family, local)
    if len(_EMPLOYER_CACHE) > 8:
        _EMPLOYER_CACHE.clear()
    _EMPLOYER_CACHE[key] = (ein, name, _zipf(EMPLOYERS))
    return _EMPLOYER_CACHE[key]


def bank_accounts(c: Chunk, rng: np.random.Generator) -> pa.Table:
    """0-2 accounts per adult: routing number of a bank, account number, type."""
    adult_day = np.maximum(np.maximum(add_years(c.dob, 18), c.issued), day("1985-01-01"))
    n = counts(rng, (0.3, 0.55, 0.15), c.n) * (adult_day <= c.end)
    who, _ = rows(n)
    m = who.size
    routing, cum = _banks(c.seed)
    bank = pc.take(routing, pa.array(weighted(rng, cum, m)))
    length = rng.integers(0, 3, m)
    account = digits(rng.integers(0, 10**12, m), 12)
    account = pc.if_else(
        pa.array(length == 0),
        pc.utf8_slice_codeunits(account, 4, 12),
        pc.if_else(pa.array(length == 1), pc.utf8_slice_codeunits(account, 2, 12), account),
    )
    kind = pc.if_else(pa.array(rng.random(m) < 0.68), "CHECKING", "SAVINGS")
    fields = {"routing_number": bank, "account_number": account, "account_type": kind}
    source = choice(rng, ("bank enrollment", "direct deposit", "benefit application"), m)
    return table("bank_accounts", who, c, fields, between(rng, adult_day[who], c.end[who]), source)


def earnings(c: Chunk, rng: np.random.Generator) -> pa.Table:
    """W-2 wages for recent tax years of working-age people, mostly from one main employer."""
    ein, employer_name, cum = _employers(c.tables, c.seed)
    main = weighted(rng, cum, c.n)
    who_parts, year_parts = [], []
    for year in TAX_YEARS:
        year_end = day(f"{year}-12-31")
        age = (year_end - c.dob) / 365.25
        works = (age >= 18) & (age < 70) & (c.end >= year_end - 180) & (c.issued <= year_end)
        works &= rng.random(c.n) < 0.78
        picked = np.flatnonzero(works)
        who_parts.append(picked)
        year_parts.append(np.full(picked.size, year, dtype=np.int64))
    who = np.concatenate(who_parts)
    years = np.concatenate(year_parts)
    order = np.argsort(who, kind="stable")
    who, years = who[order], years[order]
    m = who.size
    employer = np.where(rng.random(m) < 0.75, main[who], weighted(rng, cum, m))
    cents = np.clip(np.exp(rng.normal(np.log(48_000), 0.75, m)), 400, 750_000) * 100
    cents = cents.astype(np.int64)
    wages = concat([pa.array(cents // 100).cast(pa.string()), ".", digits(cents % 100, 2)])
    take = pa.array(employer)
    fields = {
        "tax_year": pa.array(years).cast(pa.string()),
        "employer_ein": pc.take(ein, take),
        "employer_name": pc.take(employer_name, take),
        "wages": wages,
    }
    filed = np.array([day(f"{y + 1}-01-20") for y in TAX_YEARS])[years - TAX_YEARS[0]]
    as_of = filed + rng.integers(0, 40, m)
    return table("earnings", who, c, fields, as_of, choice(rng, ("IRS W-2",), m))
