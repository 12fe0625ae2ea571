"""Build deliberately wrong packages that still carry a valid signature.

The signature catches every change to a package; to test the layers under it (chunk order,
final flag, key wrap, version checks) these helpers edit a package and sign it again with the
trusted sender key, as a buggy or compromised sender could.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from matchgate.disclosure import PrivateKey, package_layout
from matchgate.disclosure.crypto import SIGNATURE_SIZE, sign_digest


def resign(data: bytes, sender: PrivateKey) -> bytes:
    """``data`` (a whole package) with its last 64 bytes replaced by a fresh signature."""
    body = data[:-SIGNATURE_SIZE]
    return body + sign_digest(sender, hashlib.sha256(body).digest())


def with_header(path: Path, sender: PrivateKey, **changes: object) -> bytes:
    """The package with header fields changed (canonical JSON kept), signed again.

    Keeps the header's length fields consistent; ciphertexts stay as they were.
    """
    data = path.read_bytes()
    layout = package_layout(path)
    header = json.loads(data[layout.header.start : layout.header.end])
    header.update(changes)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    prologue = data[:8] + data[8:10] + struct.pack(">I", len(text)) + text
    return resign(prologue + data[layout.prologue.end :], sender)


def swap_chunks(path: Path, sender: PrivateKey, first: int, second: int) -> bytes:
    """Two equal-size chunks exchanged, signed again."""
    data = bytearray(path.read_bytes())
    chunks = package_layout(path).chunks
    a, b = chunks[first], chunks[second]
    assert a.size == b.size
    data[a.start : a.end], data[b.start : b.end] = data[b.start : b.end], data[a.start : a.end]
    return resign(bytes(data), sender)
