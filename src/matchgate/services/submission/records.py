"""Submissions as stored: one by its job id, or the list, as the caller's agency may see them."""

from __future__ import annotations

from matchgate.access import Action, Parties, Principal
from matchgate.app.access import require, require_object
from matchgate.app.core import App
from matchgate.domain.errors import NotFound
from matchgate.domain.submissions import StoredSubmission
from matchgate.services.administration import readable_agreements
from matchgate.storage import submissions as store


class SubmissionNotFound(NotFound):
    """No submission has that job id."""

    code = "E_SUBMISSION_NOT_FOUND"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"no submission {job_id[:40]!r}")


def get_submission(app: App, job_id: str, *, caller: Principal) -> StoredSubmission:
    """The stored record of one submission (its report, status and package id), if the caller's
    agency is a party to its agreement; another agency's is reported as not found."""
    return readable_submission(app, job_id, caller=caller)[0]


def readable_submission(
    app: App, job_id: str, *, caller: Principal
) -> tuple[StoredSubmission, Parties]:
    """:func:`get_submission`, with the two agencies of its agreement (read in the same query:
    a package download needs its recipient)."""
    with app.unit_of_work() as s:
        read = store.stored_submission_with_parties(s, job_id)
    found, pair = (None, None) if read is None else read
    parties = None if pair is None else Parties(*pair)
    require_object(
        app.settings,
        caller,
        Action.SUBMISSION_READ,
        parties,
        missing=lambda: SubmissionNotFound(job_id),
        object_id=job_id,
    )
    assert found is not None
    assert parties is not None
    return found, parties


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
        return store.list_submissions(s, agreement_id=None, agreement_ids=allowed, limit=limit)


__all__ = [
    "StoredSubmission",
    "SubmissionNotFound",
    "get_submission",
    "list_submissions",
    "readable_submission",
]
