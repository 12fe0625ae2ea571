"""``matchgate agreements add|list|show|suspend|resume``: thin shells over services.

Registered in :mod:`matchgate.cli.main` with ``app.add_typer(agreements_app)``; the error wrapper
and settings come from :mod:`matchgate.cli.shell`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from matchgate.cli.shell import AsJson, caller, current_app, echo_json, out, run, say
from matchgate.services.administration.agreements import AgreementListing, StoredAgreement

agreements_app = typer.Typer(
    name="agreements",
    help="Add, list and show the agreements disclosures are made under.",
    no_args_is_help=True,
)


@agreements_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="Agreement YAML file.")],
) -> None:
    """Validate an agreement file and store it as a new version (identical text is kept once)."""
    from matchgate.services.administration.agreements import add_agreement

    def work() -> None:
        added = add_agreement(current_app(), file, caller=caller())
        for warning in added.warnings:
            say(f"warning: {warning}", soft_wrap=False)
        verb = "stored" if added.stored else "already stored (identical text)"
        say(
            f"{verb}: {added.id} version {added.version} (sha256 {added.sha256[:16]})",
            soft_wrap=False,
        )

    run(work)


@agreements_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List stored agreements: latest version, parties, and whether one is in force today."""
    from matchgate.services.administration.agreements import list_agreements

    def work() -> None:
        listings = list_agreements(current_app(), caller=caller())
        if as_json:
            echo_json([_listing_dict(x) for x in listings])
        else:
            out.print(_listing_table(listings))

    run(work)


@agreements_app.command("show")
def show(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="Agreement id.")],
    version: Annotated[
        int | None, typer.Option(help="Version to show (default: the latest).", min=1)
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show one stored agreement version and what it allows today."""
    from matchgate.services.administration.agreements import describe_agreement

    def work() -> None:
        stored = describe_agreement(current_app(), agreement_id, version, caller=caller())
        if as_json:
            echo_json(_stored_dict(stored))
        else:
            out.print(_stored_table(stored))

    run(work)


def _listing_dict(listing: AgreementListing) -> dict[str, Any]:
    return {
        "id": listing.id,
        "latest_version": listing.latest_version,
        "title": listing.title,
        "disclosing": listing.disclosing,
        "recipient": listing.recipient,
        "effective": listing.effective.isoformat(),
        "expires": listing.expires.isoformat(),
        "in_force_today": listing.in_force,
        "governing_version": listing.governing_version,
        "suspended": listing.suspended,
    }


def _listing_table(listings: list[AgreementListing]) -> Table:
    table = Table(title="Agreements")
    for label in ("id", "latest", "title", "parties", "term (latest)", "in force today"):
        table.add_column(label)
    for x in listings:
        today = f"yes (v{x.governing_version})" if x.in_force else "no"
        today += " (SUSPENDED)" if x.suspended else ""
        cells = (
            x.id,
            str(x.latest_version),
            x.title,
            f"{x.disclosing} -> {x.recipient}",
            f"{x.effective.isoformat()} to {x.expires.isoformat()}",
            today,
        )
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _stored_dict(stored: StoredAgreement) -> dict[str, Any]:
    return {
        "agreement": stored.agreement.model_dump(mode="json"),
        "sha256": stored.sha256,
        "source_name": stored.source_name,
        "added_at": stored.added_at.isoformat(),
        "versions": list(stored.versions),
        "warnings": list(stored.warnings),
        "on": stored.on.isoformat(),
        "in_force": stored.in_force,
        "suspended": stored.suspended,
        "disclosable": sorted(stored.disclosable),
        "refused": {
            category: [{"code": r.code.value, "reason": r.reason} for r in reasons]
            for category, reasons in sorted(stored.refusals.items())
        },
    }


def _stored_table(stored: StoredAgreement) -> Table:
    a = stored.agreement
    table = Table(title=Text(f"{a.id} version {a.version}: {a.title}"), show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    program = a.computer_matching.matching_program
    exemption = a.computer_matching.exemption
    if program is not None:
        cmppa = (
            f"matching program: DIB approved {program.dib_approved}, sent to Congress "
            f"{program.sent_to_congress} and OMB {program.sent_to_omb}, term {program.start} "
            f"to {program.end}" + (" (renewed)" if program.renewal else "")
        )
    else:
        assert exemption is not None
        cmppa = f"exemption: {exemption.basis}"
    rows = [
        (
            "parties",
            f"{a.parties.disclosing.name} ({a.parties.disclosing.code}) -> "
            f"{a.parties.recipient.name} ({a.parties.recipient.code})",
        ),
        ("legal authorities", "; ".join(a.legal_authorities)),
        ("system of records", f"{a.system_of_records.name} ({a.system_of_records.sorn_citation})"),
        ("purpose", f"{a.purpose.code}: {a.purpose.statement}"),
        ("term", f"{a.effective} to {a.expires} (expires is the first day not in force)"),
        ("request fields", ", ".join(["request_id", *a.allowed_request_fields])),
        ("response categories", ", ".join(a.allowed_response_categories)),
        (
            "caps",
            f"{a.max_records_per_file:,} records per file, "
            f"{a.max_files_per_month:,} file(s) per month",
        ),
        ("fee", f"{a.fee.amount} {a.fee.currency}"),
        ("retention", f"{a.retention.days} days; purges {', '.join(a.retention.purge)}"),
        ("marking", a.protective_marking),
        ("computer matching", cmppa),
    ]
    for use in a.routine_uses:
        until = f" until {use.rescinded}" if use.rescinded else ""
        rows.append(
            (
                f"routine use {use.id}",
                f"from {use.effective}{until}: "
                f"{', '.join(use.categories)} to {', '.join(use.recipients)} ({use.citation})",
            )
        )
    rows += [
        (
            "stored",
            f"{stored.source_name}, sha256 {stored.sha256}, added {stored.added_at:%Y-%m-%d}",
        ),
        ("versions", ", ".join(str(v) for v in stored.versions)),
        (f"on {stored.on}", "in force" if stored.in_force else "NOT in force"),
        ("suspended", "YES: no submission is taken" if stored.suspended else "no"),
        ("disclosable", ", ".join(sorted(stored.disclosable)) or "nothing"),
    ]
    for category, reasons in sorted(stored.refusals.items()):
        rows.append((f"refused: {category}", "; ".join(r.reason for r in reasons)))
    rows += [("warning", w) for w in stored.warnings]
    for field, value in rows:
        table.add_row(Text(field), Text(value))
    return table


@agreements_app.command("suspend")
def suspend(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="Agreement id.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the suspension).")],
) -> None:
    """Suspend an agreement: no submission is taken under it from the next request on."""
    from matchgate.services.administration.suspensions import suspend_agreement

    def work() -> None:
        suspend_agreement(current_app(), agreement_id, reason, caller=caller())
        say(f"suspended: {agreement_id}", soft_wrap=False)

    run(work)


@agreements_app.command("resume")
def resume(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="Agreement id.")],
) -> None:
    """Lift an agreement's suspension."""
    from matchgate.services.administration.suspensions import resume_agreement

    def work() -> None:
        resume_agreement(current_app(), agreement_id, caller=caller())
        say(f"resumed: {agreement_id}", soft_wrap=False)

    run(work)
