"""What the detail-table builders share: a chunk's per-person arrays and row helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.synth.dates import NO_DATE, TODAY, Days, date_strings
from matchgate.synth.sampling import IntArray, cumulative, weighted
from matchgate.synth.tables import RefTables

DETAIL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "addresses": ("address_line", "city", "state", "zip"),
    "phones": ("phone",),
    "emails": ("email",),
    "bank_accounts": ("routing_number", "account_number", "account_type"),
    "relatives": ("relative_person_id", "relationship", "first_name", "last_name"),
    "ip_addresses": ("ip", "seen_at"),
    "earnings": ("tax_year", "employer_ein", "employer_name", "wages"),
    "appointments": ("office_code", "office_city", "office_state", "starts_at", "service"),
}
"""Each detail table's own columns; every table also has person_id first and as_of, source last."""


def detail_columns(name: str) -> tuple[str, ...]:
    return ("person_id", *DETAIL_COLUMNS[name], "as_of", "source")


class Chunk:
    """Per-person arrays of a generated chunk, read once for all detail builders."""

    def __init__(self, people: pa.Table, tables: RefTables, seed: int) -> None:
        self.people = people
        self.tables = tables
        self.seed = seed
        self.n = people.num_rows

        def ints(name: str) -> IntArray:
            return np.asarray(people.column(name).to_numpy(), dtype=np.int64)

        self.index = ints("_index")
        self.origin = people.column("_origin").to_numpy().astype(np.int8)
        self.sex = people.column("_name_sex").to_numpy().astype(np.int8)
        self.dob = ints("_dob")
        self.death = ints("_death")
        self.issued = ints("_issued")
        self.moved = ints("_moved")
        self.n_addresses = ints("_n_addresses")
        self.partner = ints("_partner")
        self.upper = np.asarray(people.column("_upper").to_numpy(zero_copy_only=False), dtype=bool)
        self.end = np.where(self.death != NO_DATE, self.death, TODAY)
        self.person_id = self.col("person_id")

    def col(self, name: str) -> pa.Array:
        return self.people.column(name).combine_chunks()


def counts(rng: np.random.Generator, weights: Sequence[float], n: int) -> IntArray:
    """Per person, a count 0..len(weights)-1 drawn with the given weights."""
    return weighted(rng, cumulative(weights), n)


def rows(per_person: IntArray) -> tuple[IntArray, IntArray]:
    """For per-person row counts: each row's person and its position (0-based) for the person."""
    per_person = np.asarray(per_person, dtype=np.int64)
    who = np.repeat(np.arange(per_person.size, dtype=np.int64), per_person)
    starts = np.cumsum(per_person) - per_person
    return who, np.arange(who.size, dtype=np.int64) - starts[who]


def between(rng: np.random.Generator, lo: Days, hi: Days) -> Days:
    """A uniform day in ``[lo, hi]`` per row (``lo`` when the window is empty)."""
    return np.asarray(lo + (rng.random(lo.size) * np.maximum(hi - lo + 1, 1)).astype(np.int64))


def choice(rng: np.random.Generator, values: Sequence[str], n: int) -> pa.Array:
    """``n`` uniform picks from ``values``."""
    return pc.take(pa.array(values, pa.string()), pa.array(rng.integers(0, len(values), n)))


def table(
    name: str,
    who: IntArray,
    c: Chunk,
    fields: Mapping[str, pa.Array],
    as_of: Days,
    source: pa.Array,
) -> pa.Table:
    """A detail table: the person id of each row, its fields, as_of and source."""
    columns = {"person_id": pc.take(c.person_id, pa.array(who)), **fields}
    columns["as_of"] = date_strings(as_of)
    columns["source"] = source
    return pa.table({k: columns[k] for k in detail_columns(name)})
