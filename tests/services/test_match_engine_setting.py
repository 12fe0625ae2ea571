"""The engine setting: an unknown engine and Spark on the DuckDB master store are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchgate.domain.errors import ConfigurationError
from matchgate.services.match import match_files
from matchgate.services.synth import synthesize
from matchgate.settings import Settings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("world")
    synthesize(60, 6, 3, data, details=False)
    return data


def test_an_unknown_engine_is_a_configuration_error(world: Path, tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", engine="oracle")
    with pytest.raises(ConfigurationError, match="MATCHGATE_ENGINE"):
        match_files(
            world / "master.parquet", world / "requests.csv", tmp_path / "o.csv", settings=settings
        )
    assert not (tmp_path / "o.csv").exists()


def test_spark_needs_a_master_file_not_the_duckdb_store(world: Path, tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", engine="spark")
    with pytest.raises(ConfigurationError, match="--master FILE"):
        match_files(None, world / "requests.csv", tmp_path / "o.csv", settings=settings)
