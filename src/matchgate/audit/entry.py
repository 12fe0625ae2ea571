"""One audit entry: its fields, its canonical bytes, its chain hash and its Merkle leaf.

The canonical bytes of entry ``n`` are the canonical JSON (``canonical.py``) of::

    {"actor": ..., "agency": ..., "agreement": ..., "details": {...}, "kind": ...,
     "seq": n, "subjects": [...], "time": "YYYY-MM-DDTHH:MM:SS.ffffffZ", "v": 1}

``entry_hash = SHA-256(prev_hash || bytes)`` (raw 32-byte hashes; the first entry's
``prev_hash`` is 32 zero bytes) chains each entry to all before it; ``leaf_hash =
SHA-256(0x00 || bytes)`` is its leaf in the Merkle tree. Hashes are stored as lowercase hex.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from matchgate.audit.events import SUBJECT_PATTERN, EventRecord
from matchgate.audit.merkle import leaf_hash
from matchgate.domain.audit import Entry
from matchgate.domain.canonical import NotCanonical, canonical_json, parse_canonical

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of entry 0."""

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$")


def format_time(moment: datetime) -> str:
    """UTC, microseconds, ``Z``: fixed width, so the text sorts as the time does."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def is_time(text: object) -> bool:
    """Whether ``text`` is a time as recorded (see :func:`format_time`)."""
    return isinstance(text, str) and bool(_TIME.match(text))


def is_hash(text: object) -> bool:
    """Whether ``text`` is a hash as stored: 64 lowercase hex digits."""
    return isinstance(text, str) and bool(_HEX64.match(text))


def _content(
    sequence: int,
    recorded_at: str,
    kind: str,
    actor: str,
    agency: str | None,
    agreement: str | None,
    subjects: list[Any],
    details: dict[str, Any],
) -> bytes:
    return canonical_json(
        {
            "v": FORMAT_VERSION,
            "seq": sequence,
            "time": recorded_at,
            "kind": kind,
            "actor": actor,
            "agency": agency,
            "agreement": agreement,
            "subjects": subjects,
            "details": details,
        }
    ).encode("ascii")


def chain_hash(prev_hash: str, content: bytes) -> str:
    """SHA-256 over the previous entry's raw hash and this entry's bytes."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + content).hexdigest()


def new_entry(sequence: int, prev_hash: str, recorded_at: str, record: EventRecord) -> Entry:
    """The entry recording ``record`` at ``sequence``, chained to ``prev_hash``."""
    subjects = list(record.subjects)
    content = _content(
        sequence,
        recorded_at,
        record.kind,
        record.actor,
        record.agency,
        record.agreement,
        subjects,
        record.details,
    )
    return Entry(
        sequence=sequence,
        recorded_at=recorded_at,
        kind=record.kind,
        actor=record.actor,
        agency=record.agency,
        agreement=record.agreement,
        subjects=canonical_json(subjects),
        details=canonical_json(record.details),
        prev_hash=prev_hash,
        entry_hash=chain_hash(prev_hash, content),
        leaf_hash=leaf_hash(content).hex(),
    )


class MalformedEntry(ValueError):
    """A stored row that cannot be an entry this code wrote; the message names the field."""


def entry_bytes(entry: Entry) -> bytes:
    """The canonical bytes of a stored entry, re-derived from its fields.

    Raises ``MalformedEntry`` for a row no append could have written (non-canonical JSON, a
    subject that is not an HMAC, a bad time): such a row was edited outside the log.
    """
    if not is_time(entry.recorded_at):
        raise MalformedEntry("recorded_at")
    try:
        subjects = parse_canonical(entry.subjects)
    except NotCanonical:
        raise MalformedEntry("subjects") from None
    if not isinstance(subjects, list) or not all(
        isinstance(s, str) and SUBJECT_PATTERN.match(s) for s in subjects
    ):
        raise MalformedEntry("subjects")
    if subjects != sorted(set(subjects)):
        raise MalformedEntry("subjects")
    try:
        details = parse_canonical(entry.details)
    except NotCanonical:
        raise MalformedEntry("details") from None
    if not isinstance(details, dict) or any(isinstance(v, dict | list) for v in details.values()):
        raise MalformedEntry("details")
    for name in ("prev_hash", "entry_hash", "leaf_hash"):
        if not is_hash(getattr(entry, name)):
            raise MalformedEntry(name)
    return _content(
        entry.sequence,
        entry.recorded_at,
        entry.kind,
        entry.actor,
        entry.agency,
        entry.agreement,
        subjects,
        details,
    )
