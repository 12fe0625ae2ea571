"""The data key ring: versioned 256-bit keys that encrypt personal identifiers at rest.

The ring is a JSON file, owner-only (``0600``), kept outside the operational store::

    {"format": "matchgate-data-keys", "version": 1, "ring_id": "<32 hex>", "current": 2,
     "keys": [{"version": 1, "created": "...Z", "retired": "...Z"},
              {"version": 2, "created": "...Z", "secret": "<64 hex>"}]}

Each ciphertext carries the version of the key that made it, so every value stays readable
while a rotation is under way: new writes use ``current``, reads use the version stored with the
value, and a re-encryption pass moves old values to the current key. A key is *retired* by
deleting its secret (the entry stays, so an old ciphertext is refused by name, not as garbage);
that is allowed only once nothing is encrypted under it any more (checked by the caller).

A key version is never used directly: HKDF-SHA256 derives one subkey per purpose (field
encryption, lookup HMACs, file key wrapping), so a value's lookup HMAC reveals nothing about the
key that encrypts it. ``ring_id`` names the ring; the store records it, so a missing or wrong key
file is refused instead of silently starting a new ring beside data it cannot read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from matchgate.domain.errors import ConfigurationError, MatchgateError

FORMAT = "matchgate-data-keys"
FORMAT_VERSION = 1
KEY_BYTES = 32
MAX_VERSION = 2**31 - 1
_MAX_FILE = 1 << 20

PURPOSE_FIELD = "field-encryption"
PURPOSE_LOOKUP = "field-lookup"
PURPOSE_FILE = "file-key-wrap"
PURPOSES = (PURPOSE_FIELD, PURPOSE_LOOKUP, PURPOSE_FILE)

E_DATA_KEY = "E_DATA_KEY"
E_SEALED_DATA = "E_SEALED_DATA"


class DataKeyError(ConfigurationError):
    """The data key ring is missing, unreadable, too open, or lacks a key a value needs."""

    code = E_DATA_KEY


class SealedDataError(MatchgateError):
    """An encrypted value or file does not decrypt: tampered, moved, or under a wrong key.

    The message names the table, column and row (or the file and role), never a value.
    """

    code = E_SEALED_DATA


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DataKey:
    """One key version; ``secret`` is None once retired. Its repr never shows the secret."""

    version: int
    created: str
    secret: bytes | None = field(default=None, repr=False)
    retired: str | None = None

    def subkey(self, purpose: str) -> bytes:
        """The 256-bit subkey of this version for one purpose (HKDF-SHA256)."""
        if self.secret is None:
            raise DataKeyError(
                f"data key version {self.version} was retired; what it encrypted cannot be read"
            )
        if purpose not in PURPOSES:
            raise ValueError(f"unknown key purpose {purpose!r}")
        info = f"matchgate-data/1|{purpose}|v{self.version}".encode("ascii")
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(self.secret)


@dataclass(frozen=True)
class DataKeyRing:
    """The ring as read from its file: an immutable snapshot (reload to see a rotation)."""

    path: Path
    ring_id: str
    current: int
    keys: tuple[DataKey, ...]

    def key(self, version: int) -> DataKey:
        """Key ``version``; re-reads the file once if another process added it since."""
        for key in self.keys:
            if key.version == version:
                return key
        fresh = load_ring(self.path)
        for key in fresh.keys:
            if key.version == version and fresh.ring_id == self.ring_id:
                return key
        raise DataKeyError(f"{self.path}: no data key version {version} in this ring")

    @property
    def current_key(self) -> DataKey:
        return self.key(self.current)

    @property
    def live(self) -> tuple[DataKey, ...]:
        """Keys that can still decrypt (not retired), newest first."""
        return tuple(
            sorted((k for k in self.keys if k.secret is not None), key=lambda k: -k.version)
        )


def _document(ring_id: str, current: int, keys: tuple[DataKey, ...]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for key in sorted(keys, key=lambda k: k.version):
        entry: dict[str, Any] = {"version": key.version, "created": key.created}
        if key.secret is not None:
            entry["secret"] = key.secret.hex()
        if key.retired is not None:
            entry["retired"] = key.retired
        entries.append(entry)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "ring_id": ring_id,
        "current": current,
        "keys": entries,
    }


def _write(path: Path, ring_id: str, current: int, keys: tuple[DataKey, ...]) -> DataKeyRing:
    """Replace the ring file atomically (owner-only temp file, fsync, rename, fsync folder)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = json.dumps(_document(ring_id, current, keys), indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return DataKeyRing(path, ring_id, current, keys)


def _new_key(version: int) -> DataKey:
    return DataKey(version=version, created=_now(), secret=secrets.token_bytes(KEY_BYTES))


def create_ring(path: Path) -> DataKeyRing:
    """Create a ring with one key (version 1); refuses to replace an existing file."""
    if path.exists():
        raise DataKeyError(f"{path}: already exists; not replacing a data key ring")
    return _write(path, secrets.token_hex(16), 1, (_new_key(1),))


def _bad(path: Path, why: str) -> DataKeyError:
    return DataKeyError(f"{path}: {why}")


def _parse_key(path: Path, raw: object) -> DataKey:
    if not isinstance(raw, dict):
        raise _bad(path, "a key entry is not an object")
    version = raw.get("version")
    created = raw.get("created")
    secret = raw.get("secret")
    retired = raw.get("retired")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise _bad(path, "a key version is not a positive whole number")
    if not isinstance(created, str) or (retired is not None and not isinstance(retired, str)):
        raise _bad(path, f"key version {version} has no valid dates")
    if secret is None and retired is None:
        raise _bad(path, f"key version {version} has neither a secret nor a retirement date")
    value: bytes | None = None
    if secret is not None:
        try:
            value = bytes.fromhex(secret) if isinstance(secret, str) else b""
        except ValueError:
            value = b""
        if len(value) != KEY_BYTES:
            raise _bad(path, f"key version {version} is not {KEY_BYTES} bytes of hex")
    return DataKey(version=version, created=created, secret=value, retired=retired)


def load_ring(path: Path) -> DataKeyRing:
    """Read the ring; refuse a file others can read, or one that is not a well-formed ring."""
    try:
        info = path.stat()
        if info.st_size > _MAX_FILE:
            raise _bad(path, "too large to be a data key ring")
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise _bad(path, "no data key ring (run `matchgate keys init-data`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise _bad(path, f"cannot read the data key ring ({reason})") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise _bad(path, "readable by others; make it owner-only (chmod 600)")
    try:
        doc = json.loads(text)
    except ValueError:
        raise _bad(path, "not JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(path, "not a matchgate data key ring")
    if doc.get("version") != FORMAT_VERSION:
        raise _bad(path, f"data key ring format version {doc.get('version')!r} is not supported")
    ring_id, current, raw_keys = doc.get("ring_id"), doc.get("current"), doc.get("keys")
    if not isinstance(ring_id, str) or len(ring_id) != 32:
        raise _bad(path, "the ring id is missing")
    if not isinstance(raw_keys, list) or not raw_keys:
        raise _bad(path, "the ring holds no keys")
    keys = tuple(_parse_key(path, raw) for raw in raw_keys)
    versions = [k.version for k in keys]
    if len(set(versions)) != len(versions):
        raise _bad(path, "a key version is repeated")
    live = {k.version for k in keys if k.secret is not None}
    if not isinstance(current, int) or current not in live:
        raise _bad(path, "the current key is missing or retired")
    return DataKeyRing(path, ring_id, current, keys)


def add_current_key(path: Path) -> DataKeyRing:
    """Add a new key version and make it current; older keys stay for decryption."""
    ring = load_ring(path)
    version = max(k.version for k in ring.keys) + 1
    if version > MAX_VERSION:
        raise _bad(path, "no key version left")
    return _write(path, ring.ring_id, version, (*ring.keys, _new_key(version)))


def retire_key(path: Path, version: int) -> DataKeyRing:
    """Delete the secret of key ``version`` (not the current one). The caller has checked that
    nothing is still encrypted under it; afterwards nothing encrypted under it can be read."""
    ring = load_ring(path)
    if version == ring.current:
        raise _bad(path, f"key version {version} is the current key; rotate first")
    found = [k for k in ring.keys if k.version == version]
    if not found:
        raise _bad(path, f"no key version {version}")
    if found[0].secret is None:
        return ring
    keys = tuple(
        DataKey(k.version, k.created, None, _now()) if k.version == version else k
        for k in ring.keys
    )
    return _write(path, ring.ring_id, ring.current, keys)
