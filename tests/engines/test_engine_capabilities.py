"""Each engine declares what it can do with the master store, and one factory maps the
configured name to it; services ask the declarations, never the names."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import matchgate.services
from matchgate.domain.errors import ConfigurationError
from matchgate.engines.base import DatabaseFile, EmbeddedEngine, TableFiles
from matchgate.engines.capabilities import EngineCapabilities, SnapshotFormat, SnapshotVersions
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.engines.factory import (
    DEFAULT_ENGINE,
    ENGINE_NAMES,
    EngineFactory,
    engine_class,
)
from matchgate.settings import Settings


def test_duckdb_keeps_one_database_file_with_key_indexes_for_its_own_release() -> None:
    assert DuckDBEngine.capabilities == EngineCapabilities(
        snapshot_format=SnapshotFormat.DATABASE_FILE,
        key_index_files=True,
        snapshot_versions=SnapshotVersions.SAME_RELEASE,
    )
    assert DuckDBEngine.label == "DuckDB"


def test_spark_keeps_table_files_without_key_indexes_for_any_release() -> None:
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    from matchgate.engines.spark_engine import SparkEngine

    assert SparkEngine.capabilities == EngineCapabilities(
        snapshot_format=SnapshotFormat.TABLE_FILES,
        key_index_files=False,
        snapshot_versions=SnapshotVersions.ANY_RELEASE,
    )
    assert SparkEngine.label == "Spark"
    assert issubclass(SparkEngine, TableFiles)
    assert not issubclass(SparkEngine, DatabaseFile)


def test_a_release_opens_what_its_versions_rule_allows() -> None:
    same = DuckDBEngine.capabilities
    assert same.opens_version("1.2.0", "1.2.0")
    assert not same.opens_version("1.1.3", "1.2.0")
    assert not same.opens_version(None, "1.2.0")  # a manifest that recorded none
    anyone = EngineCapabilities(SnapshotFormat.TABLE_FILES, False, SnapshotVersions.ANY_RELEASE)
    assert anyone.opens_version("3.5.0", "4.0.1")
    assert anyone.opens_version(None, "4.0.1")


def test_the_factory_maps_each_name_to_the_class_of_that_name() -> None:
    assert DEFAULT_ENGINE in ENGINE_NAMES
    assert engine_class("duckdb") is DuckDBEngine
    assert EngineFactory(Settings()).capabilities() is DuckDBEngine.capabilities
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    assert [engine_class(name).name for name in ENGINE_NAMES] == list(ENGINE_NAMES)


@pytest.mark.parametrize("name", ["oracle", "DuckDB", ""])
def test_an_unknown_name_is_refused_naming_the_setting(name: str) -> None:
    factory = EngineFactory(Settings(engine=name))
    expected = f"MATCHGATE_ENGINE must be one of duckdb, spark, not {name!r}"
    for call in (factory.check, factory.capabilities, lambda: factory.create(Path("unused"))):
        with pytest.raises(ConfigurationError) as raised:
            call()
        assert raised.value.message == expected
        assert str(raised.value) == f"{expected} [{ConfigurationError.code}]"


def test_spark_without_pyspark_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matchgate.engines.spark_engine", None)  # import fails
    factory = EngineFactory(Settings(engine="spark"))
    factory.check()  # the name is right; the extra is missing
    with pytest.raises(
        ConfigurationError, match=r"needs PySpark: pip install 'matchgate\[spark\]'"
    ):
        factory.create(Path("unused"))


def test_the_configured_engine_works_on_its_database_file_with_scratch_beside(
    tmp_path: Path,
) -> None:
    factory = EngineFactory(Settings(workspace=tmp_path, duckdb_memory_limit="256MB"))
    database = tmp_path / "run" / "m.duckdb"
    engine = factory.create(tmp_path / "run", database=database)
    try:
        assert isinstance(engine, DatabaseFile)
        assert not isinstance(engine, TableFiles)
        engine.execute("CREATE TABLE t AS SELECT 42 AS v")
        engine.checkpoint()
    finally:
        engine.close()
    reader = factory.create(tmp_path / "probe", database=database, read_only=True)
    try:
        assert reader.query("SELECT v FROM t")["v"].to_pylist() == [42]
    finally:
        reader.close()
    assert (tmp_path / "run" / "spill").is_dir()


def test_the_embedded_engine_is_in_process_whatever_the_setting(tmp_path: Path) -> None:
    engine = EngineFactory(Settings(workspace=tmp_path, engine="spark")).embedded(tmp_path)
    try:
        assert isinstance(engine, DuckDBEngine)
        assert callable(engine.splink_api)
        lookups: EmbeddedEngine = engine
        assert lookups.query("SELECT 1 AS one")["one"].to_pylist() == [1]
    finally:
        engine.close()


def test_no_service_names_an_engine() -> None:
    """Services ask capabilities: no service compares or passes an engine's name as a literal,
    and none imports a concrete engine (import-linter checks the imports too)."""
    services = Path(matchgate.services.__file__).parent
    offenders = []
    for path in sorted(services.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in ENGINE_NAMES:
                offenders.append(f"{path.relative_to(services)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module in CONCRETE:
                offenders.append(f"{path.relative_to(services)}:{node.lineno}")
    assert offenders == []


CONCRETE = {"matchgate.engines.duckdb_engine", "matchgate.engines.spark_engine"}
