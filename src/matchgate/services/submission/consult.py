"""Use cases: the host's privacy officer releases or refuses a held submission.

A submission over its agreement's per-file or per-month cap is held (``needs_consultation``):
its sealed original stays under ``submissions/<job>`` and its digest stays claimed, so the same
file cannot be taken twice. After consulting the requesting agency, the disclosing agency's
privacy officer either

* **releases** it: the stored original is processed under the agreement version in force that
  day (which may be later than the one it was held under; ``--agreement-version`` must name it,
  when given), with the host's current master snapshot and the recipient's current registered
  key, exactly as a submission that passed its caps; it is the same job, so it is never refused
  as a duplicate of itself; or
* **refuses** it: the submission ends ``rejected`` (``E_HELD_REFUSED``) and its digest is freed.

Either way the consultation record (who, when, what was agreed or why it was refused, which
agreement version) is stored with the submission (``submissions show``) and the decision is
audited (``submission.consulted``, with the SHA-256 of the record's text) before it counts. The
text is the officer's own words; it is capped at :data:`MAX_RECORD` characters and refused if it
looks like it holds an identifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from matchgate.access import Action, Principal
from matchgate.app.access import now, require_object
from matchgate.app.core import App
from matchgate.audit.breach import looks_personal
from matchgate.domain.audit import AuditSink
from matchgate.domain.errors import InputError
from matchgate.domain.events import SubmissionConsulted
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.domain.submissions import StoredSubmission
from matchgate.intake.submission_codes import SubmissionCode
from matchgate.services.administration import (
    agreement_parties,
    governing_agreement,
    open_data_keys,
)
from matchgate.services.disclosure import SubjectKey
from matchgate.services.master import match_files
from matchgate.services.submission.records import SubmissionNotFound
from matchgate.services.submission.run import Run, SubmitOptions, SubmitResult, host_inputs
from matchgate.services.submission.submit import (
    Matcher,
    accept,
    checked_policy,
    guarded,
    read_checked,
)
from matchgate.storage import submissions as store

MAX_RECORD = 2000
"""Longest consultation text stored (the officer's words, not personal data)."""
E_CONSULTATION = "E_CONSULTATION"
RELEASED = "released"
REFUSED = "refused"


def _record_text(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InputError(f"give the {what}", field=what, code=E_CONSULTATION)
    if len(cleaned) > MAX_RECORD or not cleaned.isprintable():
        raise InputError(
            f"the {what} is at most {MAX_RECORD} printable characters",
            field=what,
            code=E_CONSULTATION,
        )
    if looks_personal(cleaned):
        raise InputError(
            f"the {what} looks like it holds an identifier; say what was agreed, not whom about",
            field=what,
            code=E_CONSULTATION,
        )
    return cleaned


def _held(
    app: App, job_id: str, caller: Principal, audit: AuditSink
) -> tuple[StoredSubmission, Principal]:
    """The held submission, if the caller may decide it (another agency's: not found)."""
    with app.unit_of_work() as s:
        row = store.stored_submission(s, job_id)
    parties = None if row is None else agreement_parties(app, row.agreement_id)
    fresh = require_object(
        app.settings,
        caller,
        Action.SUBMISSION_CONSULT,
        parties,
        missing=lambda: SubmissionNotFound(job_id),
        object_id=job_id,
        audit=audit,
    )
    assert row is not None
    if row.status != SubmissionStatus.NEEDS_CONSULTATION.value or row.dry_run:
        raise InputError(
            f"submission {job_id} is not held for consultation (it is {row.status})",
            field="job",
            code=E_CONSULTATION,
        )
    return row, fresh


def _record(
    app: App,
    row: StoredSubmission,
    fresh: Principal,
    audit: AuditSink,
    *,
    outcome: str,
    text: str,
    version: int | None,
    agency: str | None,
) -> None:
    audit.append(
        SubmissionConsulted(
            actor=fresh.user_id,
            agency=agency,
            agreement=row.agreement_id,
            job_id=row.job_id,
            outcome=outcome,
            agreement_version=version,
            record_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        ).audit_event()
    )
    consultation: store.SubmissionChanges = {
        "consultation_outcome": outcome,
        "consulted_by": fresh.user_id,
        "consulted_at": now(),
        "consultation_record": text,
        "consultation_version": version,
    }
    updated_at = now()
    if outcome == REFUSED:
        consultation["code"] = SubmissionCode.HELD_REFUSED.value
        consultation["status"] = SubmissionStatus.REJECTED.value
        consultation["message"] = (
            "refused by the disclosing agency's privacy officer after consultation"
        )
        consultation["active_digest"] = None
    with app.unit_of_work() as s:
        store.change_submission(s, row.job_id, updated_at=updated_at, **consultation)


def refuse_held(app: App, job_id: str, reason: str, *, caller: Principal) -> None:
    """End a held submission: rejected (``E_HELD_REFUSED``), the consultation recorded."""
    audit = app.audit
    row, fresh = _held(app, job_id, caller, audit)
    text = _record_text(reason, "reason")
    agency = agreement_parties(app, row.agreement_id)
    _record(
        app,
        row,
        fresh,
        audit,
        outcome=REFUSED,
        text=text,
        version=row.agreement_version,
        agency=None if agency is None else agency.recipient,
    )


def check_release(app: App, job_id: str, agreed: str, *, caller: Principal) -> None:
    """Refuse now, as :func:`release_held` would, when the caller may not release ``job_id``,
    it is not held, or ``agreed`` is not a usable record (the API checks before it queues)."""
    audit = app.audit
    _held(app, job_id, caller, audit)
    _record_text(agreed, "agreed")


def release_held(
    app: App,
    job_id: str,
    agreed: str,
    *,
    caller: Principal,
    subject: SubjectKey,
    agreement_version: int | None = None,
    out_dir: Path | None = None,
    on: dt.date | None = None,
    matcher: Matcher = match_files,
    progress: Progress = NO_PROGRESS,
) -> SubmitResult:
    """Process a held submission under the agreement version in force today (see the module
    docstring). Raises, recording nothing, when the caller may not, the submission is not held,
    no version is in force, ``agreement_version`` is not the one in force, or the host lacks its
    master or the recipient's key. ``on`` is the day (default: today, agency time)."""
    audit = app.audit
    row, fresh = _held(app, job_id, caller, audit)
    text = _record_text(agreed, "agreed")
    day = on or app.today()
    agreement = governing_agreement(app, row.agreement_id, day)
    if agreement is None:
        raise InputError(
            f"no version of agreement {row.agreement_id} is in force that day: nothing can be "
            "released under it",
            field="agreement",
            code=E_CONSULTATION,
        )
    if agreement_version is not None and agreement_version != agreement.version:
        raise InputError(
            f"version {agreement_version} of {row.agreement_id} is not the one in force that day "
            f"(version {agreement.version})",
            field="agreement_version",
            code=E_CONSULTATION,
        )
    if row.stored_path is None:
        raise InputError(
            f"submission {job_id} keeps no stored original", field="job", code=E_CONSULTATION
        )
    host = host_inputs(app, agreement.recipient)
    options = SubmitOptions(out_dir=out_dir, purpose=row.purpose, on=day, actor=fresh.user_id)
    run = Run(app, Path(row.source_name), row.agreement_id, options, subject, row.job_id)
    run.agreement, run.recipient, run.host = agreement, agreement.recipient, host
    run.stored, run.sha256 = Path(row.stored_path), row.sha256
    run.fmt, run.records, run.report = row.format, row.records, dict(row.report or {})
    run.ring = open_data_keys(app)
    _record(
        app,
        row,
        fresh,
        audit,
        outcome=RELEASED,
        text=text,
        version=agreement.version,
        agency=agreement.recipient,
    )
    run.update(
        agreement_version=agreement.version,
        master_snapshot_id=host.master.snapshot_id,
        recipient_key_id=host.keys.recipient_key_id,
    )

    def body() -> SubmitResult:
        policy = checked_policy(run)
        submission = read_checked(run)
        return accept(run, submission, policy, matcher, progress)

    return guarded(run, body)
