"""Acceptance: renaming every person_id and request_id (shuffled opaque ids) changes no decision.

Identifiers are labels: nothing in candidates, scores, tie-breaks or the one-match-per-person
rule may depend on how they are spelled or how they sort.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matchgate.services.master.match import match_files
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    synthesize(4000, 600, 31, out, details=False)
    return out


def test_renaming_ids_changes_no_decision(world: Path, tmp_path: Path) -> None:
    rnd = random.Random(7)
    master = pq.read_table(world / "master.parquet")
    old_people = master["person_id"].to_pylist()
    new_people = [f"x{rnd.getrandbits(64):016x}" for _ in old_people]
    rnd.shuffle(new_people)  # opaque, and sorting in another order than the originals
    person_map = dict(zip(old_people, new_people, strict=True))
    renamed_master = tmp_path / "master.parquet"
    column = master.schema.get_field_index("person_id")
    pq.write_table(master.set_column(column, "person_id", pa.array(new_people)), renamed_master)

    requests = _read(world / "requests.csv")
    request_map = {r["request_id"]: f"q-{rnd.getrandbits(48):012x}" for r in requests}
    renamed_requests = tmp_path / "requests.csv"
    with renamed_requests.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(requests[0]))
        writer.writeheader()
        for row in requests:
            writer.writerow({**row, "request_id": request_map[row["request_id"]]})

    settings = Settings(workspace=tmp_path / "ws")
    match_files(
        world / "master.parquet", world / "requests.csv", tmp_path / "a.csv", settings=settings
    )
    match_files(renamed_master, renamed_requests, tmp_path / "b.csv", settings=settings)
    before = _read(tmp_path / "a.csv")
    after = _read(tmp_path / "b.csv")
    assert len(before) == len(after) == len(requests)
    decisions = {"match": 0, "possible": 0, "no_match": 0}
    for a, b in zip(before, after, strict=True):
        assert request_map[a["request_id"]] == b["request_id"]
        assert a["decision"] == b["decision"]
        assert person_map.get(a["person_id"], "") == b["person_id"]
        assert person_map.get(a["second_person_id"], "") == b["second_person_id"]
        assert a["score"] == b["score"]
        assert (a["ssa_code"], a["located_ssn"], a["weights"]) == (
            b["ssa_code"],
            b["located_ssn"],
            b["weights"],
        )
        decisions[a["decision"]] += 1
    # The world exercises every decision, so the comparison means something.
    assert all(decisions.values()), decisions
