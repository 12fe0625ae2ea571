"""``matchgate breach open|list|show|report|advance|close``: thin shells over
``services.oversight.breach`` (docs/breach.md).

The caller is the user of ``MATCHGATE_TOKEN`` (a privacy officer of the host agency to open,
advance and report; its privacy officers and auditors to read); each step names their user id.
Each step is audited before it is reported; an audit log that is not set up or cannot write is
exit 4 and nothing changes (for ``open``: the incident is not recorded, and the message says to
report it to US-CERT/CISA by other means, since the clock runs from discovery regardless).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli.shell import (
    AsJson,
    Runner,
    T,
    caller,
    current_app,
    echo,
    echo_json,
)
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from matchgate.audit.breach import Incident
IncidentId = Annotated[str, typer.Argument(metavar="INCIDENT", help="Incident id.")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _incident_json(incident: Incident) -> dict[str, Any]:
    from matchgate.audit.breach_report import incident_json

    return incident_json(incident, incident.clock(_now()))


def _print_incident(incident: Incident, *, timeline: bool) -> None:
    data = _incident_json(incident)
    for key in ("id", "category", "status", "reported_by", "discovered_at", "opened_at", "due_at"):
        echo(f"{key + ':':<15} {data[key]}")
    echo(f"{'clock:':<15} {data['clock']['state']}")
    if incident.cisa_reference:
        echo(f"{'cisa reference:':<15} {incident.cisa_reference}")
    if incident.summary:
        echo(f"{'summary:':<15} {incident.summary}")
    scope = ", ".join(f"{k} {', '.join(v)}" for k, v in data["scope"].items() if v and k[0] != "s")
    window = [f"{k} {data['scope'][k]}" for k in ("since", "until") if data["scope"][k]]
    echo(f"{'scope:':<15} {'; '.join(x for x in [scope, *window] if x)}")
    if incident.affected_people is not None:
        echo(f"{'affected:':<15} {incident.affected_people:,} people (last report)")
    if timeline:
        for step in data["timeline"]:
            entry = (
                f" (audit entry {step['audit_entry']})" if step["audit_entry"] is not None else ""
            )
            note = f": {step['note']}" if step["note"] else ""
            echo(f"{'step:':<15} {step['at']} {step['step']} by {step['by']}{entry}{note}")


def _audited(work: Callable[[], T], refused: str) -> T:
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
        from matchgate.services.oversight.breach import open_incident, parse_moment

        def work() -> None:
            current = current_app()
            parse_category(category)  # a usage mistake is exit 3 even with no audit log
            scope = Scope.build(
                packages=package or (),
                jobs=job or (),
                answers=answer or (),
                recipients=recipient or (),
                since=None if since is None else parse_moment(current, since),
                until=None if until is None else parse_moment(current, until, end_of_day=True),
            )
            found = None if discovered_at is None else parse_moment(current, discovered_at)
            incident = _audited(
                lambda: open_incident(
                    current,
                    category=category,
                    scope=scope,
                    caller=caller(),
                    summary=summary,
                    discovered_at=found,
                ),
                "the incident was NOT recorded: report it to US-CERT/CISA by other means within "
                "one hour of discovery, and record it once the audit log is back",
            )
            if as_json:
                echo_json(_incident_json(incident))
                return
            echo(f"incident {incident.id} opened")
            _print_incident(incident, timeline=False)

        run(work)

    @breach.command("list")
    def list_(
        status: Annotated[
            str | None, typer.Option(help="Only this status (open, reported, ...).")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Incidents, latest first, with status and the reporting clock."""
        from matchgate.services.oversight.breach import list_incidents

        def work() -> None:
            rows = list_incidents(current_app(), caller=caller(), status=status)
            if as_json:
                echo_json([_incident_json(i) for i in rows])
                return
            if not rows:
                echo("no incidents")
            for i in rows:
                echo(
                    f"{i.id}  {i.opened_at:%Y-%m-%d %H:%M}Z  {i.category}  {i.status}  "
                    f"{i.clock(_now()).describe()}"
                )

        run(work)

    @breach.command("show")
    def show(incident_id: IncidentId, as_json: AsJson = False) -> None:
        """One incident: scope, status, clock and its timeline (with audit entries)."""
        from matchgate.services.oversight.breach import get_incident

        def work() -> None:
            incident = get_incident(current_app(), incident_id, caller=caller())
            if as_json:
                echo_json(_incident_json(incident))
            else:
                _print_incident(incident, timeline=True)

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
        from matchgate.services.oversight.breach import make_report

        def work() -> None:
            current = current_app()
            folder = out or current.settings.workspace / "breach-reports" / incident_id[:40]
            made = _audited(
                lambda: make_report(current, incident_id, folder, caller=caller()),
                "no report was written",
            )
            counts = made.exposure.counts()
            if as_json:
                paths = [made.report_json, made.report_markdown, made.subjects_csv]
                echo_json({"counts": counts, "files": [str(p) for p in paths]})
                return
            echo(
                f"{counts['affected_people']:,} affected people (subject keys), "
                f"{counts['unkeyed_people']:,} without a subject key, in "
                f"{counts['disclosure_entries']:,} disclosure entries"
            )
            by_category = made.exposure.people_by_category()
            echo("by category:  " + (", ".join(f"{k} {v:,}" for k, v in by_category.items())))
            unmatched = made.exposure.unmatched()
            if unmatched:
                echo("not in the audit log: " + ", ".join(unmatched))
            echo(f"report:   {made.report_markdown}")
            echo(f"          {made.report_json}")
            echo(f"subjects: {made.subjects_csv}")

        run(work)

    def _advance(incident_id: str, to: str, note: str | None, ref: str | None) -> None:
        from matchgate.services.oversight.breach import advance_incident

        who = caller()
        incident = _audited(
            lambda: advance_incident(
                current_app(), incident_id, to, caller=who, note=note, reference=ref
            ),
            "the incident was not changed",
        )
        echo(f"incident {incident.id}: {incident.status}")
        echo(f"clock: {incident.clock(_now()).describe()}")

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
