"""Fixtures for the synthetic-data tests: small reference tables and one generated world."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.synth.fixture_tables import write_tables

from matchgate.synth.chunk import DETAIL_COLUMNS
from matchgate.synth.pipeline import generate
from matchgate.synth.tables import RefTables, default_folder, load_tables

WORLD_PEOPLE = 20_000
WORLD_REQUESTS = 5_000
WORLD_SEED = 11
WORLD_CHUNK = 7_000  # several chunks, so streaming and capture across chunks are exercised


@pytest.fixture(scope="session")
def table_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tables(tmp_path_factory.mktemp("synth-tables"))


@pytest.fixture(scope="session")
def tables(table_dir: Path) -> RefTables:
    return load_tables(table_dir)


@dataclass
class World:
    out: Path
    master: list[dict[str, Any]]
    details: dict[str, list[dict[str, Any]]]
    requests: list[dict[str, str]]
    truth: list[dict[str, str]]

    def __post_init__(self) -> None:
        self.by_id = {p["person_id"]: p for p in self.master}
        self.request_by_id = {r["request_id"]: r for r in self.requests}

    def rows_of(self, table: str, person_id: str) -> list[dict[str, Any]]:
        index = self.__dict__.setdefault(f"_index_{table}", {})
        if not index:
            for row in self.details[table]:
                index.setdefault(row["person_id"], []).append(row)
        rows: list[dict[str, Any]] = index.get(person_id, [])
        return rows


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _world(out: Path, tables: RefTables) -> World:
    generate(WORLD_PEOPLE, WORLD_REQUESTS, WORLD_SEED, out, tables=tables, chunk_rows=WORLD_CHUNK)
    return World(
        out=out,
        master=pq.read_table(out / "master.parquet").to_pylist(),
        details={t: pq.read_table(out / f"{t}.parquet").to_pylist() for t in DETAIL_COLUMNS},
        requests=read_csv(out / "requests.csv"),
        truth=read_csv(out / "truth.csv"),
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, tables: RefTables) -> World:
    """A world drawn from the small test tables (known names, fast)."""
    return _world(tmp_path_factory.mktemp("world"), tables)


@pytest.fixture(scope="session")
def package_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A world drawn from the reference tables shipped with the package."""
    if not (default_folder() / "surnames.csv").is_file():
        pytest.skip("the packaged reference tables are not installed")
    return _world(tmp_path_factory.mktemp("package-world"), load_tables())
