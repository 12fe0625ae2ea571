"""The loaded master store: immutable snapshots under ``<workspace>/master``.

::

    master/
      CURRENT                the id of the snapshot ``matchgate match`` probes (replaced atomically)
      snapshots/<id>/        one per load or update; never changed once published
        manifest.json        id, parent, when, source file (name, bytes, SHA-256), people, changes
        master.duckdb        standardized master, blocking keys and term frequencies
        indexes/             sorted key indexes a probe searches (matching.key_index)
        tables/<table>/      instead of both, loaded by Spark: each table as Parquet files
      building/<id>/         a load or update in progress: never read by a match, removed on failure

A load or update builds a whole new snapshot in ``building/`` and publishes it by two renames
(the folder into ``snapshots/``, then ``CURRENT``), so an interrupted run leaves the previous
snapshot current and intact, and a match already running keeps reading the snapshot it opened.
Old snapshots stay until pruned, so a job can be re-run against the snapshot its output names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matchgate.atomic import atomic_path
from matchgate.domain.errors import ConfigurationError
from matchgate.domain.personal import looks_personal

DATABASE = "master.duckdb"
INDEXES = "indexes"
TABLES = "tables"
MANIFEST = "manifest.json"
_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


class NoSnapshot(ConfigurationError):
    """No master is loaded, or the named snapshot does not exist."""

    code = "E_NO_SNAPSHOT"


@dataclass(frozen=True)
class Building:
    """A snapshot being built: its id and private folder."""

    id: str
    path: Path

    @property
    def database(self) -> Path:
        return self.path / DATABASE

    @property
    def indexes(self) -> Path:
        return self.path / INDEXES


@dataclass(frozen=True)
class Snapshot(Building):
    """A published snapshot: its folder and manifest."""

    manifest: dict[str, Any]

    @property
    def people(self) -> int:
        return int(self.manifest.get("people", 0))


def root(workspace: Path) -> Path:
    return workspace / "master"


def begin(workspace: Path, now: datetime | None = None) -> Building:
    """A new, empty building folder (owner-only) with a fresh snapshot id."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    snapshot_id = f"{stamp}-{uuid.uuid4().hex[:8]}"
    # The id is written to audit events, which refuse text shaped like an SSN or A-number: a
    # suffix such as ``a3017236`` (one in about 430) would make every event naming it fail.
    while looks_personal(snapshot_id):
        snapshot_id = f"{stamp}-{uuid.uuid4().hex[:8]}"
    path = root(workspace) / "building" / snapshot_id
    path.mkdir(parents=True, mode=0o700)
    return Building(snapshot_id, path)


def discard(building: Building) -> None:
    shutil.rmtree(building.path, ignore_errors=True)


def publish(workspace: Path, building: Building, manifest: dict[str, Any]) -> Snapshot:
    """Write the manifest, move the folder into ``snapshots/`` and make it current."""
    # Ids carry the second only: a load and an update can fall in the same second (a small
    # master loads in well under one), so the listing orders by this finer stamp.
    manifest = {
        "id": building.id,
        "published_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        **manifest,
    }
    with atomic_path(building.path / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    target = root(workspace) / "snapshots" / building.id
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(building.path, target)
    _fsync_dir(target.parent)
    with atomic_path(root(workspace) / "CURRENT") as tmp:
        tmp.write_text(building.id + "\n", encoding="ascii")
    return Snapshot(building.id, target, manifest)


def current(workspace: Path) -> Snapshot | None:
    """The snapshot ``CURRENT`` names, or None when no master was ever loaded."""
    pointer = root(workspace) / "CURRENT"
    if not pointer.is_file():
        return None
    return get(workspace, pointer.read_text(encoding="ascii").strip())


def get(workspace: Path, snapshot_id: str) -> Snapshot:
    """A published snapshot by id (:class:`NoSnapshot` when there is none)."""
    if not _ID.match(snapshot_id):
        raise NoSnapshot(f"{snapshot_id!r} is not a snapshot id (see `matchgate master list`)")
    path = root(workspace) / "snapshots" / snapshot_id
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoSnapshot(f"no master snapshot {snapshot_id} in this workspace") from None
    return Snapshot(snapshot_id, path, manifest)


def snapshots(workspace: Path) -> Iterator[Snapshot]:
    """Every published snapshot, oldest first (by publication; snapshots published before the
    manifest recorded it come first, in id order)."""
    folder = root(workspace) / "snapshots"
    if not folder.is_dir():
        return
    found = [
        get(workspace, path.name)
        for path in folder.iterdir()
        if _ID.match(path.name) and (path / MANIFEST).is_file()
    ]
    yield from sorted(found, key=lambda s: (str(s.manifest.get("published_at", "")), s.id))


def remove(workspace: Path, snapshot_id: str) -> None:
    """Delete a snapshot that is not current."""
    snapshot = get(workspace, snapshot_id)
    now = current(workspace)
    if now is not None and now.id == snapshot.id:
        raise NoSnapshot(f"snapshot {snapshot_id} is current; load or update another first")
    shutil.rmtree(snapshot.path)


def clear_abandoned(workspace: Path) -> int:
    """Remove building folders left by interrupted runs; returns how many."""
    folder = root(workspace) / "building"
    if not folder.is_dir():
        return 0
    gone = 0
    for path in folder.iterdir():
        shutil.rmtree(path, ignore_errors=True)
        gone += 1
    return gone


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
