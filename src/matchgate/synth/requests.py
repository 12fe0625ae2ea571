"""The month's request file and its ground truth.

The request builder never holds the master: :func:`plan_requests` picks a pool of master rows up
front, :class:`Capture` keeps those rows (with their hidden columns) as chunks stream by, and
:func:`build_requests` turns the pool into request rows once the master is written.

Present people get discrepancies by quota: every kind reaches its share of the file (by default
each at least 2%), kinds that need an eligible person (a compound surname, a maiden name, an
A-number, ...) draw from the pool's eligible people first, about a quarter of the rows stay
clean, and some rows carry two kinds. Absent people are fresh identities (from the reserved top
of the SSN space, so never in the master), some borrowing a master person's SSN, some sharing a
master person's surname and date of birth with a similar given name, some a master person's
relative.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from matchgate.synth import discrepancies as dk
from matchgate.synth.dates import REFERENCE_DATE
from matchgate.synth.ids import A_NUMBER_SPACE, SSN_SPACE
from matchgate.synth.population import generate_people
from matchgate.synth.sampling import IntArray, rng_for
from matchgate.synth.tables import ORIGINS, RefTables

REQUEST_COLUMNS: tuple[str, ...] = (
    "request_id",
    "first_name",
    "middle_name",
    "last_name",
    "ssn",
    "a_number",
    "dob",
    "address_line",
    "city",
    "state",
    "zip",
)
TRUTH_COLUMNS: tuple[str, ...] = ("request_id", "person_id", "case", "origin")

KIND_SHARE: Mapping[str, float] = {
    "typo": 0.04,
    "nickname": 0.025,
    "compound_surname_dropped": 0.025,
    "compound_surname_reordered": 0.023,
    "name_order_swap": 0.035,
    "maiden_name": 0.03,
    "transliteration": 0.023,
    "diacritics_punct": 0.03,
    "dob_day_month_swap": 0.025,
    "dob_year_error": 0.025,
    "dob_jan1_placeholder": 0.023,
    "dob_missing": 0.025,
    "ssn_transposition": 0.025,
    "ssn_digit_error": 0.025,
    "ssn_missing": 0.025,
    "a_number_only": 0.023,
    "address_missing": 0.22,
    "old_address": 0.03,
}
"""Target share of all request rows carrying each kind (at the default absent share)."""

LIMITED: tuple[str, ...] = (
    "compound_surname_reordered",
    "compound_surname_dropped",
    "transliteration",
    "a_number_only",
    "maiden_name",
    "nickname",
    "old_address",
    "dob_day_month_swap",
    "diacritics_punct",
)
"""Kinds only some people can carry; their rows are drawn from the eligible people first, the
scarcest kinds first (so a person eligible for several goes where eligible people are few)."""

UNLIMITED = tuple(k for k in dk.KINDS if k not in LIMITED)
CLEAN_SHARE = 0.30
"""Share of present people's rows without any discrepancy (about 25% of the file by default)."""
NAME_ONLY_SHARE = 0.025
LOOKALIKE_SHARE: Mapping[str, float] = {"twin": 0.025, "parent_child": 0.03}
"""Share of rows for people with a twin or a parent/child look-alike in the master (at least)."""
EAST_ASIAN_SWAP_SHARE = 0.6
"""Share of name_order_swap rows given to Chinese, Korean and Vietnamese names."""
ABSENT_MIX: Mapping[str, float] = {
    "absent": 0.45,
    "absent_borrowed_ssn": 0.2,
    "absent_lookalike": 0.2,
    "absent_relative": 0.15,
}
DEFAULT_ABSENT_SHARE = 0.15
POOL_FACTOR = 3
"""Master rows captured per request row: room for the eligible-only kinds."""

_STREAM_PLAN, _STREAM_BUILD, _STREAM_ABSENT = 30, 31, 32
_ADDRESS = ("address_line", "city", "state", "zip")
_EAST_ASIAN = frozenset({"chinese", "korean", "vietnamese"})
_POOL_COLUMNS = (
    "person_id",
    "ssn",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "a_number",
    *_ADDRESS,
    "_origin",
    "_name_sex",
    "_compound",
    "_surname",
    "_surname1",
    "_surname2",
    "_suffix",
    "_maiden",
    "_a_number9",
    "_n_addresses",
    *(f"_prev_{f}" for f in _ADDRESS),
    "_lookalike",
)

Person = dict[str, Any]


@dataclass(frozen=True)
class RequestPlan:
    """How many present and absent rows, and which master rows to capture."""

    requests: int
    present: int
    absent: int
    pool: IntArray


def split_counts(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Integer counts summing to ``total`` in proportion to ``shares`` (largest remainder)."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: counts[k] - raw[k])[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def plan_requests(people: int, requests: int, seed: int, absent_share: float) -> RequestPlan:
    absent = round(requests * absent_share)
    present = requests - absent
    size = min(people, max(POOL_FACTOR * requests, present + 2_000))
    rng = rng_for(seed, _STREAM_PLAN)
    pool = np.sort(rng.choice(people, size=size, replace=False)).astype(np.int64)
    return RequestPlan(requests, present, absent, pool)


class Capture:
    """Keeps the pool's rows as chunks of the master stream by."""

    def __init__(self, pool: IntArray) -> None:
        self.pool = pool
        self.parts: list[pa.Table] = []

    def add(self, chunk: pa.Table, start: int) -> None:
        lo, hi = np.searchsorted(self.pool, [start, start + chunk.num_rows])
        if hi > lo:
            self.parts.append(chunk.select(list(_POOL_COLUMNS)).take(self.pool[lo:hi] - start))

    def people(self) -> list[Person]:
        if not self.parts:
            return []
        people: list[Person] = pa.concat_tables(self.parts).to_pylist()
        return people


# Choosing rows and kinds -----------------------------------------------------------------------


@dataclass
class _Slot:
    person: int
    kinds: list[str]
    clean: bool = False


class _Chooser:
    """Assigns people and discrepancy kinds to the present rows."""

    def __init__(
        self, plan: RequestPlan, pool: list[Person], tables: RefTables, rnd: random.Random
    ) -> None:
        self.plan, self.pool, self.tables, self.rnd = plan, pool, tables, rnd
        self.origins = [ORIGINS[p["_origin"]] for p in pool]
        self.order = list(range(len(pool)))
        rnd.shuffle(self.order)
        self.used: set[int] = set()
        scale = plan.present / ((1 - DEFAULT_ABSENT_SHARE) * plan.requests) if plan.requests else 0
        self.quota = {k: math.ceil(v * plan.requests * scale) for k, v in KIND_SHARE.items()}
        self.clean_rows = round(plan.present * CLEAN_SHARE)
        self.kind_rows = plan.present - self.clean_rows
        limited_total = sum(self.quota[k] for k in LIMITED)
        if limited_total > self.kind_rows:
            shrink = self.kind_rows / limited_total
            for k in LIMITED:
                self.quota[k] = math.floor(self.quota[k] * shrink)
        self.scale = scale

    def eligible(self, kind: str, i: int) -> bool:
        return dk.eligible(kind, self.pool[i], self.tables, self.origins[i])

    def choose(self) -> list[_Slot]:
        slots: list[_Slot] = []
        for kind in LIMITED:
            taken = 0
            for i in self.order:
                if taken >= self.quota[kind]:
                    break
                if i not in self.used and self.eligible(kind, i):
                    self.used.add(i)
                    slots.append(_Slot(i, [kind]))
                    taken += 1
        free = [i for i in self.order if i not in self.used]
        wanted: list[int] = []
        for tag, share in LOOKALIKE_SHARE.items():
            have = sum(1 for s in slots if self.pool[s.person]["_lookalike"] == tag)
            need = math.ceil(share * self.plan.requests * self.scale) - have
            wanted += [i for i in free if self.pool[i]["_lookalike"] == tag][: max(need, 0)]
        chosen = set(wanted)
        rest = wanted + [i for i in free if i not in chosen]
        rest = rest[: self.plan.present - len(slots)]
        self.rnd.shuffle(rest)
        kind_free = max(self.kind_rows - len(slots), 0)
        slots += [_Slot(i, []) for i in rest[:kind_free]]
        slots += [_Slot(i, [], clean=True) for i in rest[kind_free:]]
        self._assign_unlimited([s for s in slots if not s.clean])
        return slots

    def _fits(self, kind: str, slot: _Slot, most: int) -> bool:
        return (
            len(slot.kinds) < most
            and dk.compatible(kind, slot.kinds)
            and self.eligible(kind, slot.person)
        )

    def _assign_unlimited(self, rows: list[_Slot]) -> None:
        rnd = self.rnd
        empty = [s for s in rows if not s.kinds]
        name_only = math.ceil(NAME_ONLY_SHARE * self.plan.requests * self.scale)
        for s in empty[:name_only]:
            s.kinds += ["ssn_missing", "dob_missing"]
        count = {k: sum(k in s.kinds for s in rows) for k in UNLIMITED}
        pending = [k for k in UNLIMITED for _ in range(max(self.quota[k] - count[k], 0))]
        rnd.shuffle(pending)
        swaps = sum(1 for k in pending if k == "name_order_swap")
        east = [s for s in rows if self.origins[s.person] in _EAST_ASIAN]
        rnd.shuffle(east)
        placed = 0
        for s in east:
            if placed >= swaps * EAST_ASIAN_SWAP_SHARE:
                break
            if self._fits("name_order_swap", s, 2):
                s.kinds.append("name_order_swap")
                pending.remove("name_order_swap")
                placed += 1
        for s in [s for s in rows if not s.kinds]:
            for k in pending:
                if self._fits(k, s, 1):
                    s.kinds.append(k)
                    pending.remove(k)
                    break
        for k in pending:
            for most in (2, 3):
                fits = [s for s in rnd.sample(rows, min(len(rows), 64)) if self._fits(k, s, most)]
                if fits:
                    fits[0].kinds.append(k)
                    break
        fallback = [k for k in UNLIMITED if k != "name_order_swap"]
        weights = [KIND_SHARE[k] for k in fallback]
        for s in rows:
            while not s.kinds:
                k = rnd.choices(fallback, weights)[0]
                if self._fits(k, s, 1):
                    s.kinds.append(k)


# Building the rows -----------------------------------------------------------------------------


def _request_case(rnd: random.Random, row: dict[str, str]) -> None:
    """Requesters write names in any case."""
    r = rnd.random()
    style = "upper" if r < 0.45 else "keep" if r < 0.9 else "lower" if r < 0.95 else "title"
    for f in ("first_name", "middle_name", "last_name", "address_line", "city"):
        value = row[f]
        if style == "upper":
            row[f] = value.upper()
        elif style == "lower":
            row[f] = value.lower()
        elif style == "title":
            row[f] = value.title()
    row["state"] = row["state"].upper()


def _base_row(rnd: random.Random, person: Person) -> dict[str, str]:
    """What a requester holds for the person before any discrepancy."""
    middle = person["middle_name"]
    r = rnd.random()
    if r < 0.2:
        middle = middle[:1]
    elif r < 0.45:
        middle = ""
    a_number = ""
    if int(person["_a_number9"]) >= 0 and rnd.random() < 0.35:
        a_number = dk.format_a_number(rnd, int(person["_a_number9"]))
    row = {
        "first_name": person["first_name"],
        "middle_name": middle,
        "last_name": person["last_name"],
        "ssn": person["ssn"],
        "a_number": a_number,
        "dob": person["dob"],
    }
    row.update({f: person[f] for f in _ADDRESS})
    return row


def _case(kinds: Sequence[str], tags: Sequence[str], row: dict[str, str]) -> str:
    parts = list(kinds) + list(tags)
    if not (row["ssn"] or row["dob"] or row["a_number"]):
        parts.append("name_only")
    return "+".join(parts) if parts else dk.CLEAN


def similar_given_name(rnd: random.Random, tables: RefTables, name: str, keys: list[str]) -> str:
    """A different given name that starts like ``name`` (or ``name`` with one letter changed)."""
    low = name.lower()
    nick = set(tables.nicknames.get(low, ()))
    pool = [
        g
        for key in keys
        for g in tables.given_by_origin_sex.get(key, ())
        if g.lower()[:2] == low[:2] and g.lower() != low and g not in nick
    ]
    if pool and rnd.random() < 0.7:
        chosen = rnd.choice(sorted(set(pool)))
    elif len(name) > 3:
        pos = rnd.randrange(1, len(name) - 1)
        drop = name[:pos] + name[pos + 1 :]
        chosen = drop if rnd.random() < 0.5 else name[:pos] + name[pos] + name[pos:]
        chosen = chosen if chosen.lower() != low else name + "a"
    else:
        chosen = name + ("a" if not name.endswith("a") else "h")
    return chosen.upper() if name.isupper() else chosen


def _other_given(rnd: random.Random, tables: RefTables, key: str, avoid: str) -> str:
    names = [g for g in tables.given_by_origin_sex.get(key, ()) if g.lower() != avoid.lower()]
    return rnd.choice(names) if names else avoid + "a"


def _shift_years(dob: str, years: int) -> str:
    """The date ``years`` away (the other way if that would be in the future)."""
    month, dd = int(dob[5:7]), int(dob[8:10])
    if month == 2 and dd == 29:
        dd = 28
    for shift in (years, -abs(years)):
        text = f"{int(dob[:4]) + shift:04d}-{month:02d}-{dd:02d}"
        if text <= REFERENCE_DATE:
            break
    return text


def _absent_rows(
    plan: RequestPlan,
    tables: RefTables,
    seed: int,
    rnd: random.Random,
    masters: list[Person],
) -> list[tuple[dict[str, str], str, str]]:
    """(request row, case, origin) for people absent from the master."""
    counts = split_counts(plan.absent, ABSENT_MIX)
    if not masters:
        counts = {"absent": plan.absent}
    n = plan.absent
    if n == 0:
        return []
    slots = np.arange(n, dtype=np.int64)
    fresh = generate_people(
        tables,
        seed,
        rng_for(seed, _STREAM_ABSENT),
        slots,
        ssn_slots=SSN_SPACE - 1 - slots,
        a_number_slots=A_NUMBER_SPACE - 1 - slots,
        relatives=False,
    ).to_pylist()
    out: list[tuple[dict[str, str], str, str]] = []
    k = 0
    for kind in dk.ABSENT_KINDS:
        for _ in range(counts.get(kind, 0)):
            person = fresh[k]
            k += 1
            row = _base_row(rnd, person)
            origin = ORIGINS[person["_origin"]]
            if rnd.random() < 0.35:
                for f in _ADDRESS:
                    row[f] = ""
            if kind == "absent":
                if rnd.random() < 0.08:
                    row["ssn"] = ""
                if rnd.random() < 0.04:
                    row["dob"] = ""
            elif kind == "absent_borrowed_ssn":
                owner = rnd.choice(masters)
                row["ssn"] = owner["ssn"]
                if rnd.random() < 0.3:
                    row["last_name"] = owner["last_name"]
            else:
                other = rnd.choice(masters)
                origin = ORIGINS[other["_origin"]]
                sex = "MF"[int(other["_name_sex"])]
                row["last_name"] = other["last_name"]
                row["middle_name"] = ""
                if rnd.random() < 0.45:
                    row["ssn"] = ""
                row["a_number"] = ""
                if kind == "absent_lookalike":
                    keys = [f"{origin}:{sex}", f"anglo:{sex}"]
                    row["first_name"] = similar_given_name(rnd, tables, other["first_name"], keys)
                    row["dob"] = other["dob"]
                else:
                    sex = rnd.choice("MF")
                    first = _other_given(rnd, tables, f"{origin}:{sex}", other["first_name"])
                    row["first_name"] = first.upper() if other["first_name"].isupper() else first
                    gap = rnd.choice((1, 2, 3, 4, 6, 9, 22, 27, 31, -24, -29, -33))
                    row["dob"] = _shift_years(
                        other["dob"], gap * rnd.choice((1, -1)) if abs(gap) < 10 else gap
                    )
                    if rnd.random() < 0.8:
                        row.update({f: other[f] for f in _ADDRESS})
            _request_case(rnd, row)
            case = _case([kind], [], row)
            out.append((row, case, origin))
    return out


def build_requests(
    plan: RequestPlan, pool: list[Person], tables: RefTables, seed: int
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The request rows and truth rows, in the same (random) order, with request ids."""
    rnd = random.Random(seed * 7_919 + _STREAM_BUILD)
    slots = _Chooser(plan, pool, tables, rnd).choose()
    entries: list[tuple[dict[str, str], str, str, str]] = []
    for slot in slots:
        person = pool[slot.person]
        origin = ORIGINS[person["_origin"]]
        row = _base_row(rnd, person)
        kinds = [k for k in dk.KINDS if k in slot.kinds]
        dk.apply_kinds(rnd, row, person, kinds, dk.Context(tables, origin))
        _request_case(rnd, row)
        tags = [person["_lookalike"]] if person["_lookalike"] else []
        entries.append((row, person["person_id"], _case(kinds, tags, row), origin))
    used = {s.person for s in slots}
    masters = [p for i, p in enumerate(pool) if i not in used] or pool
    for row, case, origin in _absent_rows(plan, tables, seed, rnd, masters):
        entries.append((row, "", case, origin))
    rnd.shuffle(entries)
    width = max(6, len(str(len(entries))))
    requests: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []
    for n, (row, person_id, case, origin) in enumerate(entries, start=1):
        rid = f"R{n:0{width}d}"
        requests.append({"request_id": rid, **{c: row[c] for c in REQUEST_COLUMNS[1:]}})
        truth.append({"request_id": rid, "person_id": person_id, "case": case, "origin": origin})
    return requests, truth
