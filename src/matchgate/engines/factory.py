"""The one place that turns an engine's name into an engine.

Services hold an :class:`EngineFactory` over the settings and ask it for engines and for their
:class:`~matchgate.engines.capabilities.EngineCapabilities`; they never import a concrete engine
nor compare names. The name comes from ``MATCHGATE_ENGINE`` or from a snapshot's manifest (the
engine that wrote it). PySpark is an optional extra, so the Spark engine is imported only when
it is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matchgate.domain.errors import ConfigurationError
from matchgate.engines.base import EmbeddedEngine, Engine
from matchgate.engines.capabilities import EngineCapabilities
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.settings import Settings

if TYPE_CHECKING:
    from matchgate.engines.spark_engine import SparkEngine

ENGINE_NAMES = ("duckdb", "spark")
"""The values ``MATCHGATE_ENGINE`` accepts."""

DEFAULT_ENGINE = "duckdb"
"""The engine of a snapshot whose manifest names none (written before manifests recorded it)."""


def check_engine_name(name: str) -> None:
    """Refuse a name that is no engine (a configuration error naming the setting)."""
    if name not in ENGINE_NAMES:
        raise ConfigurationError(
            f"MATCHGATE_ENGINE must be one of {', '.join(ENGINE_NAMES)}, not {name!r}"
        )


def _spark_class() -> type[SparkEngine]:
    try:
        from matchgate.engines.spark_engine import SparkEngine
    except ImportError:
        raise ConfigurationError(
            "MATCHGATE_ENGINE=spark needs PySpark: pip install 'matchgate[spark]'"
        ) from None
    return SparkEngine


def engine_class(name: str) -> type[Engine]:
    """The class of the engine called ``name`` (its capabilities, label and version)."""
    check_engine_name(name)
    if name == "duckdb":
        return DuckDBEngine
    return _spark_class()


class EngineFactory:
    """Engines as the settings describe them: the configured one (``MATCHGATE_ENGINE``), one
    named by a snapshot, and the embedded one (in process) for lookups and training."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def name(self) -> str:
        """The configured engine's name (checked by :meth:`check`)."""
        return self.settings.engine

    def check(self) -> None:
        """Refuse a configured name that is no engine, before anything is written."""
        check_engine_name(self.name)

    def engine_class(self, name: str | None = None) -> type[Engine]:
        """The class of the engine ``name`` (default: the configured one)."""
        return engine_class(self.name if name is None else name)

    def capabilities(self, name: str | None = None) -> EngineCapabilities:
        """What the engine ``name`` (default: the configured one) can do."""
        return self.engine_class(name).capabilities

    def create(
        self,
        scratch: Path,
        *,
        database: Path | None = None,
        read_only: bool = False,
        name: str | None = None,
    ) -> Engine:
        """The engine ``name`` (default: the configured one), its scratch files under
        ``scratch`` (``spill/`` or ``spark/``), which the caller removes after closing it.

        ``database`` is the database file of an engine whose snapshot format is one
        (:attr:`~matchgate.engines.capabilities.SnapshotFormat.DATABASE_FILE`; None: in memory),
        opened ``read_only`` if asked; an engine whose tables live elsewhere ignores both."""
        which = self.name if name is None else name
        check_engine_name(which)
        if which == "duckdb":
            return self._duckdb(scratch, database, read_only)
        settings = self.settings
        return _spark_class()(
            master=settings.spark_master,
            driver_memory=settings.spark_driver_memory,
            shuffle_partitions=settings.spark_shuffle_partitions,
            local_dir=scratch / "spark",
        )

    def embedded(self, scratch: Path, *, database: Path | None = None) -> EmbeddedEngine:
        """The in-process engine on ``database`` (None: in memory), whatever the settings
        choose for matching: master lookups for an answer, and Splink training, are small
        enough for one process (its spill files under ``scratch/spill``)."""
        return self._duckdb(scratch, database, False)

    def _duckdb(self, scratch: Path, database: Path | None, read_only: bool) -> DuckDBEngine:
        """DuckDB with the settings' memory limit and threads, spilling into ``scratch``."""
        return DuckDBEngine(
            database,
            memory_limit=self.settings.duckdb_memory_limit,
            threads=self.settings.duckdb_threads,
            temp_directory=scratch / "spill",
            read_only=read_only,
        )
