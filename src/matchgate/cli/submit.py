"""``matchgate submit``, ``matchgate submissions list|show|release|refuse``, ``matchgate exchange
process`` and ``matchgate notices file|decide|list``: thin shells over ``services.submission``
(``submit``, ``records``, ``consult``, ``exchange``) and ``services.disclosure.notices``.

``register(app, run)`` adds the commands; ``run`` is the shell's error mapper. ``match_ssnvs`` is
the body of ``matchgate match ... --format ssnvs`` (registered by ``cli.main``).

``submit`` exit codes: 0 validated (``--dry-run``) or disclosed; 2 a usage error (no option names
a master or a key: those are the host's); 3 rejected (one line on stderr with the code) or an
input that cannot be used; 4 no master loaded, no host signing key, no registered key of the
recipient agency, or the audit log cannot be used; 5 held for consultation (over the
agreement's volume cap, not processed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli import remote
from matchgate.cli.progress import RichProgress
from matchgate.cli.render import key_value_lines
from matchgate.cli.shell import (
    EXIT_HELD,
    EXIT_REJECTED,
    AsJson,
    Runner,
    caller,
    console,
    current_app,
    echo,
    echo_json,
    say,
)
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from matchgate.services.disclosure.notices import Notice
    from matchgate.services.submission.submit import SubmitResult
from matchgate.services.submission.records import StoredSubmission


def match_ssnvs(master: Path, requests: Path, output: Path) -> None:
    """``matchgate match --format ssnvs``: fixed-width return records for a fixed-width file."""
    from matchgate.services.disclosure.ssnvs import match_ssnvs_file

    with RichProgress(console).shown() as progress:
        summary = match_ssnvs_file(current_app(), master, requests, output, progress=progress)
    codes = ", ".join(f"{(k.strip() or 'blank')} {v:,}" for k, v in summary.codes.items())
    say(
        f"answered {summary.records:,} records in {summary.seconds:.1f} s (codes: {codes}); "
        f"confirmation {summary.confirmation}; wrote {summary.output}",
        soft_wrap=False,
    )


def _result_json(result: SubmitResult) -> dict[str, Any]:
    return {
        "job_id": result.job_id,
        "status": str(result.status),
        "code": result.code,
        "message": result.message,
        "agreement": {"id": result.agreement_id, "version": result.agreement_version},
        "dry_run": result.dry_run,
        "sha256": result.sha256,
        "format": result.format,
        "records": result.records,
        "duplicate_of": result.duplicate_of,
        "package": None if result.package is None else str(result.package),
        "package_id": result.package_id,
        "master_snapshot_id": result.master_snapshot_id,
        "recipient_key_id": result.recipient_key_id,
        "counts": result.counts,
        "report": result.report,
    }


def _print_result(result: SubmitResult) -> None:
    version = "" if result.agreement_version is None else f" v{result.agreement_version}"
    echo(f"job:       {result.job_id}")
    echo(f"status:    {result.status}" + (" (dry run)" if result.dry_run else ""))
    echo(f"agreement: {result.agreement_id}{version}")
    if result.sha256:
        what = f"{result.format or 'unread'}"
        if result.records is not None:
            what += f", {result.records:,} records"
        echo(f"file:      {what}, sha256 {result.sha256[:16]}")
    codes = result.report.get("codes") or {}
    if codes:
        listed = ", ".join(f"{code} {count:,}" for code, count in codes.items())
        echo(f"row codes: {listed} (see `matchgate submissions show {result.job_id}`)")
    if result.counts:
        echo("rows:      " + ", ".join(f"{k} {v:,}" for k, v in result.counts.items()))
    if result.master_snapshot_id:
        echo(f"master:    snapshot {result.master_snapshot_id}")
    if result.package is not None:
        echo(f"package:   {result.package}")
        echo(f"sealed to: key {result.recipient_key_id} (the recipient's registered key)")
    if result.status == "validated" and result.message:
        echo(f"note:      {result.message}")
    if result.duplicate_of:
        echo(f"same file: job {result.duplicate_of}")


def _register_submit(app: typer.Typer, run: Runner) -> None:
    @app.command("submit")
    def submit(
        file: Annotated[Path, typer.Argument(help="Request file: CSV, Parquet, JSONL or SSNVS.")],
        agreement: Annotated[str, typer.Option("--agreement", help="Agreement id.")],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Validate only: no matching, no disclosure.")
        ] = False,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the package; default WORKSPACE/outbox."),
        ] = None,
        purpose: Annotated[
            str | None,
            typer.Option(help="Purpose of the request, if not the agreement's (onward use)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        """Submit a request file under an agreement: validate, match, disclose, seal, audit.

        The master (the host's loaded snapshot), the signing key (the host's) and the key the
        package is sealed to (the recipient agency's registered key) are the host's, never
        named here. Exit 0 validated or disclosed; 3 rejected; 4 no master loaded, no host
        signing key, no registered recipient key, or the audit log unusable; 5 held for
        consultation (over the agreement's volume cap).
        """
        from matchgate.domain.lifecycle import SubmissionStatus
        from matchgate.services.submission.submit import SubmitOptions, submit_file

        def work() -> int:
            if remote.enabled():
                return remote.submit(
                    file, agreement, dry_run=dry_run, purpose=purpose, out=out, as_json=as_json
                )
            current = current_app()
            log = current.audit_log()
            options = SubmitOptions(dry_run=dry_run, out_dir=out, purpose=purpose)
            try:
                with RichProgress(console).shown() as progress:
                    result = submit_file(
                        current,
                        file,
                        agreement,
                        caller=caller(),
                        options=options,
                        subject=log.subject_key,
                        progress=progress,
                    )
            except AuditUnavailable as exc:  # the log failed mid-way: nothing was released
                raise ConfigurationError(f"{exc}; the submission was not released") from None
            if as_json:
                echo_json(_result_json(result), default=str)
            else:
                _print_result(result)
            if result.status == SubmissionStatus.REJECTED:
                say(f"rejected: {result.message} [{result.code}]")
                return EXIT_REJECTED
            if result.status == SubmissionStatus.NEEDS_CONSULTATION:
                say(f"held for consultation: {result.message} [{result.code}]")
                return EXIT_HELD
            return 0

        code = run(work)
        if code:
            raise typer.Exit(code)


def _stored_json(stored: StoredSubmission) -> dict[str, Any]:
    return {
        "job_id": stored.job_id,
        "agreement": {"id": stored.agreement_id, "version": stored.agreement_version},
        "purpose": stored.purpose,
        "dry_run": stored.dry_run,
        "status": stored.status,
        "code": stored.code,
        "message": stored.message,
        "received_at": stored.received_at.isoformat(),
        "updated_at": stored.updated_at.isoformat(),
        "source_name": stored.source_name,
        "size_bytes": stored.size_bytes,
        "sha256": stored.sha256,
        "format": stored.format,
        "records": stored.records,
        "duplicate_of": stored.duplicate_of,
        "package_id": stored.package_id,
        "master_snapshot_id": stored.master_snapshot_id,
        "recipient_key_id": stored.recipient_key_id,
        "consultation": stored.consultation,
        "counts": stored.counts,
        "report": stored.report,
    }


def _register_submissions(app: typer.Typer, run: Runner) -> None:
    submissions = typer.Typer(
        help="List submissions, show one's status and report; release or refuse a held one.",
        no_args_is_help=True,
    )

    @submissions.command("list")
    def list_(
        agreement: Annotated[
            str | None, typer.Option("--agreement", help="Only this agreement.")
        ] = None,
        limit: Annotated[int, typer.Option(help="At most this many, latest first.", min=1)] = 50,
        as_json: AsJson = False,
    ) -> None:
        """The latest submissions: job id, agreement, status, code, records."""
        from matchgate.services.submission.records import list_submissions

        def work() -> None:
            if remote.enabled():
                rows = remote.list_submissions(agreement, limit)
            else:
                rows = list_submissions(current_app(), agreement, limit, caller=caller())
            if as_json:
                echo_json([_stored_json(r) for r in rows], default=str)
                return
            for r in rows:
                dry = " (dry run)" if r.dry_run else ""
                records = "-" if r.records is None else f"{r.records:,}"
                echo(
                    f"{r.job_id}  {r.received_at:%Y-%m-%d %H:%M}  {r.agreement_id}  "
                    f"{r.status}{dry}  {r.code or ''}  {records} records"
                )

        run(work)

    @submissions.command("show")
    def show(
        job_id: Annotated[str, typer.Argument(metavar="JOB", help="Job id.")],
        as_json: AsJson = False,
    ) -> None:
        """One submission: status, code, counts and its validation report (codes, rows)."""
        from matchgate.services.submission.records import get_submission

        def work() -> None:
            if remote.enabled():
                stored = remote.get_submission(job_id)
            else:
                stored = get_submission(current_app(), job_id, caller=caller())
            if as_json:
                echo_json(_stored_json(stored), default=str)
                return
            skip = ("report", "consultation")
            shown = {k: v for k, v in _stored_json(stored).items() if k not in skip}
            for line in key_value_lines(shown):
                echo(line)
            report = stored.report
            for code, count in (report.get("codes") or {}).items():
                echo(f"{'code:':<14} {code} x {count:,}")
            for row in report.get("rows") or []:
                echo(f"{'row:':<14} {row['row']} ({row['request_id']}): {', '.join(row['codes'])}")
            error = report.get("error")
            if error:
                echo(f"{'error:':<14} {error['message']} [{error['code']}]")
            held = report.get("would_hold")
            if held:
                echo(f"{'would hold:':<14} {held['reason']} [{held['code']}]")
            consulted = stored.consultation
            if consulted:
                echo(
                    f"{'consultation:':<14} {consulted['outcome']} by {consulted['by']} at "
                    f"{consulted['at']} under agreement version {consulted['agreement_version']}"
                )
                echo(f"{'record:':<14} {consulted['record']}")

        run(work)

    @submissions.command("release")
    def release(
        job_id: Annotated[str, typer.Argument(metavar="JOB", help="Job id of a held file.")],
        agreed: Annotated[str, typer.Option(help="What was agreed in the consultation.")],
        agreement_version: Annotated[
            int | None,
            typer.Option(help="The agreement version it is released under (the one in force)."),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the package; default WORKSPACE/outbox."),
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Release a held submission after consultation (the disclosing agency's privacy
        officer): it is matched and disclosed under the agreement version in force today."""
        from matchgate.services.submission.consult import release_held

        def work() -> int:
            app = current_app()
            log = app.audit_log()
            with RichProgress(console).shown() as progress:
                result = release_held(
                    app,
                    job_id,
                    agreed,
                    caller=caller(),
                    subject=log.subject_key,
                    agreement_version=agreement_version,
                    out_dir=out,
                    progress=progress,
                )
            if as_json:
                echo_json(_result_json(result), default=str)
            else:
                _print_result(result)
            if result.status == "rejected":
                say(f"rejected: {result.message} [{result.code}]")
                return EXIT_REJECTED
            return 0

        code = run(work)
        if code:
            raise typer.Exit(code)

    @submissions.command("refuse")
    def refuse(
        job_id: Annotated[str, typer.Argument(metavar="JOB", help="Job id of a held file.")],
        reason: Annotated[str, typer.Option(help="Why it is refused after consultation.")],
    ) -> None:
        """Refuse a held submission after consultation (the disclosing agency's privacy
        officer): it ends rejected (E_HELD_REFUSED); nothing is matched or disclosed."""
        from matchgate.services.submission.consult import refuse_held

        def work() -> None:
            refuse_held(current_app(), job_id, reason, caller=caller())
            say(f"submission {job_id} refused after consultation [E_HELD_REFUSED]")

        run(work)

    app.add_typer(submissions, name="submissions")


def _notice_json(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "agreement": notice.agreement_id,
        "purpose": notice.purpose,
        "description": notice.description,
        "filed_by": notice.filed_by,
        "filed_at": notice.filed_at.isoformat(),
        "status": str(notice.status),
        "decided_by": notice.decided_by,
        "decided_at": None if notice.decided_at is None else notice.decided_at.isoformat(),
        "decision_note": notice.decision_note,
    }


def _register_notices(app: typer.Typer, run: Runner) -> None:
    notices = typer.Typer(
        help="Onward-use notices: file a proposed new use or disclosure; decide one; list them.",
        no_args_is_help=True,
    )

    @notices.command("file")
    def file_(
        agreement: Annotated[str, typer.Option("--agreement", help="Agreement id.")],
        purpose: Annotated[str, typer.Option(help="Code of the proposed new purpose.")],
        description: Annotated[str, typer.Option(help="The proposed use or disclosure.")],
    ) -> None:
        """File a notice (the recipient's privacy officer): disclosures for PURPOSE are refused
        until the discloser decides."""
        from matchgate.services.disclosure.notices import file_notice

        def work() -> None:
            notice = file_notice(current_app(), agreement, purpose, description, caller=caller())
            echo(f"notice {notice.id} filed: {notice.purpose} under {notice.agreement_id}")
            echo("status: pending (disclosures for this purpose are refused until decided)")

        run(work)

    @notices.command("decide")
    def decide(
        notice_id: Annotated[str, typer.Argument(metavar="NOTICE", help="Notice id.")],
        approve: Annotated[
            bool | None,
            typer.Option("--approve/--deny", help="The disclosing agency's decision."),
        ] = None,
        note: Annotated[str | None, typer.Option(help="Reason for the decision.")] = None,
    ) -> None:
        """Record the disclosing agency's decision on a pending notice (its privacy officer;
        audited)."""
        from matchgate.services.disclosure.notices import decide_notice

        def work() -> None:
            if approve is None:
                raise ConfigurationError("give --approve or --deny")
            notice = decide_notice(
                current_app(),
                notice_id,
                approve=approve,
                caller=caller(),
                note=note,
            )
            echo(f"notice {notice.id}: {notice.status} ({notice.purpose})")

        run(work)

    @notices.command("list")
    def list_(
        agreement: Annotated[
            str | None, typer.Option("--agreement", help="Only this agreement.")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Notices in the order they were filed, with their status."""
        from matchgate.services.disclosure.notices import list_notices

        def work() -> None:
            rows = list_notices(current_app(), agreement, caller=caller())
            if as_json:
                echo_json([_notice_json(n) for n in rows], default=str)
                return
            for n in rows:
                echo(
                    f"{n.id}  {n.agreement_id}  {n.purpose}  {n.status}  filed by {n.filed_by} "
                    f"{n.filed_at:%Y-%m-%d}"
                )

        run(work)

    app.add_typer(notices, name="notices")


def _register_exchange(app: typer.Typer, run: Runner) -> None:
    exchange = typer.Typer(
        help="The per-agency inbox and outbox folders of the host.", no_args_is_help=True
    )

    @exchange.command("process")
    def process(
        agency: Annotated[
            str | None, typer.Option(help="Only this agency's inbox (default: every one).")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Submit every file in WORKSPACE/exchange/AGENCY/inbox (each with its envelope naming
        the agreement and carrying its sender's token); packages and receipts go to the
        agency's outbox. Run by the host's operator; each file is authenticated by its own
        envelope's token."""
        from matchgate.services.submission.exchange import delivery_json, process_inboxes

        def work() -> None:
            app = current_app()
            log = app.audit_log()
            with RichProgress(console).shown() as progress:
                done = process_inboxes(
                    app, subject=log.subject_key, agency=agency, progress=progress
                )
            if as_json:
                echo_json([delivery_json(d) for d in done])
                return
            for d in done:
                code = f" [{d.code}]" if d.code else ""
                echo(f"{d.agency}  {d.envelope}  {d.job_id or '-'}  {d.status}{code}")
            say(f"processed {len(done)} envelope(s)")

        run(work)

    app.add_typer(exchange, name="exchange")


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``submit``, ``submissions list|show|release|refuse``, ``exchange process`` and
    ``notices file|decide|list`` to ``app``."""
    _register_submit(app, run)
    _register_submissions(app, run)
    _register_exchange(app, run)
    _register_notices(app, run)
