"""The engine setting: an unknown engine is refused, and a snapshot is probed only by the engine
that loaded it."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchgate.app.core import App
from matchgate.domain.errors import ConfigurationError
from matchgate.services.master.match import match_files
from matchgate.services.master.store import load_master
from matchgate.services.master.synth import synthesize
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


def test_an_unknown_engine_loads_nothing(world: Path, tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", engine="oracle")
    with pytest.raises(ConfigurationError, match="MATCHGATE_ENGINE"):
        load_master(App(settings), world / "master.parquet")
    assert not (tmp_path / "ws" / "master").exists()


def test_a_duckdb_snapshot_is_not_probed_by_spark(world: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    loaded = load_master(App(Settings(workspace=workspace)), world / "master.parquet")
    settings = Settings(workspace=workspace, engine="spark")
    with pytest.raises(ConfigurationError, match="loaded by the duckdb engine") as raised:
        match_files(None, world / "requests.csv", tmp_path / "o.csv", settings=settings)
    assert loaded.snapshot.id in str(raised.value)
    assert "MATCHGATE_ENGINE=duckdb" in str(raised.value)
    assert not (tmp_path / "o.csv").exists()
