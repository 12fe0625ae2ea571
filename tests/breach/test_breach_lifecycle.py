"""The incident lifecycle: the one-hour clock on an injected clock, forward-only steps, every step
audited before it counts, and nothing changed when the audit log cannot write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.submit.helpers import MemorySink

from matchgate.access import Principal
from matchgate.app.audit import audit_config, init_audit, open_audit
from matchgate.app.core import App
from matchgate.audit import Disclosure
from matchgate.audit.breach import (
    BreachStepRefused,
    Scope,
    check_step,
    clock_state,
)
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import InputError
from matchgate.domain.lifecycle import IncidentStatus
from matchgate.services.oversight.breach import (
    advance_incident,
    get_incident,
    list_incidents,
    open_incident,
    parse_moment,
)
from matchgate.settings import Settings

T0 = dt.datetime(2025, 9, 3, 14, 0, tzinfo=dt.UTC)
PACKAGE = "7f3c0d2e-0000-4000-8000-000000000001"
SCOPE = Scope.build(packages=[PACKAGE])


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    """The store, and an audit log beside it that records the disclosure of ``PACKAGE`` (a
    scope may name only a package the log records)."""
    made = Settings(
        workspace=tmp_path / "ws",
        database_url=store_url,
        audit_url=f"sqlite:///{tmp_path / 'audit.sqlite'}",
    )
    config = audit_config(made)
    init_audit(config)
    log = open_audit(config)
    disclosed = Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient="DHS",
        purpose="locate-and-verify-identity",
        routine_uses=("RU-SYN-31",),
        package_id=PACKAGE,
    )
    log.append(disclosed.event(["identity"], [log.subject_key("123-45-6789")]))
    return made


@pytest.fixture
def po(settings: Settings) -> Principal:
    """A privacy officer of the host agency (SSA), who runs breach response."""
    return Accounts(settings).user("ssa-po", "SSA", "privacy_officer")


def _open(
    settings: Settings, po: Principal, sink: MemorySink, clock: Clock, **extra: object
) -> str:
    incident = open_incident(
        App(settings, audit=sink, clock=clock),
        caller=po,
        category="unauthorized_access",
        scope=SCOPE,
        **extra,  # type: ignore[arg-type]
    )
    return incident.id


def test_the_clock_runs_one_hour_from_discovery(settings: Settings, po: Principal) -> None:
    clock, sink = Clock(T0), MemorySink()
    found = T0 - dt.timedelta(minutes=20)
    incident = get_incident(
        App(settings), caller=po, incident_id=_open(settings, po, sink, clock, discovered_at=found)
    )
    assert incident.opened_at == T0
    assert incident.discovered_at == found
    assert incident.due_at == found + dt.timedelta(hours=1)
    assert incident.due_at.tzinfo is not None

    state = incident.clock(T0 + dt.timedelta(minutes=30))
    assert not state.overdue
    assert state.margin == dt.timedelta(minutes=10)
    assert state.describe() == "10 min left to report to US-CERT/CISA"
    late = incident.clock(T0 + dt.timedelta(minutes=55))
    assert late.overdue
    assert late.describe().startswith("OVERDUE by 15 min")

    clock.advance(minutes=55)
    reported = advance_incident(
        App(settings, audit=sink, clock=clock), incident.id, "reported", caller=po
    )
    assert reported.reported_at == T0 + dt.timedelta(minutes=55)
    stopped = reported.clock(T0 + dt.timedelta(days=3))  # the clock stopped at the report
    assert stopped.overdue
    assert stopped.describe() == "reported late, 15 min after the due time"
    event = sink.events[-1]
    assert event.kind == "breach.reported"
    assert event.details["on_time"] is False
    assert event.details["seconds_after_discovery"] == 75 * 60


def test_a_report_within_the_hour_is_on_time(settings: Settings, po: Principal) -> None:
    clock, sink = Clock(T0), MemorySink()
    incident_id = _open(settings, po, sink, clock)
    assert get_incident(App(settings), incident_id, caller=po).due_at == T0 + dt.timedelta(hours=1)
    clock.advance(minutes=59)
    reported = advance_incident(
        App(settings, audit=sink, clock=clock),
        incident_id,
        "reported",
        caller=po,
        reference="CISA-2025-0042",
    )
    assert not reported.clock(T0 + dt.timedelta(hours=5)).overdue
    assert sink.events[-1].details["on_time"] is True
    assert sink.events[-1].details["cisa_reference"] == "CISA-2025-0042"


def test_discovery_after_opening_is_refused(settings: Settings, po: Principal) -> None:
    with pytest.raises(InputError, match="discovered_at"):
        _open(settings, po, MemorySink(), Clock(T0), discovered_at=T0 + dt.timedelta(seconds=1))


def test_status_only_moves_forward_one_step_at_a_time(settings: Settings, po: Principal) -> None:
    clock, sink = Clock(T0), MemorySink()
    incident_id = _open(settings, po, sink, clock)

    def step(to: str) -> None:
        clock.advance(minutes=1)
        advance_incident(App(settings, audit=sink, clock=clock), incident_id, to, caller=po)

    for wrong in ("contained", "closed", "open"):
        with pytest.raises(BreachStepRefused):
            step(wrong)
    step("reported")
    for wrong in ("reported", "open", "closed"):
        with pytest.raises(BreachStepRefused):
            step(wrong)
    step("contained")
    with pytest.raises(BreachStepRefused, match="breach report"):
        step("closed")  # never assessed
    assert get_incident(App(settings), incident_id, caller=po).status == IncidentStatus.CONTAINED
    assert sink.kinds() == ["breach.opened", "breach.reported", "breach.contained"]
    with pytest.raises(InputError, match="status"):
        step("reopened")


def test_check_step_allows_only_the_next_status() -> None:
    order = list(IncidentStatus)
    for i, current in enumerate(order):
        for j, target in enumerate(order):
            if j == i + 1:
                check_step(current, target, assessed=True)
            else:
                with pytest.raises(BreachStepRefused):
                    check_step(current, target, assessed=True)


def test_nothing_is_stored_or_changed_when_the_audit_log_cannot_write(
    settings: Settings, po: Principal
) -> None:
    clock = Clock(T0)
    with pytest.raises(AuditUnavailable):
        _open(settings, po, MemorySink(fail_at=1), clock)
    assert list_incidents(App(settings), caller=po) == []

    sink = MemorySink()
    incident_id = _open(settings, po, sink, clock)
    down = MemorySink(fail_at=1)
    with pytest.raises(AuditUnavailable):
        advance_incident(App(settings, audit=down), incident_id, "reported", caller=po)
    incident = get_incident(App(settings), incident_id, caller=po)
    assert incident.status == IncidentStatus.OPEN
    assert incident.reported_at is None
    assert [s.step for s in incident.steps] == ["open"]


def test_opened_event_holds_ids_codes_and_times_only(settings: Settings, po: Principal) -> None:
    sink = MemorySink()
    incident_id = _open(settings, po, sink, Clock(T0), summary="outbox folder was world-readable")
    (event,) = sink.events
    assert event.kind == "breach.opened"
    assert event.actor == "ssa-po"  # the caller's user id
    assert event.subjects == ()
    assert event.details == {
        "incident_id": incident_id,
        "category": "unauthorized_access",
        "discovered_at": "2025-09-03T14:00:00.000000Z",
        "due_at": "2025-09-03T15:00:00.000000Z",
        "scope_packages": SCOPE.packages[0],
    }
    assert "summary" not in event.details  # free text stays in the operational store


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", "wrong person, SSN 123-45-6789"),
        ("summary", "A-number A012345678 involved"),
        ("note", "called 123 45 6789 back"),
    ],
)
def test_personal_looking_or_malformed_text_is_refused(
    settings: Settings, po: Principal, field: str, value: str
) -> None:
    sink = MemorySink()
    incident_id = _open(settings, po, MemorySink(), Clock(T0))

    def step() -> object:
        if field == "summary":
            return open_incident(
                App(settings, audit=sink),
                caller=po,
                category="other",
                scope=SCOPE,
                summary=value,
            )
        return advance_incident(
            App(settings, audit=sink), incident_id, "reported", caller=po, note=value
        )

    with pytest.raises(InputError, match=field):
        step()
    assert sink.events == []


def test_scopes_are_checked() -> None:
    with pytest.raises(InputError, match="scope"):
        Scope.build()
    with pytest.raises(InputError, match="package"):
        Scope.build(packages=["123-45-6789"])
    with pytest.raises(InputError, match="recipient"):
        Scope.build(recipients=["dhs"])
    with pytest.raises(InputError, match="until"):
        Scope.build(since=T0, until=T0)
    with pytest.raises(InputError, match="since"):
        Scope.build(since=dt.datetime(2025, 1, 1))
    scope = Scope.build(packages=["b", "a", "a"], recipients=["DHS"], since=T0)
    assert scope.packages == ("a", "b")
    assert Scope.from_json(scope.to_json()) == scope


def test_times_without_a_zone_are_agency_time() -> None:
    app = App(Settings(timezone="America/New_York"))
    assert parse_moment(app, "2025-09-03") == dt.datetime(2025, 9, 3, 4, 0, tzinfo=dt.UTC)
    assert parse_moment(app, "2025-09-03", end_of_day=True) == dt.datetime(
        2025, 9, 4, 4, 0, tzinfo=dt.UTC
    )
    assert parse_moment(app, "2025-09-03T10:30") == dt.datetime(2025, 9, 3, 14, 30, tzinfo=dt.UTC)
    assert parse_moment(app, "2025-09-03T10:30+00:00") == dt.datetime(
        2025, 9, 3, 10, 30, tzinfo=dt.UTC
    )
    with pytest.raises(InputError):
        parse_moment(app, "yesterday")


def test_clock_state_before_and_after_the_due_time() -> None:
    due = T0 + dt.timedelta(hours=1)
    assert clock_state(due, None, T0).describe() == "1 h 00 min left to report to US-CERT/CISA"
    assert clock_state(due, None, due).overdue is False
    assert clock_state(due, None, due + dt.timedelta(microseconds=1)).overdue is True
    on_time = clock_state(due, T0 + dt.timedelta(minutes=5), T0 + dt.timedelta(days=1))
    assert on_time.describe() == "reported on time, 55 min before the due time"
    assert on_time.to_json()["overdue"] is False
