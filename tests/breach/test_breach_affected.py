"""Acceptance (issue 6, part 7): an incident scoped to one package reports exactly the people and
categories that package held, read from the audit log, and nothing of another package.

Two real submissions are disclosed (submit -> match double -> disclose -> seal -> audit ->
release) with a real audit log in the operational store (SQLite, and PostgreSQL when one
answers). What a package held is read back by opening it with the recipient's key; the breach
report must agree with it person by person and category by category.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tests.breach.conftest import Env, MakeEnv
from tests.submit.helpers import DAY, MASTER, PERSONAL, ScriptedMatcher

from matchgate.app.audit import AuditLog
from matchgate.app.core import App
from matchgate.audit import kinds
from matchgate.audit.breach import Scope
from matchgate.services.disclosure.packages import open_package_file
from matchgate.services.oversight.audit_queries import show_entries, verify_audit
from matchgate.services.oversight.breach import (
    advance_incident,
    derive_affected,
    get_incident,
    make_report,
    open_incident,
)
from matchgate.services.submission.submit import SubmitResult, submit_file

NEXT_MONTH = DAY + dt.timedelta(days=31)
SSN_OF = {
    line.split(",")[0]: line.split(",")[1].replace("-", "")
    for line in MASTER.splitlines()[1:]
    if line
}
HEADER = (
    "request_id,first_name,middle_name,last_name,ssn,a_number,dob,address_line,city,state,zip\n"
)
FILE_A = (
    HEADER
    + "R1,Olive,M,Tremont,123456789,,1961-04-12,,,,\nR2,Sean,,OMalley,345678912,,1939-02-01,,,,\n"
)
FILE_B = (
    HEADER
    + "R4,Jane,,Doe,567891234,,1990-06-06,,,,\n"
    + "R5,Christopher,,Montgomery,456789123,,1970-01-15,,,,\n"
)


def _submit(
    env: Env,
    log: AuditLog,
    name: str,
    text: str,
    answers: dict[str, tuple[str, str]],
    on: dt.date = DAY,
) -> SubmitResult:
    """Submit and disclose ``text``; one file a month is the agreement's cap, so a second file
    is submitted on another month's day."""
    source = env.tmp / name
    source.write_text(text, encoding="utf-8")
    result = submit_file(
        App(env.settings, audit=log),
        source,
        "reference-2025-08",
        caller=env.submitter,
        options=replace(env.options, on=on),
        subject=log.subject_key,
        matcher=ScriptedMatcher(answers),
    )
    assert result.status == "disclosed", result
    return result


def _held(env: Env, log: AuditLog, package: Path) -> dict[str, frozenset[str]]:
    """subject key -> categories, as the package itself holds them (opened by the recipient)."""
    out = env.tmp / f"opened-{package.stem}"
    open_package_file(package, env.keys.recipient, [env.keys.sender_pub], out)
    held: dict[str, frozenset[str]] = {}
    persons = {ssn: pid for pid, ssn in SSN_OF.items()}
    for line in (out / "response.jsonl").read_text().splitlines():
        record = json.loads(line)
        categories = frozenset(c for c, v in (record.get("records") or {}).items() if v)
        if categories:
            ssn = record["records"]["identity"][0]["value"]["ssn"]
            assert ssn in persons
            held[log.subject_key(ssn)] = categories
    return held


def _subjects_file(path: Path) -> dict[str, frozenset[str]]:
    with path.open(newline="") as handle:
        return {
            row["subject"]: frozenset(row["categories"].split(";"))
            for row in csv.DictReader(handle)
        }


def test_report_holds_exactly_what_the_package_held(
    make_env: MakeEnv, store_url: str, log_for: Callable[[str], AuditLog]
) -> None:
    env = make_env(store_url)
    log = log_for(env.settings.sqlite_url)
    a = _submit(env, log, "a.csv", FILE_A, {"R1": ("match", "P1"), "R2": ("match", "P3")})
    b = _submit(
        env, log, "b.csv", FILE_B, {"R4": ("match", "P5"), "R5": ("match", "P4")}, NEXT_MONTH
    )
    assert a.package is not None
    assert b.package is not None
    assert a.package_id
    assert b.package_id
    held_a, held_b = _held(env, log, a.package), _held(env, log, b.package)
    assert len(held_a) == 2
    assert len(held_b) == 2
    assert not set(held_a) & set(held_b)
    assert len({c for cs in held_a.values() for c in cs}) >= 3  # several categories in play

    app = App(env.settings, audit=log)
    incident = open_incident(
        app,
        category="lost_package",
        scope=Scope.build(packages=[a.package_id]),
        caller=env.po,
        summary="package left on a shared drive",
    )
    made = make_report(app, incident.id, env.tmp / "reports", caller=env.po)

    # Person by person and category by category, exactly package A; nothing of package B.
    assert _subjects_file(made.subjects_csv) == held_a
    assert made.exposure.subjects == frozenset(held_a)
    expected_counts = {
        c: sum(1 for cs in held_a.values() if c in cs)
        for c in {c for cs in held_a.values() for c in cs}
    }
    report = json.loads(made.report_json.read_text())
    assert report["people_by_category"] == dict(sorted(expected_counts.items()))
    assert report["counts"]["affected_people"] == 2
    assert report["counts"]["packages"] == 1
    assert report["people_by_recipient"] == {"DHS": 2}
    assert set(report["people_by_routine_use"]) >= {"RU-SYN-31"}
    assert report["scope_ids_not_found"] == []
    assert {x["reference"] for x in report["disclosures"]} == {a.package_id}
    assert report["affected_subjects_file"]["name"] == made.subjects_csv.name
    assert "lost_package" in made.report_markdown.read_text()

    # The same scope by job id, and a scope on package B, agree with their packages.
    assert derive_affected(log.config, Scope.build(jobs=[a.job_id])).subjects == frozenset(held_a)
    by_b = derive_affected(log.config, Scope.build(packages=[b.package_id]))
    assert {p.subject: frozenset(p.categories) for p in by_b.people()} == held_b
    both = derive_affected(log.config, Scope.build(recipients=["DHS"]))
    assert both.subjects == frozenset(held_a) | frozenset(held_b)
    unknown = derive_affected(log.config, Scope.build(packages=["no-such-package"]))
    assert unknown.subjects == frozenset()
    assert unknown.unmatched() == ("no-such-package",)

    # No personal value in anything written; the steps are in the log, which still verifies.
    for path in (made.report_json, made.report_markdown, made.subjects_csv):
        text = path.read_text()
        assert not [v for v in PERSONAL if v in text], path.name
        assert path.stat().st_mode & 0o077 == 0
    entries = show_entries(log.config, 0, 1000)
    steps = [e for e in entries if e.details.get("incident_id") == incident.id]
    assert [e.kind for e in steps] == [kinds.BREACH_OPENED, "breach.assessed"]
    assert steps[1].details["affected_people"] == 2
    assert steps[1].details["subjects_sha256"] == report["affected_subjects_file"]["sha256"]
    assert verify_audit(log.config).ok
    stored = get_incident(app, incident.id, caller=env.po)
    assert stored.affected_people == 2
    assert [s.audit_sequence for s in stored.steps] == [e.sequence for e in steps]


def test_a_window_and_a_recipient_select_disclosures_by_time(
    make_env: MakeEnv, log_for: Callable[[str], AuditLog]
) -> None:
    env = make_env(None)
    log = log_for(env.settings.sqlite_url)
    a = _submit(env, log, "a.csv", FILE_A, {"R1": ("match", "P1")})
    now = dt.datetime.now(dt.UTC)
    past = Scope.build(until=now - dt.timedelta(days=1))
    assert derive_affected(log.config, past).lines == ()
    around = Scope.build(since=now - dt.timedelta(hours=1), until=now + dt.timedelta(hours=1))
    assert derive_affected(log.config, around).subjects == {log.subject_key(SSN_OF["P1"])}
    other = Scope.build(packages=[a.package_id or ""], recipients=["VA"])
    assert derive_affected(log.config, other).lines == ()


def test_the_lifecycle_runs_to_closure_with_every_step_in_the_log(
    make_env: MakeEnv, log_for: Callable[[str], AuditLog]
) -> None:
    env = make_env(None)
    log = log_for(env.settings.sqlite_url)
    a = _submit(env, log, "a.csv", FILE_A, {"R1": ("match", "P1")})
    app = App(env.settings, audit=log)
    incident = open_incident(
        app,
        category="misdirected_disclosure",
        scope=Scope.build(packages=[a.package_id or ""]),
        caller=env.po,
    )
    advance_incident(app, incident.id, "reported", caller=env.po, reference="INC-2025-77")
    advance_incident(app, incident.id, "contained", caller=env.po, note="recipient deleted it")
    make_report(app, incident.id, env.tmp / "r", caller=env.po)
    closed = advance_incident(app, incident.id, "closed", caller=env.po)
    assert closed.status == "closed"
    assert [s.step for s in closed.steps] == ["open", "reported", "contained", "assessed", "closed"]
    assert closed.cisa_reference == "INC-2025-77"
    kinds_logged = [
        e.kind
        for e in show_entries(log.config, 0, 1000)
        if e.details.get("incident_id") == incident.id
    ]
    assert kinds_logged == [
        "breach.opened",
        "breach.reported",
        "breach.contained",
        "breach.assessed",
        "breach.closed",
    ]
    assert all(s.audit_sequence is not None for s in closed.steps)
    assert verify_audit(log.config).ok
