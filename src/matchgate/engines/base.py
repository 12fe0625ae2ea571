"""The engine interface: the only way stages reach a database.

Stages build SQL (engine-neutral where possible) and hand it to an engine; they never import a
database driver. Parameters are always bound, never formatted into SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa


class Engine(Protocol):
    """A SQL engine that can read files, hold Arrow tables and answer queries."""

    name: str

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement for its effect."""

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    def register(self, name: str, table: pa.Table) -> None:
        """Expose an Arrow table under ``name`` for later queries."""

    def file_relation(self, path: Path) -> str:
        """SQL that reads a CSV, Parquet or JSONL file as a relation (all columns as text)."""

    def close(self) -> None:
        """Release the connection."""
