"""Signed tree heads ("checkpoints"): the log's size and Merkle root, signed, kept elsewhere.

A checkpoint is one line of canonical JSON::

    {"key": KEY_ID, "log": LOG_ID, "root": HEX, "sig": BASE64, "size": N,
     "time": "YYYY-MM-DDTHH:MM:SS.ffffffZ", "v": 1}

``sig`` is an ECDSA P-256 / SHA-256 signature (DER, base64) over the bytes
``matchgate audit checkpoint v1\\n`` followed by the canonical JSON of the same object without
``sig`` (and without ``v``, which the prefix carries). ``key`` is the signing key's id (SHA-256
of its SubjectPublicKeyInfo, first 32 hex digits, as for package keys); ``log`` is the random id
the log was given when it was created, so a checkpoint of one log cannot stand in for another's.

Checkpoints are appended to a JSONL file outside the audit store (and handed to partner
agencies): whoever can rewrite the store cannot rewrite them, so a rewritten or truncated log no
longer matches a checkpoint it once matched.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from matchgate.audit.entry import is_hash, is_time
from matchgate.domain.canonical import NotCanonical, canonical_json, parse_canonical

CHECKPOINT_VERSION = 1
SIGNING_CONTEXT = b"matchgate audit checkpoint v1\n"
_ID32 = re.compile(r"^[0-9a-f]{32}$")
_MAX_SIGNATURE = 200
_MAX_LINE = 1000


class CheckpointFormatError(ValueError):
    """A checkpoint that cannot be read; the message names the field."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: log ``log_id`` had ``size`` entries with Merkle root ``root``."""

    log_id: str
    size: int
    root: str
    time: str
    key_id: str
    signature: str

    def signed_bytes(self) -> bytes:
        """What the signature covers."""
        body = {
            "log": self.log_id,
            "size": self.size,
            "root": self.root,
            "time": self.time,
            "key": self.key_id,
        }
        return SIGNING_CONTEXT + canonical_json(body).encode("ascii")

    def to_json(self) -> dict[str, object]:
        return {
            "v": CHECKPOINT_VERSION,
            "log": self.log_id,
            "size": self.size,
            "root": self.root,
            "time": self.time,
            "key": self.key_id,
            "sig": self.signature,
        }

    def to_line(self) -> str:
        """The checkpoint as one line of canonical JSON (without the newline)."""
        return canonical_json(self.to_json())

    @classmethod
    def from_json(cls, value: object) -> Checkpoint:
        """A checkpoint from its JSON object; ``CheckpointFormatError`` names a bad field."""
        if not isinstance(value, dict):
            raise CheckpointFormatError("not a JSON object")
        if set(value) != {"v", "log", "size", "root", "time", "key", "sig"}:
            raise CheckpointFormatError("fields are not v, log, size, root, time, key, sig")
        if value["v"] != CHECKPOINT_VERSION:
            raise CheckpointFormatError("v: unknown checkpoint version")
        size = value["size"]
        checks = {
            "log": isinstance(value["log"], str) and _ID32.match(value["log"]),
            "size": isinstance(size, int) and not isinstance(size, bool) and size >= 0,
            "root": is_hash(value["root"]),
            "time": is_time(value["time"]),
            "key": isinstance(value["key"], str) and _ID32.match(value["key"]),
            "sig": isinstance(value["sig"], str) and 0 < len(value["sig"]) <= _MAX_SIGNATURE,
        }
        for name, good in checks.items():
            if not good:
                raise CheckpointFormatError(f"{name}: not in the expected form")
        return cls(
            log_id=value["log"],
            size=size,
            root=value["root"],
            time=value["time"],
            key_id=value["key"],
            signature=value["sig"],
        )

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        if len(line) > _MAX_LINE:
            raise CheckpointFormatError("line too long")
        try:
            return cls.from_json(parse_canonical(line))
        except NotCanonical as exc:
            raise CheckpointFormatError(str(exc)) from None


def sign_checkpoint(
    *,
    log_id: str,
    size: int,
    root: bytes,
    time: str,
    key: ec.EllipticCurvePrivateKey,
    key_id: str,
) -> Checkpoint:
    """Sign the tree head of ``log_id`` at ``size`` with ``key`` (whose id is ``key_id``)."""
    unsigned = Checkpoint(log_id, size, root.hex(), time, key_id, signature="-")
    der = key.sign(unsigned.signed_bytes(), ec.ECDSA(hashes.SHA256()))
    signature = base64.b64encode(der).decode("ascii")
    return Checkpoint(log_id, size, root.hex(), time, key_id, signature)


def signature_valid(
    checkpoint: Checkpoint, trusted: Mapping[str, ec.EllipticCurvePublicKey]
) -> bool | None:
    """True if a trusted key signed it, False if the signature fails, None if the key is unknown."""
    public = trusted.get(checkpoint.key_id)
    if public is None:
        return None
    try:
        der = base64.b64decode(checkpoint.signature, validate=True)
        public.verify(der, checkpoint.signed_bytes(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line to the checkpoint file and make it durable before returning.

    Opened with O_APPEND: this code never rewrites a line. A line left without its newline by a
    crash is closed first, so the next checkpoint starts a line of its own.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        data = (checkpoint.to_line() + "\n").encode("ascii")
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        written = os.write(fd, data)
        if written != len(data):
            raise OSError("short write to the checkpoint file")
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@dataclass(frozen=True)
class CheckpointFile:
    """The checkpoints read from a file, and the lines that could not be read."""

    checkpoints: tuple[Checkpoint, ...]
    bad_lines: tuple[tuple[int, str], ...]
    """(line number, why) of each unreadable line."""


def read_checkpoints(path: Path) -> CheckpointFile:
    """Every checkpoint in a JSONL file (empty lines skipped), in file order."""
    checkpoints: list[Checkpoint] = []
    bad: list[tuple[int, str]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("ascii").rstrip("\n")
            except UnicodeDecodeError:
                bad.append((number, "not ASCII"))
                continue
            if not line.strip():
                continue
            try:
                checkpoints.append(Checkpoint.from_line(line))
            except CheckpointFormatError as exc:
                bad.append((number, str(exc)))
    return CheckpointFile(tuple(checkpoints), tuple(bad))
