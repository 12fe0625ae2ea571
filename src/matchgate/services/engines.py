"""The engines a use case runs on, as the settings name them: DuckDB on a per-run file under
the workspace, or Spark (an optional extra) on its own session, each with a scratch folder
removed afterwards."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from matchgate.domain.errors import ConfigurationError
from matchgate.engines.base import Engine
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.settings import Settings

if TYPE_CHECKING:
    from matchgate.engines.spark_engine import SparkEngine

ENGINES = ("duckdb", "spark")


def check_engine(settings: Settings) -> None:
    if settings.engine not in ENGINES:
        raise ConfigurationError(
            f"MATCHGATE_ENGINE must be one of {', '.join(ENGINES)}, not {settings.engine!r}"
        )


def spark_engine(settings: Settings, run_dir: Path) -> SparkEngine:
    """A Spark engine as the settings describe it (scratch files under ``run_dir``)."""
    try:
        from matchgate.engines.spark_engine import SparkEngine
    except ImportError:
        raise ConfigurationError(
            "MATCHGATE_ENGINE=spark needs PySpark: pip install 'matchgate[spark]'"
        ) from None
    return SparkEngine(
        master=settings.spark_master,
        driver_memory=settings.spark_driver_memory,
        shuffle_partitions=settings.spark_shuffle_partitions,
        local_dir=run_dir / "spark",
    )


@contextlib.contextmanager
def one_shot_engine(settings: Settings) -> Iterator[Engine]:
    """The engine the settings name for a one-shot job: DuckDB (see :func:`run_engine`), or
    Spark, whose master stays on its executors; its scratch folder is removed afterwards.

    A one-shot job writes no key index files: its blocks run as joins inside the engine. An
    index pays for itself over many probes; for one probe, writing and sorting it cost more
    than the joins (50,000 x 10M: about 24 s of index files and binary searches against 11 s
    of joins, the same pairs)."""
    check_engine(settings)
    if settings.engine == "duckdb":
        with run_engine(settings) as (duck, _):
            yield duck
        return
    run_dir = settings.workspace / "tmp" / f"match-{uuid.uuid4().hex[:12]}"
    engine = spark_engine(settings, run_dir)
    try:
        yield engine
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def duckdb_engine(
    settings: Settings, database: Path | None, run_dir: Path, *, read_only: bool = False
) -> DuckDBEngine:
    """A DuckDB engine on ``database`` (None: in memory) with the settings' memory limit and
    threads, spilling into ``run_dir/spill``."""
    return DuckDBEngine(
        database,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_directory=run_dir / "spill",
        read_only=read_only,
    )


@contextlib.contextmanager
def run_engine(settings: Settings) -> Iterator[tuple[DuckDBEngine, Path]]:
    """A DuckDB engine on a per-run file under the workspace, and the run's folder, removed
    with everything in it (spill, key indexes) afterwards."""
    run_dir = settings.workspace / "tmp" / f"match-{uuid.uuid4().hex[:12]}"
    engine = duckdb_engine(settings, run_dir / "match.duckdb", run_dir)
    try:
        yield engine, run_dir
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)
