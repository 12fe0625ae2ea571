"""Sorted key indexes on disk: how a request file probes a master of any size.

Each index is two aligned arrays in ``.npy`` files: the 64-bit keys of one kind of block (an SSN,
an A-number, or the hash of a blocking-key tuple such as surname key + date of birth), sorted, and
the internal ``pid`` of the person each entry belongs to; and a small third one of *fences*, the
key of every :data:`FENCE_STEP`-th entry. A probe is a binary search per request key on the memory
map of the keys, so finding candidates reads a few pages per key whatever the master's size, and
the size of the block (how many master people share the key, for the block caps) is the width of
the range found, free. A plain binary search touches a page at every level, though: with a few
hundred thousand keys per block against a 100M-person master, nearly every page of an index
larger than the page cache. So a probe with fewer keys than the index has fences finds each key's
stretch of :data:`FENCE_STEP` entries among the fences (in memory) and searches that stretch
alone: one or two pages per key (measured on a cold cache: 0.21 s instead of 1.97 s for the
307,000 first-name keys of a 50,000-row file). A probe with more keys than fences (the one-edit
variants of every SSN) touches every page anyway and keeps the plain search.

The arrays are written once, when the master is indexed (a load, an update, or a one-shot run's
own index), by streaming the engine's sorted query result into the files: the master is never
held in memory. Tuple hashes are DuckDB's ``hash()`` over explicitly typed values, computed by the
same engine on both sides; the manifest of a stored master records the engine version, since
another version may hash differently. Two distinct tuples sharing a 64-bit hash would only add a
candidate to score (a chance of about one in ten thousand per 50,000-request file against a
100M-person master), never drop one. An index written before the fences is searched plainly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Keys = npt.NDArray[np.uint64]
Pids = npt.NDArray[np.int64]

FENCE_STEP = 256
"""Entries per fence (half a 4 KiB page of keys). Part of the fence file's name, so an index
written with another step is searched plainly rather than wrongly."""


@dataclass(frozen=True)
class Probe:
    """Result of probing an index with request keys: one row per (request, master person)."""

    rid: npt.NDArray[np.int64]
    pid: Pids
    size: npt.NDArray[np.int64]
    """How many master entries share the pair's key (the block's size)."""


def index_files(folder: Path, name: str) -> tuple[Path, Path]:
    """The files index ``name`` cannot be probed without (its keys and its pids)."""
    return folder / f"{name}.h.npy", folder / f"{name}.pid.npy"


def _fence_file(folder: Path, name: str) -> Path:
    return folder / f"{name}.fence-{FENCE_STEP}.npy"


def write_index(folder: Path, name: str, count: int, batches: Iterator[pa.RecordBatch]) -> None:
    """Write index ``name`` from ``count`` rows of ``(h, pid)`` batches already sorted by ``h``."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = np.lib.format.open_memmap(
        folder / f"{name}.h.npy", mode="w+", dtype=np.uint64, shape=(count,)
    )
    pids = np.lib.format.open_memmap(
        folder / f"{name}.pid.npy", mode="w+", dtype=np.int64, shape=(count,)
    )
    at = 0
    for batch in batches:
        n = batch.num_rows
        keys[at : at + n] = batch.column(0).to_numpy(zero_copy_only=False).astype(np.uint64)
        pids[at : at + n] = batch.column(1).to_numpy(zero_copy_only=False).astype(np.int64)
        at += n
    if at != count:
        raise ValueError(f"index {name}: expected {count} rows, got {at}")
    if count > 1 and bool(np.any(keys[1:] < keys[:-1])):
        raise ValueError(f"index {name}: keys are not sorted")
    np.save(_fence_file(folder, name), np.ascontiguousarray(keys[::FENCE_STEP]))
    keys.flush()
    pids.flush()
    del keys, pids


def _search(keys: Keys, fences: Keys | None, key: Keys, side: str) -> npt.NDArray[np.int64]:
    """:func:`numpy.searchsorted` of the sorted ``key`` in ``keys``; through the fences when
    there are fewer keys than fences (see the module docstring)."""
    if fences is None or len(key) >= len(fences):
        found: npt.NDArray[np.int64] = np.searchsorted(keys, key, side=side)  # type: ignore[call-overload]
        return found
    # The last fence below (left) or at most (right) the key starts the stretch holding the
    # answer, or the answer is the stretch's end; none: the answer is 0.
    stretch = np.searchsorted(fences, key, side=side) - 1  # type: ignore[call-overload]
    lo = np.maximum(stretch, 0) * FENCE_STEP
    hi = np.where(stretch < 0, 0, np.minimum(lo + FENCE_STEP, len(keys)))
    lo = np.where(stretch < 0, 0, lo)
    while (active := lo < hi).any():  # a binary search in every stretch at once
        mid = (lo + hi) // 2
        value = keys[np.minimum(mid, len(keys) - 1)]
        below = value < key if side == "left" else value <= key
        lo = np.where(active & below, mid + 1, lo)
        hi = np.where(active & ~below, mid, hi)
    result: npt.NDArray[np.int64] = lo.astype(np.int64)
    return result


def probe(folder: Path, name: str, rid: npt.NDArray[np.int64], key: Keys, cap: int | None) -> Probe:
    """Master people whose entry in index ``name`` equals each request key.

    ``cap`` skips a key shared by more than that many entries (None: no cap). Pairs come out
    grouped by request key, in key order.
    """
    keys_file, pids_file = index_files(folder, name)
    keys: Keys = np.load(keys_file, mmap_mode="r")
    fence_file = _fence_file(folder, name)
    fences: Keys | None = np.load(fence_file) if fence_file.is_file() else None
    if len(key) == 0 or len(keys) == 0:
        return Probe(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    # Sorted probes walk the memory map forward: the searches, and then the reads of the pids,
    # which come out in key order (random reads took half of a probe at 100M people).
    order = np.argsort(key, kind="stable")
    key, rid = key[order], rid[order]
    lo = _search(keys, fences, key, "left")
    # Only a key that is present needs the second search for its right edge: most request keys
    # of some blocks are absent (nearly all one-edit variants of an SSN).
    present = keys[np.minimum(lo, len(keys) - 1)] == key
    hi = lo.copy()
    hi[present] = _search(keys, fences, key[present], "right")
    del keys  # unmapped before the pids are read: the two maps' pages are not resident at once
    width = hi - lo
    keep = width > 0 if cap is None else (width > 0) & (width <= cap)
    lo, width, rid = lo[keep], width[keep], rid[keep]
    total = int(width.sum())
    if total == 0:
        return Probe(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    # Positions lo[i], lo[i]+1, ..., lo[i]+width[i]-1 for every kept key, vectorized.
    starts = np.repeat(lo - np.cumsum(width) + width, width)
    positions = starts + np.arange(total, dtype=np.int64)
    pids: Pids = np.load(pids_file, mmap_mode="r")
    found = np.asarray(pids[positions], dtype=np.int64)
    del pids
    return Probe(np.repeat(rid, width), found, np.repeat(width, width))
