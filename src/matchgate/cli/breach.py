"""``matchgate breach open|list|show|report|advance|close``: thin shells over
``services.breach`` (docs/breach.md).

The caller is the user of ``MATCHGATE_TOKEN`` (a privacy officer of the host agency to open,
advance and report; its privacy officers and auditors to read); each step names their user id.
Each step is audited before it is reported; an audit log that is not set up or cannot write is
exit 4 and nothing changes (for ``open``: the incident is not recorded, and the message says to
report it to US-CERT/CISA by other means, since the clock runs from discovery regardless).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli.shell import caller
from matchgate.cli.shell import settings as _settings
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from matchgate.audit.breach import Incident

Runner = Callable[[Callable[[], Any]], Any]

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
IncidentId = Annotated[str, typer.Argument(metavar="INCIDENT", help="Incident id.")]


def _echo(line: str = "") -> None:
    typer.echo(line)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _incident_json(incident: Incident) -> dict[str, Any]:
    from matchgate.audit.breach_report import incident_json

    return incident_json(incident, incident.clock(_now()))


def _print(incident: Incident, *, timeline: bool) -> None:
    data = _incident_json(incident)
    for key in ("id", "category", "status", "reported_by", "discovered_at", "opened_at", "due_at"):
        _echo(f"{key + ':':<15} {data[key]}")
    _echo(f"{'clock:':<15} {data['clock']['state']}")
    if incident.cisa_reference:
        _echo(f"{'cisa reference:':<15} {incident.cisa_reference}")
    if incident.summary:
        _echo(f"{'summary:':<15} {incident.summary}")
    scope = ", ".join(f"{k} {', '.join(v)}" for k, v in data["scope"].items() if v and k[0] != "s")
    window = [f"{k} {data['scope'][k]}" for k in ("since", "until") if data["scope"][k]]
    _echo(f"{'scope:':<15} {'; '.join(x for x in [scope, *window] if x)}")
    if incident.affected_people is not None:
        _echo(f"{'affected:':<15} {incident.affected_people:,} people (last report)")
    if timeline:
        for step in data["timeline"]:
            entry = (
                f" (audit entry {step['audit_entry']})" if step["audit_entry"] is not None else ""
            )
            note = f": {step['note']}" if step["note"] else ""
            _echo(f"{'step:':<15} {step['at']} {step['step']} by {step['by']}{entry}{note}")


def _audit() -> Any:
    from matchgate.services.audit import audit_config, open_audit

    return open_audit(audit_config(_settings()))


def _audited(work: Callable[[], Any], refused: str) -> Any:
    """Run an audited step; an audit log that is missing or cannot write is exit 4."""
    try:
        return work()
    except (AuditUnavailable, ConfigurationError) as exc:
        raise ConfigurationError(f"{exc}; {refused}") from None


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``breach open|list|show|report|advance|close`` to ``app``."""
    breach = typer.Typer(
        help="Breach response (OMB M-17-12): incidents, the one-hour reporting clock, affected "
        "people and categories from the accounting of disclosures.",
        no_args_is_help=True,
    )

    @breach.command("open")
    def open_(
        category: Annotated[
            str,
            typer.Option(
                help="lost_package, misdirected_disclosure, unauthorized_access, wrong_match, "
                "other."
            ),
        ],
        package: Annotated[
            list[str] | None, typer.Option("--package", help="Package id in scope (repeat).")
        ] = None,
        job: Annotated[
            list[str] | None, typer.Option("--job", help="Submission job id in scope (repeat).")
        ] = None,
        answer: Annotated[
            list[str] | None,
            typer.Option("--answer", help="Verification answer id in scope (repeat)."),
        ] = None,
        recipient: Annotated[
            list[str] | None,
            typer.Option("--recipient", help="Recipient agency code in scope (repeat)."),
        ] = None,
        since: Annotated[
            str | None, typer.Option(help="Disclosures recorded from (ISO date or date-time).")
        ] = None,
        until: Annotated[
            str | None,
            typer.Option(help="Disclosures recorded before (a date: through that day)."),
        ] = None,
        discovered_at: Annotated[
            str | None,
            typer.Option("--discovered-at", help="When it was discovered (default: now)."),
        ] = None,
        summary: Annotated[
            str | None, typer.Option(help="What happened, in ids and codes (no personal values).")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Open an incident and start the one-hour clock to report it to US-CERT/CISA."""
        from matchgate.audit.breach import Scope, parse_category
        from matchgate.services.breach import open_incident, parse_moment

        def work() -> None:
            settings = _settings()
            parse_category(category)  # a usage mistake is exit 3 even with no audit log
            scope = Scope.build(
                packages=package or (),
                jobs=job or (),
                answers=answer or (),
                recipients=recipient or (),
                since=None if since is None else parse_moment(since, settings),
                until=None if until is None else parse_moment(until, settings, end_of_day=True),
            )
            found = None if discovered_at is None else parse_moment(discovered_at, settings)
            incident = _audited(
                lambda: open_incident(
                    settings,
                    category=category,
                    scope=scope,
                    caller=caller(),
                    audit=_audit(),
                    summary=summary,
                    discovered_at=found,
                ),
                "the incident was NOT recorded: report it to US-CERT/CISA by other means within "
                "one hour of discovery, and record it once the audit log is back",
            )
            if as_json:
                _echo(json.dumps(_incident_json(incident), indent=2))
                return
            _echo(f"incident {incident.id} opened")
            _print(incident, timeline=False)

        run(work)

    @breach.command("list")
    def list_(
        status: Annotated[
            str | None, typer.Option(help="Only this status (open, reported, ...).")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Incidents, latest first, with status and the reporting clock."""
        from matchgate.services.breach import list_incidents

        def work() -> None:
            rows = list_incidents(_settings(), caller=caller(), status=status)
            if as_json:
                _echo(json.dumps([_incident_json(i) for i in rows], indent=2))
                return
            if not rows:
                _echo("no incidents")
            for i in rows:
                _echo(
                    f"{i.id}  {i.opened_at:%Y-%m-%d %H:%M}Z  {i.category}  {i.status}  "
                    f"{i.clock(_now()).describe()}"
                )

        run(work)

    @breach.command("show")
    def show(incident_id: IncidentId, as_json: AsJson = False) -> None:
        """One incident: scope, status, clock and its timeline (with audit entries)."""
        from matchgate.services.breach import get_incident

        def work() -> None:
            incident = get_incident(_settings(), incident_id, caller=caller())
            if as_json:
                _echo(json.dumps(_incident_json(incident), indent=2))
            else:
                _print(incident, timeline=True)

        run(work)

    @breach.command("report")
    def report(
        incident_id: IncidentId,
        out: Annotated[
            Path | None,
            typer.Option(help="Folder for the report; default WORKSPACE/breach-reports/ID."),
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Derive the affected people and categories from the audit log and write the report
        (JSON, Markdown) and the affected subject keys (CSV)."""
        from matchgate.services.audit import audit_config
        from matchgate.services.breach import make_report

        def work() -> None:
            settings = _settings()
            folder = out or settings.workspace / "breach-reports" / incident_id[:40]
            made = _audited(
                lambda: make_report(
                    settings,
                    audit_config(settings),
                    incident_id,
                    folder,
                    caller=caller(),
                    audit=_audit(),
                ),
                "no report was written",
            )
            counts = made.exposure.counts()
            if as_json:
                paths = [made.report_json, made.report_markdown, made.subjects_csv]
                _echo(json.dumps({"counts": counts, "files": [str(p) for p in paths]}, indent=2))
                return
            _echo(
                f"{counts['affected_people']:,} affected people (subject keys), "
                f"{counts['unkeyed_people']:,} without a subject key, in "
                f"{counts['disclosure_entries']:,} disclosure entries"
            )
            by_category = made.exposure.people_by_category()
            _echo("by category:  " + (", ".join(f"{k} {v:,}" for k, v in by_category.items())))
            unmatched = made.exposure.unmatched()
            if unmatched:
                _echo("not in the audit log: " + ", ".join(unmatched))
            _echo(f"report:   {made.report_markdown}")
            _echo(f"          {made.report_json}")
            _echo(f"subjects: {made.subjects_csv}")

        run(work)

    def _advance(incident_id: str, to: str, note: str | None, ref: str | None) -> None:
        from matchgate.services.breach import advance_incident

        who = caller()
        incident = _audited(
            lambda: advance_incident(
                _settings(), incident_id, to, caller=who, audit=_audit(), note=note, reference=ref
            ),
            "the incident was not changed",
        )
        _echo(f"incident {incident.id}: {incident.status}")
        _echo(f"clock: {incident.clock(_now()).describe()}")

    @breach.command("advance")
    def advance(
        incident_id: IncidentId,
        to: Annotated[str, typer.Option("--to", help="The next status: reported, contained.")],
        note: Annotated[
            str | None, typer.Option(help="What was done (no personal values).")
        ] = None,
        reference: Annotated[
            str | None, typer.Option(help="US-CERT/CISA incident number (with --to reported).")
        ] = None,
    ) -> None:
        """Move an incident one step forward: open -> reported -> contained -> closed."""
        run(lambda: _advance(incident_id, to, note, reference))

    @breach.command("close")
    def close(
        incident_id: IncidentId,
        note: Annotated[str | None, typer.Option(help="How it ended (no personal values).")] = None,
    ) -> None:
        """Close a contained incident whose report was made."""
        run(lambda: _advance(incident_id, "closed", note, None))

    app.add_typer(breach, name="breach")
