"""Field encryption for the operational store: AES-256-GCM bound to table, column and row.

A sealed value is bytes::

    offset  size  field
    0       1     format (0x01)
    1       4     key version, unsigned big-endian
    5       12    nonce (random)
    17      n+16  ciphertext of the UTF-8 value, GCM tag appended

The associated data is ``matchgate-field/1 NUL table NUL column NUL row_id NUL`` followed by
the first 5 bytes, so a ciphertext copied into another row or column, or relabelled with another
key version, does not decrypt. The key is the version's field subkey (see ``keyring``).

A lookup HMAC (``lookup``) lets the store find rows by value without decrypting: HMAC-SHA256
under the version's lookup subkey over ``matchgate-lookup/1 NUL kind NUL value``, hex. It depends
on the key version, so a row's HMAC is rewritten with its ciphertext by the re-encryption pass,
and a lookup asks for the HMAC under every live version (``lookups``): a row is found whichever
key it is under at that moment. ``kind`` (``ssn``, ``a_number``, ``bank_account``) rather than the
column is bound, so the same SSN is found the same way in every table.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from matchgate.storage.atrest.keyring import (
    PURPOSE_FIELD,
    PURPOSE_LOOKUP,
    DataKeyRing,
    SealedDataError,
)

FIELD_FORMAT = 1
_HEADER = struct.Struct(">BI")
NONCE_SIZE = 12
TAG_SIZE = 16
MAX_VALUE_BYTES = 4096


def _aad(table: str, column: str, row_id: str, header: bytes) -> bytes:
    parts = ("matchgate-field/1", table, column, row_id)
    return "\x00".join(parts).encode("utf-8") + b"\x00" + header


def key_version_of(sealed: bytes) -> int:
    """The key version a sealed value is under (from its header; not authenticated here)."""
    if len(sealed) < _HEADER.size:
        raise SealedDataError("a sealed value is too short")
    return int(_HEADER.unpack_from(sealed)[1])


def seal_value(
    ring: DataKeyRing,
    value: str,
    *,
    table: str,
    column: str,
    row_id: str,
    version: int | None = None,
) -> bytes:
    """Encrypt ``value`` for ``table.column`` of row ``row_id`` under the current key (or
    ``version``)."""
    data = value.encode("utf-8")
    if len(data) > MAX_VALUE_BYTES:
        raise ValueError(f"a sealed value holds at most {MAX_VALUE_BYTES} bytes")
    key = ring.key(ring.current if version is None else version)
    header = _HEADER.pack(FIELD_FORMAT, key.version)
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(key.subkey(PURPOSE_FIELD)).encrypt(
        nonce, data, _aad(table, column, row_id, header)
    )
    return header + nonce + sealed


def open_value(ring: DataKeyRing, sealed: bytes, *, table: str, column: str, row_id: str) -> str:
    """Decrypt a sealed value; :class:`SealedDataError` (naming where, not what) if it does not
    belong to ``table.column`` of row ``row_id`` or was altered."""
    where = f"{table}.{column} of row {row_id}"
    if len(sealed) < _HEADER.size + NONCE_SIZE + TAG_SIZE:
        raise SealedDataError(f"{where}: the sealed value is truncated")
    fmt, version = _HEADER.unpack_from(sealed)
    if fmt != FIELD_FORMAT:
        raise SealedDataError(f"{where}: unknown sealed value format {fmt}")
    key = ring.key(version)
    header = sealed[: _HEADER.size]
    nonce = sealed[_HEADER.size : _HEADER.size + NONCE_SIZE]
    try:
        data = AESGCM(key.subkey(PURPOSE_FIELD)).decrypt(
            nonce, sealed[_HEADER.size + NONCE_SIZE :], _aad(table, column, row_id, header)
        )
    except InvalidTag:
        raise SealedDataError(
            f"{where}: does not decrypt (altered, or copied from another row or column)"
        ) from None
    return data.decode("utf-8")


def lookup(ring: DataKeyRing, kind: str, value: str, *, version: int | None = None) -> str:
    """The lookup HMAC of ``value`` under key ``version`` (default: current), 64 hex digits."""
    key = ring.key(ring.current if version is None else version)
    message = "\x00".join(("matchgate-lookup/1", kind, value)).encode("utf-8")
    return hmac.new(key.subkey(PURPOSE_LOOKUP), message, hashlib.sha256).hexdigest()


def lookups(ring: DataKeyRing, kind: str, value: str) -> list[str]:
    """The lookup HMACs of ``value`` under every live key: query ``IN`` these during rotation."""
    return [lookup(ring, kind, value, version=k.version) for k in ring.live]
