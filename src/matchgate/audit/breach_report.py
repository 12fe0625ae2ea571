"""The breach report: JSON for systems, Markdown for people, and the affected subjects apart.

The report holds codes, ids, times, counts and audit entry numbers; the list of affected people
(subject keys only) is a separate CSV for the notification step, named in the report with its
SHA-256 so the two travel together and neither can be swapped. No personal value is in either.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

from matchgate.audit.breach import ClockState, Incident
from matchgate.audit.exposure import Exposure

REPORT_FORMAT = "matchgate-breach-report-v1"
SUBJECT_COLUMNS = (
    "subject",
    "categories",
    "references",
    "recipients",
    "entries",
    "withheld_from_person",
    "maybe_not_received",
)


def subjects_csv(exposure: Exposure) -> str:
    """One row per affected person (subject key), lists separated by ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUBJECT_COLUMNS)
    for person in exposure.people():
        writer.writerow(
            [
                person.subject,
                ";".join(person.categories),
                ";".join(person.references),
                ";".join(person.recipients),
                ";".join(str(e) for e in person.entries),
                "yes" if person.withheld else "no",
                "yes" if person.maybe_not_received else "no",
            ]
        )
    return buffer.getvalue()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def incident_json(incident: Incident, clock: ClockState) -> dict[str, Any]:
    """The incident as listed and shown: no personal values, only codes, ids and times."""
    return {
        "id": incident.id,
        "category": str(incident.category),
        "summary": incident.summary,
        "status": str(incident.status),
        "reported_by": incident.reported_by,
        "opened_at": _time(incident.opened_at),
        "discovered_at": _time(incident.discovered_at),
        "due_at": _time(incident.due_at),
        "reported_at": _time(incident.reported_at),
        "reported_to": incident.reported_to,
        "cisa_reference": incident.cisa_reference,
        "contained_at": _time(incident.contained_at),
        "closed_at": _time(incident.closed_at),
        "assessed_at": _time(incident.assessed_at),
        "affected_people": incident.affected_people,
        "scope": incident.scope.to_json(),
        "clock": clock.to_json(),
        "timeline": [
            {
                "step": s.step,
                "at": _time(s.at),
                "by": s.by,
                "note": s.note,
                "audit_entry": s.audit_sequence,
            }
            for s in incident.steps
        ],
    }


def report_json(
    incident: Incident,
    exposure: Exposure,
    *,
    clock: ClockState,
    generated_at: dt.datetime,
    generated_by: str,
    subjects_file: str,
    subjects_sha256: str,
) -> dict[str, Any]:
    first, last = exposure.first_and_last()
    return {
        "format": REPORT_FORMAT,
        "generated_at": generated_at.isoformat(),
        "generated_by": generated_by,
        "incident": incident_json(incident, clock),
        "disclosure_window": {"first": first, "last": last},
        "scope_ids_not_found": list(exposure.unmatched()),
        "counts": exposure.counts(),
        "people_by_category": exposure.people_by_category(),
        "people_by_recipient": exposure.people_by_recipient(),
        "people_by_routine_use": exposure.people_by_routine_use(),
        "people_by_agreement": exposure.people_by_agreement(),
        "people_by_reference": exposure.people_by_reference(),
        "disclosures": [
            {
                "entry": x.sequence,
                "recorded_at": x.recorded_at,
                "kind": x.kind,
                "reference": x.reference,
                "job_id": x.job_id,
                "recipient": x.recipient,
                "agreement": x.agreement,
                "purpose": x.purpose,
                "categories": list(x.categories),
                "routine_uses": list(x.routine_uses),
                "people": len(x.subjects),
                "released": x.released,
                "withheld_from_person": x.exempt,
            }
            for x in exposure.lines
        ],
        "audit": {"log_size": exposure.audit_size, "entries": [x.sequence for x in exposure.lines]},
        "affected_subjects_file": {
            "name": subjects_file,
            "sha256": subjects_sha256,
            "rows": len(exposure.subjects),
            "columns": list(SUBJECT_COLUMNS),
        },
    }


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|")


def _table(title: str, counts: dict[str, int], what: str) -> list[str]:
    out = [f"## {title}", ""]
    if not counts:
        return [*out, "None.", ""]
    out += [f"| {what} | people |", "|---|---:|"]
    out += [f"| {key} | {value:,} |" for key, value in counts.items()]
    return [*out, ""]


def report_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown for the privacy office, CISA liaison and the breach response team."""
    inc = report["incident"]
    counts = report["counts"]
    out = [
        f"# Breach report: incident {inc['id']}",
        "",
        f"Generated {report['generated_at']} by {report['generated_by']} ({report['format']}).",
        "No personal values are in this report; affected people are listed by subject key in "
        f"`{report['affected_subjects_file']['name']}` "
        f"(SHA-256 `{report['affected_subjects_file']['sha256']}`).",
        "",
        "## Incident",
        "",
        f"- Category: {inc['category']}",
        f"- Status: {inc['status']}",
        f"- Reported internally by: {inc['reported_by']}",
        f"- Summary: {inc['summary'] or '(none)'}",
        f"- US-CERT/CISA reporting clock: {inc['clock']['state']} (due {inc['due_at']})",
    ]
    if inc["cisa_reference"]:
        out.append(f"- US-CERT/CISA reference: {inc['cisa_reference']}")
    out += [
        "",
        "## Timeline",
        "",
        "| step | at (UTC) | by | audit entry | note |",
        "|---|---|---|---:|---|",
    ]
    out.append(f"| discovered | {inc['discovered_at']} |  |  |  |")
    window = report["disclosure_window"]
    if window["first"]:
        out.append(f"| first disclosure in scope | {window['first']} |  |  |  |")
        out.append(f"| last disclosure in scope | {window['last']} |  |  |  |")
    for step in inc["timeline"]:
        entry = "" if step["audit_entry"] is None else str(step["audit_entry"])
        note = step["note"] or ""
        out.append(
            f"| {step['step']} | {step['at']} | {_cell(step['by'])} | {entry} | {_cell(note)} |"
        )
    scope = inc["scope"]
    out += ["", "## Scope", ""]
    for key in ("packages", "jobs", "answers", "recipients"):
        if scope[key]:
            out.append(f"- {key.capitalize()}: {', '.join(scope[key])}")
    if scope["since"] or scope["until"]:
        out.append(f"- Window: from {scope['since'] or 'the start'} to {scope['until'] or 'now'}")
    if report["scope_ids_not_found"]:
        out.append(
            "- **Not found in the audit log** (never disclosed, or mistyped): "
            + ", ".join(report["scope_ids_not_found"])
        )
    out += [
        "",
        "## Counts",
        "",
        f"- Affected people (by subject key): {counts['affected_people']:,}",
        f"- People in scope without a subject key (no valid SSN; identify them from the job): "
        f"{counts['unkeyed_people']:,}",
        f"- Disclosure entries: {counts['disclosure_entries']:,} "
        f"({counts['packages']:,} packages, {counts['answers']:,} verification answers)",
        f"- Entries whose release failed (may not have left): {counts['release_failed_entries']:,}"
        f"; people only in such entries: {counts['people_maybe_not_received']:,}",
        f"- People with a disclosure withheld from their accounting (552a(c)(3), (j), (k)): "
        f"{counts['people_with_withheld_lines']:,}",
        "",
    ]
    out += _table("People by data category", report["people_by_category"], "category")
    out += _table("People by recipient", report["people_by_recipient"], "recipient")
    out += _table("People by routine use", report["people_by_routine_use"], "routine use")
    out += _table("People by agreement", report["people_by_agreement"], "agreement")
    out += ["## Disclosures in scope", ""]
    if not report["disclosures"]:
        out += ["None recorded in the audit log.", ""]
    else:
        out += [
            "| entry | recorded (UTC) | reference | recipient | categories | routine uses | people "
            "| released |",
            "|---:|---|---|---|---|---|---:|---|",
        ]
        for x in report["disclosures"]:
            out.append(
                f"| {x['entry']} | {x['recorded_at']} | {x['reference']} | {x['recipient']} | "
                f"{', '.join(x['categories'])} | {', '.join(x['routine_uses'])} | {x['people']:,} "
                f"| {'yes' if x['released'] else 'failed'} |"
            )
        out.append("")
    out += [
        "## Audit",
        "",
        f"Derived from the first {report['audit']['log_size']:,} entries of the audit log; each "
        "disclosure above can be proved to a partner with `matchgate audit prove ENTRY`.",
    ]
    return "\n".join(out) + "\n"
