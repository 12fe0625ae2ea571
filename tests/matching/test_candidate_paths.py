"""Probing the sorted key indexes finds exactly the pairs the same blocks find as joins, and a
master indexed for one request file only answers exactly as one indexed whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import inspect_master, read_requests
from matchgate.matching import index_master, index_master_for, match_requests
from matchgate.matching.candidates import BLOCK_NAMES, find_candidates
from matchgate.matching.comparisons import COMPARISONS, hoist_repeated_calls
from matchgate.matching.master_index import CANDIDATE_ROWS, fetch_candidate_rows
from matchgate.matching.model import pair_columns_sql
from matchgate.services.master.synth import synthesize


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


def test_index_entries_are_distinct_without_a_distinct(tmp_path: Path) -> None:
    """The name indexes are written without DISTINCT: the key tables hold each (person, key)
    once, even for people whose earlier surnames repeat or share keys with the current one."""
    master = tmp_path / "master.csv"
    master.write_text(
        "person_id,ssn,first_name,last_name,other_names,dob\n"
        "p1,123-45-6789,Ana,Garcia Lopez,Ana Garcia|Ana Lopez Garcia|Ana Garcia Lopez,1980-02-03\n"
        "p2,223-45-6789,Li,Li,Li Li|Li Lee|Lee Li,1975-07-08\n"
        "p3,323-45-6789,Mary,Smith-Jones,Mary Smith|Mary Jones|Mary Jones Smith,\n"
        "p4,423-45-6789,Jo,De La Cruz,Jo Cruz|Jo De La Cruz|Jo Delacruz,1990-12-31\n",
        encoding="utf-8",
    )
    engine = DuckDBEngine(tmp_path / "m.duckdb")
    try:
        source = inspect_master(engine, master)
        index_master(engine, source.relation, source.columns, tmp_path / "ix", print)
        for table, key in (
            ("mkeys_l", "pid, key, dob"),
            ("mkeys_f", "pid, key, dob"),
            ("mkeys_lf", "pid, lkey, fkey, byear, md"),
        ):
            rows, distinct = (
                engine.query(f"SELECT count(*) AS n, count(DISTINCT ({key})) AS d FROM {table}")
                .to_pylist()[0]
                .values()
            )
            assert rows == distinct > 0, table
        for name in ("names", "names_year", "names_day"):
            keys = np.load(tmp_path / "ix" / f"{name}.h.npy")
            pids = np.load(tmp_path / "ix" / f"{name}.pid.npy")
            assert len(keys) > 0
            assert len(set(zip(keys.tolist(), pids.tolist(), strict=True))) == len(keys), name
    finally:
        engine.close()


def test_a_master_indexed_for_its_requests_answers_as_one_indexed_whole(
    world: Path, tmp_path: Path
) -> None:
    """The one-shot path keys only what the requests look up and standardizes only the
    candidates; every output column, weights and levels included, is the same."""
    requests = read_requests(world / "requests.csv", today=dt.date(2026, 1, 1)).table
    runs = []
    for lean in (False, True):
        engine = DuckDBEngine(tmp_path / f"{lean}.duckdb")
        try:
            source = inspect_master(engine, world / "master.parquet")
            if lean:
                stats = index_master_for(engine, source.relation, source.columns, requests, print)
                assert stats.deferred
            else:
                stats = index_master(engine, source.relation, source.columns, None, print)
            keyed = engine.query("SELECT count(*) AS n FROM mkeys_l")["n"][0].as_py()
            result = match_requests(engine, stats, requests)
            scored = engine.query(f"SELECT * FROM {CANDIDATE_ROWS} ORDER BY pid")
            candidates = engine.query("SELECT DISTINCT pid FROM cand ORDER BY pid")
            if not lean:
                whole_m = engine.query("SELECT * FROM m ORDER BY pid")
        finally:
            engine.close()
        runs.append((result, keyed, scored, candidates))
    (whole, whole_keys, whole_rows, whole_cand), (lean, lean_keys, lean_m, lean_cand) = runs
    assert whole.master_people == lean.master_people == 6000
    assert whole.table.to_pylist() == lean.table.to_pylist()
    assert {"match", "no_match"} <= set(whole.table["decision"].to_pylist())
    assert lean_keys < whole_keys / 2  # only the looked-up keys were kept
    # Scoring reads just the candidates' rows, each exactly as the whole master has it.
    assert lean_cand.equals(whole_cand)
    assert lean_m.num_rows == lean_cand.num_rows < whole_m.num_rows
    wanted = set(lean_cand["pid"].to_pylist())
    assert [r for r in whole_m.to_pylist() if r["pid"] in wanted] == lean_m.to_pylist()
    assert whole_rows.equals(lean_m)


def test_similarities_computed_once_per_pair_change_no_level(world: Path, tmp_path: Path) -> None:
    """Scoring computes a similarity that two levels of one comparison test once per pair;
    every level of every pair is what the comparison's own SQL gives."""
    engine = DuckDBEngine(tmp_path / "m.duckdb")
    try:
        source = inspect_master(engine, world / "master.parquet")
        stats = index_master(engine, source.relation, source.columns, None, print)
        requests = read_requests(world / "requests.csv", today=dt.date(2026, 1, 1)).table
        engine.register("req", requests)
        find_candidates(engine, requests, stats.indexes)
        fetch_candidate_rows(engine)
        engine.execute(
            f"CREATE TEMP TABLE pairs AS SELECT c.rid, c.pid, {pair_columns_sql()} "
            f"FROM cand c JOIN req l ON l.row = c.rid JOIN {CANDIDATE_ROWS} r ON r.pid = c.pid"
        )
        compared = {}
        for spec in COMPARISONS:
            own = spec.gamma_sql()
            sql, columns = hoist_repeated_calls(own, "s")
            if not columns:
                continue
            similarities = "".join(f", {call} AS {name}" for name, call in columns)
            compared[spec.name] = engine.query(
                f"SELECT {own} AS own, {sql} AS once "
                f"FROM (SELECT *{similarities} FROM pairs) ORDER BY rid, pid"
            ).to_pylist()
    finally:
        engine.close()
    assert "ssn" in compared  # its distance is tested for one and for two keystrokes
    assert len(compared["ssn"]) > 500
    for name, rows in compared.items():
        assert [r["own"] for r in rows] == [r["once"] for r in rows], name
        assert len({r["own"] for r in rows}) > 2, name  # the levels compared vary
