"""Queries the retention job needs over stored submissions (read, and one column cleared).

Reads hand back :class:`matchgate.domain.submissions.HeldSubmission`, never a row.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matchgate.domain.submissions import HeldSubmission
from matchgate.storage.submissions import Submission


def submissions(s: Session) -> Iterator[HeldSubmission]:
    """Every stored submission, oldest first."""
    query = select(
        Submission.job_id,
        Submission.agreement_id,
        Submission.agreement_version,
        Submission.status,
        Submission.updated_at,
        Submission.package_id,
        Submission.stored_path,
        Submission.sha256,
    ).order_by(Submission.received_at)
    for row in s.execute(query):
        yield HeldSubmission(*row)


def forget_stored_path(s: Session, job_id: str) -> None:
    """The stored original was purged: the row no longer points at it."""
    s.execute(
        update(Submission)
        .where(Submission.job_id == job_id)
        .values(stored_path=None)
        .execution_options(synchronize_session=False)
    )
