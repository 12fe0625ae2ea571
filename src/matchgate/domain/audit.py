"""What every disclosure and verification path tells the audit log, and what it gets back.

The rule (DESIGN principle 2): nothing is released until its audit entry is durably written. A
caller builds an :class:`AuditEvent`, hands it to an :class:`AuditSink`, and releases data only
after ``append`` has returned an :class:`AuditReceipt`. A sink that cannot write durably raises
:class:`AuditUnavailable`, and the caller releases nothing.

Events hold identifiers, hashes, counts and keyed HMACs, never personal values: an audit entry
committed to a Merkle tree can never be redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from matchgate.domain.canonical import parse_canonical
from matchgate.domain.errors import MatchgateError

AuditValue = str | int | float | bool | None


class AuditUnavailable(MatchgateError):
    """The audit store could not durably record an event; nothing may be released."""

    code = "E_AUDIT_UNAVAILABLE"


@dataclass(frozen=True)
class AuditEvent:
    """One thing that happened, described without personal values.

    ``kind`` is a dotted name such as ``submission.received`` or ``disclosure.made``, registered
    by its typed event class in :mod:`matchgate.domain.events` (which builds these; a sink refuses
    any other kind); ``subjects`` are keyed HMACs of the people concerned (for the accounting of
    disclosures), never SSNs.
    """

    kind: str
    actor: str
    agency: str | None = None
    agreement: str | None = None
    subjects: tuple[str, ...] = ()
    details: Mapping[str, AuditValue] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditReceipt:
    """Proof that an event is durably recorded: its position and its entry hash."""

    sequence: int
    entry_hash: str


@dataclass(frozen=True)
class Entry:
    """An entry as stored: subjects and details as their canonical JSON text.

    What the audit store hands back for each row; its canonical bytes, chain hash and Merkle
    leaf are :mod:`matchgate.audit.entry`'s."""

    sequence: int
    recorded_at: str
    kind: str
    actor: str
    agency: str | None
    agreement: str | None
    subjects: str
    details: str
    prev_hash: str
    entry_hash: str
    leaf_hash: str

    def subject_list(self) -> tuple[str, ...]:
        return tuple(parse_canonical(self.subjects))

    def detail_map(self) -> dict[str, AuditValue]:
        value: dict[str, AuditValue] = parse_canonical(self.details)
        return value


@dataclass(frozen=True)
class StoredHead:
    """The chain head as the audit store keeps it, read or to be written back.

    ``frontier`` is the JSON text of the Merkle frontier's hashes (hex), as stored: the kernel
    turns it into the audit stage's ``ChainHead`` and a head that does not parse is a finding
    of ``verify``, not an error of the read."""

    log_id: str
    size: int
    last_hash: str
    frontier: str
    checkpointed: int


class AuditSink(Protocol):
    """Somewhere events are recorded durably before anything is released."""

    def append(self, event: AuditEvent) -> AuditReceipt:
        """Record ``event``; return only once it is durable, else raise AuditUnavailable."""
        ...
