"""Checking an event before it is recorded: well formed, and no personal value in sight.

An entry can never be redacted once a checkpoint signs it, so the gate is here, before the
write. Every string is printable ASCII of bounded length; subjects are keyed HMACs (64 lowercase
hex digits); details are flat scalars under snake_case keys. Strings that look like an SSN or an
A-number are refused outright: a net under the callers' own care, not a proof that no personal
value can pass (a name is just a word, and a count is just a number).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from matchgate.audit import disclosures, kinds
from matchgate.audit.errors import AuditEventRejected
from matchgate.domain.audit import AuditEvent, AuditValue
from matchgate.domain.events import event_type
from matchgate.domain.personal import looks_personal as _looks_personal

_KIND = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")
_TOKEN = re.compile(r"^[\x21-\x7e]+$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SUBJECT_PATTERN = re.compile(r"^[0-9a-f]{64}$")


MAX_KIND = 64
MAX_TOKEN = 200
MAX_TEXT = 4000
MAX_DETAILS = 64
MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class EventRecord:
    """A checked event: subjects sorted and unique, details as a plain dict."""

    kind: str
    actor: str
    agency: str | None
    agreement: str | None
    subjects: tuple[str, ...]
    details: dict[str, AuditValue]


def _token(where: str, value: object, *, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise AuditEventRejected(where, "must be a non-empty string")
    if len(value) > MAX_TOKEN or not _TOKEN.match(value):
        raise AuditEventRejected(where, f"must be 1 to {MAX_TOKEN} printable ASCII, no spaces")
    if _looks_personal(value):
        raise AuditEventRejected(where, "looks like an SSN or A-number")
    return value


def _detail(key: str, value: object) -> AuditValue:
    where = f"details[{key!r}]"
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise AuditEventRejected(where, "is outside the 64-bit integer range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditEventRejected(where, "is not a finite number")
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT or not _PRINTABLE.match(value):
            raise AuditEventRejected(where, f"must be at most {MAX_TEXT} printable ASCII")
        if _looks_personal(value):
            raise AuditEventRejected(where, "looks like an SSN or A-number")
        return value
    raise AuditEventRejected(where, "must be a string, number, boolean or null")


def _details(details: Mapping[str, object]) -> dict[str, AuditValue]:
    if not isinstance(details, Mapping):
        raise AuditEventRejected("details", "must be a mapping")
    if len(details) > MAX_DETAILS:
        raise AuditEventRejected("details", f"has more than {MAX_DETAILS} keys")
    checked: dict[str, AuditValue] = {}
    for key, value in details.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise AuditEventRejected("details", "has a key that is not snake_case ASCII")
        checked[key] = _detail(key, value)
    return dict(sorted(checked.items()))


def _subjects(subjects: object) -> tuple[str, ...]:
    if not isinstance(subjects, tuple | list | frozenset | set):
        raise AuditEventRejected("subjects", "must be a tuple of keyed HMACs")
    for subject in subjects:
        if not isinstance(subject, str) or not SUBJECT_PATTERN.match(subject):
            raise AuditEventRejected(
                "subjects", "must hold keyed HMACs (64 lowercase hex digits), never identifiers"
            )
    return tuple(sorted(set(subjects)))


def check_event(event: AuditEvent) -> EventRecord:
    """The event as it will be recorded, or ``AuditEventRejected`` naming the field (an
    unregistered kind included: every kind is declared in :mod:`matchgate.domain.events`)."""
    if not isinstance(event, AuditEvent):
        raise AuditEventRejected("event", "is not an AuditEvent")
    if not isinstance(event.kind, str) or len(event.kind) > MAX_KIND or not _KIND.match(event.kind):
        raise AuditEventRejected("kind", "must be a dotted lowercase name such as disclosure.made")
    if event_type(event.kind) is None:
        raise AuditEventRejected("kind", "is not a registered kind (matchgate.domain.events)")
    actor = _token("actor", event.actor, optional=False)
    assert actor is not None
    record = EventRecord(
        kind=event.kind,
        actor=actor,
        agency=_token("agency", event.agency, optional=True),
        agreement=_token("agreement", event.agreement, optional=True),
        subjects=_subjects(event.subjects),
        details=_details(event.details),
    )
    if record.kind in kinds.DISCLOSING:
        disclosures.check_disclosure(record.kind, record.agreement, record.subjects, record.details)
    elif record.kind == kinds.DISCLOSURE_WITHDRAWN:
        disclosures.check_withdrawal(record.subjects, record.details)
    elif record.kind == kinds.RELEASE_FAILED:
        disclosures.check_release_failed(record.details)
    return record
