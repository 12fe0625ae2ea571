"""Breach response: open an incident, list them, show one (``services.oversight.breach``, as
``matchgate breach open|list|show`` calls it). Reports and steps stay on the command line for
now."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.links import link, links
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import In, Out
from matchgate.services.oversight import breach as service

router = APIRouter(prefix="/v1/breach", tags=["breach"], responses=RESPONSES)


def _show(expression: str) -> dict[str, Any]:
    return link("/v1/breach/{incident_id}", "get", "The incident.", incident_id=expression)


Ids = Annotated[list[Annotated[str, Field(min_length=1, max_length=128)]], Field(max_length=1000)]


class IncidentIn(In):
    category: str = Field(
        description="lost_package, misdirected_disclosure, unauthorized_access, wrong_match, other."
    )
    packages: Ids = Field(default_factory=list)
    jobs: Ids = Field(default_factory=list)
    answers: Ids = Field(default_factory=list)
    recipients: Ids = Field(default_factory=list)
    since: str | None = Field(default=None, description="Disclosures recorded from (ISO).")
    until: str | None = Field(default=None, description="Recorded before (a date: through it).")
    discovered_at: str | None = Field(default=None, description="Default: now.")
    summary: str | None = Field(default=None, max_length=2000)


class ScopeOut(Out):
    packages: list[str]
    jobs: list[str]
    answers: list[str]
    recipients: list[str]
    since: str | None
    until: str | None


class ClockOut(Out):
    due_at: str
    reported_at: str | None
    at: str
    overdue: bool
    seconds_left: int
    state: str


class StepOut(Out):
    step: str
    at: str | None
    by: str
    note: str | None
    audit_entry: int | None


class IncidentOut(Out):
    id: str
    category: str
    summary: str | None
    status: str
    reported_by: str
    opened_at: str | None
    discovered_at: str | None
    due_at: str | None
    reported_at: str | None
    reported_to: str | None
    cisa_reference: str | None
    contained_at: str | None
    closed_at: str | None
    assessed_at: str | None
    affected_people: int | None
    scope: ScopeOut
    clock: ClockOut
    timeline: list[StepOut]


def _incident(incident: Any) -> IncidentOut:
    from matchgate.audit.breach_report import incident_json

    return IncidentOut.model_validate(
        incident_json(incident, incident.clock(dt.datetime.now(dt.UTC)))
    )


@router.post(
    "",
    response_model=IncidentOut,
    status_code=201,
    responses=links(201, ShowIncident=_show("$response.body#/id")),
)
def open_incident(body: IncidentIn, app: AppDep, caller: CallerDep) -> IncidentOut:
    """Open an incident and start the one-hour clock to report it to US-CERT/CISA (the host's
    privacy officers; audited before it is answered)."""
    from matchgate.audit.breach import Scope, parse_category

    parse_category(body.category)
    scope = Scope.build(
        packages=body.packages,
        jobs=body.jobs,
        answers=body.answers,
        recipients=body.recipients,
        since=None if body.since is None else service.parse_moment(app, body.since),
        until=None
        if body.until is None
        else service.parse_moment(app, body.until, end_of_day=True),
    )
    found = None if body.discovered_at is None else service.parse_moment(app, body.discovered_at)
    incident = service.open_incident(
        app,
        category=body.category,
        scope=scope,
        caller=caller,
        summary=body.summary,
        discovered_at=found,
    )
    return _incident(incident)


@router.get(
    "",
    response_model=list[IncidentOut],
    responses=links(200, ShowIncident=_show("$response.body#/0/id")),
)
def list_incidents(
    app: AppDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(max_length=32, description="Only this status.")] = None,
) -> list[IncidentOut]:
    """Incidents, latest first, with status and the reporting clock."""
    return [_incident(i) for i in service.list_incidents(app, caller=caller, status=status)]


@router.get("/{incident_id}", response_model=IncidentOut)
def show_incident(incident_id: str, app: AppDep, caller: CallerDep) -> IncidentOut:
    """One incident: scope, status, clock and its timeline (with audit entries)."""
    return _incident(service.get_incident(app, incident_id, caller=caller))
