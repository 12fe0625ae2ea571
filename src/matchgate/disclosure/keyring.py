"""Trusted sender keys: pinned public keys, from PEM files or a key ring file.

A recipient gets the sender's public key out of band (for instance with the agreement), confirms
its key id with the sender by a second channel (telephone, signed letter), and pins it: either
the ``.pub`` file itself, or an entry in a key ring, a JSON file::

    {"format": "matchgate-keyring", "version": 1,
     "keys": [{"key_id": "<32 hex>", "label": "<who and what>", "public_key": "<PEM>"}]}

On reading, each entry's key id must equal the id computed from its public key, so an edited
key cannot hide behind a confirmed id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matchgate.atomic import atomic_path
from matchgate.disclosure.canonical import describe_validation_error
from matchgate.disclosure.errors import E_KEY_FILE, PackageError
from matchgate.disclosure.fields import KeyId, Text
from matchgate.disclosure.keys import PublicKey, key_id, parse_public_key, public_key_pem

_MAX_RING_FILE = 16 * 1024 * 1024


class KeyRingEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    key_id: KeyId = Field(description="key id of public_key, confirmed out of band")
    label: Text = Field(description="whose key, for what, since when")
    public_key: str = Field(description="SubjectPublicKeyInfo PEM")


class KeyRing(BaseModel):
    """A key ring file (JSON)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    format: Literal["matchgate-keyring"]
    version: Literal[1]
    keys: list[KeyRingEntry]


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    label: str
    key: PublicKey


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > _MAX_RING_FILE:
            raise PackageError("is too large to be a key ring", code=E_KEY_FILE, path=path)
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(f"cannot read ({reason})", code=E_KEY_FILE, path=path) from None


def _parse_ring(data: bytes, path: Path) -> KeyRing:
    try:
        return KeyRing.model_validate_json(data)
    except ValidationError as exc:
        why = describe_validation_error(exc)
        raise PackageError(f"is not a valid key ring: {why}", code=E_KEY_FILE, path=path) from None


def read_keyring(path: Path) -> list[TrustedKey]:
    """The pinned keys of a key ring file, each checked against its recorded key id."""
    ring = _parse_ring(_read(path), path)
    keys: list[TrustedKey] = []
    for number, entry in enumerate(ring.keys, start=1):
        source = f"{path} (key {number})"
        key = parse_public_key(entry.public_key.encode("ascii", "replace"), source=source)
        if key_id(key) != entry.key_id:
            raise PackageError(
                f"records key id {entry.key_id} but its public key has id {key_id(key)}",
                code=E_KEY_FILE,
                path=source,
            )
        keys.append(TrustedKey(entry.key_id, entry.label, key))
    return keys


def load_trusted_keys(paths: Iterable[Path]) -> list[TrustedKey]:
    """Trusted sender keys from PEM public key files and key ring files, in any mix."""
    keys: list[TrustedKey] = []
    for path in paths:
        data = _read(path)
        if data.lstrip().startswith(b"{"):
            keys.extend(read_keyring(path))
        else:
            key = parse_public_key(data, source=str(path))
            keys.append(TrustedKey(key_id(key), path.name, key))
    return keys


def add_to_keyring(path: Path, key: PublicKey, label: str) -> str:
    """Pin ``key`` in the key ring at ``path`` (created if missing); its key id."""
    if path.exists():
        ring = _parse_ring(_read(path), path)
    else:
        ring = KeyRing(format="matchgate-keyring", version=1, keys=[])
    kid = key_id(key)
    if any(entry.key_id == kid for entry in ring.keys):
        raise PackageError(f"already holds key {kid}", code=E_KEY_FILE, path=path)
    try:
        entry = KeyRingEntry(key_id=kid, label=label, public_key=public_key_pem(key).decode())
    except ValidationError:
        raise PackageError(
            "a label is 1 to 200 printable ASCII characters", code=E_KEY_FILE, path=path
        ) from None
    updated = ring.model_copy(update={"keys": [*ring.keys, entry]})
    text = json.dumps(updated.model_dump(mode="json"), indent=2) + "\n"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return kid
