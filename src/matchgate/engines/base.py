"""The engine interface: the only way stages reach a database.

Stages build SQL (engine-neutral where possible) and hand it to an engine; they never import a
database driver. Parameters are always bound, never formatted into SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import pyarrow as pa

from matchgate.domain.errors import MatchgateError
from matchgate.engines.capabilities import EngineCapabilities


class EngineFailure(Enum):
    """What kind of failure an :class:`EngineError` reports, for callers that translate it."""

    MISSING_FILE = "missing_file"
    ENCODING = "encoding"
    MALFORMED_FILE = "malformed_file"
    RESOURCES = "resources"
    OTHER = "other"


class EngineError(MatchgateError):
    """A statement failed inside the engine.

    The message is the engine's first line with every quoted value blanked out and no source
    lines: a database's own messages can quote the row it choked on, which may hold a name or SSN.
    ``line`` is the 1-based line of a file being read, when the engine said which.
    """

    code = "E_ENGINE"

    def __init__(self, message: str, *, failure: EngineFailure, line: int | None = None) -> None:
        self.failure = failure
        self.line = line
        super().__init__(message)


class Engine(Protocol):
    """A SQL engine that can read files, hold Arrow tables and answer queries."""

    name: str
    """The name settings choose it by (``MATCHGATE_ENGINE``) and snapshots record."""
    label: str
    """The engine's name as messages print it."""
    version: str
    """The engine's release, recorded with what it stores."""
    capabilities: ClassVar[EngineCapabilities]
    """What it can do with the master store: services ask this, never the name."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement for its effect."""

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    def stream(
        self, sql: str, params: Sequence[Any] | None = None, batch_rows: int = 1 << 20
    ) -> Iterator[pa.RecordBatch]:
        """Run a query and yield its result in Arrow batches (a result larger than memory)."""

    def register(self, name: str, table: pa.Table) -> None:
        """Expose an Arrow table under ``name`` for later queries."""

    def unregister(self, name: str) -> None:
        """Forget a table exposed by :meth:`register`."""

    def file_relation(self, path: Path, fmt: str | None = None) -> str:
        """SQL that reads a CSV (all columns as text), Parquet or JSONL file as a relation.

        ``fmt`` (``csv``, ``parquet`` or ``jsonl``) overrides the guess from the extension.
        Parquet and JSON keep their own column types; callers cast what they need to text.
        """

    def close(self) -> None:
        """Release the connection."""


@runtime_checkable
class TableFiles(Protocol):
    """An engine whose tables can be kept as files and read back in place (a Spark master
    store: the tables stay on the cluster's storage, never pass through the driver)."""

    def save_table(self, name: str, folder: Path) -> None:
        """Write the table ``name`` as Parquet files into the new folder ``folder``."""

    def open_table(self, name: str, folder: Path) -> None:
        """Hold the Parquet files of ``folder`` (from :meth:`save_table`) as table ``name``,
        read lazily."""


@runtime_checkable
class DatabaseFile(Protocol):
    """An engine that keeps its tables in one database file (a DuckDB master store)."""

    def checkpoint(self) -> None:
        """Write everything built so far into the database file, so that it alone holds it."""


class EmbeddedEngine(Engine, Protocol):
    """The in-process engine: small lookups beside a match, and training the model with Splink,
    whatever engine the settings choose for matching."""

    def splink_api(self) -> Any:
        """A Splink database API on this engine's connection."""
