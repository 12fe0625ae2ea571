"""Use cases of the data key ring: set it up, open it, rotate, re-encrypt, retire a key.

Rotation without downtime (docs/encryption.md):

1. ``rotate_data_keys`` adds a key and makes it current. From then on new values and files are
   sealed under it; everything already stored stays readable, because each ciphertext names the
   key version it is under and older keys stay in the ring.
2. The re-encryption pass (``reencrypt_data``, run by ``rotate`` unless told not to) moves every
   sealed row (one compare-and-set update per row) and every sealed file (header rewrap, or with
   ``full`` a fresh data key, replaced by rename) to the current key. It can be interrupted and
   run again; readers never see a half-moved value.
3. ``retire_data_key`` deletes an old key's secret, refused while anything is still under it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from matchgate.app.core import App
from matchgate.app.workfiles import maintenance_lock, seal_leftovers
from matchgate.storage import review
from matchgate.storage.atrest import (
    SUFFIX,
    DataKeyError,
    DataKeyRing,
    SealedDataError,
    add_current_key,
    create_ring,
    header_of,
    load_ring,
    reencrypt,
    retire_key,
    rewrap,
)
from matchgate.storage.atrest.registry import register_ring, registered_rings
from matchgate.storage.db import upgrade_schema

DEFAULT_KEY_FILE = Path("keys") / "data-keys.json"
_BATCH = 500


def data_key_file(app: App) -> Path:
    """``Settings.data_key_file``, else ``WORKSPACE/keys/data-keys.json``."""
    return (
        Path(app.settings.data_key_file)
        if app.settings.data_key_file
        else (app.settings.workspace / DEFAULT_KEY_FILE)
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class DataKeysInit:
    path: Path
    ring_id: str
    current: int
    created: bool


def _check_registered(app: App, ring: DataKeyRing) -> None:
    with app.unit_of_work() as s:
        known = registered_rings(s)
        if known and ring.ring_id not in known:
            raise DataKeyError(
                f"{ring.path}: this is not the key ring the store's data is sealed under "
                f"(ring {known[0][:8]}...); give the right MATCHGATE_DATA_KEY_FILE"
            )
        register_ring(s, ring.ring_id, _now())


def init_data_keys(app: App) -> DataKeysInit:
    """``keys init-data``: upgrade the store's schema (a first-run command), then create the
    ring if there is none (and the store names none); safe to run again."""
    upgrade_schema(app.store_url)
    return _init_ring(app)


def _init_ring(app: App) -> DataKeysInit:
    path = data_key_file(app)
    created = False
    if path.exists():
        ring = load_ring(path)
    else:
        with app.unit_of_work() as s:
            known = registered_rings(s)
        if known:
            raise DataKeyError(
                f"{path}: the data key ring is missing, and the store holds data sealed under "
                f"ring {known[0][:8]}...: restore the key file; a new ring could not read that "
                f"data"
            )
        ring = create_ring(path)
        created = True
    _check_registered(app, ring)
    return DataKeysInit(path, ring.ring_id, ring.current, created)


def open_data_keys(app: App) -> DataKeyRing:
    """The ring the store's data is under, created on first use in a new workspace."""
    _init_ring(app)
    return load_ring(data_key_file(app))


# --- what is sealed where -------------------------------------------------------------------


def sealed_files(app: App) -> Iterator[Path]:
    """Every sealed file matchgate keeps (submission folders)."""
    root = app.settings.workspace / "submissions"
    if root.is_dir():
        yield from sorted(root.glob(f"*/*{SUFFIX}"))


@dataclass(frozen=True)
class KeyUsage:
    """How many sealed rows and files are under each key version."""

    rows: dict[int, int]
    files: dict[int, int]
    unreadable_files: int = 0

    def under(self, version: int) -> int:
        return self.rows.get(version, 0) + self.files.get(version, 0)


def key_usage(app: App) -> KeyUsage:
    with app.unit_of_work() as s:
        rows = review.count_by_key(s)
    files: Counter[int] = Counter()
    unreadable = 0
    for path in sealed_files(app):
        try:
            files[header_of(path).key_version] += 1
        except (SealedDataError, OSError):
            unreadable += 1
    return KeyUsage(dict(rows), dict(files), unreadable)


# --- rotation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reencryption:
    """What a re-encryption pass did and what is left under each key."""

    current: int
    rows_moved: int
    files_moved: int
    usage: KeyUsage
    failures: list[str] = field(default_factory=list)
    plaintext_sealed: int = 0


def reencrypt_data(app: App, *, full: bool = False) -> Reencryption:
    """Move every sealed row and file to the current key (see the module docstring); seal any
    plaintext file a version before encryption at rest kept."""
    with maintenance_lock(app.settings):
        return _reencrypt(app, full=full)


def _reencrypt(app: App, *, full: bool) -> Reencryption:
    ring = open_data_keys(app)
    sealed_now = seal_leftovers(ring, app.settings)
    current = ring.current
    moved_rows = 0
    while True:
        with app.unit_of_work() as s:
            ids = review.ids_not_under(s, current, _BATCH)
        if not ids:
            break
        progress = 0
        for item_id in ids:
            with app.unit_of_work() as s:
                if review.move_to_key(s, ring, item_id, current):
                    progress += 1
        moved_rows += progress
        if progress == 0:
            break  # rows changing under us; the next pass picks them up
    moved_files = 0
    failures: list[str] = []
    for path in sealed_files(app):
        try:
            if full:
                reencrypt(ring, path)  # a fresh data key even for files already under current
                moved_files += 1
            elif rewrap(ring, path):
                moved_files += 1
        except (SealedDataError, DataKeyError, OSError) as exc:
            failures.append(f"{path.name} in {path.parent.name}: {type(exc).__name__}")
    return Reencryption(current, moved_rows, moved_files, key_usage(app), failures, sealed_now)


@dataclass(frozen=True)
class Rotation:
    previous: int
    current: int
    reencryption: Reencryption | None


def rotate_data_keys(app: App, *, reencrypt_now: bool = True, full: bool = False) -> Rotation:
    """Add a key and make it current; then (unless told not to) run the re-encryption pass."""
    ring = open_data_keys(app)
    fresh = add_current_key(ring.path)
    done = reencrypt_data(app, full=full) if reencrypt_now else None
    return Rotation(ring.current, fresh.current, done)


def retire_data_key(app: App, version: int) -> KeyUsage:
    """Delete key ``version``'s secret; refused while any row or file is still under it."""
    ring = open_data_keys(app)
    if version == ring.current:
        raise DataKeyError(f"key version {version} is the current key; rotate first")
    usage = key_usage(app)
    if usage.unreadable_files:
        raise DataKeyError(
            f"{usage.unreadable_files} sealed file(s) cannot be read; a retired key might be "
            f"the only one that opens them; fix or remove them first"
        )
    if usage.under(version):
        raise DataKeyError(
            f"{usage.rows.get(version, 0)} row(s) and {usage.files.get(version, 0)} file(s) are "
            f"still under key version {version}: run `matchgate keys reencrypt-data` first"
        )
    retire_key(ring.path, version)
    return usage


@dataclass(frozen=True)
class KeyStatus:
    version: int
    created: str
    retired: str | None
    current: bool
    rows: int
    files: int


def data_key_status(app: App) -> tuple[DataKeyRing, list[KeyStatus], KeyUsage]:
    """The ring's keys (never their secrets) with what is sealed under each."""
    ring = open_data_keys(app)
    usage = key_usage(app)
    listed = [
        KeyStatus(
            k.version,
            k.created,
            k.retired,
            k.version == ring.current,
            usage.rows.get(k.version, 0),
            usage.files.get(k.version, 0),
        )
        for k in sorted(ring.keys, key=lambda k: k.version)
    ]
    return ring, listed, usage
