"""The sorted key index finds exactly the pairs a brute-force comparison finds."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from matchgate.matching import key_index
from matchgate.matching.key_index import probe, write_index


def _index(folder: Path, keys: np.ndarray, pids: np.ndarray) -> None:
    order = np.argsort(keys, kind="stable")
    batch = pa.record_batch([pa.array(keys[order]), pa.array(pids[order])], names=["h", "pid"])
    write_index(folder, "x", len(keys), iter([batch]))


def _brute(keys, pids, rid, key, cap):  # type: ignore[no-untyped-def]
    pairs = set()
    for r, k in zip(rid.tolist(), key.tolist(), strict=True):
        hits = [int(p) for p, h in zip(pids.tolist(), keys.tolist(), strict=True) if h == k]
        if hits and (cap is None or len(hits) <= cap):
            pairs.update((r, p, len(hits)) for p in hits)
    return pairs


@pytest.mark.parametrize("fence_step", [1, 4, 7, 256])
@pytest.mark.parametrize("probes", [40, 304])
@pytest.mark.parametrize("cap", [None, 1, 3])
def test_probe_finds_what_brute_force_finds(
    tmp_path: Path, cap: int | None, probes: int, fence_step: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys shared by entries on both sides of a fence, at the very start and end, absent ones
    between fences and beyond the last; fewer probe keys than fences (searched through them) and
    more (searched plainly)."""
    monkeypatch.setattr(key_index, "FENCE_STEP", fence_step)
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 60, 400).astype(np.uint64)  # keys shared by several entries
    keys[:3] = np.iinfo(np.uint64).max  # the largest key value, at the end of the index
    keys[3:13] = np.arange(100, 110)  # keys of one entry each
    pids = np.arange(400, dtype=np.int64) * 10
    _index(tmp_path, keys, pids)
    edges = np.array([0, 100, 100, np.iinfo(np.uint64).max], np.uint64)
    key = np.concatenate([edges, rng.integers(0, 120, 300).astype(np.uint64)])[:probes]
    rid = rng.integers(0, 50, len(key)).astype(np.int64)
    found = probe(tmp_path, "x", rid, key, cap)
    got = list(zip(found.rid.tolist(), found.pid.tolist(), found.size.tolist(), strict=True))
    assert set(got) == _brute(keys, pids, rid, key, cap)
    assert got  # the data is built so that keys meet


def test_probe_of_keys_that_are_all_absent_finds_nothing(tmp_path: Path) -> None:
    _index(tmp_path, np.array([5, 5, 9], np.uint64), np.array([1, 2, 3], np.int64))
    found = probe(tmp_path, "x", np.array([0, 1]), np.array([4, 10], np.uint64), None)
    assert len(found.pid) == 0


def test_an_index_without_fences_is_still_read(tmp_path: Path) -> None:
    """Snapshots written before the fences have only the keys and the pids."""
    keys = np.array([3, 5, 5, 5, 9, 12], np.uint64)
    pids = np.array([10, 20, 21, 22, 30, 40], np.int64)
    np.save(tmp_path / "x.h.npy", keys)
    np.save(tmp_path / "x.pid.npy", pids)
    found = probe(tmp_path, "x", np.array([0, 1, 2]), np.array([5, 4, 12], np.uint64), None)
    got = set(zip(found.rid.tolist(), found.pid.tolist(), found.size.tolist(), strict=True))
    assert got == {(0, 20, 3), (0, 21, 3), (0, 22, 3), (2, 40, 1)}


def test_fences_hold_every_page_first_key(tmp_path: Path) -> None:
    keys = np.sort(np.random.default_rng(1).integers(0, 10**6, 1000).astype(np.uint64))
    _index(tmp_path, keys, np.arange(1000, dtype=np.int64))
    fences = np.load(tmp_path / f"x.fence-{key_index.FENCE_STEP}.npy")
    assert fences.tolist() == keys[:: key_index.FENCE_STEP].tolist()
    assert len(fences) == -(-1000 // key_index.FENCE_STEP)
