"""Fixtures for the synthetic-data tests: small reference tables in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchgate.synth.tables import RefTables, load_tables
from tests.synth.fixture_tables import write_tables


@pytest.fixture(scope="session")
def table_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tables(tmp_path_factory.mktemp("synth-tables"))


@pytest.fixture(scope="session")
def tables(table_dir: Path) -> RefTables:
    return load_tables(table_dir)
