"""Use case: a requesting agency submits a request file under an agreement.

Lifecycle (statuses in :class:`~matchgate.domain.lifecycle.SubmissionStatus`; codes in
docs/submissions.md)::

    received -> rejected                 file unusable, columns not allowed, agreement not in
                                         force, purpose not agreed, duplicate file, failure
             -> needs_consultation       over the per-file or per-month cap: held, not processed
             -> validated                checks passed (a dry run stops here)
                -> processed             matched
                   -> disclosed          package sealed, audited, released to the outbox

What the submitter cannot choose is the host's: the master is the host's current loaded snapshot
(``services.master.disclosure_master``), the package is signed with the host's signing key
(``matchgate host init``) and sealed only to the current registered key of the agreement's
recipient agency (``services.administration.recipient_key``). A real run that lacks any of them
is refused before anything is recorded. The snapshot id and the recipient key id are recorded
with the submission, in its package's manifest and in its audit entries.

A held submission is released or refused by the host's privacy officer after consultation
(:mod:`matchgate.services.submission.consult`); a dry run of a file over a cap says that the real
run would be held.

The original is sealed into the workspace under the job id (owner-only folder, read-only,
AES-256-GCM under the data key ring, hashed while sealed: ``app.workfiles``) before anything
reads it; every later step reads a plaintext copy opened from it into a private work folder that
is removed when the run ends, so the stored original is exactly what was received. Each
submission is recorded with its job id, status, code and validation report; every receipt,
rejection, hold and acceptance is appended to the audit log before it is reported, and no package
leaves without its audit entries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import pyarrow.parquet as pq

from matchgate import __version__
from matchgate.access import Principal
from matchgate.app.core import App
from matchgate.app.workfiles import (
    MATCH_ROLE,
    REQUEST_ROLE,
    open_sealed,
    queue_possible,
    seal_working_file,
    store_original,
    work_folder,
)
from matchgate.domain import events
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import InputError
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.governance import (
    Agreement,
    Channel,
    Policy,
    RefusalCode,
    decide_policy,
    disallowed_request_fields,
    refusal_reasons,
    volume_exceeded,
)
from matchgate.intake.formats import EXTENSIONS, require_file
from matchgate.intake.submission import (
    Submission,
    check_size,
    inspect_submission,
    read_submission,
    refuse_fields,
)
from matchgate.intake.submission_codes import SubmissionCode
from matchgate.services.administration import (
    get_agreement,
    governing_agreement,
    open_data_keys,
    require_submit,
)
from matchgate.services.disclosure import (
    DisclosureJob,
    Outcome,
    SubjectKey,
    disclose,
    match_columns,
    notice_statuses,
)
from matchgate.services.master import match_files
from matchgate.services.submission.run import (
    Rejected,
    Run,
    SubmitOptions,
    SubmitResult,
    host_inputs,
)
from matchgate.settings import Settings
from matchgate.storage import submissions as store

__all__ = ["Matcher", "SubmitOptions", "SubmitResult", "accept", "guarded", "submit_file"]

REPORT_ROWS = 1000
"""Rows with codes listed one by one in a validation report (all are counted)."""
SUBMISSION_RECEIVED = events.SubmissionReceived.kind
SUBMISSION_REJECTED = events.SubmissionRejected.kind
SUBMISSION_HELD = events.SubmissionHeld.kind
SUBMISSION_VALIDATED = events.SubmissionValidated.kind
SUBMISSION_ACCEPTED = events.SubmissionAccepted.kind
_KEEP_SUFFIXES = {*EXTENSIONS, ".txt", ".dat"}


class Matcher(Protocol):
    """What submission needs of matching (``services.master.match.match_files`` or a test
    double)."""

    def __call__(
        self,
        master: Path | None,
        requests: Path,
        output: Path,
        *,
        settings: Settings,
        progress: Progress,
        snapshot: str | None,
    ) -> object: ...


def _suffix(source: Path) -> str:
    return source.suffix.lower() if source.suffix.lower() in _KEEP_SUFFIXES else ""


def _agreement_refusal(agreement: Agreement, day: dt.date) -> tuple[str, str]:
    for refusal in refusal_reasons(agreement, "identity", day):
        if refusal.code in (
            RefusalCode.AGREEMENT_NOT_YET_EFFECTIVE,
            RefusalCode.AGREEMENT_EXPIRED,
        ):
            return refusal.code.value, refusal.reason
    return RefusalCode.AGREEMENT_EXPIRED.value, f"no version of {agreement.id} is in force"


def _policy_refusal(agreement: Agreement, policy: Policy) -> tuple[str, str]:
    for category in agreement.allowed_response_categories:
        reasons = policy.refused.get(str(category), ())
        if reasons:
            return reasons[0]
    return RefusalCode.NO_ROUTINE_USE.value, "nothing may be disclosed that day"


def _report(submission: Submission) -> dict[str, Any]:
    return {
        "format": submission.inspected.format,
        "records": submission.records,
        "columns": list(submission.inspected.columns),
        "codes": dict(submission.code_counts),
        "rows_with_codes": len(submission.notes),
        "rows": [
            {"row": n.row, "request_id": n.request_id, "codes": list(n.codes)}
            for n in submission.notes[:REPORT_ROWS]
        ],
    }


def submit_file(
    app: App,
    path: Path,
    agreement_id: str,
    *,
    caller: Principal,
    options: SubmitOptions,
    subject: SubjectKey,
    matcher: Matcher = match_files,
    progress: Progress = NO_PROGRESS,
) -> SubmitResult:
    """Take ``path`` as a submission under ``agreement_id`` (see the module docstring).

    Raises (nothing recorded) when the agreement id is unknown (or another agency's), the caller
    may not submit under it or it is suspended, the file does not exist, or, for a real run, the
    host has no master loaded, no signing key, or no current key registered for the agreement's
    recipient agency; raises :class:`AuditUnavailable` when the audit log cannot
    record a step (the submission is then rejected and nothing is released).
    """
    caller = require_submit(app, caller, agreement_id)
    options = replace(options, actor=caller.user_id)
    run = Run(app, path, agreement_id, options, subject, options.job_id)
    run.agreement = governing_agreement(app, agreement_id, run.day)
    latest = run.agreement or get_agreement(app, agreement_id)
    run.recipient = latest.recipient
    if not options.dry_run:
        run.host = host_inputs(app, latest.recipient)
    require_file(path)
    run.ring = open_data_keys(app)
    size = path.stat().st_size
    try:
        check_size(path, size, options.max_bytes)
    except InputError as exc:
        run.insert(size)
        return run.reject(Rejected(exc.code or "E_FILE", run.message_of(exc)))
    run.stored, run.sha256 = store_original(run.ring, path, run.folder, run.job_id, _suffix(path))
    run.insert(size)
    try:
        run.append(SUBMISSION_RECEIVED, sha256=run.sha256, bytes=size)
    except AuditUnavailable:
        run.update(status=SubmissionStatus.REJECTED.value, code=AuditUnavailable.code)
        raise
    return guarded(run, lambda: _take(run, matcher, progress))


def guarded(run: Run, body: Callable[[], SubmitResult]) -> SubmitResult:
    """Run ``body`` on a plaintext copy of the sealed original in a private work folder; a
    refusal is recorded and reported, a failure recorded (digest released) and raised."""
    assert run.ring is not None
    assert run.stored is not None
    try:
        with work_folder(run.folder) as run.work:
            run.plain = open_sealed(run.ring, run.stored, run.work, run.job_id, REQUEST_ROLE)
            return body()
    except Rejected as rejected:
        return run.reject(rejected)
    except AuditUnavailable:
        run.update(
            status=SubmissionStatus.REJECTED.value, code=AuditUnavailable.code, active_digest=None
        )
        raise
    except BaseException as exc:
        code = getattr(exc, "code", None) or type(exc).__name__
        run.update(
            status=SubmissionStatus.REJECTED.value,
            code=SubmissionCode.PROCESSING_FAILED.value,
            message=f"processing failed ({code})",
            active_digest=None,
        )
        with contextlib.suppress(AuditUnavailable):
            run.append(SUBMISSION_REJECTED, code=SubmissionCode.PROCESSING_FAILED.value, error=code)
        raise


def _take(run: Run, matcher: Matcher, progress: Progress) -> SubmitResult:
    options, app = run.options, run.app
    policy = checked_policy(run)
    if not options.dry_run:
        run.claim()
    submission = read_checked(run)
    agreement = run.agreement
    assert agreement is not None
    with app.unit_of_work() as s:
        earlier = store.accepted_in_month(
            s, agreement.id, run.day.strftime("%Y-%m"), excluding=run.job_id
        )
    held = volume_exceeded(agreement, submission.records, earlier)
    if options.dry_run:
        return _validated(run, held)
    if held is not None:
        reason = store.safe_message(held.code.value, held.reason)
        run.update(
            status=SubmissionStatus.NEEDS_CONSULTATION.value,
            code=held.code.value,
            message=reason,
        )
        run.append(SUBMISSION_HELD, code=held.code.value, records=run.records)
        return run.result(SubmissionStatus.NEEDS_CONSULTATION, held.code.value, reason)
    return accept(run, submission, policy, matcher, progress)


def checked_policy(run: Run) -> Policy:
    """What may be disclosed under the agreement in force on the run's day, for its purpose;
    a refusal when nothing may (not in force, channel not agreed, no routine use)."""
    app = run.app
    latest = run.agreement or get_agreement(app, run.agreement_id)
    if run.agreement is None:
        raise Rejected(*_agreement_refusal(latest, run.day))
    agreement = run.agreement
    if Channel.FILE not in agreement.channels:
        raise Rejected(
            SubmissionCode.CHANNEL_NOT_AGREED.value,
            f"agreement {agreement.id} allows only {', '.join(agreement.channels)} requests",
        )
    notices = notice_statuses(app, agreement.id)
    policy = decide_policy(agreement, run.day, run.purpose, notices)
    if not policy.disclosable:
        raise Rejected(*_policy_refusal(agreement, policy))
    return policy


def read_checked(run: Run) -> Submission:
    """The file read and validated (columns the agreement allows, row codes), with its report
    recorded; a refusal when it cannot be used."""
    options, agreement = run.options, run.agreement
    assert run.plain is not None
    assert agreement is not None
    try:
        inspected = inspect_submission(run.plain, max_line_bytes=options.max_line_bytes)
        run.fmt = inspected.format
        refused = disallowed_request_fields(agreement, inspected.columns)
        refuse_fields(run.plain, refused, inspected)
        submission = read_submission(inspected, today=run.day)
    except InputError as exc:
        raise Rejected(exc.code or "E_FILE", run.message_of(exc)) from None
    run.records = submission.records
    run.report = _report(submission)
    run.update(format=run.fmt, records=run.records, report=run.report)
    return submission


def _validated(run: Run, held: Any) -> SubmitResult:
    """A dry run's end: validated, saying when the real run would be held (and why)."""
    message = None
    if held is not None:
        reason = store.safe_message(held.code.value, held.reason)
        message = f"a real run of this file would be held for consultation: {reason}"
        run.report = {**run.report, "would_hold": {"code": held.code.value, "reason": reason}}
    run.update(status=SubmissionStatus.VALIDATED.value, report=run.report, message=message)
    run.append(SUBMISSION_VALIDATED, records=run.records, dry_run=True)
    code = None if held is None else held.code.value
    return run.result(SubmissionStatus.VALIDATED, code, message)


def accept(
    run: Run, submission: Submission, policy: Policy, matcher: Matcher, progress: Progress
) -> SubmitResult:
    """Accept a checked submission, match it and disclose it (also a held one, once released)."""
    run.update(status=SubmissionStatus.VALIDATED.value)
    run.append(SUBMISSION_ACCEPTED, records=run.records)
    outcome = _process(run, submission, policy, matcher, progress)
    return run.result(
        SubmissionStatus.DISCLOSED,
        package=outcome.package,
        package_id=outcome.package_id,
        counts=outcome.counts,
    )


def _process(
    run: Run,
    submission: Submission,
    policy: Policy,
    matcher: Matcher,
    progress: Progress,
) -> Outcome:
    options, app = run.options, run.app
    assert run.agreement is not None
    assert run.host is not None
    host = run.host
    assert run.plain is not None
    assert run.work is not None
    assert run.ring is not None
    matched = run.work / "match.parquet"
    summary = matcher(
        None,
        run.plain,
        matched,
        settings=app.settings,
        progress=progress,
        snapshot=host.master.snapshot_id,
    )
    matches = match_columns(pq.read_table(matched))
    seal_working_file(run.ring, matched, run.folder, run.job_id, MATCH_ROLE)
    queue_possible(
        app.settings,
        run.ring,
        job_id=run.job_id,
        agreement_id=run.agreement.id,
        table=submission.table,
        matches=matches,
    )
    run.update(status=SubmissionStatus.PROCESSED.value)
    model = str(getattr(summary, "model_version", "") or f"matchgate-{__version__}")
    job = DisclosureJob(
        job_id=run.job_id,
        agreement=run.agreement,
        day=run.day,
        purpose=run.purpose,
        policy=policy,
        submission=submission,
        matches=matches,
        master=host.master.master,
        master_snapshot=host.master.snapshot_id,
        master_as_of=host.master.as_of,
        model_version=model[:200],
        actor=options.actor,
    )
    out_dir = options.out_dir or app.settings.workspace / "outbox"
    outcome = disclose(
        app,
        job,
        staging=run.folder / "staging",
        out_dir=out_dir,
        keys=host.keys,
        subject=run.subject,
    )
    run.update(
        status=SubmissionStatus.DISCLOSED.value,
        counts=outcome.counts,
        package_id=outcome.package_id,
        package_sha256=outcome.package_sha256,
    )
    return outcome
