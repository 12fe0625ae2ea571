"""The standardization tests' DuckDB engine with the SQL macros loaded (the twins of the Python
standardizers they are compared with)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.standardize.sql import macro_statements


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    eng = DuckDBEngine(None)
    for statement in macro_statements():
        eng.execute(statement)
    yield eng
    eng.close()
