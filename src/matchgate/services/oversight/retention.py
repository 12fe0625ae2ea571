"""Use case: purge what a submission left behind once its agreement's retention has ended.

For each stored submission, the retention period of the agreement version it was taken under
(``retention.days``; the latest version when it was refused before one was known) runs from the
submission's last status change: its release for a disclosed submission, its refusal, hold or
validation otherwise (a submission stuck mid-way by a crash ages the same way). When it has
ended (``ends <= today``, calendar days in the agency's time zone), what ``retention.purge``
lists is deleted:

* ``request_files``: the stored original (``submissions/JOB/request.EXT.mgr``);
* ``match_results``: the match output (``submissions/JOB/match.parquet.mgr``);
* ``response_packages``: the sealed package in the outbox (``WORKSPACE/outbox/PACKAGE.mgp``);
* ``review_notes``: the job's rows in the review queue (``review_items``), sealed identifiers
  and all.

Plaintext working folders (``work-*``, ``staging``) a crash may have left are always removed with
them. The submission row (ids, hashes, counts), the audit log and the accounting of disclosures
are kept: the accounting has its own five-year rule (``app.audit`` ``purge_accounting``).

Each purge is recorded first (``purge.done``: job id, what, file, byte and row counts, the
purged original's SHA-256; never a value) and carried out only once the entry is durable
(``release_after_audit``): no entry, no purge, and the run stops. A deletion that fails after its
entry is recorded is noted (``release.failed``), reported, and retried by the next run, which
records what it then purges.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from matchgate.access import Action, Principal
from matchgate.app.access import require_host
from matchgate.app.core import App
from matchgate.app.workfiles import WORK_PREFIX, maintenance_lock
from matchgate.audit import kinds, release_after_audit
from matchgate.domain.audit import (
    AuditEvent,
    AuditReceipt,
    AuditSink,
)
from matchgate.domain.events import PurgeDone
from matchgate.domain.submissions import HeldSubmission
from matchgate.governance import Agreement
from matchgate.services.administration import AgreementNotFound, get_agreement
from matchgate.settings import Settings
from matchgate.storage import retention as store
from matchgate.storage import review

REQUEST_FILES = "request_files"
MATCH_RESULTS = "match_results"
RESPONSE_PACKAGES = "response_packages"
REVIEW_NOTES = "review_notes"
WORKING_FILES = "working_files"


@dataclass(frozen=True)
class Purge:
    """One submission's purge: what went (or would go), counted; never a value."""

    job_id: str
    agreement_id: str
    agreement_version: int | None
    ended: dt.date
    what: tuple[str, ...]
    files: int
    bytes: int
    rows: int
    sequence: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class RetentionReport:
    on: dt.date
    dry_run: bool
    purged: list[Purge] = field(default_factory=list)
    failed: list[Purge] = field(default_factory=list)
    not_due: int = 0
    nothing_left: int = 0
    unknown_agreement: int = 0

    @property
    def files(self) -> int:
        return sum(p.files for p in self.purged)

    @property
    def bytes(self) -> int:
        return sum(p.bytes for p in self.purged)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.purged)


@dataclass
class _Targets:
    what: set[str] = field(default_factory=set)
    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    rows: int = 0
    size: int = 0
    request_sha256: str | None = None

    def add_file(self, kind: str, path: Path) -> None:
        self.what.add(kind)
        self.files.append(path)
        self.size += path.stat().st_size

    def add_folder(self, path: Path) -> None:
        self.what.add(WORKING_FILES)
        self.folders.append(path)
        self.size += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _day(moment: dt.datetime, settings: Settings) -> dt.date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(settings.zone).date()


def _targets(app: App, held: HeldSubmission, agreement: Agreement, outbox: Path) -> _Targets:
    purge = {str(p) for p in agreement.retention.purge}
    folder = app.settings.workspace / "submissions" / held.job_id
    found = _Targets()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_dir() and (path.name.startswith(WORK_PREFIX) or path.name == "staging"):
                found.add_folder(path)
            elif path.name.startswith("request") and REQUEST_FILES in purge:
                found.add_file(REQUEST_FILES, path)
            elif path.name.startswith("match.") and MATCH_RESULTS in purge:
                found.add_file(MATCH_RESULTS, path)
    if held.package_id and RESPONSE_PACKAGES in purge:
        package = outbox / f"{held.package_id}.mgp"
        if package.is_file():
            found.add_file(RESPONSE_PACKAGES, package)
    if REVIEW_NOTES in purge:
        with app.unit_of_work() as s:
            found.rows = review.count_job_items(s, held.job_id)
        if found.rows:
            found.what.add(REVIEW_NOTES)
    return found


def _event(
    held: HeldSubmission,
    agreement: Agreement,
    ended: dt.date,
    targets: _Targets,
    actor: str,
    sha256: str | None,
) -> AuditEvent:
    purged_package = held.package_id and RESPONSE_PACKAGES in targets.what
    return PurgeDone(
        actor=actor,
        agency=agreement.recipient,
        agreement=held.agreement_id,
        job_id=held.job_id,
        agreement_version=agreement.version,
        retention_days=agreement.retention.days,
        retention_ended=ended.isoformat(),
        purged=",".join(sorted(targets.what)),
        files=len(targets.files) + len(targets.folders),
        size=targets.size,
        rows=targets.rows,
        request_sha256=sha256 or None,
        package_id=held.package_id if purged_package else None,
    ).audit_event()


def _delete(app: App, held: HeldSubmission, targets: _Targets) -> None:
    """Delete every target; raise the first error after trying them all."""
    first: BaseException | None = None
    for path in targets.files:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            first = first or exc
    for folder in targets.folders:
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            pass
        except OSError as exc:
            first = first or exc
    if targets.rows:
        with app.unit_of_work() as s:
            review.delete_job_items(s, held.job_id)
    if REQUEST_FILES in targets.what:
        with app.unit_of_work() as s:
            store.forget_stored_path(s, held.job_id)
    job_folder = app.settings.workspace / "submissions" / held.job_id
    if job_folder.is_dir() and not any(job_folder.iterdir()):
        job_folder.rmdir()
    if first is not None:
        raise first


def _agreement(
    app: App, held: HeldSubmission, cache: dict[tuple[str, int | None], Agreement]
) -> Agreement:
    key = (held.agreement_id, held.agreement_version)
    if key not in cache:
        cache[key] = get_agreement(app, held.agreement_id, held.agreement_version)
    return cache[key]


def run_retention(
    app: App,
    *,
    caller: Principal,
    on: dt.date | None = None,
    dry_run: bool = False,
    outbox: Path | None = None,
) -> RetentionReport:
    """Purge what each submission's retention no longer allows keeping (module docstring).

    The caller must be a privacy officer or an administrator of the host agency (a dry run
    too: it lists every agreement's submissions); each purge entry names their user id.
    A dry run needs no audit log (``app.audit`` is opened only for a real run). Raises
    :class:`~matchgate.domain.audit.AuditUnavailable` (after purging nothing more) when an
    entry cannot be recorded.
    """
    audit = None if dry_run else app.audit
    refusals = app.refusal_audit() if audit is None else audit
    actor = require_host(app.settings, caller, Action.RETENTION_RUN, audit=refusals).user_id
    if dry_run:
        return _run(app, audit, on, dry_run, actor, outbox)
    with maintenance_lock(app.settings):
        return _run(app, audit, on, dry_run, actor, outbox)


def _run(
    app: App,
    audit: AuditSink | None,
    on: dt.date | None,
    dry_run: bool,
    actor: str,
    outbox: Path | None,
) -> RetentionReport:
    today = on or app.today()
    box = outbox or app.settings.workspace / "outbox"
    app.settings.workspace.mkdir(parents=True, exist_ok=True)
    with app.unit_of_work() as s:
        held_all = list(store.submissions(s))
    report = RetentionReport(today, dry_run)
    cache: dict[tuple[str, int | None], Agreement] = {}
    not_due = nothing = unknown = 0
    for held in held_all:
        try:
            agreement = _agreement(app, held, cache)
        except AgreementNotFound:
            unknown += 1
            continue
        ended = _day(held.updated_at, app.settings) + dt.timedelta(days=agreement.retention.days)
        if ended > today:
            not_due += 1
            continue
        targets = _targets(app, held, agreement, box)
        if not targets.what:
            nothing += 1
            continue
        sha = held.sha256 if REQUEST_FILES in targets.what else None
        purge = Purge(
            job_id=held.job_id,
            agreement_id=held.agreement_id,
            agreement_version=agreement.version,
            ended=ended,
            what=tuple(sorted(targets.what)),
            files=len(targets.files) + len(targets.folders),
            bytes=targets.size,
            rows=targets.rows,
        )
        if dry_run:
            report.purged.append(purge)
            continue
        assert audit is not None
        event = _event(held, agreement, ended, targets, actor, sha)
        sequence: list[int] = []

        def delete(held: HeldSubmission = held, t: _Targets = targets) -> None:
            _delete(app, held, t)

        try:
            release_after_audit(_Recorder(audit, sequence), event, delete)
        except OSError as exc:
            report.failed.append(_with(purge, sequence, error=type(exc).__name__))
            continue
        report.purged.append(_with(purge, sequence))
    return RetentionReport(
        today,
        dry_run,
        report.purged,
        report.failed,
        not_due=not_due,
        nothing_left=nothing,
        unknown_agreement=unknown,
    )


class _Recorder:
    """An audit sink that remembers the sequence number of the purge entry."""

    def __init__(self, sink: AuditSink, sequences: list[int]) -> None:
        self._sink = sink
        self._sequences = sequences

    def append(self, event: AuditEvent) -> AuditReceipt:
        receipt = self._sink.append(event)
        if event.kind == kinds.PURGE_DONE and isinstance(receipt, AuditReceipt):
            self._sequences.append(receipt.sequence)
        return receipt


def _with(purge: Purge, sequence: list[int], *, error: str | None = None) -> Purge:
    return Purge(
        purge.job_id,
        purge.agreement_id,
        purge.agreement_version,
        purge.ended,
        purge.what,
        purge.files,
        purge.bytes,
        purge.rows,
        sequence[0] if sequence else None,
        error,
    )
