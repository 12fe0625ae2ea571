"""Use cases: load a master file into the workspace's master store, apply a change file, list
snapshots, and open the snapshot a match probes (layout in :mod:`matchgate.master.store`).

A load standardizes the master, builds its blocking keys and term frequencies once, and keeps
them in the snapshot in the engine's format (:class:`~matchgate.engines.capabilities.
SnapshotFormat`): one database file that later matches open read-only, with the key indexes a
probe searches if the engine keeps them (DuckDB, the default); or Parquet tables that a match
reads on the executors, its blocks run as joins there (Spark, ``MATCHGATE_ENGINE=spark``). An
update starts from the current snapshot (a copy of its file, or its tables read in place) and
upserts the changed people. Either way the result is published as a new snapshot only when
complete, so an interrupted run leaves the previous master current and intact. Only one load
or update runs at a time in a workspace (a lock file; a second one waits).

What differs between engines is asked of their capabilities, never of their names.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matchgate.app.core import App
from matchgate.app.jobs import file_digest, tracked_job
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import DatabaseFile, Engine, EngineError, TableFiles
from matchgate.engines.capabilities import EngineCapabilities, SnapshotFormat
from matchgate.engines.factory import DEFAULT_ENGINE, EngineFactory
from matchgate.intake import inspect_master, master_input_error
from matchgate.master import store
from matchgate.master.details import DETAIL_TABLES, detail_file, detail_source
from matchgate.master.source_copy import write_updated_source
from matchgate.master.store import NoSnapshot, Snapshot
from matchgate.matching import FellegiSunterModel, store_master, update_stored_master
from matchgate.matching.candidates import MASTER_INDEXES
from matchgate.matching.key_index import index_files
from matchgate.matching.master_index import INDEX_TABLES, TERM_FREQUENCY_PREFIX, MasterStats
from matchgate.settings import Settings

SCRATCH = "scratch"
"""The building folder's scratch files (spill, Spark's local files), removed before publishing."""
SOURCE = "source"
"""A snapshot's copy of its master file and the detail tables beside it (owner-only):
what a disclosure reads the matched people's fields from."""
SOURCE_KEY = "disclosure_source"
"""The manifest key naming the master file's copy in ``source/``."""


@dataclass(frozen=True)
class DisclosureMaster:
    """What a submission is matched against and disclosed from: the host's current snapshot."""

    snapshot_id: str
    master: Path
    """The snapshot's copy of its master file (detail tables beside it)."""
    as_of: str
    """The calendar day (agency time) the snapshot was published: the data's as-of date."""


@dataclass(frozen=True)
class StoreSummary:
    """What a load or update published."""

    snapshot: Snapshot
    people: int
    seconds: float
    added: int = 0
    replaced: int = 0


def load_master(app: App, path: Path, *, progress: Progress = NO_PROGRESS) -> StoreSummary:
    """Load ``path`` (a master file, data contract section 1) as the new current snapshot."""
    settings = app.settings
    engines = EngineFactory(settings)
    engines.check()
    started = time.perf_counter()
    source_facts = _source_facts(path)
    with (
        _writer_lock(settings),
        tracked_job(settings, "master-load", source_facts) as job,
        _building(settings) as building,
    ):
        with _store_engine(engines, building) as engine:
            source = inspect_master(engine, path)
            try:
                stats = store_master(
                    engine, source.relation, source.columns, _indexes(engine, building), progress
                )
            except EngineError as exc:
                raise master_input_error(path, exc) from None
            _keep(engine, building, stats, progress)
        source_facts[SOURCE_KEY] = _keep_source(path, building)
        snapshot = _publish(settings, building, stats, source_facts, engine, None, None)
        job.outputs["snapshot"] = snapshot.id
        job.counts.update(people=stats.people)
    return StoreSummary(snapshot, stats.people, time.perf_counter() - started)


def update_master(app: App, path: Path, *, progress: Progress = NO_PROGRESS) -> StoreSummary:
    """Apply the change file ``path`` (master columns; one row per new or changed person, as
    the person now is) to the current snapshot, publishing the result as a new snapshot."""
    settings = app.settings
    engines = EngineFactory(settings)
    engines.check()
    started = time.perf_counter()
    source_facts = _source_facts(path)
    with _writer_lock(settings):
        parent = current_snapshot(app)
        with (
            tracked_job(settings, "master-update", {**source_facts, "parent": parent.id}) as job,
            _building(settings) as building,
        ):
            database_file = engines.capabilities().snapshot_format is SnapshotFormat.DATABASE_FILE
            if database_file:  # the parent is never written to: the update starts from a copy
                progress("copy snapshot", 0, None)
                shutil.copyfile(parent.database, building.database)
                progress("copy snapshot", 1, 1)
            with _store_engine(engines, building) as engine:
                if not database_file:
                    _open_tables(engine, parent)
                source = inspect_master(engine, path)
                try:
                    stats, applied = update_stored_master(
                        engine,
                        source.relation,
                        source.columns,
                        _indexes(engine, building),
                        progress,
                    )
                except EngineError as exc:
                    raise master_input_error(path, exc) from None
                _keep(engine, building, stats, progress)
            source_facts.update(_updated_source(engines, parent, path, building, settings))
            changes = {"added": applied.added, "replaced": applied.replaced}
            snapshot = _publish(settings, building, stats, source_facts, engine, parent.id, changes)
            job.outputs["snapshot"] = snapshot.id
            job.counts.update(people=stats.people, **changes)
    return StoreSummary(
        snapshot,
        stats.people,
        time.perf_counter() - started,
        added=applied.added,
        replaced=applied.replaced,
    )


def current_snapshot(app: App, snapshot_id: str | None = None) -> Snapshot:
    """The snapshot a match probes: ``snapshot_id``, or the current one (which the engine the
    settings name can probe)."""
    settings = app.settings
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
    written_by = snapshot_engine(found)
    if written_by != settings.engine:  # each engine opens only its own format
        raise NoSnapshot(
            f"snapshot {found.id} was loaded by the {written_by} engine and this run uses "
            f"{settings.engine}: set MATCHGATE_ENGINE={written_by}, or load the master again"
        )
    engine = EngineFactory(settings).engine_class(written_by)
    release = found.manifest.get("engine_version")
    if not engine.capabilities.opens_version(release, engine.version):
        raise NoSnapshot(
            f"snapshot {found.id} was indexed by {engine.label} {release}, this is "
            f"{engine.version}: load the master again (`matchgate master load FILE`)"
        )
    wanted = _snapshot_files(found, engine.capabilities)
    gone = [path.relative_to(found.path) for path in wanted if not path.is_file()]
    if gone:
        raise NoSnapshot(
            f"snapshot {found.id} is damaged ({gone[0]} is missing): load the master again "
            "(`matchgate master load FILE`), or probe another one with --snapshot"
        )
    return found


def disclosure_master(app: App) -> DisclosureMaster:
    """The host's current loaded snapshot, with the copy of the master a disclosure reads.

    NoSnapshot (a ConfigurationError) when none is loaded, or the current one keeps no copy (an
    update of a snapshot that kept none, or a damaged one): the host's operator then loads the
    whole master file with ``matchgate master load``.
    """
    if store.current(app.settings.workspace) is None:
        raise NoSnapshot(
            "no master is loaded on this host: the host's operator loads one with "
            "`matchgate master load FILE`"
        )
    snapshot = current_snapshot(app)
    master = _source_copy(snapshot)
    if master is None or not master.exists():
        raise NoSnapshot(
            f"the current master snapshot {snapshot.id} keeps no copy of the master file to "
            "disclose from (an update of a snapshot that kept none, or damaged): the host's "
            "operator loads the whole master file with `matchgate master load FILE`"
        )
    published = str(snapshot.manifest.get("published_at") or snapshot.manifest.get("created_at"))
    try:
        day = datetime.fromisoformat(published).astimezone(app.settings.zone).date()
    except ValueError:
        day = app.today()
    return DisclosureMaster(snapshot.id, master, day.isoformat())


def _keep_source(path: Path, building: store.Building) -> str:
    """Copy the master file (or folder) and the detail tables beside it into ``source/``,
    owner-only; the copy's name. A snapshot thus discloses what was loaded, whatever later
    happens to the files it was loaded from."""
    folder = building.path / SOURCE
    folder.mkdir(mode=0o700)
    for found in [path, *(detail_file(path.parent, table) for table in DETAIL_TABLES)]:
        target = None if found is None else folder / found.name
        if found is None or target is None or target.exists():
            continue
        if found.is_dir():
            shutil.copytree(found, target)
        else:
            shutil.copyfile(found, target)
            os.chmod(target, 0o600)
    return path.name


def _updated_source(
    engines: EngineFactory,
    parent: Snapshot,
    changes: Path,
    building: store.Building,
    settings: Settings,
) -> dict[str, str]:
    """The parent's ``source/`` copy with the change file applied, for the new snapshot (the
    manifest key naming it); nothing when the parent keeps none (it was refused for disclosure
    and its child is too, until the whole master is loaded again)."""
    master = _source_copy(parent)
    if master is None or not master.exists():
        return {}
    folder = building.path / SOURCE
    folder.mkdir(mode=0o700)
    engine = engines.create(building.path / SCRATCH / "source", name=DEFAULT_ENGINE)
    try:
        written = write_updated_source(
            engine, master, changes, folder, day=settings.today().isoformat()
        )
    finally:
        engine.close()
    for path in folder.iterdir():
        os.chmod(path, 0o600)
    return {SOURCE_KEY: written}


def _snapshot_files(snapshot: Snapshot, capabilities: EngineCapabilities) -> list[Path]:
    """The files a probe of ``snapshot`` opens by name: its database file and key indexes, for
    an engine that keeps them (a table folder is read whole, whatever files it holds)."""
    files = []
    if capabilities.snapshot_format is SnapshotFormat.DATABASE_FILE:
        files.append(snapshot.database)
    if capabilities.key_index_files:
        files += [path for name in MASTER_INDEXES for path in index_files(snapshot.indexes, name)]
    return files


def list_snapshots(app: App) -> list[tuple[Snapshot, bool]]:
    """Every snapshot, oldest first, with whether it is the current one."""
    workspace = app.settings.workspace
    now = store.current(workspace)
    return [(s, now is not None and s.id == now.id) for s in store.snapshots(workspace)]


def remove_snapshot(app: App, snapshot_id: str) -> None:
    with _writer_lock(app.settings):
        store.remove(app.settings.workspace, snapshot_id)


@contextlib.contextmanager
def open_snapshot(app: App, snapshot: Snapshot) -> Iterator[tuple[Engine, MasterStats]]:
    """An engine on ``snapshot`` (read-only; scratch files of its own, removed afterwards) and
    the figures of its master."""
    settings = app.settings
    run_dir = settings.workspace / "tmp" / f"probe-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    engine = EngineFactory(settings).create(
        run_dir, database=snapshot.database, read_only=True, name=snapshot_engine(snapshot)
    )
    capabilities = engine.capabilities
    indexes = snapshot.indexes if capabilities.key_index_files else None
    try:
        if capabilities.snapshot_format is SnapshotFormat.TABLE_FILES:
            _open_tables(engine, snapshot)
        yield (
            engine,
            MasterStats(
                snapshot.people,
                indexes,
                _term_frequencies(snapshot),
                earlier_addresses=_kept_addresses(engine, snapshot),
            ),
        )
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def _kept_addresses(engine: Engine, snapshot: Snapshot) -> str | None:
    """SQL selecting the ``addresses`` table kept in the snapshot's ``source/`` copy (earlier
    addresses), if it keeps one."""
    master = _source_copy(snapshot)
    return None if master is None else detail_source(engine, master.parent, "addresses")


def _source_copy(snapshot: Snapshot) -> Path | None:
    """The path the manifest names for the snapshot's ``source/`` copy of its master file
    (None when it names none; the copy may still be missing)."""
    name = snapshot.manifest.get(SOURCE_KEY)
    return snapshot.path / SOURCE / name if isinstance(name, str) else None


def snapshot_engine(snapshot: Snapshot) -> str:
    """The name of the engine that wrote ``snapshot`` (the one that can probe it)."""
    return str(snapshot.manifest.get("engine", DEFAULT_ENGINE))


def _stored_tables(term_frequencies: tuple[str, ...]) -> tuple[str, ...]:
    return (*INDEX_TABLES, *(TERM_FREQUENCY_PREFIX + c for c in term_frequencies))


def _term_frequencies(snapshot: Snapshot) -> tuple[str, ...]:
    return tuple(snapshot.manifest.get("term_frequencies", ()))


def _indexes(engine: Engine, building: store.Building) -> Path | None:
    """Where a load writes its key indexes: none for an engine whose blocks are joins."""
    return building.indexes if engine.capabilities.key_index_files else None


def _keep(engine: Engine, building: store.Building, stats: MasterStats, progress: Progress) -> None:
    """Make the built master durable in the building folder, in the engine's format."""
    if engine.capabilities.snapshot_format is SnapshotFormat.DATABASE_FILE:
        _database_file(engine).checkpoint()
        return
    names = _stored_tables(stats.term_frequencies)
    for done, name in enumerate(names):
        progress("write tables", done, len(names))
        _table_files(engine).save_table(name, building.path / store.TABLES / name)
    progress("write tables", len(names), len(names))


def _open_tables(engine: Engine, snapshot: Snapshot) -> None:
    """Read a snapshot's table files in place (lazily, on the executors)."""
    for name in _stored_tables(_term_frequencies(snapshot)):
        _table_files(engine).open_table(name, snapshot.path / store.TABLES / name)


def _table_files(engine: Engine) -> TableFiles:
    if not isinstance(engine, TableFiles):
        raise TypeError(f"the {engine.name} engine keeps no tables as files")
    return engine


def _database_file(engine: Engine) -> DatabaseFile:
    if not isinstance(engine, DatabaseFile):
        raise TypeError(f"the {engine.name} engine keeps no database file")
    return engine


@contextlib.contextmanager
def _store_engine(engines: EngineFactory, building: store.Building) -> Iterator[Engine]:
    """The configured engine a load or update builds with: on the snapshot's database file if
    its format is one, its scratch files in the building folder."""
    engine = engines.create(building.path / SCRATCH, database=building.database)
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
    engine: Engine,
    parent: str | None,
    changes: dict[str, int] | None,
) -> Snapshot:
    shutil.rmtree(building.path / SCRATCH, ignore_errors=True)
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parent": parent,
        "people": stats.people,
        "engine": engine.name,
        "engine_version": engine.version,
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
