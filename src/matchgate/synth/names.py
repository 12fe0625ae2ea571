"""Vectorized name drawing: given and middle names, surnames (common, rare composed, compound),
generational suffixes.

All functions take per-person origin codes (indices into :data:`ORIGINS`) and return Arrow string
arrays, one row per person, in the spelling of the tables (title case, with accents).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.synth.sampling import BoolArray, IntArray, chance, cumulative, weighted
from matchgate.synth.tables import ORIGINS, Pool, RefTables
from matchgate.synth.text import concat, where

Codes = npt.NDArray[np.int8]

RARE_SURNAME_SHARE = 0.25
"""Share of people of an origin with surname syllables whose surname is composed (long tail)."""

COMPOUND_SURNAME_SHARE: dict[str, float] = {"hispanic": 0.62, "portuguese": 0.30}
"""Share of people of an origin carrying two surnames (paternal and maternal)."""

HYPHENATED_COMPOUND_SHARE = 0.15

MIDDLE_NAME_SHARE: dict[str, float] = {
    "anglo": 0.80,
    "hispanic": 0.55,
    "chinese": 0.12,
    "korean": 0.08,
    "vietnamese": 0.75,
    "arabic": 0.35,
    "south_asian": 0.30,
    "slavic": 0.35,
    "portuguese": 0.60,
}
"""Share of people of an origin with a middle name (or second given name) on record."""

MIDDLE_INITIAL_SHARE = 0.18
"""Share of recorded middle names that are only an initial."""

ANGLICIZED_FIRST_SHARE: dict[str, float] = {
    "chinese": 0.55,
    "korean": 0.50,
    "vietnamese": 0.50,
    "hispanic": 0.15,
    "arabic": 0.15,
    "south_asian": 0.12,
    "slavic": 0.30,
    "portuguese": 0.25,
}
"""Share of US-born people of an origin given an English first name (the origin's name as
middle name, as many Chinese-, Korean- and Vietnamese-Americans carry it)."""

VIETNAMESE_MIDDLE = {
    "M": (
        ("Văn", 0.55),
        ("Đức", 0.1),
        ("Minh", 0.1),
        ("Hữu", 0.1),
        ("Quang", 0.08),
        ("Thanh", 0.07),
    ),
    "F": (("Thị", 0.65), ("Ngọc", 0.12), ("Thu", 0.08), ("Kim", 0.08), ("Thanh", 0.07)),
}

SUFFIXES = (("Jr", 0.55), ("Sr", 0.15), ("II", 0.12), ("III", 0.18))
SUFFIX_SHARE = 0.05
"""Share of adult anglo men whose record carries a generational suffix after the surname."""

_NULL_STR = pa.scalar(None, pa.string())


def origin_code(origin: str) -> int:
    return ORIGINS.index(origin)


def masked_take(values: pa.Array, idx: IntArray, mask: BoolArray) -> pa.Array:
    """``values[idx]`` where ``mask`` holds, null elsewhere."""
    return pc.take(values, pa.array(np.where(mask, idx, 0), pa.int64(), mask=~mask))


def draw_by_group(
    pool: Pool, rng: np.random.Generator, keys: list[str], group_of: IntArray
) -> IntArray:
    """For each person, a weighted row of ``pool`` from group ``keys[group_of[i]]`` (-1 if none)."""
    out = np.full(group_of.size, -1, dtype=np.int64)
    for g, key in enumerate(keys):
        members = np.flatnonzero(group_of == g)
        if members.size and pool.has(key):
            out[members] = pool.draw(key, rng, members.size)
    return out


def given_rows(tables: RefTables, rng: np.random.Generator, origin: Codes, sex: Codes) -> IntArray:
    """Rows of the given-name table by origin and sex (sex code 0 = M, 1 = F)."""
    keys = [f"{o}:{s}" for o in ORIGINS for s in ("M", "F")]
    group = origin.astype(np.int64) * 2 + sex.astype(np.int64)
    return draw_by_group(tables.given_names, rng, keys, group)


def given_names(tables: RefTables, rng: np.random.Generator, origin: Codes, sex: Codes) -> pa.Array:
    return pc.take(tables.given_names.column("given_name"), given_rows(tables, rng, origin, sex))


def surnames(
    tables: RefTables, rng: np.random.Generator, origin: Codes, *, rare: bool = True
) -> pa.Array:
    """Common surnames by weight, with a long tail of rare ones composed from syllables."""
    n = origin.size
    keys = list(ORIGINS)
    rows = draw_by_group(tables.surnames, rng, keys, origin.astype(np.int64))
    names = pc.take(tables.surnames.column("surname"), rows)
    if not rare:
        return names
    composable = np.array(
        [tables.syllable_start.has(o) and tables.syllable_end.has(o) for o in ORIGINS]
    )
    composed = composable[origin] & chance(rng, RARE_SURNAME_SHARE, n)
    if not composed.any():
        return names
    group = np.where(composed, origin.astype(np.int64), -1)
    start = masked_take(
        tables.syllable_start.column("part"),
        draw_by_group(tables.syllable_start, rng, keys, group),
        composed,
    )
    end = masked_take(
        tables.syllable_end.column("part"),
        draw_by_group(tables.syllable_end, rng, keys, group),
        composed,
    )
    joiner_kept = pc.match_substring_regex(start, "[-' ]$")
    end = pc.if_else(joiner_kept, end, pc.utf8_lower(end))
    start = pc.utf8_capitalize(start)
    rare_names = pc.binary_join_element_wise(start, end, "")
    return pc.coalesce(rare_names, names)


def compound_surnames(
    tables: RefTables,
    rng: np.random.Generator,
    origin: Codes,
    first: pa.Array,
) -> tuple[pa.Array, pa.Array, BoolArray]:
    """Give some people a second (maternal) surname.

    Returns the full surname, the second surname (empty when none) and the compound mask.
    Portuguese order puts the maternal name first; we keep the table's order for both, which is
    what the records carry.
    """
    n = origin.size
    share = np.array([COMPOUND_SURNAME_SHARE.get(o, 0.0) for o in ORIGINS])[origin]
    compound = chance(rng, share, n)
    second = surnames(tables, rng, origin, rare=False)
    same = pc.equal(second, first).to_numpy(zero_copy_only=False)
    compound &= ~same
    hyphen = chance(rng, HYPHENATED_COMPOUND_SHARE, n) & (origin == origin_code("hispanic"))
    sep = where(hyphen, "-", " ")
    full = concat([first, sep, second])
    mask = pa.array(compound)
    return pc.if_else(mask, full, first), pc.if_else(mask, second, ""), compound


def middle_names(
    tables: RefTables,
    rng: np.random.Generator,
    origin: Codes,
    sex: Codes,
    ethnic_middle: BoolArray,
) -> pa.Array:
    """Middle names: full or initial for many; Vietnamese get Văn/Thị-style names.

    ``ethnic_middle`` marks people whose first name is English and whose middle name is the name
    of their origin: they always get one.
    """
    n = origin.size
    share = np.array([MIDDLE_NAME_SHARE[o] for o in ORIGINS])[origin]
    has = chance(rng, share, n) | ethnic_middle
    names = given_names(tables, rng, origin, sex)
    viet = (origin == origin_code("vietnamese")) & ~ethnic_middle
    if viet.any():
        for code, key in ((0, "M"), (1, "F")):
            members = np.flatnonzero(viet & (sex == code))
            if not members.size:
                continue
            values, weights = zip(*VIETNAMESE_MIDDLE[key], strict=True)
            picks = weighted(rng, cumulative(weights), members.size)
            idx = np.full(n, -1, dtype=np.int64)
            idx[members] = picks
            mask = idx >= 0
            names = pc.coalesce(masked_take(pa.array(values), idx, mask), names)
    initial_only = chance(rng, MIDDLE_INITIAL_SHARE, n) & ~viet & ~ethnic_middle
    names = pc.if_else(pa.array(initial_only), pc.utf8_slice_codeunits(names, 0, 1), names)
    return pc.if_else(pa.array(has), names, "")


def suffixes(rng: np.random.Generator, eligible: BoolArray) -> pa.Array:
    """Generational suffixes (Jr, Sr, II, III) for a share of ``eligible`` people, else ''."""
    n = eligible.size
    has = eligible & chance(rng, SUFFIX_SHARE, n)
    values = [v for v, _ in SUFFIXES]
    picks = weighted(rng, cumulative([w for _, w in SUFFIXES]), n)
    return masked_take(pa.array(values), picks, has).fill_null("")


def with_suffix(surname: pa.Array, suffix: pa.Array) -> pa.Array:
    """The surname as records carry it: 'Smith Jr'."""
    has = pc.not_equal(suffix, "")
    return pc.if_else(has, concat([surname, " ", suffix]), surname)
