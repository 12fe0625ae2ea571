"""The month's request file and its ground truth.

The request builder never holds the master: :func:`plan_requests` picks a pool of master rows up
front, :class:`Capture` keeps those rows (with their hidden columns) as chunks stream by, and
:func:`build_requests` turns the pool into request rows once the master is written.

Present people get their discrepancy kinds by quota (:mod:`.quotas`), absent people are made in
:mod:`.absent`; the rows are shuffled and numbered, and truth.csv lists each row's person (empty
when absent), case and name origin in the same order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from matchgate.domain.contract import REQUEST_COLUMNS
from matchgate.synth import discrepancies as dk
from matchgate.synth.absent import absent_rows
from matchgate.synth.quotas import Chooser
from matchgate.synth.request_rows import ADDRESS, Person, base_row, case_text, request_case
from matchgate.synth.sampling import IntArray, rng_for
from matchgate.synth.tables import ORIGINS, RefTables

POOL_FACTOR = 3
"""Master rows captured per request row: room for the eligible-only kinds."""

_STREAM_PLAN, _STREAM_BUILD = 30, 31
_POOL_COLUMNS = (
    "person_id",
    "ssn",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "a_number",
    *ADDRESS,
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
    *(f"_prev_{f}" for f in ADDRESS),
    "_lookalike",
)


@dataclass(frozen=True)
class RequestPlan:
    """How many present and absent rows, and which master rows to capture."""

    requests: int
    present: int
    absent: int
    pool: IntArray


def plan_requests(people: int, requests: int, seed: int, absent_share: float) -> RequestPlan:
    """Split the file into present and absent rows and pick the master rows to capture."""
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


def build_requests(
    plan: RequestPlan, pool: list[Person], tables: RefTables, seed: int
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The request rows and truth rows, in the same (random) order, with request ids."""
    rnd = random.Random(seed * 7_919 + _STREAM_BUILD)
    slots = Chooser(plan.requests, plan.present, pool, tables, rnd).choose()
    entries: list[tuple[dict[str, str], str, str, str]] = []
    for slot in slots:
        person = pool[slot.person]
        origin = ORIGINS[person["_origin"]]
        row = base_row(rnd, person)
        kinds = [k for k in dk.KINDS if k in slot.kinds]
        dk.apply_kinds(rnd, row, person, kinds, dk.Context(tables, origin))
        request_case(rnd, row)
        tags = [person["_lookalike"]] if person["_lookalike"] else []
        entries.append((row, person["person_id"], case_text(kinds, tags, row), origin))
    used = {s.person for s in slots}
    masters = [p for i, p in enumerate(pool) if i not in used] or pool
    for row, case, origin in absent_rows(plan.absent, tables, seed, rnd, masters):
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
