"""Submissions (list your own, show one: status and validation report) and onward-use notices
(list), as ``matchgate submissions list|show`` and ``notices list`` call them.

Uploading a file, downloading its package and deciding on a held one are routes of their own
(``uploads``, ``packages``, ``host``); this module holds the reads. A file uploaded here has a
job (``api.jobs``) whose state the status route shows beside the stored submission, and alone
until the job has recorded it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from matchgate.access import Principal
from matchgate.api.deps import AppDep, CallerDep, CredentialsDep, as_caller
from matchgate.api.jobs import FAILED, JobState, JobStore
from matchgate.api.links import links, submission
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import Moment, Out
from matchgate.app.core import App
from matchgate.services.disclosure import notices
from matchgate.services.submission import records

router = APIRouter(prefix="/v1", tags=["submissions"], responses=RESPONSES)

AgreementFilter = Annotated[str | None, Query(max_length=128, description="Only this agreement.")]


class AgreementRef(Out):
    id: str
    version: int | None


class JobOut(Out):
    """An uploaded (or released) file's job while it runs: ``queued``, ``running`` (with the
    use case's stage and counts), ``done`` or ``failed`` (with the error's code)."""

    state: str
    stage: str | None
    done: int
    total: int | None
    code: str | None


class SubmissionOut(Out):
    job_id: str
    agreement: AgreementRef
    purpose: str
    dry_run: bool
    status: str
    code: str | None
    message: str | None
    received_at: Moment
    updated_at: Moment
    source_name: str
    size_bytes: int
    sha256: str | None
    format: str | None
    records: int | None
    duplicate_of: str | None
    package_id: str | None
    counts: dict[str, Any] = Field(description="Counts by decision and code.")
    report: dict[str, Any] = Field(description="The validation report: codes, rows, error.")
    job: JobOut | None = Field(default=None, description="The job taking it, if uploaded here.")


class NoticeOut(Out):
    id: str
    agreement: str
    purpose: str
    description: str
    filed_by: str
    filed_at: Moment
    status: str
    decided_by: str | None
    decided_at: Moment | None
    decision_note: str | None


def _submission(stored: records.StoredSubmission, job: JobState | None = None) -> SubmissionOut:
    skip = ("agreement", "job")
    fields = {k: getattr(stored, k) for k in SubmissionOut.model_fields if k not in skip}
    return SubmissionOut(
        agreement=AgreementRef(id=stored.agreement_id, version=stored.agreement_version),
        job=None if job is None else JobOut.model_validate(job),
        **fields,
    )


def _pending(job: JobState) -> SubmissionOut:
    """An upload whose job has not yet recorded its submission (queued, or refused before)."""
    moment = dt.datetime.fromisoformat(job.received_at)
    status = "rejected" if job.state == FAILED else "received"
    return SubmissionOut(
        job_id=job.job_id,
        agreement=AgreementRef(id=job.agreement_id, version=None),
        purpose="",
        dry_run=job.dry_run,
        status=status,
        code=job.code,
        message=None,
        received_at=moment,
        updated_at=moment,
        source_name=job.source_name,
        size_bytes=job.size_bytes,
        sha256=job.sha256,
        format=None,
        records=None,
        duplicate_of=None,
        package_id=None,
        counts={},
        report={},
        job=JobOut.model_validate(job),
    )


@router.get(
    "/submissions",
    response_model=list[SubmissionOut],
    responses=links(200, **submission("$response.body#/0/job_id")),
)
def list_submissions(
    app: AppDep,
    caller: CallerDep,
    agreement: AgreementFilter = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SubmissionOut]:
    """The latest submissions you may read (your agency's, or under your agreements)."""
    rows = records.list_submissions(app, agreement, limit, caller=caller)
    return [_submission(r) for r in rows]


@router.get("/submissions/{job_id}", response_model=SubmissionOut)
async def show_submission(job_id: str, app: AppDep, credentials: CredentialsDep) -> SubmissionOut:
    """One submission: status, code, counts and its validation report (codes and rows); for
    an uploaded file, its job's state and progress (``job``)."""
    return await as_caller(app, credentials, lambda caller: _show(app, job_id, caller))


def _show(app: App, job_id: str, caller: Principal) -> SubmissionOut:
    jobs = JobStore(app.settings)
    try:
        stored = records.get_submission(app, job_id, caller=caller)
    except records.SubmissionNotFound:
        job = jobs.load(job_id)
        if job is None or job.agency != caller.agency:
            raise
        from matchgate.access import Action
        from matchgate.app.access import require

        require(app.settings, caller, Action.SUBMISSION_READ)
        return _pending(job)
    return _submission(stored, jobs.load(job_id))


@router.get("/notices", response_model=list[NoticeOut])
def list_notices(
    app: AppDep, caller: CallerDep, agreement: AgreementFilter = None
) -> list[NoticeOut]:
    """Onward-use notices you may read, in the order they were filed, with their status."""
    rows = notices.list_notices(app, agreement, caller=caller)
    return [
        NoticeOut(
            id=n.id,
            agreement=n.agreement_id,
            purpose=n.purpose,
            description=n.description,
            filed_by=n.filed_by,
            filed_at=n.filed_at,
            status=str(n.status),
            decided_by=n.decided_by,
            decided_at=n.decided_at,
            decision_note=n.decision_note,
        )
        for n in rows
    ]
