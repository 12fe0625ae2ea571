"""Job records: a row per long run, written when it starts and again when it ends.

Rows hold what went in and came out by digest, counts and an error code, never personal values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from matchgate.storage.models import Job


def start_job(
    s: Session, job_id: str, *, kind: str, status: str, at: datetime, inputs: Mapping[str, Any]
) -> None:
    s.add(Job(id=job_id, kind=kind, status=status, started_at=at, inputs=dict(inputs)))


def finish_job(
    s: Session,
    job_id: str,
    *,
    status: str,
    at: datetime,
    outputs: Mapping[str, Any],
    counts: Mapping[str, Any],
    error_code: str | None,
) -> None:
    """Record how a job ended; a job whose row is gone (a store reset meanwhile) is left alone."""
    job = s.get(Job, job_id)
    if job is None:
        return
    job.status = status
    job.finished_at = at
    job.outputs = dict(outputs)
    job.counts = dict(counts)
    job.error_code = error_code
