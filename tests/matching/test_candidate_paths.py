"""Probing the sorted key indexes finds exactly the pairs the same blocks find as joins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import inspect_master, read_requests
from matchgate.matching import index_master
from matchgate.matching.candidates import BLOCK_NAMES, find_candidates
from matchgate.services.synth import synthesize


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    synthesize(6000, 600, 21, out, details=False)
    return out


def test_index_probe_and_join_find_the_same_pairs(world: Path, tmp_path: Path) -> None:
    engine = DuckDBEngine(tmp_path / "m.duckdb")
    try:
        source = inspect_master(engine, world / "master.parquet")
        stats = index_master(engine, source.relation, source.columns, tmp_path / "ix", print)
        requests = read_requests(world / "requests.csv", today=dt.date(2026, 1, 1)).table
        engine.register("req", requests)
        seen = []
        for indexes in (stats.indexes, None):
            count = find_candidates(engine, requests, indexes)
            pairs = engine.query("SELECT rid, pid, via FROM cand ORDER BY rid, pid")
            seen.append((count, pairs.to_pylist()))
    finally:
        engine.close()
    (n_index, by_index), (n_join, by_join) = seen
    assert n_index == n_join > 600
    assert by_index == by_join
    every_block = 0
    for pair in by_index:
        every_block |= pair["via"]
    assert every_block == sum(BLOCK_NAMES)  # each block found something on this world
