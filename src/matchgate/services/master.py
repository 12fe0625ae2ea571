"""Use cases: load a master file into the workspace's master store, apply a change file, list
snapshots, and open the snapshot a match probes (layout in :mod:`matchgate.master.store`).

A load standardizes the master, builds its blocking keys and term frequencies once, and keeps
them in the snapshot: with DuckDB (the default) in a database file that later matches open
read-only, with the key indexes a probe searches; with Spark (``MATCHGATE_ENGINE=spark``) as
Parquet tables that a match reads on the executors, its blocks run as joins there. An update
starts from the current snapshot (a copy of its file, or its tables read in place) and upserts
the changed people. Either way the result is published as a new snapshot only when complete,
so an interrupted run leaves the previous master current and intact. Only one load or update
runs at a time in a workspace (a lock file; a second one waits).
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine, EngineError, TableFiles
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import inspect_master, master_input_error
from matchgate.master import store
from matchgate.master.store import NoSnapshot, Snapshot
from matchgate.matching import FellegiSunterModel, store_master, update_stored_master
from matchgate.matching.candidates import MASTER_INDEXES
from matchgate.matching.key_index import index_files
from matchgate.matching.master_index import INDEX_TABLES, TERM_FREQUENCY_PREFIX, MasterStats
from matchgate.services.engines import check_engine, duckdb_engine, spark_engine
from matchgate.services.jobs import file_digest, tracked_job
from matchgate.settings import Settings


@dataclass(frozen=True)
class StoreSummary:
    """What a load or update published."""

    snapshot: Snapshot
    people: int
    seconds: float
    added: int = 0
    replaced: int = 0


def load_master(
    path: Path, *, settings: Settings, progress: Progress = NO_PROGRESS
) -> StoreSummary:
    """Load ``path`` (a master file, data contract section 1) as the new current snapshot."""
    check_engine(settings)
    started = time.perf_counter()
    source_facts = _source_facts(path)
    with (
        _writer_lock(settings),
        tracked_job(settings, "master-load", source_facts) as job,
        _building(settings) as building,
    ):
        with _store_engine(settings, building) as engine:
            source = inspect_master(engine, path)
            try:
                stats = store_master(
                    engine, source.relation, source.columns, _indexes(settings, building), progress
                )
            except EngineError as exc:
                raise master_input_error(path, exc) from None
            _keep(engine, settings, building, stats, progress)
            version = engine.version
        snapshot = _publish(
            settings, building, stats, source_facts, version, parent=None, changes=None
        )
        job.outputs["snapshot"] = snapshot.id
        job.counts.update(people=stats.people)
    return StoreSummary(snapshot, stats.people, time.perf_counter() - started)


def update_master(
    path: Path, *, settings: Settings, progress: Progress = NO_PROGRESS
) -> StoreSummary:
    """Apply the change file ``path`` (master columns; one row per new or changed person, as
    the person now is) to the current snapshot, publishing the result as a new snapshot."""
    check_engine(settings)
    started = time.perf_counter()
    source_facts = _source_facts(path)
    with _writer_lock(settings):
        parent = current_snapshot(settings)
        with (
            tracked_job(settings, "master-update", {**source_facts, "parent": parent.id}) as job,
            _building(settings) as building,
        ):
            if settings.engine == "duckdb":
                progress("copy snapshot", 0, None)
                shutil.copyfile(parent.database, building.database)
                progress("copy snapshot", 1, 1)
            with _store_engine(settings, building) as engine:
                if settings.engine == "spark":
                    _open_tables(engine, parent)
                source = inspect_master(engine, path)
                try:
                    stats, applied = update_stored_master(
                        engine,
                        source.relation,
                        source.columns,
                        _indexes(settings, building),
                        progress,
                    )
                except EngineError as exc:
                    raise master_input_error(path, exc) from None
                _keep(engine, settings, building, stats, progress)
                version = engine.version
            changes = {"added": applied.added, "replaced": applied.replaced}
            snapshot = _publish(
                settings, building, stats, source_facts, version, parent.id, changes
            )
            job.outputs["snapshot"] = snapshot.id
            job.counts.update(people=stats.people, **changes)
    return StoreSummary(
        snapshot,
        stats.people,
        time.perf_counter() - started,
        added=applied.added,
        replaced=applied.replaced,
    )


def current_snapshot(settings: Settings, snapshot_id: str | None = None) -> Snapshot:
    """The snapshot a match probes: ``snapshot_id``, or the current one (which the engine the
    settings name can probe)."""
    if snapshot_id is not None:
        found = store.get(settings.workspace, snapshot_id)
    else:
        current = store.current(settings.workspace)
        if current is None:
            raise NoSnapshot(
                "no master is loaded in this workspace: run `matchgate master load FILE` "
                "or pass --master FILE"
            )
        found = current
    engine = _snapshot_engine(found)
    if engine != settings.engine:
        raise NoSnapshot(
            f"snapshot {found.id} was loaded by the {engine} engine and this run uses "
            f"{settings.engine}: set MATCHGATE_ENGINE={engine}, or load the master again"
        )
    written_by = found.manifest.get("engine_version")
    if engine == "duckdb" and written_by != DuckDBEngine.version:
        # Its key indexes hold DuckDB hashes, which another version may compute differently.
        raise NoSnapshot(
            f"snapshot {found.id} was indexed by DuckDB {written_by}, this is "
            f"{DuckDBEngine.version}: load the master again (`matchgate master load FILE`)"
        )
    if engine == "duckdb":
        wanted = [found.database] + [
            path for name in MASTER_INDEXES for path in index_files(found.indexes, name)
        ]
        gone = [path.relative_to(found.path) for path in wanted if not path.is_file()]
        if gone:
            raise NoSnapshot(
                f"snapshot {found.id} is damaged ({gone[0]} is missing): load the master again "
                "(`matchgate master load FILE`), or probe another one with --snapshot"
            )
    return found


def list_snapshots(settings: Settings) -> list[tuple[Snapshot, bool]]:
    """Every snapshot, oldest first, with whether it is the current one."""
    now = store.current(settings.workspace)
    return [(s, now is not None and s.id == now.id) for s in store.snapshots(settings.workspace)]


def remove_snapshot(settings: Settings, snapshot_id: str) -> None:
    with _writer_lock(settings):
        store.remove(settings.workspace, snapshot_id)


@contextlib.contextmanager
def open_snapshot(settings: Settings, snapshot: Snapshot) -> Iterator[tuple[Engine, MasterStats]]:
    """An engine on ``snapshot`` (read-only; scratch files of its own, removed afterwards) and
    the figures of its master."""
    run_dir = settings.workspace / "tmp" / f"probe-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    engine: Engine
    if _snapshot_engine(snapshot) == "spark":
        engine = spark_engine(settings, run_dir)
        indexes = None
    else:
        engine = duckdb_engine(settings, snapshot.database, run_dir, read_only=True)
        indexes = snapshot.indexes
    try:
        if indexes is None:
            _open_tables(engine, snapshot)
        yield engine, MasterStats(snapshot.people, indexes, _term_frequencies(snapshot))
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def _snapshot_engine(snapshot: Snapshot) -> str:
    return str(snapshot.manifest.get("engine", "duckdb"))


def _stored_tables(term_frequencies: tuple[str, ...]) -> tuple[str, ...]:
    return (*INDEX_TABLES, *(TERM_FREQUENCY_PREFIX + c for c in term_frequencies))


def _term_frequencies(snapshot: Snapshot) -> tuple[str, ...]:
    return tuple(snapshot.manifest.get("term_frequencies", ()))


def _indexes(settings: Settings, building: store.Building) -> Path | None:
    """Where a load writes its key indexes: none on Spark, whose blocks are joins."""
    return building.indexes if settings.engine == "duckdb" else None


def _keep(
    engine: Engine,
    settings: Settings,
    building: store.Building,
    stats: MasterStats,
    progress: Progress,
) -> None:
    """Make the built master durable in the building folder."""
    if settings.engine == "duckdb":
        engine.execute("CHECKPOINT")
        return
    names = _stored_tables(stats.term_frequencies)
    for done, name in enumerate(names):
        progress("write tables", done, len(names))
        _table_files(engine).save_table(name, building.path / store.TABLES / name)
    progress("write tables", len(names), len(names))


def _open_tables(engine: Engine, snapshot: Snapshot) -> None:
    """Read a Spark snapshot's tables in place (lazily, on the executors)."""
    for name in _stored_tables(_term_frequencies(snapshot)):
        _table_files(engine).open_table(name, snapshot.path / store.TABLES / name)


def _table_files(engine: Engine) -> TableFiles:
    if not isinstance(engine, TableFiles):
        raise TypeError(f"the {engine.name} engine keeps no tables as files")
    return engine


@contextlib.contextmanager
def _store_engine(settings: Settings, building: store.Building) -> Iterator[Engine]:
    """The engine a load or update builds with: DuckDB on the snapshot's database file, or
    Spark with its scratch files in the building folder."""
    engine: Engine
    if settings.engine == "spark":
        engine = spark_engine(settings, building.path / "scratch")
    else:
        engine = duckdb_engine(settings, building.database, building.path)
    try:
        yield engine
    finally:
        engine.close()


def _source_facts(path: Path) -> dict[str, Any]:
    """Name, size and digest of a master or change file (nothing read from inside it)."""
    if not path.exists():
        return {"source": path.name, "source_bytes": None, "source_sha256": None}
    size = path.stat().st_size if path.is_file() else None
    return {"source": path.name, "source_bytes": size, "source_sha256": file_digest(path)}


def _publish(
    settings: Settings,
    building: store.Building,
    stats: MasterStats,
    source_facts: dict[str, Any],
    engine_version: str,
    parent: str | None,
    changes: dict[str, int] | None,
) -> Snapshot:
    shutil.rmtree(building.path / "spill", ignore_errors=True)
    shutil.rmtree(building.path / "scratch", ignore_errors=True)
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parent": parent,
        "people": stats.people,
        "engine": settings.engine,
        "engine_version": engine_version,
        "term_frequencies": list(stats.term_frequencies),
        "model": FellegiSunterModel().version,
        **source_facts,
    }
    if changes is not None:
        manifest["changes"] = changes
    return store.publish(settings.workspace, building, manifest)


@contextlib.contextmanager
def _building(settings: Settings) -> Iterator[store.Building]:
    building = store.begin(settings.workspace)
    try:
        yield building
    except BaseException:
        store.discard(building)
        raise


@contextlib.contextmanager
def _writer_lock(settings: Settings) -> Iterator[None]:
    folder = store.root(settings.workspace)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            store.clear_abandoned(settings.workspace)  # only a crashed writer leaves these
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
