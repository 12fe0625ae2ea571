"""A submission as the store hands it back: ids, status, codes, counts and its report.

No personal value: a submission's report is codes, row numbers and request ids, and its message
passed the store's one rule for what a message may hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredSubmission:
    """A submission as stored: ids, status, codes, counts and its validation report."""

    job_id: str
    agreement_id: str
    agreement_version: int | None
    purpose: str
    dry_run: bool
    status: str
    code: str | None
    message: str | None
    received_at: dt.datetime
    updated_at: dt.datetime
    source_name: str
    size_bytes: int
    sha256: str | None
    format: str | None
    records: int | None
    duplicate_of: str | None
    package_id: str | None
    counts: dict[str, Any]
    report: dict[str, Any]
    master_snapshot_id: str | None = None
    recipient_key_id: str | None = None
    consultation: dict[str, Any] | None = None
    """A held submission's consultation: outcome, by, at, record (the officer's words) and
    agreement_version."""
    stored_path: str | None = None
    """Where the host keeps the sealed original while it holds it (None once purged): the
    host's own path, for the use cases that process or purge it; no shell shows it."""


@dataclass(frozen=True)
class HeldSubmission:
    """What retention needs of a submission: ids, status and when it last changed."""

    job_id: str
    agreement_id: str
    agreement_version: int | None
    status: str
    updated_at: dt.datetime
    package_id: str | None
    stored_path: str | None
    sha256: str | None


__all__ = ["HeldSubmission", "StoredSubmission"]
