"""The reference tables the generator draws from, loaded once per folder.

The tables live in ``matchgate/synth/data`` (UTF-8 CSV with a header); a test or a user may point
:func:`load_tables` at another folder with the same files. Weighted tables become :class:`Pool`
objects: rows grouped by a key (an origin, an origin and sex, ...) with cumulative weights, so a
draw for a million people is one ``searchsorted`` per group.

The nickname and transliteration tables exist only to put realistic discrepancies into request
files; matchgate's matcher must never use them (that would grade it on its own answer key).
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa

from matchgate.domain.errors import ConfigurationError
from matchgate.synth.sampling import FloatArray, IntArray, cumulative, weighted

ORIGINS: tuple[str, ...] = (
    "anglo",
    "hispanic",
    "chinese",
    "korean",
    "vietnamese",
    "arabic",
    "south_asian",
    "slavic",
    "portuguese",
)

ORIGIN_MIX: Mapping[str, float] = {
    "anglo": 0.50,
    "hispanic": 0.19,
    "chinese": 0.04,
    "korean": 0.03,
    "vietnamese": 0.03,
    "arabic": 0.04,
    "south_asian": 0.06,
    "slavic": 0.06,
    "portuguese": 0.05,
}
"""Share of people by name origin, roughly that of the US population the matcher serves."""

STATE_AFFINITY: Mapping[str, Mapping[str, float]] = {
    "hispanic": {
        "CA": 3.0,
        "TX": 3.0,
        "FL": 2.0,
        "NM": 3.0,
        "AZ": 2.5,
        "NV": 2.0,
        "CO": 1.5,
        "NY": 1.3,
        "NJ": 1.4,
        "IL": 1.3,
    },
    "chinese": {"CA": 3.0, "NY": 2.5, "WA": 1.8, "MA": 1.8, "NJ": 1.6, "HI": 2.0, "TX": 1.2},
    "korean": {"CA": 3.0, "NY": 2.0, "NJ": 2.5, "VA": 2.0, "WA": 1.8, "GA": 1.5, "HI": 2.0},
    "vietnamese": {"CA": 3.5, "TX": 2.5, "WA": 1.8, "VA": 1.5, "LA": 1.5, "GA": 1.2},
    "arabic": {"MI": 3.5, "NY": 1.8, "NJ": 1.8, "CA": 1.6, "IL": 1.5, "TX": 1.3, "VA": 1.4},
    "south_asian": {"NJ": 2.8, "CA": 2.0, "NY": 1.8, "TX": 1.8, "IL": 1.8, "VA": 1.5, "GA": 1.3},
    "slavic": {"IL": 2.0, "NY": 1.8, "NJ": 1.8, "PA": 1.8, "OH": 1.6, "MI": 1.5, "WA": 1.3},
    "portuguese": {"MA": 4.0, "RI": 4.0, "NJ": 2.5, "CA": 1.5, "FL": 1.8, "CT": 2.0, "NY": 1.3},
}
"""How much more often than the general population people of an origin live in a state."""

_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "surnames": ("origin", "surname", "weight"),
    "given_names": ("origin", "sex", "given_name", "weight"),
    "surname_syllables": ("origin", "part", "position", "weight"),
    "nicknames": ("given_name", "nickname"),
    "transliterations": ("origin", "group", "variant"),
    "birthplaces": ("origin", "birth_city", "birth_state", "birth_country", "weight"),
    "us_places": ("city", "state", "zip3", "weight"),
    "street_names": ("street", "weight"),
}


@dataclass(frozen=True)
class Pool:
    """Rows of a reference table, drawn by weight within named groups (e.g. one per origin).

    Each group is a contiguous run of rows, ``groups[key] = (first row, cumulative weights)``;
    several groups may cover the same rows with different weights.
    """

    table: pa.Table
    groups: Mapping[str, tuple[int, FloatArray]]

    def has(self, key: str) -> bool:
        return key in self.groups

    def draw(self, key: str, rng: np.random.Generator, n: int) -> IntArray:
        """Row numbers of ``n`` weighted draws from group ``key``."""
        offset, cum = self.groups[key]
        return weighted(rng, cum, n) + offset

    def rows(self, key: str) -> range:
        offset, cum = self.groups[key]
        return range(offset, offset + cum.size)

    def column(self, name: str) -> pa.Array:
        return self.table.column(name).combine_chunks()


@dataclass(frozen=True)
class RefTables:
    """Everything the generator draws from."""

    folder: Path
    surnames: Pool
    given_names: Pool
    syllable_start: Pool
    syllable_end: Pool
    birthplaces: Pool
    places: Pool
    streets: Pool
    nicknames: Mapping[str, tuple[str, ...]]
    transliterations: Mapping[tuple[str, str], tuple[str, ...]]
    """(origin, lower-cased table spelling) -> the other spellings of that name."""
    given_by_origin_sex: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _read(folder: Path, name: str, *, required: bool = True) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.is_file():
        if required:
            raise ConfigurationError(f"synthetic-data table {path} is missing")
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS[name] if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigurationError(f"synthetic-data table {path} lacks column {missing[0]!r}")
        rows = [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    return rows


def _weight(row: dict[str, str], name: str) -> float:
    try:
        w = float(row["weight"])
    except ValueError:
        raise ConfigurationError(
            f"synthetic-data table {name}.csv has a non-numeric weight"
        ) from None
    if not np.isfinite(w) or w < 0:
        raise ConfigurationError(f"synthetic-data table {name}.csv has a negative weight")
    return w


def _pool(
    name: str,
    rows: Iterable[dict[str, str]],
    key: tuple[str, ...],
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> Pool:
    """Group rows by the ``key`` columns (joined by ':'), sorted by key for stable output.

    Rows with an empty value in one of ``columns`` are skipped; ``optional`` columns are kept as
    they are.
    """
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if any(not r[c] for c in columns):
            continue
        grouped[":".join(r[k] for k in key)].append(r)
    ordered: list[dict[str, str]] = []
    groups: dict[str, tuple[int, FloatArray]] = {}
    for k in sorted(grouped):
        members = grouped[k]
        weights = [_weight(r, name) for r in members]
        if sum(weights) <= 0:
            continue
        groups[k] = (len(ordered), cumulative(weights))
        ordered.extend(members)
    table = pa.table(
        {c: pa.array([r[c] for r in ordered], pa.string()) for c in columns + optional}
    )
    return Pool(table, groups)


def _places(rows: list[dict[str, str]]) -> Pool:
    """US places with one group per origin, reweighted by :data:`STATE_AFFINITY`."""
    base = _pool("us_places", rows, (), ("city", "state", "zip3"))
    if not base.groups:
        raise ConfigurationError("synthetic-data table us_places.csv has no usable rows")
    _, cum = base.groups[""]
    weights = np.diff(cum, prepend=0.0)
    states = base.column("state").to_pylist()
    groups: dict[str, tuple[int, FloatArray]] = {"": (0, cum)}
    for origin in ORIGINS:
        boost = STATE_AFFINITY.get(origin, {})
        factor = np.array([boost.get(s, 1.0) for s in states])
        groups[origin] = (0, np.cumsum(weights * factor))
    return Pool(base.table, groups)


def _check_names(surnames: Pool, given: Pool) -> None:
    for origin in ORIGINS:
        if not surnames.has(origin):
            raise ConfigurationError(f"surnames.csv has no names of origin {origin!r}")
        for sex in ("M", "F"):
            if not given.has(f"{origin}:{sex}"):
                raise ConfigurationError(
                    f"given_names.csv has no names of origin {origin!r} and sex {sex!r}"
                )


def default_folder() -> Path:
    """The tables shipped with the package."""
    return Path(str(resources.files("matchgate.synth") / "data"))


@functools.lru_cache(maxsize=4)
def _load(folder: Path) -> RefTables:
    surnames = _pool("surnames", _read(folder, "surnames"), ("origin",), ("surname",))
    given = _pool("given_names", _read(folder, "given_names"), ("origin", "sex"), ("given_name",))
    _check_names(surnames, given)
    syllables = _read(folder, "surname_syllables", required=False)
    start = _pool(
        "surname_syllables",
        [r for r in syllables if r["position"] == "start"],
        ("origin",),
        ("part",),
    )
    end = _pool(
        "surname_syllables",
        [r for r in syllables if r["position"] == "end"],
        ("origin",),
        ("part",),
    )
    nicknames: dict[str, list[str]] = defaultdict(list)
    for r in _read(folder, "nicknames", required=False):
        if (
            r["given_name"]
            and r["nickname"]
            and r["nickname"] not in nicknames[r["given_name"].lower()]
        ):
            nicknames[r["given_name"].lower()].append(r["nickname"])
    variants: dict[tuple[str, str], list[str]] = {}
    for r in _read(folder, "transliterations", required=False):
        if r["variant"]:
            variants.setdefault((r["origin"], r["group"]), []).append(r["variant"])
    transliterations: dict[tuple[str, str], tuple[str, ...]] = {}
    for (origin, _), spellings in sorted(variants.items()):
        if len(spellings) > 1:
            transliterations.setdefault((origin, spellings[0].lower()), tuple(spellings[1:]))
    birth_rows = _read(folder, "birthplaces")
    for r in birth_rows:
        r["where"] = "US" if r["birth_country"] == "US" else "abroad"
    birthplaces = _pool(
        "birthplaces",
        birth_rows,
        ("origin", "where"),
        ("birth_city", "birth_country"),
        optional=("birth_state",),
    )
    streets = _pool("street_names", _read(folder, "street_names"), (), ("street",))
    if not streets.groups:
        raise ConfigurationError("synthetic-data table street_names.csv has no usable rows")
    by_origin_sex = {
        key: tuple(given.column("given_name").to_pylist()[offset : offset + cum.size])
        for key, (offset, cum) in given.groups.items()
    }
    return RefTables(
        folder=folder,
        surnames=surnames,
        given_names=given,
        syllable_start=start,
        syllable_end=end,
        birthplaces=birthplaces,
        places=_places(_read(folder, "us_places")),
        streets=streets,
        nicknames={k: tuple(v) for k, v in sorted(nicknames.items())},
        transliterations=transliterations,
        given_by_origin_sex=by_origin_sex,
    )


def load_tables(folder: Path | None = None) -> RefTables:
    """Load (once per folder) the reference tables from ``folder`` or the package data."""
    return _load((folder or default_folder()).resolve())
