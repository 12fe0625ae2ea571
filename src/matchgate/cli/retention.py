"""``matchgate retention run``: a thin shell over ``services.oversight.retention``.

``register(app, run)`` adds the ``retention`` sub-app; ``run`` is the shell's error mapper. Exit
codes: 0 when everything due was purged (or, with ``--dry-run``, listed); 4 when the audit log
cannot be used (nothing more is purged); 6 when a deletion failed after its purge was recorded
(listed; run again to retry).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli.shell import Runner, caller, current_app, echo, echo_json
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from matchgate.services.oversight.retention import Purge, RetentionReport

EXIT_PURGE_INCOMPLETE = 6


def _as_json(report: RetentionReport) -> dict[str, Any]:
    def one(p: Purge) -> dict[str, Any]:
        return {
            "job_id": p.job_id,
            "agreement": {"id": p.agreement_id, "version": p.agreement_version},
            "retention_ended": p.ended.isoformat(),
            "purged": list(p.what),
            "files": p.files,
            "bytes": p.bytes,
            "rows": p.rows,
            "audit_entry": p.sequence,
            "error": p.error,
        }

    return {
        "on": report.on.isoformat(),
        "dry_run": report.dry_run,
        "purged": [one(p) for p in report.purged],
        "failed": [one(p) for p in report.failed],
        "totals": {"files": report.files, "bytes": report.bytes, "rows": report.rows},
        "not_due": report.not_due,
        "nothing_left": report.nothing_left,
        "unknown_agreement": report.unknown_agreement,
    }


def _print_report(report: RetentionReport) -> None:
    verb = "would purge" if report.dry_run else "purged"
    for p in report.purged:
        entry = "" if p.sequence is None else f" (audit entry {p.sequence})"
        echo(
            f"{verb} job {p.job_id} under {p.agreement_id} v{p.agreement_version} "
            f"(retention ended {p.ended.isoformat()}): {', '.join(p.what)}; {p.files} file(s), "
            f"{p.bytes:,} bytes, {p.rows} row(s){entry}"
        )
    for p in report.failed:
        echo(
            f"FAILED job {p.job_id}: recorded (audit entry {p.sequence}) but not all deleted "
            f"({p.error}); run again to retry"
        )
    echo(
        f"{verb} {len(report.purged)} submission(s): {report.files} file(s), "
        f"{report.bytes:,} bytes, {report.rows} row(s); not yet due {report.not_due}, "
        f"nothing left {report.nothing_left}"
        + (f", agreement unknown {report.unknown_agreement}" if report.unknown_agreement else "")
    )


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``retention run`` to ``app``."""
    retention = typer.Typer(
        help="Purge request files, packages and working data whose retention has ended.",
        no_args_is_help=True,
    )

    @retention.command("run")
    def run_command(
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="List what would be purged; change nothing.")
        ] = False,
        on: Annotated[
            str | None,
            typer.Option(help="Purge as of this day (YYYY-MM-DD); default today, agency time."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Purge, per each agreement's retention terms, what submissions left behind; every
        purge is recorded in the audit log before anything is deleted."""
        from matchgate.services.oversight.retention import run_retention

        def work() -> RetentionReport:
            current = current_app()
            try:
                day = None if on is None else dt.date.fromisoformat(on)
            except ValueError:
                raise ConfigurationError("--on must be a date, YYYY-MM-DD") from None
            if not dry_run:
                current.audit_log()  # no audit log: refused (exit 4) before the caller is read
            try:
                report = run_retention(current, caller=caller(), on=day, dry_run=dry_run)
            except AuditUnavailable as exc:  # the log failed: nothing more was purged
                raise ConfigurationError(f"{exc}; the retention run stopped") from None
            if as_json:
                echo_json(_as_json(report))
            else:
                _print_report(report)
            return report

        report = run(work)
        if report.failed:
            raise typer.Exit(EXIT_PURGE_INCOMPLETE)

    app.add_typer(retention, name="retention")
