"""Submissions (list your own, show one: status and validation report) and onward-use notices
(list), as ``matchgate submissions list|show`` and ``notices list`` call them.

Uploading a file, downloading its package and deciding on a held one are routes of their own
(docs/api.md); this module holds the reads.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import Moment, Out
from matchgate.services.disclosure import notices
from matchgate.services.submission import records

router = APIRouter(prefix="/v1", tags=["submissions"], responses=RESPONSES)

AgreementFilter = Annotated[str | None, Query(max_length=128, description="Only this agreement.")]


class AgreementRef(Out):
    id: str
    version: int | None


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


def _submission(stored: records.StoredSubmission) -> SubmissionOut:
    fields = {k: getattr(stored, k) for k in SubmissionOut.model_fields if k != "agreement"}
    return SubmissionOut(
        agreement=AgreementRef(id=stored.agreement_id, version=stored.agreement_version), **fields
    )


@router.get("/submissions", response_model=list[SubmissionOut])
def list_submissions(
    app: AppDep,
    caller: CallerDep,
    agreement: AgreementFilter = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SubmissionOut]:
    """The latest submissions you may read (your agency's, or under your agreements)."""
    rows = records.list_submissions(app.settings, agreement, limit, caller=caller)
    return [_submission(r) for r in rows]


@router.get("/submissions/{job_id}", response_model=SubmissionOut)
def show_submission(job_id: str, app: AppDep, caller: CallerDep) -> SubmissionOut:
    """One submission: status, code, counts and its validation report (codes and rows)."""
    return _submission(records.get_submission(app.settings, job_id, caller=caller))


@router.get("/notices", response_model=list[NoticeOut])
def list_notices(
    app: AppDep, caller: CallerDep, agreement: AgreementFilter = None
) -> list[NoticeOut]:
    """Onward-use notices you may read, in the order they were filed, with their status."""
    rows = notices.list_notices(app.settings, agreement, caller=caller)
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
