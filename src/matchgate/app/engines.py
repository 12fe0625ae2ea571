"""The engines a one-shot use case runs on, each in a per-run folder under the workspace that is
removed afterwards with everything in it (database file, spill, scratch, key indexes). Which
engine, and how it is built, is :class:`matchgate.engines.factory.EngineFactory`'s business."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from matchgate.engines.base import EmbeddedEngine, Engine
from matchgate.engines.factory import EngineFactory
from matchgate.settings import Settings


def _run_dir(settings: Settings) -> Path:
    return settings.workspace / "tmp" / f"match-{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def one_shot_engine(settings: Settings) -> Iterator[Engine]:
    """The engine the settings name for a one-shot job: on a per-run database file if it keeps
    one (DuckDB), else on its own session, whose master stays on its executors (Spark).

    A one-shot job writes no key index files: its blocks run as joins inside the engine. An
    index pays for itself over many probes; for one probe, writing and sorting it cost more
    than the joins (50,000 x 10M: about 24 s of index files and binary searches against 11 s
    of joins, the same pairs)."""
    factory = EngineFactory(settings)
    factory.check()
    run_dir = _run_dir(settings)
    engine = factory.create(run_dir, database=run_dir / "match.duckdb")
    try:
        yield engine
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


@contextlib.contextmanager
def run_engine(settings: Settings) -> Iterator[tuple[EmbeddedEngine, Path]]:
    """The embedded engine on a per-run file under the workspace (training the model), and
    the run's folder."""
    run_dir = _run_dir(settings)
    engine = EngineFactory(settings).embedded(run_dir, database=run_dir / "match.duckdb")
    try:
        yield engine, run_dir
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)
