"""Deriving the affected people from audit entries: the scope rule, release failures, withheld
(law enforcement) lines, people without a subject key, and the report's files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

from matchgate.audit import Disclosure, check_event, format_time, kinds, new_entry
from matchgate.audit.breach import Incident, IncidentCategory, Scope
from matchgate.audit.breach_report import (
    report_json,
    report_markdown,
    sha256_text,
    subjects_csv,
)
from matchgate.audit.entry import GENESIS_HASH
from matchgate.audit.exposure import PACKAGE_RELEASED, derive_exposure
from matchgate.domain.audit import AuditEvent, Entry
from matchgate.domain.lifecycle import IncidentStatus

T0 = dt.datetime(2025, 9, 3, 12, 0, tzinfo=dt.UTC)


def person(n: int) -> str:
    return hashlib.sha256(f"person-{n}".encode()).hexdigest()


class Log:
    """Entries built as the log would build them, one minute apart."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, event: AuditEvent) -> int:
        seq = len(self.entries)
        prev = self.entries[-1].entry_hash if self.entries else GENESIS_HASH
        at = format_time(T0 + dt.timedelta(minutes=seq))
        self.entries.append(new_entry(seq, prev, at, check_event(event)))
        return seq

    def package(
        self,
        package_id: str,
        groups: dict[str, list[int]],
        *,
        recipient: str = "DHS",
        job_id: str | None = None,
        unkeyed: int = 0,
        law_enforcement: bool = False,
    ) -> list[int]:
        disclosure = Disclosure(
            actor="svc:disclose",
            agreement="reference-2025-08",
            recipient=recipient,
            purpose="locate-and-verify-identity",
            routine_uses=("RU-SYN-31",),
            package_id=package_id,
            law_enforcement=law_enforcement,
            extra={"job_id": job_id} if job_id else {},
        )
        seqs = [
            self.add(disclosure.event(cats.split(","), [person(n) for n in people]))
            for cats, people in groups.items()
        ]
        details = {"package_id": package_id, "unkeyed_people": unkeyed}
        if job_id:
            details["job_id"] = job_id
        self.add(
            AuditEvent(
                kind=PACKAGE_RELEASED, actor="svc:disclose", agency=recipient, details=details
            )
        )
        return seqs


def test_one_package_exactly_and_the_scope_rule() -> None:
    log = Log()
    log.package("pkg-a", {"address,identity": [1, 2], "identity": [3]}, job_id="job-a", unkeyed=2)
    log.package("pkg-b", {"banking,identity": [3, 4]}, job_id="job-b", unkeyed=5)
    log.package("pkg-c", {"identity": [5]}, recipient="FBI", law_enforcement=True)
    size = len(log.entries)

    a = derive_exposure(log.entries, Scope.build(packages=["pkg-a"]), size)
    assert a.subjects == {person(1), person(2), person(3)}
    assert a.people_by_category() == {"address": 2, "identity": 3}
    assert a.unkeyed_people == 2
    assert a.unmatched() == ()
    assert {p.subject: p.categories for p in a.people()} == {
        person(1): ("address", "identity"),
        person(2): ("address", "identity"),
        person(3): ("identity",),
    }

    both = derive_exposure(log.entries, Scope.build(jobs=["job-a", "job-b"]), size)
    three = next(p for p in both.people() if p.subject == person(3))
    assert three.categories == ("banking", "identity")
    assert three.references == ("pkg-a", "pkg-b")
    assert both.people_by_category() == {"address": 2, "banking": 2, "identity": 4}
    assert both.unkeyed_people == 7

    # A named id and a recipient: both must hold.
    assert (
        derive_exposure(log.entries, Scope.build(jobs=["job-a"], recipients=["FBI"]), size).lines
        == ()
    )
    fbi = derive_exposure(log.entries, Scope.build(recipients=["FBI"]), size)
    assert fbi.subjects == {person(5)}
    assert fbi.counts()["people_with_withheld_lines"] == 1
    assert fbi.people()[0].withheld

    # The window is [since, until) on the recorded time; entries past the size are not read.
    first = derive_exposure(log.entries, Scope.build(until=T0 + dt.timedelta(minutes=2)), size)
    assert first.subjects == {person(1), person(2), person(3)}
    assert [x.sequence for x in first.lines] == [0, 1]
    assert derive_exposure(log.entries, Scope.build(packages=["pkg-c"]), 5).lines == ()


def test_a_failed_release_is_kept_and_flagged() -> None:
    log = Log()
    (seq,) = log.package("pkg-a", {"identity": [1]})
    log.add(
        AuditEvent(
            kind=kinds.RELEASE_FAILED,
            actor="svc:disclose",
            subjects=(person(1),),
            details={"entry": seq, "error": "OSError"},
        )
    )
    exposure = derive_exposure(log.entries, Scope.build(packages=["pkg-a"]), len(log.entries))
    assert exposure.subjects == {person(1)}
    assert exposure.counts()["release_failed_entries"] == 1
    assert exposure.people()[0].maybe_not_received


def test_a_package_of_only_unkeyed_people_is_found_not_missing() -> None:
    log = Log()
    log.package("pkg-u", {}, unkeyed=4, job_id="job-u")
    exposure = derive_exposure(log.entries, Scope.build(packages=["pkg-u", "pkg-x"]), 1)
    assert exposure.subjects == frozenset()
    assert exposure.unkeyed_people == 4
    assert exposure.unmatched() == ("pkg-x",)


def test_report_files_agree_and_hold_no_personal_values() -> None:
    log = Log()
    log.package("pkg-a", {"address,identity": [1, 2]}, job_id="job-a")
    scope = Scope.build(packages=["pkg-a"])
    exposure = derive_exposure(log.entries, scope, len(log.entries))
    incident = Incident(
        id="0" * 32,
        category=IncidentCategory.LOST_PACKAGE,
        summary="courier lost | the disk",
        reported_by="ops:jdoe",
        opened_at=T0,
        discovered_at=T0,
        due_at=T0 + dt.timedelta(hours=1),
        scope=scope,
        status=IncidentStatus.OPEN,
    )
    text = subjects_csv(exposure)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["subject"] for r in rows] == sorted([person(1), person(2)])
    assert rows[0]["categories"] == "address;identity"
    report = report_json(
        incident,
        exposure,
        clock=incident.clock(T0 + dt.timedelta(minutes=90)),
        generated_at=T0 + dt.timedelta(minutes=90),
        generated_by="privacy:po",
        subjects_file="s.csv",
        subjects_sha256=sha256_text(text),
    )
    assert report["affected_subjects_file"]["rows"] == 2
    assert report["incident"]["clock"]["overdue"] is True
    assert json.loads(json.dumps(report)) == report
    markdown = report_markdown(report)
    assert "| address | 2 |" in markdown
    assert "OVERDUE by 30 min" in markdown
    assert person(1) not in markdown  # subject keys live only in the subjects file
    assert person(1) not in json.dumps(report)
