"""Keyed HMACs of people: how the audit log names a person without holding their SSN.

``subject_key(key, ssn)`` is HMAC-SHA256 under a 256-bit secret key over a domain-separated
message (``matchgate-subject-v1``, the identifier kind, the 9 digits), as 64 lowercase hex digits.
The same SSN always gives the same subject, so the accounting of disclosures can find a person's
entries; without the key nobody can go from a subject back to an SSN. With the key, anyone could
(there are only 10^9 SSNs), which is why the key is kept in a file outside the audit store,
readable by the service account only, and never written into the log or its checkpoints.

The key cannot be rotated in place: subjects already signed into the Merkle tree are fixed. A
replacement key (after a compromise) starts a new epoch; keep the old key to look up old entries.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from matchgate.audit.errors import E_AUDIT_SSN, AuditKeyError, SubjectKeyInputError
from matchgate.standardize.identifiers import format_ssn, parse_ssn

KEY_BYTES = 32
_DOMAIN = b"matchgate-subject-v1\x00"
_MAX_FILE = 1024


@dataclass(frozen=True)
class SubjectKey:
    """The secret behind subject HMACs; its repr shows only the key id."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise AuditKeyError(f"a subject key is {KEY_BYTES} bytes")

    @property
    def key_id(self) -> str:
        """16 hex digits naming the key (safe to print; reveals nothing of the secret)."""
        return hashlib.sha256(_DOMAIN + b"key-id\x00" + self.secret).hexdigest()[:16]

    def ssn(self, ssn: str) -> str:
        """The subject HMAC of an SSN (hyphens and spaces allowed)."""
        return subject_key(self, ssn)


def subject_key(key: SubjectKey, ssn: str) -> str:
    """HMAC-SHA256 of an SSN under ``key``; an SSN that is not 9 issuable digits is refused."""
    parsed = parse_ssn(ssn)
    if parsed.value is None or parsed.invalid:
        raise SubjectKeyInputError("is not a valid SSN", field="ssn", code=E_AUDIT_SSN)
    message = _DOMAIN + b"ssn\x00" + format_ssn(parsed.value).encode("ascii")
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def generate_subject_key() -> SubjectKey:
    return SubjectKey(secrets.token_bytes(KEY_BYTES))


def write_subject_key(key: SubjectKey, path: Path) -> None:
    """Create ``path`` (owner-only) holding the key in hex; never replace an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AuditKeyError(f"{path}: already exists; not replacing a subject key") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key.secret.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def load_subject_key(path: Path) -> SubjectKey:
    """Read a key file written by :func:`write_subject_key`; refuse one others can read."""
    try:
        info = path.stat()
        if info.st_size > _MAX_FILE:
            raise AuditKeyError(f"{path}: too large to be a subject key")
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise AuditKeyError(f"{path}: no subject key (run `matchgate audit init`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise AuditKeyError(f"{path}: cannot read subject key ({reason})") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"{path}: readable by others; make it owner-only (chmod 600)")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise AuditKeyError(f"{path}: not a hex subject key") from None
    return SubjectKey(secret)
