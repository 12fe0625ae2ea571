"""Use cases: load a master file into the workspace's master store, apply a change file, list
snapshots, and open the snapshot a match probes (layout in :mod:`matchgate.master.store`).

A load standardizes the master, builds its blocking keys and term frequencies once, in a DuckDB
file that later matches open read-only; an update copies the current snapshot's file and upserts
the changed people into the copy. Either way the result is published as a new snapshot only
when complete, so an interrupted run leaves the previous master current and intact. Only one
load or update runs at a time in a workspace (a lock file; a second one waits).
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
from matchgate.engines.base import EngineError
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import inspect_master, master_input_error
from matchgate.master import store
from matchgate.master.store import NoSnapshot, Snapshot
from matchgate.matching import (
    FellegiSunterModel,
    store_master,
    stored_master_stats,
    update_stored_master,
)
from matchgate.matching.master_index import MasterStats
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
    started = time.perf_counter()
    source_facts = _source_facts(path)
    with (
        _writer_lock(settings),
        tracked_job(settings, "master-load", source_facts) as job,
        _building(settings) as building,
    ):
        with _engine(settings, building.database, building.path / "spill") as engine:
            source = inspect_master(engine, path)
            try:
                stats = store_master(
                    engine, source.relation, source.columns, building.indexes, progress
                )
            except EngineError as exc:
                raise master_input_error(path, exc) from None
            engine.execute("CHECKPOINT")
        snapshot = _publish(settings, building, stats, source_facts, parent=None, changes=None)
        job.outputs["snapshot"] = snapshot.id
        job.counts.update(people=stats.people)
    return StoreSummary(snapshot, stats.people, time.perf_counter() - started)


def update_master(
    path: Path, *, settings: Settings, progress: Progress = NO_PROGRESS
) -> StoreSummary:
    """Apply the change file ``path`` (master columns; one row per new or changed person, as
    the person now is) to the current snapshot, publishing the result as a new snapshot."""
    started = time.perf_counter()
    source_facts = _source_facts(path)
    with _writer_lock(settings):
        parent = current_snapshot(settings)
        with (
            tracked_job(settings, "master-update", {**source_facts, "parent": parent.id}) as job,
            _building(settings) as building,
        ):
            progress("copy snapshot", 0, None)
            shutil.copyfile(parent.database, building.database)
            progress("copy snapshot", 1, 1)
            with _engine(settings, building.database, building.path / "spill") as engine:
                source = inspect_master(engine, path)
                try:
                    stats, applied = update_stored_master(
                        engine, source.relation, source.columns, building.indexes, progress
                    )
                except EngineError as exc:
                    raise master_input_error(path, exc) from None
                engine.execute("CHECKPOINT")
            changes = {"added": applied.added, "replaced": applied.replaced}
            snapshot = _publish(settings, building, stats, source_facts, parent.id, changes)
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
    """The snapshot a match probes: ``snapshot_id``, or the current one (which this engine
    version can probe)."""
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
    written_by = found.manifest.get("engine_version")
    if written_by != DuckDBEngine.version:
        raise NoSnapshot(
            f"snapshot {found.id} was indexed by DuckDB {written_by}, this is "
            f"{DuckDBEngine.version}: load the master again (`matchgate master load FILE`)"
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
def open_snapshot(
    settings: Settings, snapshot: Snapshot
) -> Iterator[tuple[DuckDBEngine, MasterStats]]:
    """A read-only engine on ``snapshot`` (its own spill folder, removed afterwards)."""
    run_dir = settings.workspace / "tmp" / f"probe-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    engine = DuckDBEngine(
        snapshot.database,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_directory=run_dir / "spill",
        read_only=True,
    )
    try:
        yield engine, stored_master_stats(engine, snapshot.indexes)
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


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
    parent: str | None,
    changes: dict[str, int] | None,
) -> Snapshot:
    shutil.rmtree(building.path / "spill", ignore_errors=True)
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parent": parent,
        "people": stats.people,
        "engine": "duckdb",
        "engine_version": DuckDBEngine.version,
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


@contextlib.contextmanager
def _engine(settings: Settings, database: Path, spill: Path) -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(
        database,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_directory=spill,
    )
    try:
        yield engine
    finally:
        engine.close()
