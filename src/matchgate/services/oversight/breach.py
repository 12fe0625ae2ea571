"""Use cases of breach response (OMB M-17-12): open an incident, advance it, derive who and what
it exposed from the audit log, write the report, list and show incidents.

Every step is appended to the audit log (``breach.opened``, ``breach.reported``,
``breach.contained``, ``breach.closed``, and ``breach.assessed`` for a report) before the
incident row changes and before anything is reported back; an audit log that cannot write
refuses the step (``AuditUnavailable``) and nothing changes. The audit entry is written outside
any transaction of the operational store, which may share the database with the audit log.

Incidents are the host agency's own records: only its privacy officers open, advance and report
them (``breach.manage``), and only its privacy officers and auditors read them (``breach.read``);
another agency's caller finds none (an incident id is reported as not found, exactly like a
made-up one). Each step names the caller's user id. See docs/breach.md and docs/access.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchgate.access import Action, Principal, readable
from matchgate.app.access import host_parties, require, require_host, require_object
from matchgate.app.audit import AuditConfig
from matchgate.app.core import App
from matchgate.atomic import atomic_path
from matchgate.audit import format_time, kinds
from matchgate.audit.breach import (
    E_BREACH_INPUT,
    E_BREACH_NOT_FOUND,
    STEP_KINDS,
    BreachStepRefused,
    Incident,
    Scope,
    Step,
    aware_utc,
    check_discovery,
    check_step,
    due_at,
    looks_personal,
    parse_category,
    parse_status,
)
from matchgate.audit.breach_report import (
    report_json,
    report_markdown,
    sha256_text,
    subjects_csv,
)
from matchgate.audit.exposure import PACKAGE_RELEASED, Exposure, derive_exposure
from matchgate.domain.audit import AuditSink, AuditValue
from matchgate.domain.errors import ConfigurationError, InputError, MatchgateError, NotFound
from matchgate.domain.events import BreachAssessed, BreachOpened, typed_event
from matchgate.domain.lifecycle import IncidentStatus
from matchgate.storage import audit as audit_store
from matchgate.storage import breaches as store

REPORTED_TO = "US-CERT/CISA"
MAX_TEXT = 2000
_ACTOR = re.compile(r"^[\x21-\x7e]{1,64}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")


class IncidentNotFound(NotFound):
    code = E_BREACH_NOT_FOUND


# --- checks --------------------------------------------------------------------------------------


def _actor(value: str, what: str) -> str:
    if not _ACTOR.match(value) or looks_personal(value):
        raise InputError(
            "must be a user id or role of 1 to 64 printable ASCII characters without spaces",
            field=what,
            code=E_BREACH_INPUT,
        )
    return value


def _text(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > MAX_TEXT or not text.isprintable():
        raise InputError(
            f"must be 1 to {MAX_TEXT:,} printable characters on one line",
            field=what,
            code=E_BREACH_INPUT,
        )
    if looks_personal(text):
        raise InputError(
            "holds what looks like an SSN or A-number; describe the incident by ids and codes",
            field=what,
            code=E_BREACH_INPUT,
        )
    return text


def parse_moment(app: App, text: str, *, end_of_day: bool = False) -> dt.datetime:
    """An ISO date or date-time as an aware UTC time. A date or a time without a zone is in the
    agency's time zone (read only then: a moment with its own zone needs none); with
    ``end_of_day`` a date means the midnight that ends it."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day, dt.time(), app.settings.zone)
            return (moment + dt.timedelta(days=1) if end_of_day else moment).astimezone(dt.UTC)
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            "must be an ISO date (2025-09-03) or date-time (2025-09-03T14:30, optionally with "
            "a zone)",
            field="time",
            code=E_BREACH_INPUT,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=app.settings.zone)
    return parsed.astimezone(dt.UTC)


def _not_found(incident_id: str) -> IncidentNotFound:
    return IncidentNotFound(f"no incident {incident_id[:40]!r}")


def _load(app: App, incident_id: str) -> Incident | None:
    with app.unit_of_work() as s:
        return store.get_incident(s, incident_id)


def _checked(
    app: App,
    incident_id: str,
    caller: Principal,
    action: Action,
    audit: AuditSink | None,
) -> tuple[Principal, Incident]:
    """The caller (re-read) and the incident, if the caller may do ``action`` on it; an
    incident another agency's caller asks for is not found, exactly like a made-up id."""
    found = _load(app, incident_id)
    fresh = require_object(
        app.settings,
        caller,
        action,
        None if found is None else host_parties(app.settings),
        missing=lambda: _not_found(incident_id),
        object_id=incident_id,
        audit=audit,
    )
    assert found is not None
    return fresh, found


def get_incident(app: App, incident_id: str, *, caller: Principal) -> Incident:
    """One incident, for the host's privacy officers and auditors."""
    return _checked(app, incident_id, caller, Action.BREACH_READ, app.refusal_audit())[1]


def list_incidents(app: App, *, caller: Principal, status: str | None = None) -> list[Incident]:
    """Incidents, latest opened first (of one status, or all); none for another agency."""
    wanted = None if status is None else str(parse_status(status))
    fresh = require(app.settings, caller, Action.BREACH_READ, audit=app.refusal_audit())
    parties = host_parties(app.settings)
    if parties is None or not readable(fresh, Action.BREACH_READ, parties):
        return []
    with app.unit_of_work() as s:
        return store.list_incidents(s, status=wanted)


def _check_packages(config: AuditConfig, scope: Scope) -> None:
    """Refuse a scope naming a package the audit log never recorded (the same test as the
    report's ``scope_ids_not_found``)."""
    if not scope.packages:
        return
    unknown = derive_affected(config, Scope.build(packages=scope.packages)).unmatched()
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise InputError(
            f"no disclosure of package {shown} is in the audit log; name packages that were "
            "disclosed (a window or recipient scope covers what is not known by id)",
            field="package",
            code=E_BREACH_INPUT,
        )


# --- open and advance ----------------------------------------------------------------------------


def open_incident(
    app: App,
    *,
    caller: Principal,
    category: str,
    scope: Scope,
    summary: str | None = None,
    discovered_at: dt.datetime | None = None,
) -> Incident:
    """Open an incident and start the one-hour clock to report it to US-CERT/CISA.

    ``discovered_at`` defaults to now; it may be earlier, never later. ``breach.opened`` is
    recorded before the incident is stored; if it cannot be, nothing is stored. The caller (a
    privacy officer of the host agency) is the one who reported it.

    Each package the scope names must be one the App's audit log records (a disclosure
    or release of it): an unknown package id, a typo or a made-up one, is refused
    (``InputError``, nothing recorded), since a report on it would find no one and say so only
    later. The check runs after the caller's, so only the host's privacy officers learn from it.
    """
    audit = app.audit
    by = _actor(require_host(app.settings, caller, Action.BREACH_MANAGE, audit=audit).user_id, "by")
    kind = parse_category(category)
    text = _text(summary, "summary")
    _check_packages(app.audit_config, scope)
    opened = aware_utc(app.clock())
    discovered = check_discovery(discovered_at or opened, opened)
    due = due_at(discovered)
    incident_id = uuid.uuid4().hex
    opened_event = BreachOpened(
        actor=by,
        incident_id=incident_id,
        category=str(kind),
        discovered_at=format_time(discovered),
        due_at=format_time(due),
        scope=scope.audit_details(),
    )
    receipt = audit.append(opened_event.audit_event())
    incident = Incident(
        id=incident_id,
        category=kind,
        summary=text,
        reported_by=by,
        opened_at=opened,
        discovered_at=discovered,
        due_at=due,
        scope=scope,
        status=IncidentStatus.OPEN,
        steps=(Step(str(IncidentStatus.OPEN), opened, by, None, receipt.sequence),),
    )
    with app.unit_of_work() as s:
        store.add_incident(s, incident)
    created = _load(app, incident_id)
    assert created is not None
    return created


def advance_incident(
    app: App,
    incident_id: str,
    to: str,
    *,
    caller: Principal,
    note: str | None = None,
    reference: str | None = None,
) -> Incident:
    """Move an incident one step forward (``reported``, ``contained``, ``closed``).

    ``reported`` stops the clock and may carry the US-CERT/CISA ``reference``; ``closed`` needs
    a report made first. The step is audited before the row changes; if someone else moved the
    incident meanwhile, the step is refused.
    """
    audit = app.audit
    fresh, incident = _checked(app, incident_id, caller, Action.BREACH_MANAGE, audit)
    by = _actor(fresh.user_id, "by")
    target = parse_status(to)
    text = _text(note, "note")
    if reference is not None and (not _REFERENCE.match(reference) or looks_personal(reference)):
        raise InputError("is not in the expected form", field="reference", code=E_BREACH_INPUT)
    if reference is not None and target != IncidentStatus.REPORTED:
        raise InputError(
            "a US-CERT/CISA reference goes with the reported step",
            field="reference",
            code=E_BREACH_INPUT,
        )
    check_step(incident.status, target, assessed=incident.assessed_at is not None)
    now = aware_utc(app.clock())
    details: dict[str, AuditValue] = {
        "incident_id": incident.id,
        "from": str(incident.status),
        "to": str(target),
    }
    values: dict[str, Any] = {"status": str(target)}
    if target == IncidentStatus.REPORTED:
        details.update(
            reported_to=REPORTED_TO,
            cisa_reference=reference,
            due_at=format_time(incident.due_at),
            on_time=not incident.clock(now).overdue,
            seconds_after_discovery=int((now - incident.discovered_at).total_seconds()),
        )
        values.update(reported_at=now, reported_to=REPORTED_TO, cisa_reference=reference)
    else:
        values[f"{target}_at"] = now
    if target == IncidentStatus.CLOSED:
        details["affected_people"] = incident.affected_people
    details = {k: v for k, v in details.items() if v is not None}
    receipt = audit.append(typed_event(STEP_KINDS[target], actor=by, details=details).audit_event())
    step = Step(str(target), now, by, text, receipt.sequence)
    with app.unit_of_work() as s:
        if not store.advance(
            s, incident.id, current=str(incident.status), values=values, step=step
        ):
            raise BreachStepRefused(
                f"incident {incident.id} was moved on meanwhile; nothing changed here "
                "(the audit log holds this attempt)"
            )
    moved = _load(app, incident.id)
    assert moved is not None
    return moved


# --- affected people and the report ----------------------------------------------------------


def derive_affected(config: AuditConfig, scope: Scope) -> Exposure:
    """The disclosures in ``scope`` and the people and categories they exposed, read from the
    audit log's entries (as of its current size)."""
    references = [
        *(("package_id", p) for p in scope.packages),
        *(("job_id", j) for j in scope.jobs),
        *(("answer_id", a) for a in scope.answers),
    ]
    try:
        with audit_store.transaction(config.url, write=False) as s:
            if not audit_store.tables_present(s):
                raise ConfigurationError("the audit store holds no audit log")
            size = store.audit_size(s)
            entries = list(
                store.disclosure_entries(
                    s,
                    kinds=(*kinds.DISCLOSING, PACKAGE_RELEASED),
                    stop=size,
                    since=None if scope.since is None else format_time(scope.since),
                    until=None if scope.until is None else format_time(scope.until),
                    references=references,
                )
            )
            disclosing = [e.sequence for e in entries if e.kind in kinds.DISCLOSING]
            if disclosing:
                failed = store.entries_of_kinds_from(
                    s, (kinds.RELEASE_FAILED,), min(disclosing), size
                )
                entries.extend(failed)
    except MatchgateError:
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"the audit store {audit_store.describe_url(config.url)} cannot be read "
            f"({type(exc).__name__}); the affected people cannot be derived"
        ) from exc
    return derive_exposure(entries, scope, size)


@dataclass(frozen=True)
class BreachReport:
    """What ``make_report`` wrote and recorded."""

    incident: Incident
    exposure: Exposure
    report_json: Path
    report_markdown: Path
    subjects_csv: Path
    audit_sequence: int


def _write(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:  # mkstemp: owner-only
        tmp.write_text(text, encoding="utf-8")


def make_report(app: App, incident_id: str, out_dir: Path, *, caller: Principal) -> BreachReport:
    """Derive the affected people and categories, record ``breach.assessed`` (counts and the
    files' SHA-256), then write the report (JSON, Markdown) and the affected subjects (CSV)."""
    audit = app.audit
    fresh, incident = _checked(app, incident_id, caller, Action.BREACH_MANAGE, audit)
    by = _actor(fresh.user_id, "by")
    exposure = derive_affected(app.audit_config, incident.scope)
    now = aware_utc(app.clock())
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    base = f"breach-{incident.id}-{stamp}"
    subjects_text = subjects_csv(exposure)
    subjects_sha = sha256_text(subjects_text)
    report = report_json(
        incident,
        exposure,
        clock=incident.clock(now),
        generated_at=now,
        generated_by=by,
        subjects_file=f"{base}-subjects.csv",
        subjects_sha256=subjects_sha,
    )
    report_text = json.dumps(report, indent=2) + "\n"
    paths = (
        out_dir / f"{base}.json",
        out_dir / f"{base}.md",
        out_dir / f"{base}-subjects.csv",
    )
    for path in paths:
        if path.exists():
            raise InputError(
                "already exists; not replacing it", path=str(path), code=E_BREACH_INPUT
            )
    counts = exposure.counts()
    assessed_event = BreachAssessed(
        actor=by,
        incident_id=incident.id,
        audit_log_size=exposure.audit_size,
        affected_people=counts["affected_people"],
        unkeyed_people=counts["unkeyed_people"],
        disclosure_entries=counts["disclosure_entries"],
        packages=counts["packages"],
        answers=counts["answers"],
        categories=",".join(exposure.people_by_category()),
        recipients=",".join(exposure.people_by_recipient()),
        subjects_sha256=subjects_sha,
        report_sha256=sha256_text(report_text),
    )
    receipt = audit.append(assessed_event.audit_event())
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write(paths[2], subjects_text)
    _write(paths[0], report_text)
    _write(paths[1], report_markdown(report))
    step = Step(
        "assessed",
        now,
        by,
        f"{counts['affected_people']} people, {counts['disclosure_entries']} entries",
        receipt.sequence,
    )
    values = {
        "assessed_at": now,
        "affected_people": counts["affected_people"],
        "report_sha256": assessed_event.report_sha256,
    }
    with app.unit_of_work() as s:
        store.record_assessment(s, incident.id, values=values, step=step)
    assessed = _load(app, incident.id)
    assert assessed is not None
    return BreachReport(assessed, exposure, *paths, audit_sequence=receipt.sequence)


__all__ = [
    "BreachReport",
    "BreachStepRefused",
    "IncidentNotFound",
    "advance_incident",
    "derive_affected",
    "get_incident",
    "list_incidents",
    "make_report",
    "open_incident",
    "parse_moment",
]
