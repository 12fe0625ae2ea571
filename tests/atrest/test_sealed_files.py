"""Sealed files: chunked AES-256-GCM under a wrapped per-file key, bound to job and role."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from matchgate.storage.atrest import (
    DataKeyError,
    DataKeyRing,
    SealedDataError,
    add_current_key,
    create_ring,
    header_of,
    load_ring,
    open_stream,
    reencrypt,
    retire_key,
    rewrap,
    seal_stream,
)
from matchgate.storage.atrest.files import MIN_CHUNK, TAG

CONTEXT = "submission/" + "a" * 32 + "/request"
LINE = b"R1,Olive,M,Tremont,123456789,,1961-04-12\n"  # synthetic


@pytest.fixture
def ring(tmp_path: Path) -> DataKeyRing:
    return create_ring(tmp_path / "ring.json")


def _seal(ring: DataKeyRing, data: bytes, target: Path, chunk: int = MIN_CHUNK) -> Path:
    sealed = seal_stream(ring, io.BytesIO(data), target, context=CONTEXT, chunk_size=chunk)
    assert sealed.sha256 == hashlib.sha256(data).hexdigest()
    assert sealed.plain_bytes == len(data)
    return target


def _open(ring: DataKeyRing, path: Path, context: str = CONTEXT) -> bytes:
    out = io.BytesIO()
    open_stream(ring, path, out, context=context)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, MIN_CHUNK - 1, MIN_CHUNK, 3 * MIN_CHUNK, 3 * MIN_CHUNK + 7])
def test_round_trip_at_every_chunk_boundary(ring: DataKeyRing, tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = _seal(ring, data, tmp_path / "f.mgr")
    assert _open(ring, path) == data
    assert oct(path.stat().st_mode & 0o777) == oct(0o400)


def test_the_clear_bytes_are_not_in_the_sealed_file(ring: DataKeyRing, tmp_path: Path) -> None:
    data = LINE * 500
    path = _seal(ring, data, tmp_path / "f.mgr")
    raw = path.read_bytes()
    for needle in (b"123456789", b"Tremont", b"1961-04-12"):
        assert needle not in raw


def test_a_file_presented_as_another_job_or_role_is_refused(
    ring: DataKeyRing, tmp_path: Path
) -> None:
    path = _seal(ring, LINE, tmp_path / "f.mgr")
    with pytest.raises(SealedDataError, match="belongs to"):
        _open(ring, path, context="submission/" + "b" * 32 + "/request")
    with pytest.raises(SealedDataError, match="belongs to"):
        _open(ring, path, context=CONTEXT.replace("request", "match"))


def test_header_context_rewritten_to_match_is_caught_by_the_key_wrap(
    ring: DataKeyRing, tmp_path: Path
) -> None:
    path = _seal(ring, LINE, tmp_path / "f.mgr")
    raw = bytearray(path.read_bytes())
    start = raw.index(b"aaaa")
    raw[start] = ord("b")
    forged = tmp_path / "forged.mgr"
    forged.write_bytes(bytes(raw))
    with pytest.raises(SealedDataError, match="does not unwrap"):
        _open(ring, forged, context=CONTEXT.replace("/" + "a" * 32, "/b" + "a" * 31))


@pytest.mark.parametrize("damage", ["flip", "cut_at_chunk", "drop_tail", "swap_chunks", "append"])
def test_tampering_is_detected(ring: DataKeyRing, tmp_path: Path, damage: str) -> None:
    data = os.urandom(3 * MIN_CHUNK + 100)
    path = _seal(ring, data, tmp_path / "f.mgr")
    raw = bytearray(path.read_bytes())
    body = header_of(path).size
    size = MIN_CHUNK + TAG
    if damage == "flip":
        raw[body + 5] ^= 1
    elif damage == "cut_at_chunk":
        raw = raw[: body + 2 * size]
    elif damage == "drop_tail":
        raw = raw[:-1]
    elif damage == "swap_chunks":
        first, second = raw[body : body + size], raw[body + size : body + 2 * size]
        raw[body : body + 2 * size] = second + first
    else:
        raw += b"\x00" * 20
    bad = tmp_path / "bad.mgr"
    bad.write_bytes(bytes(raw))
    with pytest.raises(SealedDataError):
        _open(ring, bad)


def test_rewrap_moves_the_header_only_and_old_readers_keep_reading(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    ring = create_ring(path)
    data = os.urandom(2 * MIN_CHUNK + 3)
    sealed = _seal(ring, data, tmp_path / "f.mgr")
    body_before = sealed.read_bytes()[header_of(sealed).size :]
    reader = sealed.open("rb")  # a reader that opened the file before the rotation
    new_ring = add_current_key(path)
    assert rewrap(new_ring, sealed)
    assert not rewrap(new_ring, sealed)  # already under the current key
    assert header_of(sealed).key_version == 2
    assert sealed.read_bytes()[header_of(sealed).size :] == body_before
    assert oct(sealed.stat().st_mode & 0o777) == oct(0o400)
    assert reader.read() != sealed.read_bytes()  # it still holds the old file...
    reader.close()
    assert _open(ring, sealed) == data  # ...and a stale ring snapshot reloads the new key
    retire_key(path, 1)
    assert _open(load_ring(path), sealed) == data


def test_full_reencryption_replaces_the_data_key(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    ring = create_ring(path)
    data = os.urandom(MIN_CHUNK * 2)
    sealed = _seal(ring, data, tmp_path / "f.mgr")
    before = sealed.read_bytes()
    new_ring = add_current_key(path)
    reencrypt(new_ring, sealed)
    after = sealed.read_bytes()
    assert header_of(sealed).key_version == 2
    assert before[-100:] != after[-100:]  # a fresh data key: different ciphertext
    retire_key(path, 1)
    assert _open(load_ring(path), sealed) == data


def test_a_file_under_a_retired_key_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    ring = create_ring(path)
    sealed = _seal(ring, LINE, tmp_path / "f.mgr")
    add_current_key(path)
    retire_key(path, 1)
    with pytest.raises(DataKeyError, match="retired"):
        _open(load_ring(path), sealed)
