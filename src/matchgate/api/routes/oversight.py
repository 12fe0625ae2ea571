"""The accounting of disclosures, the audit log's verification and checkpoints, and the
retention run (dry run), as ``matchgate audit accounting|verify|checkpoint`` and ``retention run
--dry-run`` call them.

The accounting is asked for with a POST whose body holds the SSN: an identifier of a person is
never in a URL (URLs end up in logs, proxies and browser histories).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import In, Out
from matchgate.services.oversight import audit_access, audit_host, retention

router = APIRouter(prefix="/v1", tags=["oversight"], responses=RESPONSES)


class AccountingIn(In):
    ssn: str = Field(min_length=9, max_length=11, description="The person's SSN.")
    for_person: bool = Field(
        default=False, description="The person's copy: disclosures exempt from it left out."
    )


class Recipient(Out):
    agency: str
    name: str | None
    key_id: str | None = Field(description="The registered key the package was sealed to.")


class Nature(Out):
    categories: list[str]


class Purpose(Out):
    code: str | None
    text: str | None


class LegalBasis(Out):
    agreement: str | None
    agreement_version: int | None
    routine_uses: list[str]
    legal_authority: str | None


class DisclosureLine(Out):
    entry: int
    date: dt.date
    time: str
    kind: str
    reference: str | None
    recipient: Recipient
    nature: Nature
    purpose: Purpose
    legal_basis: LegalBasis
    status: str
    corrections: list[int]
    withheld_from_person: str | None = None


class NoticeState(Out):
    """A withdrawal notice to one earlier recipient, as the accounting shows it."""

    agency: str
    notice: str | None
    notified: dt.date | None
    acknowledged: dt.date | None
    acknowledged_by: str | None


class CorrectionLine(Out):
    entry: int
    date: dt.date
    reason: str
    withdraws: list[int]
    package_id: str | None
    recipients_to_notify: list[str]
    recipients: list[NoticeState]


class AccountingOut(Out):
    format: str
    generated_at: str
    disclosures: list[DisclosureLine]
    corrections: list[CorrectionLine]


class FindingOut(Out):
    code: str
    sequence: int | None
    last: int | None
    message: str


class VerifyOut(Out):
    ok: bool
    log: str | None
    size: int
    checkpoints: int
    covered: int
    uncovered: int
    first_bad: int | None
    findings: list[FindingOut]


class CheckpointOut(Out):
    log_id: str
    size: int
    root: str
    time: str
    key_id: str
    signature: str


class RetentionIn(In):
    dry_run: Literal[True] = Field(
        default=True, description="Only a dry run is served over HTTP: list, change nothing."
    )
    on: dt.date | None = Field(default=None, description="As of this day (default: today).")


class AgreementRef(Out):
    id: str
    version: int | None


class PurgeOut(Out):
    job_id: str
    agreement: AgreementRef
    retention_ended: dt.date
    purged: list[str]
    files: int
    bytes: int
    rows: int


class Totals(Out):
    files: int
    bytes: int
    rows: int


class RetentionOut(Out):
    on: dt.date
    dry_run: bool
    purged: list[PurgeOut]
    totals: Totals
    not_due: int
    nothing_left: int
    unknown_agreement: int


@router.post("/accounting", response_model=AccountingOut)
def accounting(body: AccountingIn, app: AppDep, caller: CallerDep) -> AccountingOut:
    """The accounting of disclosures of one person's record (5 U.S.C. 552a(c)), of the
    disclosures your agency made."""
    from matchgate.app.audit import utcnow
    from matchgate.audit import format_time

    result = audit_access.accounting_for_caller(app, body.ssn, caller=caller)
    if body.for_person:
        result = result.for_person()
    return AccountingOut.model_validate(result.to_json(generated_at=format_time(utcnow())))


@router.get("/audit/verify", response_model=VerifyOut)
def verify(app: AppDep, caller: CallerDep) -> VerifyOut:
    """Recompute every entry, the chain and the Merkle tree against the log's own signed
    checkpoints (the host's privacy officers and auditors); ``ok`` says whether all holds."""
    report = audit_host.verify_for_host(app, caller=caller)
    return VerifyOut(
        ok=report.ok,
        log=report.log_id,
        size=report.size,
        checkpoints=report.checkpoints,
        covered=report.covered,
        uncovered=report.uncovered,
        first_bad=report.first_bad,
        findings=[
            FindingOut(code=f.code, sequence=f.sequence, last=f.last, message=f.message)
            for f in report.findings
        ],
    )


@router.post("/audit/checkpoints", response_model=CheckpointOut, status_code=201)
def checkpoint(app: AppDep, caller: CallerDep) -> CheckpointOut:
    """Sign the log's current size and root now (the host's privacy officers and auditors)."""
    made = audit_host.checkpoint_for_host(app, caller=caller)
    return CheckpointOut.model_validate(made)


@router.post("/retention/runs", response_model=RetentionOut)
def retention_dry_run(body: RetentionIn, app: AppDep, caller: CallerDep) -> RetentionOut:
    """What a retention run would purge as of a day (the host's privacy officers and
    administrators); a dry run changes nothing."""
    report = retention.run_retention(app, caller=caller, on=body.on, dry_run=True)
    return RetentionOut(
        on=report.on,
        dry_run=report.dry_run,
        purged=[
            PurgeOut(
                job_id=p.job_id,
                agreement=AgreementRef(id=p.agreement_id, version=p.agreement_version),
                retention_ended=p.ended,
                purged=list(p.what),
                files=p.files,
                bytes=p.bytes,
                rows=p.rows,
            )
            for p in report.purged
        ],
        totals=Totals(files=report.files, bytes=report.bytes, rows=report.rows),
        not_due=report.not_due,
        nothing_left=report.nothing_left,
        unknown_agreement=report.unknown_agreement,
    )
