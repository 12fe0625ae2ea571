"""Submissions as stored: one by its job id, or the list, as the caller's agency may see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from matchgate.access import Action, Principal
from matchgate.app.access import require, require_object
from matchgate.app.core import App
from matchgate.domain.errors import NotFound
from matchgate.services.administration import (
    agreement_parties,
    readable_agreements,
)
from matchgate.storage import submissions as store


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


def _consultation(row: store.Submission) -> dict[str, Any] | None:
    if row.consultation_outcome is None:
        return None
    return {
        "outcome": row.consultation_outcome,
        "by": row.consulted_by,
        "at": None if row.consulted_at is None else row.consulted_at.isoformat(),
        "record": row.consultation_record,
        "agreement_version": row.consultation_version,
    }


def _stored(row: store.Submission) -> StoredSubmission:
    return StoredSubmission(
        job_id=row.job_id,
        agreement_id=row.agreement_id,
        agreement_version=row.agreement_version,
        purpose=row.purpose,
        dry_run=row.dry_run,
        status=row.status,
        code=row.code,
        message=row.message,
        received_at=row.received_at,
        updated_at=row.updated_at,
        source_name=row.source_name,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        format=row.format,
        records=row.records,
        duplicate_of=row.duplicate_of,
        package_id=row.package_id,
        counts=dict(row.counts or {}),
        report=dict(row.report or {}),
        master_snapshot_id=row.master_snapshot_id,
        recipient_key_id=row.recipient_key_id,
        consultation=_consultation(row),
    )


class SubmissionNotFound(NotFound):
    """No submission has that job id."""

    code = "E_SUBMISSION_NOT_FOUND"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"no submission {job_id[:40]!r}")


def get_submission(app: App, job_id: str, *, caller: Principal) -> StoredSubmission:
    """The stored record of one submission (its report, status and package id), if the caller's
    agency is a party to its agreement; another agency's is reported as not found."""
    with app.unit_of_work() as s:
        row = store.get_submission(s, job_id)
        found = None if row is None else _stored(row)
    parties = None if found is None else agreement_parties(app, found.agreement_id)
    require_object(
        app.settings,
        caller,
        Action.SUBMISSION_READ,
        parties,
        missing=lambda: SubmissionNotFound(job_id),
        object_id=job_id,
    )
    assert found is not None
    return found


def list_submissions(
    app: App, agreement_id: str | None = None, limit: int = 50, *, caller: Principal
) -> list[StoredSubmission]:
    """The latest submissions first (of one agreement, or all) that the caller may read."""
    caller = require(app.settings, caller, Action.SUBMISSION_READ)
    allowed = readable_agreements(app, caller, Action.SUBMISSION_READ)
    if agreement_id is not None:
        allowed &= {agreement_id}
    if not allowed:
        return []
    with app.unit_of_work() as s:
        rows = store.list_submissions(s, agreement_id=None, agreement_ids=allowed, limit=limit)
        return [_stored(r) for r in rows]
