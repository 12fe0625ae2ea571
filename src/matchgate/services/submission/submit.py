"""Use case: a requesting agency submits a request file under an agreement.

Lifecycle (statuses in :class:`~matchgate.domain.lifecycle.SubmissionStatus`; codes in
docs/submissions.md)::

    received -> rejected                 file unusable, columns not allowed, agreement not in
                                         force, purpose not agreed, duplicate file, failure
             -> needs_consultation       over the per-file or per-month cap: held, not processed
             -> validated                checks passed (a dry run stops here)
                -> processed             matched
                   -> disclosed          package sealed, audited, released to the outbox

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
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import pyarrow.parquet as pq

from matchgate import __version__
from matchgate.access import Principal
from matchgate.app.jobs import file_digest
from matchgate.app.workfiles import (
    MATCH_ROLE,
    REQUEST_ROLE,
    open_sealed,
    queue_possible,
    seal_working_file,
    store_original,
    work_folder,
)
from matchgate.disclosure import load_private_key, load_public_key
from matchgate.domain import events
from matchgate.domain.audit import AuditEvent, AuditSink, AuditUnavailable
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
    MAX_LINE_BYTES,
    MAX_SUBMISSION_BYTES,
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
    Keys,
    Outcome,
    SubjectKey,
    disclose,
    match_columns,
    notice_statuses,
)
from matchgate.services.master import match_files
from matchgate.settings import Settings
from matchgate.storage import submissions as store
from matchgate.storage.atrest import DataKeyRing
from matchgate.storage.db import session, store_url

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
        self, master: Path, requests: Path, output: Path, *, settings: Settings, progress: Progress
    ) -> object: ...


@dataclass(frozen=True)
class SubmitOptions:
    """How to take a submission. ``on`` is the disclosure day (default: today, agency time)."""

    dry_run: bool = False
    master: Path | None = None
    recipient_key: Path | None = None
    sender_key: Path | None = None
    sender_password: bytes | None = None
    out_dir: Path | None = None
    purpose: str | None = None
    on: dt.date | None = None
    actor: str = "matchgate"
    max_bytes: int = MAX_SUBMISSION_BYTES
    max_line_bytes: int = MAX_LINE_BYTES


@dataclass(frozen=True)
class SubmitResult:
    """Where a submission ended, with its validation report (codes, rows, counts: no values)."""

    job_id: str
    status: SubmissionStatus
    code: str | None
    message: str | None
    agreement_id: str
    agreement_version: int | None
    dry_run: bool
    sha256: str | None
    format: str | None
    records: int | None
    report: dict[str, Any]
    duplicate_of: str | None = None
    package: Path | None = None
    package_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


class _Rejected(Exception):
    """A refusal; its message passes the store's one rule (``safe_message``) here, so what the
    submitter is told, the report and ``submissions.message`` hold the same value-free text."""

    def __init__(self, code: str, message: str, duplicate_of: str | None = None) -> None:
        message = store.safe_message(code, message) or ""
        super().__init__(message)
        self.code = code
        self.message = message
        self.duplicate_of = duplicate_of


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _suffix(source: Path) -> str:
    return source.suffix.lower() if source.suffix.lower() in _KEEP_SUFFIXES else ""


def _event(
    kind: str, options: SubmitOptions, agreement_id: str, recipient: str | None, **details: Any
) -> AuditEvent:
    typed = events.typed_event(
        kind, actor=options.actor, agency=recipient, agreement=agreement_id, details=details
    )
    return typed.audit_event()


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


def _master_snapshot(master: Path, settings: Settings) -> tuple[str, str]:
    """An id naming the master file's content, and the calendar day it was last written."""
    digest = file_digest(master)
    today = settings.today()  # raises ConfigurationError for an unknown time zone
    written = dt.datetime.fromtimestamp(master.stat().st_mtime, settings.zone)
    return f"sha256:{digest[:16]}", min(written.date(), today).isoformat()


class _Run:
    """One submission's state while it is taken; each method moves it one step."""

    def __init__(
        self,
        settings: Settings,
        path: Path,
        agreement_id: str,
        options: SubmitOptions,
        audit: AuditSink,
        subject: SubjectKey,
    ) -> None:
        self.subject = subject
        self.settings = settings
        self.path = path
        self.agreement_id = agreement_id
        self.options = options
        self.audit = audit
        self.job_id = uuid.uuid4().hex
        self.folder = settings.workspace / "submissions" / self.job_id
        self.day = options.on or settings.today()
        self.agreement: Agreement | None = None
        self.recipient: str | None = None
        self.stored: Path | None = None
        self.sha256: str | None = None
        self.report: dict[str, Any] = {}
        self.fmt: str | None = None
        self.records: int | None = None
        self.ring: DataKeyRing | None = None
        self.plain: Path | None = None
        self.work: Path | None = None

    # -- the store -----------------------------------------------------------------------------

    def insert(self, size: int) -> None:
        now = _now()
        agreement = self.agreement
        row = store.Submission(
            job_id=self.job_id,
            agreement_id=self.agreement_id,
            agreement_version=None if agreement is None else agreement.version,
            purpose=self.purpose,
            dry_run=self.options.dry_run,
            status=SubmissionStatus.RECEIVED.value,
            received_at=now,
            updated_at=now,
            month=self.day.strftime("%Y-%m"),
            source_name=self.path.name[:255],
            size_bytes=size,
            sha256=self.sha256,
            stored_path=None if self.stored is None else str(self.stored),
            counts={},
            report={},
        )
        with session(store_url(self.settings)) as s:
            store.add_submission(s, row)

    def update(self, **values: Any) -> None:
        with session(store_url(self.settings)) as s:
            row = store.get_submission(s, self.job_id)
            if row is None:  # pragma: no cover - the row is inserted first
                raise RuntimeError("submission row vanished")
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = _now()

    def claim(self) -> None:
        """Hold the file's digest for this submission, or refuse it as a duplicate."""
        try:
            with session(store_url(self.settings)) as s:
                store.claim_digest(s, self.job_id, self.agreement_id, self.sha256 or "")
        except store.DigestTaken:
            with session(store_url(self.settings)) as s:
                holder = store.holder_of(s, self.agreement_id, self.sha256 or "")
                earlier = None if holder is None else holder.job_id
            raise _Rejected(
                SubmissionCode.DUPLICATE_SUBMISSION.value,
                f"the same file was already submitted under {self.agreement_id} as job "
                f"{earlier or '(unknown)'}; it is not processed again",
                duplicate_of=earlier,
            ) from None

    @property
    def purpose(self) -> str:
        if self.options.purpose:
            return self.options.purpose
        return "" if self.agreement is None else self.agreement.purpose.code

    # -- results -------------------------------------------------------------------------------

    def result(
        self,
        status: SubmissionStatus,
        code: str | None = None,
        message: str | None = None,
        **kw: Any,
    ) -> SubmitResult:
        return SubmitResult(
            job_id=self.job_id,
            status=status,
            code=code,
            message=message,
            agreement_id=self.agreement_id,
            agreement_version=None if self.agreement is None else self.agreement.version,
            dry_run=self.options.dry_run,
            sha256=self.sha256,
            format=self.fmt,
            records=self.records,
            report=self.report,
            **kw,
        )

    def append(self, kind: str, **details: Any) -> None:
        self.audit.append(
            _event(
                kind, self.options, self.agreement_id, self.recipient, job_id=self.job_id, **details
            )
        )

    def reject(self, rejected: _Rejected) -> SubmitResult:
        """Record the rejection (releasing the digest), audit it, then report it."""
        self.report = {**self.report, "error": {"code": rejected.code, "message": rejected.message}}
        self.update(
            status=SubmissionStatus.REJECTED.value,
            code=rejected.code,
            message=rejected.message,
            active_digest=None,
            duplicate_of=rejected.duplicate_of,
            report=self.report,
            format=self.fmt,
            records=self.records,
        )
        self.append(SUBMISSION_REJECTED, code=rejected.code, duplicate_of=rejected.duplicate_of)
        return self.result(
            SubmissionStatus.REJECTED,
            rejected.code,
            rejected.message,
            duplicate_of=rejected.duplicate_of,
        )

    def message_of(self, exc: InputError) -> str:
        """The error as the submitter sees it: naming their file, not the stored copy."""
        text = exc.message
        for path in (self.stored, self.plain):
            if path is not None:
                text = text.replace(str(path), self.path.name)
        return text


def _load_keys(options: SubmitOptions, settings: Settings) -> Keys:
    from matchgate.domain.errors import ConfigurationError

    if options.recipient_key is None:
        raise ConfigurationError("give --recipient-key: the recipient agency's public key (.pub)")
    sender = options.sender_key or settings.workspace / "keys" / "sender.key"
    if not sender.is_file():
        raise ConfigurationError(
            f"no sender key at {sender}: give --sender-key, or make one with "
            f"`matchgate keys generate --out {sender.parent} --name {sender.stem}`"
        )
    return Keys(
        sender=load_private_key(sender, options.sender_password),
        recipient=load_public_key(options.recipient_key),
    )


def submit_file(
    settings: Settings,
    path: Path,
    agreement_id: str,
    *,
    caller: Principal,
    options: SubmitOptions,
    audit: AuditSink,
    subject: SubjectKey,
    matcher: Matcher = match_files,
    progress: Progress = NO_PROGRESS,
) -> SubmitResult:
    """Take ``path`` as a submission under ``agreement_id`` (see the module docstring).

    Raises (nothing recorded) when the agreement id is unknown (or another agency's), the caller
    may not submit under it or it is suspended, the file does not exist, or, for a real run, the
    master or a key cannot be used; raises :class:`AuditUnavailable` when the audit log cannot
    record a step (the submission is then rejected and nothing is released).
    """
    caller = require_submit(settings, caller, agreement_id, audit=audit)
    options = replace(options, actor=caller.user_id)
    run = _Run(settings, path, agreement_id, options, audit, subject)
    run.agreement = governing_agreement(settings, agreement_id, run.day)
    latest = run.agreement or get_agreement(settings, agreement_id)
    run.recipient = latest.recipient
    keys: Keys | None = None
    if not options.dry_run:
        if options.master is None:
            from matchgate.domain.errors import ConfigurationError

            raise ConfigurationError("give --master: the master file to match against")
        require_file(options.master)
        keys = _load_keys(options, settings)
    require_file(path)
    run.ring = open_data_keys(settings)
    size = path.stat().st_size
    try:
        check_size(path, size, options.max_bytes)
    except InputError as exc:
        run.insert(size)
        return run.reject(_Rejected(exc.code or "E_FILE", run.message_of(exc)))
    run.stored, run.sha256 = store_original(run.ring, path, run.folder, run.job_id, _suffix(path))
    run.insert(size)
    try:
        run.append(SUBMISSION_RECEIVED, sha256=run.sha256, bytes=size)
    except AuditUnavailable:
        run.update(status=SubmissionStatus.REJECTED.value, code=AuditUnavailable.code)
        raise
    try:
        with work_folder(run.folder) as run.work:
            run.plain = open_sealed(run.ring, run.stored, run.work, run.job_id, REQUEST_ROLE)
            return _take(run, keys, matcher, progress)
    except _Rejected as rejected:
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


def _take(run: _Run, keys: Keys | None, matcher: Matcher, progress: Progress) -> SubmitResult:
    options, settings = run.options, run.settings
    latest = run.agreement or get_agreement(settings, run.agreement_id)
    if run.agreement is None:
        raise _Rejected(*_agreement_refusal(latest, run.day))
    agreement = run.agreement
    if Channel.FILE not in agreement.channels:
        raise _Rejected(
            SubmissionCode.CHANNEL_NOT_AGREED.value,
            f"agreement {agreement.id} allows only {', '.join(agreement.channels)} requests",
        )
    notices = notice_statuses(settings, agreement.id)
    policy = decide_policy(agreement, run.day, run.purpose, notices)
    if not policy.disclosable:
        raise _Rejected(*_policy_refusal(agreement, policy))
    if not options.dry_run:
        run.claim()
    assert run.plain is not None
    try:
        inspected = inspect_submission(run.plain, max_line_bytes=options.max_line_bytes)
        run.fmt = inspected.format
        refused = disallowed_request_fields(agreement, inspected.columns)
        refuse_fields(run.plain, refused, inspected)
        submission = read_submission(inspected, today=run.day)
    except InputError as exc:
        raise _Rejected(exc.code or "E_FILE", run.message_of(exc)) from None
    run.records = submission.records
    run.report = _report(submission)
    run.update(format=run.fmt, records=run.records, report=run.report)
    if options.dry_run:
        run.update(status=SubmissionStatus.VALIDATED.value)
        run.append(SUBMISSION_VALIDATED, records=run.records, dry_run=True)
        return run.result(SubmissionStatus.VALIDATED)
    with session(store_url(settings)) as s:
        earlier = store.accepted_in_month(
            s, agreement.id, run.day.strftime("%Y-%m"), excluding=run.job_id
        )
    held = volume_exceeded(agreement, submission.records, earlier)
    if held is not None:
        reason = store.safe_message(held.code.value, held.reason)
        run.update(
            status=SubmissionStatus.NEEDS_CONSULTATION.value,
            code=held.code.value,
            message=reason,
        )
        run.append(SUBMISSION_HELD, code=held.code.value, records=run.records)
        return run.result(SubmissionStatus.NEEDS_CONSULTATION, held.code.value, reason)
    run.update(status=SubmissionStatus.VALIDATED.value)
    run.append(SUBMISSION_ACCEPTED, records=run.records)
    assert keys is not None
    assert options.master is not None
    outcome = _process(run, submission, policy, keys, matcher, progress)
    return run.result(
        SubmissionStatus.DISCLOSED,
        package=outcome.package,
        package_id=outcome.package_id,
        counts=outcome.counts,
    )


def _process(
    run: _Run,
    submission: Submission,
    policy: Policy,
    keys: Keys,
    matcher: Matcher,
    progress: Progress,
) -> Outcome:
    options, settings = run.options, run.settings
    assert run.agreement is not None
    assert options.master is not None
    assert run.plain is not None
    assert run.work is not None
    assert run.ring is not None
    matched = run.work / "match.parquet"
    summary = matcher(options.master, run.plain, matched, settings=settings, progress=progress)
    matches = match_columns(pq.read_table(matched))
    seal_working_file(run.ring, matched, run.folder, run.job_id, MATCH_ROLE)
    queue_possible(
        settings,
        run.ring,
        job_id=run.job_id,
        agreement_id=run.agreement.id,
        table=submission.table,
        matches=matches,
    )
    run.update(status=SubmissionStatus.PROCESSED.value)
    snapshot, as_of = _master_snapshot(options.master, settings)
    model = str(getattr(summary, "model_version", "") or f"matchgate-{__version__}")
    job = DisclosureJob(
        job_id=run.job_id,
        agreement=run.agreement,
        day=run.day,
        purpose=run.purpose,
        policy=policy,
        submission=submission,
        matches=matches,
        master=options.master,
        master_snapshot=snapshot,
        master_as_of=as_of,
        model_version=model[:200],
        actor=options.actor,
    )
    out_dir = options.out_dir or settings.workspace / "outbox"
    outcome = disclose(
        job,
        settings=settings,
        staging=run.folder / "staging",
        out_dir=out_dir,
        keys=keys,
        audit=run.audit,
        subject=run.subject,
    )
    run.update(
        status=SubmissionStatus.DISCLOSED.value,
        counts=outcome.counts,
        package_id=outcome.package_id,
        package_sha256=outcome.package_sha256,
    )
    return outcome
