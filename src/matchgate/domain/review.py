"""The review queue of withheld ``possible`` rows, as the store takes and hands them back.

A ``possible`` answer discloses no records; a person resolves it later, and to do that needs the
identifiers the requester sent (SSN, A-number). The store keeps those sealed (AES-256-GCM, bound
to the row), so a queued item carries them only as ciphertext under ring key ``key_version``:
opening them takes the data key ring (``storage.review.reveal``). Everything else is an id, a
score or a status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matchgate.domain.lifecycle import ReviewStatus


@dataclass(frozen=True)
class NewItem:
    """A row to queue; the identifiers in their standard forms (9 digits; ``A`` + 9 digits)."""

    id: str
    job_id: str
    agreement_id: str
    request_id: str
    person_id: str | None
    score: float | None
    ssn: str | None
    a_number: str | None


@dataclass(frozen=True)
class QueuedItem:
    """A queued row as stored: ids, score, status, and its identifiers sealed (never clear)."""

    id: str
    job_id: str
    agreement_id: str
    request_id: str
    person_id: str | None
    score: float | None
    status: ReviewStatus
    created_at: dt.datetime
    key_version: int
    ssn_sealed: bytes | None
    a_number_sealed: bytes | None


__all__ = ["NewItem", "QueuedItem"]
