"""Vectorized addresses and birthplaces."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.synth.names import Codes, draw_by_group, masked_take
from matchgate.synth.sampling import BoolArray, IntArray, chance, cumulative, weighted
from matchgate.synth.tables import ORIGINS, RefTables
from matchgate.synth.text import concat, digits, where

STREET_TYPES = (
    ("St", 0.26),
    ("Ave", 0.18),
    ("Rd", 0.14),
    ("Dr", 0.14),
    ("Ln", 0.08),
    ("Ct", 0.06),
    ("Blvd", 0.04),
    ("Way", 0.05),
    ("Pl", 0.03),
    ("Cir", 0.02),
)
_STREET_TYPE_RE = (
    r"(?i) (st|street|ave|avenue|rd|road|dr|drive|ln|lane|ct|court|blvd|boulevard|way|pl|place|"
    r"cir|circle|ter|terrace|pkwy|parkway|hwy|highway|trl|trail|loop|row|sq|square)\.?$"
)
UNIT_SHARE = 0.14
UNIT_KINDS = (("Apt", 0.7), ("Unit", 0.2), ("#", 0.1))

Address = dict[str, pa.Array]
"""address_line, city, state, zip."""


def place_rows(tables: RefTables, rng: np.random.Generator, origin: Codes) -> IntArray:
    """Rows of the US places table, weighted by population and the origin's state affinity."""
    return draw_by_group(tables.places, rng, list(ORIGINS), origin.astype(np.int64))


def street_lines(tables: RefTables, rng: np.random.Generator, n: int) -> pa.Array:
    """'1234 Maple St Apt 5' style lines."""
    numbers = np.exp(rng.random(n) * np.log(20_000)).astype(np.int64)
    numbers = np.where(chance(rng, 0.35, n), numbers % 999 + 1, numbers)
    streets_col = tables.streets.column("street")
    rows = tables.streets.draw("", rng, n)
    street = pc.take(streets_col, rows)
    typed = pc.take(pc.match_substring_regex(streets_col, _STREET_TYPE_RE), rows)
    types, weights = zip(*STREET_TYPES, strict=True)
    kind = pc.take(pa.array(types), weighted(rng, cumulative(weights), n))
    street = pc.if_else(typed, street, concat([street, " ", kind]))
    line = concat([pa.array(numbers).cast(pa.string()), " ", street])
    unit = chance(rng, UNIT_SHARE, n)
    if unit.any():
        labels = [v for v, _ in UNIT_KINDS]
        label = pc.take(pa.array(labels), weighted(rng, cumulative([w for _, w in UNIT_KINDS]), n))
        unit_no = pa.array(rng.integers(1, 40, n)).cast(pa.string())
        letter = pc.take(pa.array(["", "", "", "A", "B", "C"]), rng.integers(0, 6, n))
        unit_text = concat(
            [
                label,
                where(pc.equal(label, "#").to_numpy(zero_copy_only=False), "", " "),
                unit_no,
                letter,
            ]
        )
        line = pc.if_else(pa.array(unit), concat([line, " ", unit_text]), line)
    return line


def addresses(tables: RefTables, rng: np.random.Generator, origin: Codes) -> Address:
    """A current US address per person."""
    n = origin.size
    rows = place_rows(tables, rng, origin)
    places = tables.places
    zip5 = concat([pc.take(places.column("zip3"), rows), digits(rng.integers(1, 100, n), 2)])
    return {
        "address_line": street_lines(tables, rng, n),
        "city": pc.take(places.column("city"), rows),
        "state": pc.take(places.column("state"), rows),
        "zip": zip5,
    }


def select(mask: BoolArray, yes: Address, no: Address) -> Address:
    """Per person, the ``yes`` address where ``mask`` holds, else ``no``."""
    m = pa.array(mask)
    return {k: pc.if_else(m, yes[k], no[k]) for k in no}


def take(address: Address, idx: IntArray) -> Address:
    return {k: pc.take(v, pa.array(idx)) for k, v in address.items()}


def birthplaces(
    tables: RefTables, rng: np.random.Generator, origin: Codes, foreign: BoolArray
) -> tuple[dict[str, pa.Array], BoolArray]:
    """Birth city, state and country; foreign-born people of an origin with no foreign places in
    the table are born in the US instead. Returns the columns and the final foreign-born mask."""
    pool = tables.birthplaces
    keys = [f"{o}:{w}" for o in ORIGINS for w in ("US", "abroad")]
    group = origin.astype(np.int64) * 2 + foreign.astype(np.int64)
    rows = draw_by_group(pool, rng, keys, group)
    found = rows >= 0
    foreign = foreign & found
    us_rows = place_rows(tables, rng, origin)
    from_table = found
    city = pc.coalesce(
        masked_take(pool.column("birth_city"), rows, from_table),
        pc.take(tables.places.column("city"), us_rows),
    )
    state = pc.coalesce(
        masked_take(pool.column("birth_state"), rows, from_table),
        pc.take(tables.places.column("state"), us_rows),
    )
    country = pc.coalesce(masked_take(pool.column("birth_country"), rows, from_table), "US")
    return {"birth_city": city, "birth_state": state, "birth_country": country}, foreign
