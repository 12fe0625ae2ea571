"""``synth-households``: the people a household hides, absent from the master.

FEBRL has no households and the other development sets plant no absent relative who shares a
birthday or a first name with someone present, so a rule that matches a record whose first name
or birthday was replaced at home scores well on them and matches the wrong person here. From a
``matchgate synth`` master (seed 4, its own):

- ``absent_twin``: one twin of each pair (same surname, birthday, address line and ZIP code,
  another first name) is taken out of the master and asked for at home, no SSN (with her own
  SSN, on nobody's record once she is out, she is pinned by tests/matching/test_clerical_errors.py;
  a request file where some rows carry SSNs no one holds also stops the reference Splink
  scripts, whose prior is estimated on rows agreeing on SSN and birthday);
- ``absent_junior``: a son who carries his father's names and middle name unknown, born 20 to 40
  years later on another day, asked for at his father's address, no SSN (not in the master);
  ``absent_junior_same_day``: the same, born on his father's day of the year 30 years later
  (1962-05-03 and 1992-05-03: one digit apart), every other such son;
- present rows, from other households (a file names a person once, and a present row for the
  same person would take the match away from the absent one): a twin whose sister is in the
  master too, and a father, each asked for with no SSN.

Requests are capped at ``sizes.requests`` (a quarter of each kind).
"""

from __future__ import annotations

import random
import shutil
from collections import defaultdict
from pathlib import Path

from evalsuite.contract import write_dataset

SEED = 4
JUNIOR_YEARS = 30


def build_households(out: Path, people: int, requests: int) -> dict[str, int]:
    import pyarrow.parquet as pq

    from matchgate.services.master.synth import synthesize

    source = out / "source"
    synthesize(people, 100, SEED, source)
    rows: list[dict[str, str]] = pq.read_table(source / "master.parquet").to_pylist()
    rnd = random.Random(SEED)
    quarter = max(1, requests // 4)

    homes: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["address_line"] and r["dob"]:
            homes[(r["last_name"], r["dob"], r["address_line"], r["zip"])].append(i)
    twins = [
        g
        for g in homes.values()
        if len(g) == 2 and rows[g[0]]["first_name"] != rows[g[1]]["first_name"]
    ][: 2 * quarter]
    taken = {g[0] for g in twins[:quarter]}
    fathers = [
        i
        for i, r in enumerate(rows)
        if i not in taken
        and r["sex"] == "M"
        and r["address_line"]
        and "1930" <= r["dob"][:4] <= "1975"
        and r["dob"][5:] != "02-29"
    ]
    fathers = rnd.sample(fathers, min(2 * quarter, len(fathers)))

    fields = (
        "first_name",
        "middle_name",
        "last_name",
        "dob",
        "address_line",
        "city",
        "state",
        "zip",
    )

    def ask(rid: str, person: dict[str, str], **changes: str) -> dict[str, str]:
        return {
            "request_id": rid,
            **{f: person[f] for f in fields},
            "ssn": "",
            "a_number": "",
            **changes,
        }

    asked: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    absent_kind: dict[str, str] = {}
    for k, (a, _) in enumerate(twins):
        twin = rows[a]
        if a in taken:
            asked.append(ask(f"AT{k:05d}", twin))
            absent_kind[f"AT{k:05d}"] = "absent_twin"
        else:
            asked.append(ask(f"PT{k:05d}", twin))
            truth[f"PT{k:05d}"] = twin["person_id"]
    for k, f in enumerate(fathers):
        father = rows[f]
        if k < quarter:
            year = int(father["dob"][:4])
            if k % 2:
                born = f"{year + JUNIOR_YEARS}{father['dob'][4:]}"
                absent_kind[f"AJ{k:05d}"] = "absent_junior_same_day"
            else:
                month, day = rnd.randint(1, 12), rnd.randint(1, 28)
                born = f"{year + rnd.randint(20, 40)}-{month:02d}-{day:02d}"
                absent_kind[f"AJ{k:05d}"] = "absent_junior"
            asked.append(ask(f"AJ{k:05d}", father, middle_name="", dob=born))
        else:
            asked.append(ask(f"PF{k:05d}", father))
            truth[f"PF{k:05d}"] = father["person_id"]

    master = [r for i, r in enumerate(rows) if i not in taken]
    # The derived case of an absent row says only "absent": name what it is.
    counts = write_dataset(out, master, asked, truth, {}, cases=absent_kind)
    # Earlier addresses, as matching reads them (a taken twin's rows name nobody in the master).
    shutil.copyfile(source / "addresses.parquet", out / "addresses.parquet")
    shutil.rmtree(source)
    return counts
