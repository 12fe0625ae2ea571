"""DuckDB engine: file-backed, memory-capped, spills to disk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa


class DuckDBEngine:
    """An engine on one DuckDB database file (or in memory when ``path`` is None)."""

    name = "duckdb"

    def __init__(
        self,
        path: Path | None = None,
        *,
        memory_limit: str = "4GB",
        threads: int = 0,
        temp_directory: Path | None = None,
    ) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(path) if path is not None else ":memory:")
        self._con.execute("SET memory_limit = ?", [memory_limit])
        if threads > 0:
            self._con.execute(f"SET threads = {int(threads)}")
        if temp_directory is not None:
            temp_directory.mkdir(parents=True, exist_ok=True)
            self._con.execute("SET temp_directory = ?", [str(temp_directory)])
        self._con.execute("SET preserve_insertion_order = true")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self._con.execute(sql, list(params) if params is not None else None)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        result = self._con.execute(sql, list(params) if params is not None else None)
        table: pa.Table = result.fetch_arrow_table()
        return table

    def register(self, name: str, table: pa.Table) -> None:
        self._con.register(name, table)

    def file_relation(self, path: Path) -> str:
        literal = "'" + str(path).replace("'", "''") + "'"
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            return f"read_parquet({literal})"
        if suffix in {".jsonl", ".ndjson", ".json"}:
            return f"read_json({literal}, format='newline_delimited', columns_as_text=true)"
        return f"read_csv({literal}, header=true, all_varchar=true, encoding='utf-8')"

    def close(self) -> None:
        self._con.close()
