"""A breach incident as the store hands it back (OMB M-17-12), and the values it is made of.

Pure values: the category, the reporting clock, the scope, the steps and the incident. The rules
that move an incident (its lifecycle, its audit kinds) are in ``matchgate.audit.breach``, which
re-exports everything here; the rows live in ``matchgate.storage.breaches``.

* **Clock.** M-17-12 has an agency report a breach to US-CERT/CISA within one hour of its
  discovery; :class:`ClockState` says where that clock stands at a moment.
* **Scope.** Packages, submission jobs and verification answers by id, recipient agencies, and a
  time window. A disclosure is in scope when it is one of the named packages, jobs or answers
  (any of them; all disclosures when none is named), went to one of the named recipients (any,
  when none is named) and was recorded inside the window (:meth:`Scope.covers`). A scope names at
  least one of these, so an incident never silently covers every disclosure ever made.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from matchgate.domain.audit import AuditValue
from matchgate.domain.errors import InputError
from matchgate.domain.lifecycle import IncidentStatus
from matchgate.domain.personal import looks_personal

E_BREACH_INPUT = "E_BREACH_INPUT"


class IncidentCategory(StrEnum):
    """What happened, as a code (a description that holds no personal value)."""

    LOST_PACKAGE = "lost_package"
    """A sealed package (or the media holding it) was lost or stolen."""
    MISDIRECTED_DISCLOSURE = "misdirected_disclosure"
    """Records went to an agency or address they were not meant for."""
    UNAUTHORIZED_ACCESS = "unauthorized_access"
    """Someone without a need to know reached records (outbox, store, workspace)."""
    WRONG_MATCH = "wrong_match"
    """A person's records were sent in answer to a request about someone else."""
    OTHER = "other"


LIFECYCLE = (
    IncidentStatus.OPEN,
    IncidentStatus.REPORTED,
    IncidentStatus.CONTAINED,
    IncidentStatus.CLOSED,
)


def parse_status(text: str) -> IncidentStatus:
    try:
        return IncidentStatus(text)
    except ValueError:
        raise InputError(
            f"status must be one of {', '.join(LIFECYCLE)}", field="status", code=E_BREACH_INPUT
        ) from None


def parse_category(text: str) -> IncidentCategory:
    try:
        return IncidentCategory(text)
    except ValueError:
        names = ", ".join(c.value for c in IncidentCategory)
        raise InputError(
            f"category must be one of {names}", field="category", code=E_BREACH_INPUT
        ) from None


def aware_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive one (as SQLite hands back) is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class ClockState:
    """Where the one-hour reporting clock stands at ``now``."""

    due_at: dt.datetime
    reported_at: dt.datetime | None
    now: dt.datetime

    @property
    def stopped(self) -> bool:
        return self.reported_at is not None

    @property
    def overdue(self) -> bool:
        """Not reported and past due, or reported after the due time."""
        end = self.reported_at if self.reported_at is not None else self.now
        return end > self.due_at

    @property
    def margin(self) -> dt.timedelta:
        """Time left before the due time (negative: by how much it was or is missed)."""
        end = self.reported_at if self.reported_at is not None else self.now
        return self.due_at - end

    def describe(self) -> str:
        minutes = _minutes(abs(self.margin))
        if self.reported_at is not None:
            if self.overdue:
                return f"reported late, {minutes} after the due time"
            return f"reported on time, {minutes} before the due time"
        if self.overdue:
            return f"OVERDUE by {minutes}: report to US-CERT/CISA now"
        return f"{minutes} left to report to US-CERT/CISA"

    def to_json(self) -> dict[str, Any]:
        return {
            "due_at": self.due_at.isoformat(),
            "reported_at": None if self.reported_at is None else self.reported_at.isoformat(),
            "at": self.now.isoformat(),
            "overdue": self.overdue,
            "seconds_left": int(self.margin.total_seconds()),
            "state": self.describe(),
        }


def _minutes(span: dt.timedelta) -> str:
    total = int(span.total_seconds() // 60)
    hours, minutes = divmod(total, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def clock_state(due: dt.datetime, reported_at: dt.datetime | None, now: dt.datetime) -> ClockState:
    return ClockState(aware_utc(due), None if reported_at is None else aware_utc(reported_at), now)


# --- scope ---------------------------------------------------------------------------------------

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")
_AGENCY = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")


def _ids(values: Iterable[str], what: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    items = tuple(sorted({v.strip() for v in values if v.strip()}))
    for item in items:
        if not pattern.match(item) or looks_personal(item):
            raise InputError(
                f"a {what} is not in the expected form", field=what, code=E_BREACH_INPUT
            )
    return items


@dataclass(frozen=True)
class Scope:
    """Which disclosures an incident concerns (see the module docstring for the rule)."""

    packages: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    """Window ``[since, until)`` in UTC."""

    @classmethod
    def build(
        cls,
        *,
        packages: Iterable[str] = (),
        jobs: Iterable[str] = (),
        answers: Iterable[str] = (),
        recipients: Iterable[str] = (),
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Scope:
        """A checked scope: ids in their forms, times aware, the window the right way round,
        and at least one criterion."""
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise InputError("needs a time zone", field=name, code=E_BREACH_INPUT)
        if since is not None and until is not None and until <= since:
            raise InputError("the window ends before it starts", field="until", code=E_BREACH_INPUT)
        scope = cls(
            packages=_ids(packages, "package", _ID),
            jobs=_ids(jobs, "job", _ID),
            answers=_ids(answers, "answer", _ID),
            recipients=_ids(recipients, "recipient", _AGENCY),
            since=None if since is None else since.astimezone(dt.UTC),
            until=None if until is None else until.astimezone(dt.UTC),
        )
        if scope.empty:
            raise InputError(
                "name the packages, jobs, answers, recipients or time window the incident "
                "concerns (a scope is never everything)",
                field="scope",
                code=E_BREACH_INPUT,
            )
        return scope

    @property
    def empty(self) -> bool:
        return not (
            self.packages
            or self.jobs
            or self.answers
            or self.recipients
            or self.since
            or self.until
        )

    @property
    def references(self) -> tuple[str, ...]:
        return self.packages + self.jobs + self.answers

    def covers(self, recorded_at: dt.datetime, details: Mapping[str, AuditValue]) -> bool:
        """Whether a disclosing entry recorded at ``recorded_at`` with ``details`` is in scope."""
        if self.since is not None and recorded_at < self.since:
            return False
        if self.until is not None and recorded_at >= self.until:
            return False
        if self.recipients and details.get("recipient") not in self.recipients:
            return False
        if not self.references:
            return True
        return (
            details.get("package_id") in self.packages
            or details.get("job_id") in self.jobs
            or details.get("answer_id") in self.answers
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "packages": list(self.packages),
            "jobs": list(self.jobs),
            "answers": list(self.answers),
            "recipients": list(self.recipients),
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Scope:
        def moment(key: str) -> dt.datetime | None:
            text = value.get(key)
            return None if not text else aware_utc(dt.datetime.fromisoformat(str(text)))

        return cls(
            packages=tuple(value.get("packages") or ()),
            jobs=tuple(value.get("jobs") or ()),
            answers=tuple(value.get("answers") or ()),
            recipients=tuple(value.get("recipients") or ()),
            since=moment("since"),
            until=moment("until"),
        )

    def audit_details(self) -> dict[str, AuditValue]:
        """The scope as audit details: ids joined with commas, times as ISO text."""
        details: dict[str, AuditValue] = {
            "scope_packages": ",".join(self.packages),
            "scope_jobs": ",".join(self.jobs),
            "scope_answers": ",".join(self.answers),
            "scope_recipients": ",".join(self.recipients),
            "scope_since": None if self.since is None else self.since.isoformat(),
            "scope_until": None if self.until is None else self.until.isoformat(),
        }
        return {k: v for k, v in details.items() if v}


@dataclass(frozen=True)
class Step:
    """One step of an incident's timeline, with the audit entry that recorded it."""

    step: str
    at: dt.datetime
    by: str
    note: str | None
    audit_sequence: int | None


@dataclass(frozen=True)
class Incident:
    """An incident as the services hand it out: codes, ids, times and counts."""

    id: str
    category: IncidentCategory
    summary: str | None
    reported_by: str
    opened_at: dt.datetime
    discovered_at: dt.datetime
    due_at: dt.datetime
    scope: Scope
    status: IncidentStatus
    reported_at: dt.datetime | None = None
    reported_to: str | None = None
    cisa_reference: str | None = None
    contained_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    assessed_at: dt.datetime | None = None
    affected_people: int | None = None
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def clock(self, now: dt.datetime) -> ClockState:
        return clock_state(self.due_at, self.reported_at, now)


__all__ = [
    "E_BREACH_INPUT",
    "LIFECYCLE",
    "ClockState",
    "Incident",
    "IncidentCategory",
    "Scope",
    "Step",
    "aware_utc",
    "clock_state",
    "parse_category",
    "parse_status",
]
