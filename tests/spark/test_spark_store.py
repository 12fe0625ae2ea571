"""A master store loaded and updated by Spark (Parquet tables, blocks as joins on the executors)
decides every request as the DuckDB store does, row by row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'matchgate[spark]')")

from tests.spark.test_spark_match import assert_same_decisions

from matchgate.app.core import App
from matchgate.domain.errors import ConfigurationError
from matchgate.services.master.match import SNAPSHOT_COLUMN, match_files
from matchgate.services.master.store import load_master, update_master
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


def _changes(master: Path, out: Path) -> Path:
    """30 people renamed, 20 new ones."""
    table = pq.read_table(master)
    rows = table.to_pylist()
    renamed = [{**r, "last_name": r["last_name"] + "-Okafor"} for r in rows[100:130]]
    added = [
        {**r, "person_id": f"NEW-{i}", "ssn": f"6{i:02d}-12-{3456 + i}", "dob": "1999-12-31"}
        for i, r in enumerate(rows[500:520])
    ]
    pq.write_table(pa.Table.from_pylist(renamed + added, schema=table.schema), out)
    return out


def _probe(data: Path, settings: Settings, out: Path) -> pa.Table:
    match_files(None, data / "requests.csv", out, settings=settings)
    return pacsv.read_csv(out)


def test_spark_loads_updates_and_probes_its_store_as_duckdb_does(
    spark: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    synthesize(2_000, 300, 23, data, details=False)
    changes = _changes(data / "master.parquet", tmp_path / "changes.parquet")
    probed: dict[str, list[pa.Table]] = {}
    for engine in ("duckdb", "spark"):
        settings = Settings(workspace=tmp_path / f"ws-{engine}", engine=engine)
        loaded = load_master(App(settings), data / "master.parquet")
        assert loaded.people == 2_000
        before = _probe(data, settings, tmp_path / f"{engine}-before.csv")
        updated = update_master(App(settings), changes)
        assert (updated.added, updated.replaced, updated.people) == (20, 30, 2_020)
        after = _probe(data, settings, tmp_path / f"{engine}-after.csv")
        assert set(after[SNAPSHOT_COLUMN].to_pylist()) == {updated.snapshot.id}
        manifest = json.loads((updated.snapshot.path / "manifest.json").read_text())
        assert manifest["engine"] == engine
        assert manifest["parent"] == loaded.snapshot.id
        probed[engine] = [before.drop([SNAPSHOT_COLUMN]), after.drop([SNAPSHOT_COLUMN])]

    spark_snapshot = updated.snapshot.path
    assert not (spark_snapshot / "master.duckdb").exists()
    assert {p.name for p in (spark_snapshot / "tables").iterdir()} == {
        "m", "mkeys_l", "mkeys_f", "mkeys_lf", "mtf_first_c", "mtf_last_c",
    }  # fmt: skip
    (duck_before, duck_after), (spark_before, spark_after) = probed["duckdb"], probed["spark"]
    assert {"match", "no_match"} <= set(duck_before["decision"].to_pylist())
    assert duck_after != duck_before  # the renamed people are found under their new names
    assert_same_decisions(duck_before, spark_before)
    assert_same_decisions(duck_after, spark_after)

    duck_settings = Settings(workspace=tmp_path / "ws-spark", engine="duckdb")
    with pytest.raises(ConfigurationError, match="loaded by the spark engine"):
        match_files(None, data / "requests.csv", tmp_path / "x.csv", settings=duck_settings)


@pytest.mark.slow
def test_spark_store_equals_duckdb_store_on_200k_people(spark: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    synthesize(200_000, 10_000, 4, data, details=False)
    probed = {}
    for engine in ("duckdb", "spark"):
        settings = Settings(workspace=tmp_path / f"ws-{engine}", engine=engine)
        load_master(App(settings), data / "master.parquet")
        probed[engine] = _probe(data, settings, tmp_path / f"{engine}.csv").drop([SNAPSHOT_COLUMN])
    assert {"match", "no_match"} <= set(probed["duckdb"]["decision"].to_pylist())
    assert_same_decisions(probed["duckdb"], probed["spark"])
