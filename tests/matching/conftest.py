"""A small world for matching scenarios: hand-made people among a few hundred others."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from matchgate.services.master.match import match_files
from matchgate.settings import Settings

MASTER_COLUMNS = (
    "person_id",
    "ssn",
    "first_name",
    "middle_name",
    "last_name",
    "other_names",
    "dob",
    "sex",
    "a_number",
    "address_line",
    "zip",
)
REQUEST_COLUMNS = (
    "request_id",
    "first_name",
    "middle_name",
    "last_name",
    "ssn",
    "a_number",
    "dob",
    "address_line",
    "zip",
)

_FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Linda",
    "David",
    "Susan",
    "Maria",
    "Wei",
]
_LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Lopez",
    "Wilson",
    "Chen",
    "Khan",
]

Row = dict[str, str]
Run = Callable[[list[Row], list[Row]], dict[str, Row]]


def filler(count: int = 400, seed: int = 5) -> list[Row]:
    """Other people, with SSNs in area 5xx so they never collide with a scenario's."""
    rnd = random.Random(seed)
    rows = []
    for i in range(count):
        rows.append(
            {
                "person_id": f"F{i:04d}",
                "ssn": f"{rnd.randrange(500_101_000, 599_999_999)}",
                "first_name": rnd.choice(_FIRST),
                "last_name": rnd.choice(_LAST),
                "dob": f"{rnd.randrange(1930, 2010)}-{rnd.randrange(1, 13):02d}-"
                f"{rnd.randrange(1, 29):02d}",
                "zip": f"{rnd.randrange(10000, 99999)}",
            }
        )
    return rows


def write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def read_output(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Match ``requests`` against ``people`` (plus filler); results keyed by request_id."""

    def _run(people: list[Row], requests: list[Row]) -> dict[str, Row]:
        master = write_csv(tmp_path / "master.csv", MASTER_COLUMNS, people + filler())
        req = write_csv(tmp_path / "requests.csv", REQUEST_COLUMNS, requests)
        out = tmp_path / "out.csv"
        match_files(master, req, out, settings=Settings(workspace=tmp_path / "ws"))
        return {row["request_id"]: row for row in read_output(out)}

    return _run
