"""Sorted key indexes on disk: how a request file probes a master of any size.

Each index is two aligned arrays in ``.npy`` files: the 64-bit keys of one kind of block (an SSN,
an A-number, or the hash of a blocking-key tuple such as surname key + date of birth), sorted, and
the internal ``pid`` of the person each entry belongs to. A probe is a binary search per request
key (:func:`numpy.searchsorted` on a memory map), so it touches a few pages per key whatever the
master's size, and the size of the block (how many master people share the key, for the block
caps) is the width of the range found, free.

The arrays are written once, when the master is indexed (a load, an update, or a one-shot run's
own index), by streaming the engine's sorted query result into the files: the master is never
held in memory. Tuple hashes are DuckDB's ``hash()`` over explicitly typed values, computed by the
same engine on both sides; the manifest of a stored master records the engine version, since
another version may hash differently. Two distinct tuples sharing a 64-bit hash would only add a
candidate to score (a chance of about one in ten thousand per 50,000-request file against a
100M-person master), never drop one.
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


@dataclass(frozen=True)
class Probe:
    """Result of probing an index with request keys: one row per (request, master person)."""

    rid: npt.NDArray[np.int64]
    pid: Pids
    size: npt.NDArray[np.int64]
    """How many master entries share the pair's key (the block's size)."""


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
    keys.flush()
    pids.flush()
    del keys, pids


def probe(folder: Path, name: str, rid: npt.NDArray[np.int64], key: Keys, cap: int | None) -> Probe:
    """Master people whose entry in index ``name`` equals each request key.

    ``cap`` skips a key shared by more than that many entries (None: no cap). Pairs come out
    grouped by request key, in key order.
    """
    keys: Keys = np.load(folder / f"{name}.h.npy", mmap_mode="r")
    if len(key) == 0 or len(keys) == 0:
        return Probe(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    # Sorted probes walk the memory maps forward: the binary searches, and then the reads of the
    # pids, which come out in key order (random reads took half of a probe at 100M people).
    order = np.argsort(key, kind="stable")
    key, rid = key[order], rid[order]
    lo = np.searchsorted(keys, key, side="left")
    # Only a key that is present needs the second search for its right edge: most request keys
    # of some blocks are absent (nearly all one-edit variants of an SSN).
    present = keys[np.minimum(lo, len(keys) - 1)] == key
    hi = lo.copy()
    hi[present] = np.searchsorted(keys, key[present], side="right")
    del keys
    width = hi - lo
    keep = width > 0 if cap is None else (width > 0) & (width <= cap)
    lo, width, rid = lo[keep], width[keep], rid[keep]
    total = int(width.sum())
    if total == 0:
        return Probe(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    # Positions lo[i], lo[i]+1, ..., lo[i]+width[i]-1 for every kept key, vectorized.
    starts = np.repeat(lo - np.cumsum(width) + width, width)
    positions = starts + np.arange(total, dtype=np.int64)
    pids: Pids = np.load(folder / f"{name}.pid.npy", mmap_mode="r")
    found = np.asarray(pids[positions], dtype=np.int64)
    del pids
    return Probe(np.repeat(rid, width), found, np.repeat(width, width))
