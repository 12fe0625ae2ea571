"""What an engine can do, declared by its class, so that services ask instead of naming it.

A service that keeps or opens a master snapshot needs to know how the engine stores one, whether
a probe searches key index files or runs its blocks as joins, and whether a snapshot written by
another release can still be read. Each engine class answers in ``capabilities``
(:class:`EngineCapabilities`); no service compares engine names to find out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SnapshotFormat(Enum):
    """How an engine keeps a loaded master in a snapshot folder (:mod:`matchgate.master.store`)."""

    DATABASE_FILE = "database_file"
    """One database file (``master.duckdb``) holding every table; opened read-only by a probe,
    and copied as the starting point of an update (the parent is never written to)."""
    TABLE_FILES = "table_files"
    """Each table as Parquet files under ``tables/<table>/``, read in place (lazily, by the
    engine's executors) by a probe and by an update, which writes new tables of its own."""


class SnapshotVersions(Enum):
    """Which release of an engine may open a snapshot another release wrote."""

    SAME_RELEASE = "same_release"
    """Only the release that wrote it: the snapshot holds values the engine computed (DuckDB's
    ``hash()`` in the key indexes) that another release may compute differently."""
    ANY_RELEASE = "any_release"
    """Any release: the snapshot holds plain data in an open format."""


@dataclass(frozen=True)
class EngineCapabilities:
    """What an engine can do with the master store, as services need to know it."""

    snapshot_format: SnapshotFormat
    """The one format the engine writes and opens."""
    key_index_files: bool
    """A load writes sorted key index files that a probe binary-searches
    (:mod:`matchgate.matching.key_index`); without them a probe runs its blocks as joins."""
    snapshot_versions: SnapshotVersions
    """Whether a snapshot written by another release of the engine can be opened."""

    def opens_version(self, written_by: object, running: str) -> bool:
        """Whether a snapshot written by release ``written_by`` (as its manifest records it;
        possibly missing) can be opened by release ``running``."""
        return self.snapshot_versions is SnapshotVersions.ANY_RELEASE or written_by == running
