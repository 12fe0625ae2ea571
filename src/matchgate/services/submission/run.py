"""One submission's state while it is taken, and what a submission is given and gives back.

:class:`Run` moves a submission one step at a time (store row, audit entries, result); the
use cases in :mod:`.submit` and :mod:`.consult` drive it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from matchgate.app.core import App
from matchgate.domain import events
from matchgate.domain.audit import AuditEvent
from matchgate.domain.errors import InputError
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.domain.submissions import StoredSubmission
from matchgate.governance import Agreement
from matchgate.intake.submission import MAX_LINE_BYTES, MAX_SUBMISSION_BYTES
from matchgate.intake.submission_codes import SubmissionCode
from matchgate.services.administration import recipient_key
from matchgate.services.disclosure import Keys, SubjectKey, host_signing_key
from matchgate.services.master import DisclosureMaster, disclosure_master
from matchgate.storage import submissions as store
from matchgate.storage.atrest import DataKeyRing

SUBMISSION_REJECTED = events.SubmissionRejected.kind


@dataclass(frozen=True)
class SubmitOptions:
    """How to take a submission. ``on`` is the disclosure day (default: today, agency time).

    Nothing here names a master or a key: those are the host's (see the module docstring)."""

    dry_run: bool = False
    out_dir: Path | None = None
    purpose: str | None = None
    on: dt.date | None = None
    actor: str = "matchgate"
    max_bytes: int = MAX_SUBMISSION_BYTES
    max_line_bytes: int = MAX_LINE_BYTES
    job_id: str | None = None
    """The job id to record the submission under (the API names it before the job runs);
    default: a new one."""


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
    master_snapshot_id: str | None = None
    """The host's master snapshot the file was (or, held, is to be) matched against."""
    recipient_key_id: str | None = None
    """The recipient agency's registered key the package is sealed to."""


class Rejected(Exception):
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


def _event(
    kind: str, options: SubmitOptions, agreement_id: str, recipient: str | None, **details: Any
) -> AuditEvent:
    typed = events.typed_event(
        kind, actor=options.actor, agency=recipient, agreement=agreement_id, details=details
    )
    return typed.audit_event()


@dataclass(frozen=True)
class HostInputs:
    """What only the host chooses for a real run: the master and the keys."""

    master: DisclosureMaster
    keys: Keys


def host_inputs(app: App, recipient: str) -> HostInputs:
    """The host's current master snapshot, its signing key and ``recipient``'s current
    registered key; ConfigurationError (nothing recorded) when one is missing."""
    master = disclosure_master(app)
    registered = recipient_key(app, recipient)
    keys = Keys(
        sender=host_signing_key(app),
        recipient=registered.public_key,
        recipient_key_id=registered.key_id,
    )
    return HostInputs(master, keys)


class Run:
    """One submission's state while it is taken; each method moves it one step."""

    def __init__(
        self,
        app: App,
        path: Path,
        agreement_id: str,
        options: SubmitOptions,
        subject: SubjectKey,
        job_id: str | None = None,
    ) -> None:
        self.subject = subject
        self.app = app
        self.path = path
        self.agreement_id = agreement_id
        self.options = options
        self.audit = app.audit
        self.job_id = job_id or uuid.uuid4().hex
        self.folder = app.settings.workspace / "submissions" / self.job_id
        self.day = options.on or app.today()
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
        self.host: HostInputs | None = None

    # -- the store -----------------------------------------------------------------------------

    def insert(self, size: int) -> None:
        now = _now()
        agreement = self.agreement
        received = StoredSubmission(
            job_id=self.job_id,
            agreement_id=self.agreement_id,
            agreement_version=None if agreement is None else agreement.version,
            purpose=self.purpose,
            dry_run=self.options.dry_run,
            status=SubmissionStatus.RECEIVED.value,
            code=None,
            message=None,
            received_at=now,
            updated_at=now,
            source_name=self.path.name[:255],
            size_bytes=size,
            sha256=self.sha256,
            format=None,
            records=None,
            duplicate_of=None,
            package_id=None,
            counts={},
            report={},
            master_snapshot_id=None if self.host is None else self.host.master.snapshot_id,
            recipient_key_id=None if self.host is None else self.host.keys.recipient_key_id,
            stored_path=None if self.stored is None else str(self.stored),
        )
        with self.app.unit_of_work() as s:
            store.add_submission(s, received, month=self.day.strftime("%Y-%m"))

    def update(self, **values: Unpack[store.SubmissionChanges]) -> None:
        """Change the stored submission (in one unit of work, committed on return)."""
        with self.app.unit_of_work() as s:
            store.change_submission(s, self.job_id, updated_at=_now(), **values)

    def claim(self) -> None:
        """Hold the file's digest for this submission, or refuse it as a duplicate."""
        try:
            with self.app.unit_of_work() as s:
                store.claim_digest(s, self.job_id, self.agreement_id, self.sha256 or "")
        except store.DigestTaken:
            with self.app.unit_of_work() as s:
                holder = store.holder_of(s, self.agreement_id, self.sha256 or "")
                earlier = None if holder is None else holder.job_id
            raise Rejected(
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
            master_snapshot_id=None if self.host is None else self.host.master.snapshot_id,
            recipient_key_id=None if self.host is None else self.host.keys.recipient_key_id,
            **kw,
        )

    def append(self, kind: str, **details: Any) -> None:
        self.audit.append(
            _event(
                kind, self.options, self.agreement_id, self.recipient, job_id=self.job_id, **details
            )
        )

    def reject(self, rejected: Rejected) -> SubmitResult:
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
