"""Request rows for people absent from the master.

They are fresh identities drawn like master people but with SSNs and A-numbers from the reserved
top of the number spaces, so never in the master. Some borrow a master person's SSN, some share
a master person's surname and date of birth with a similar given name (a stranger who looks
like someone on file), some are a master person's relative (same surname, often the same
address) who holds no record of their own.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

import numpy as np

from matchgate.synth import discrepancies as dk
from matchgate.synth.dates import REFERENCE_DATE
from matchgate.synth.ids import A_NUMBER_SPACE, SSN_SPACE
from matchgate.synth.population import generate_people
from matchgate.synth.request_rows import ADDRESS, Person, base_row, case_text, request_case
from matchgate.synth.sampling import rng_for
from matchgate.synth.tables import ORIGINS, RefTables

ABSENT_MIX: Mapping[str, float] = {
    "absent": 0.45,
    "absent_borrowed_ssn": 0.2,
    "absent_lookalike": 0.2,
    "absent_relative": 0.15,
}
_STREAM_ABSENT = 32


def split_counts(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Integer counts summing to ``total`` in proportion to ``shares`` (largest remainder)."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: counts[k] - raw[k])[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


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


def absent_rows(
    count: int,
    tables: RefTables,
    seed: int,
    rnd: random.Random,
    masters: list[Person],
) -> list[tuple[dict[str, str], str, str]]:
    """(request row, case, origin) for people absent from the master."""
    counts = split_counts(count, ABSENT_MIX)
    if not masters:
        counts = {"absent": count}
    n = count
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
            row = base_row(rnd, person)
            origin = ORIGINS[person["_origin"]]
            if rnd.random() < 0.35:
                for f in ADDRESS:
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
                        row.update({f: other[f] for f in ADDRESS})
            request_case(rnd, row)
            case = case_text([kind], [], row)
            out.append((row, case, origin))
    return out
