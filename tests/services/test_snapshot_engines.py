"""Which engine may probe which snapshot, decided by the engines' declared capabilities: each
engine opens only the snapshots it wrote (their format), DuckDB only its own release's (its key
indexes hold its hashes), and a snapshot is checked for the files its format opens by name.

The refusals are the configuration errors they were when services compared engine names; a
Spark snapshot is made here by rewriting a manifest, so no Spark session starts (the real one
is refused the same way in tests/spark/test_spark_store.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from matchgate.app.core import App
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.master.store import NoSnapshot, Snapshot
from matchgate.services.master.store import current_snapshot, load_master, open_snapshot
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    synthesize(300, 30, 5, out, details=False)
    return out


@pytest.fixture
def loaded(world: Path, tmp_path: Path) -> Snapshot:
    return load_master(App(Settings(workspace=tmp_path)), world / "master.parquet").snapshot


def _rewrite(snapshot: Snapshot, **changes: Any) -> None:
    path = snapshot.path / "manifest.json"
    manifest = json.loads(path.read_text())
    for key, value in changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest))


def _refusal(settings: Settings) -> str:
    with pytest.raises(NoSnapshot) as raised:
        current_snapshot(App(settings))
    assert str(raised.value).endswith(f" [{NoSnapshot.code}]")  # the code, printed once
    return raised.value.message


def test_a_load_records_the_engine_that_wrote_it(loaded: Snapshot, tmp_path: Path) -> None:
    assert loaded.manifest["engine"] == "duckdb"
    assert loaded.manifest["engine_version"] == DuckDBEngine.version
    assert current_snapshot(App(Settings(workspace=tmp_path))).id == loaded.id


def test_a_duckdb_snapshot_is_refused_by_spark(loaded: Snapshot, tmp_path: Path) -> None:
    assert _refusal(Settings(workspace=tmp_path, engine="spark")) == (
        f"snapshot {loaded.id} was loaded by the duckdb engine and this run uses spark: "
        "set MATCHGATE_ENGINE=duckdb, or load the master again"
    )


def test_a_spark_snapshot_is_refused_by_duckdb(loaded: Snapshot, tmp_path: Path) -> None:
    _rewrite(loaded, engine="spark")
    assert _refusal(Settings(workspace=tmp_path)) == (
        f"snapshot {loaded.id} was loaded by the spark engine and this run uses duckdb: "
        "set MATCHGATE_ENGINE=spark, or load the master again"
    )


def test_a_snapshot_that_names_no_engine_was_written_by_duckdb(
    loaded: Snapshot, tmp_path: Path
) -> None:
    _rewrite(loaded, engine=None)
    assert current_snapshot(App(Settings(workspace=tmp_path))).id == loaded.id
    assert "loaded by the duckdb engine" in _refusal(Settings(workspace=tmp_path, engine="spark"))


def test_an_unknown_engine_is_told_which_engine_loaded_the_snapshot(
    loaded: Snapshot, tmp_path: Path
) -> None:
    assert _refusal(Settings(workspace=tmp_path, engine="oracle")) == (
        f"snapshot {loaded.id} was loaded by the duckdb engine and this run uses oracle: "
        "set MATCHGATE_ENGINE=duckdb, or load the master again"
    )


@pytest.mark.parametrize("release", ["0.0.1", None])
def test_duckdb_opens_only_its_own_release(
    loaded: Snapshot, tmp_path: Path, release: str | None
) -> None:
    _rewrite(loaded, engine_version=release)
    assert _refusal(Settings(workspace=tmp_path)) == (
        f"snapshot {loaded.id} was indexed by DuckDB {release}, this is {DuckDBEngine.version}: "
        "load the master again (`matchgate master load FILE`)"
    )


@pytest.mark.parametrize("missing", ["master.duckdb", "indexes/first_dob.h.npy"])
def test_duckdb_refuses_a_snapshot_without_a_file_it_opens(
    loaded: Snapshot, tmp_path: Path, missing: str
) -> None:
    (loaded.path / missing).unlink()
    assert _refusal(Settings(workspace=tmp_path)) == (
        f"snapshot {loaded.id} is damaged ({missing} is missing): load the master again "
        "(`matchgate master load FILE`), or probe another one with --snapshot"
    )


def test_spark_opens_any_release_and_needs_no_database_or_key_indexes(
    loaded: Snapshot, tmp_path: Path
) -> None:
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    _rewrite(loaded, engine="spark", engine_version="0.0.1")
    (loaded.path / "master.duckdb").unlink()
    shutil.rmtree(loaded.path / "indexes")
    assert current_snapshot(App(Settings(workspace=tmp_path, engine="spark"))).id == loaded.id


def test_a_duckdb_snapshot_is_probed_read_only_through_its_key_indexes(
    loaded: Snapshot, tmp_path: Path
) -> None:
    settings = Settings(workspace=tmp_path)
    with open_snapshot(App(settings), current_snapshot(App(settings))) as (engine, stats):
        assert engine.capabilities is DuckDBEngine.capabilities
        assert stats.indexes == loaded.indexes
        assert stats.people == 300
        assert engine.query("SELECT count(*) AS n FROM m")["n"].to_pylist() == [300]
    assert not list((tmp_path / "tmp").iterdir())  # the probe's scratch files are gone
