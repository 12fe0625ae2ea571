"""Breach incidents (OMB M-17-12): categories, the forward-only lifecycle, the reporting clock and
the scope that says which disclosures an incident concerns.

Pure values and arithmetic; the values an incident is made of (category, clock, scope, steps,
the incident itself) are defined in ``matchgate.domain.breach`` and re-exported here, the
incident rows live in the operational store (``matchgate.storage.breaches``) and the use cases
in ``matchgate.services.oversight.breach``.

* **Lifecycle.** ``open -> reported -> contained -> closed``, one step at a time and never back:
  an incident is not contained before US-CERT/CISA has been told, nor closed before it is
  contained (:func:`check_step`).
* **Clock.** M-17-12 has an agency report a breach to US-CERT/CISA within one hour of its
  discovery. ``due_at = discovered_at + 1 hour``; discovery defaults to the moment the incident
  is opened and may be earlier (someone noticed, then opened it), never later, so a late opening
  cannot hide a late report (:func:`clock_state`).
* **Scope.** Packages, submission jobs and verification answers by id, recipient agencies, and a
  time window. A disclosure is in scope when it is one of the named packages, jobs or answers
  (any of them; all disclosures when none is named), went to one of the named recipients (any,
  when none is named) and was recorded inside the window (:meth:`Scope.covers`). A scope names at
  least one of these, so an incident never silently covers every disclosure ever made.
"""

from __future__ import annotations

import datetime as dt

from matchgate.audit import kinds
from matchgate.domain.breach import (
    E_BREACH_INPUT,
    LIFECYCLE,
    ClockState,
    Incident,
    IncidentCategory,
    Scope,
    Step,
    aware_utc,
    clock_state,
    parse_category,
    parse_status,
)
from matchgate.domain.errors import InputError, Refused
from matchgate.domain.lifecycle import IncidentStatus
from matchgate.domain.personal import looks_personal as _looks_personal

REPORTING_WINDOW = dt.timedelta(hours=1)
"""M-17-12: report a breach to US-CERT/CISA within one hour of discovering it."""

E_BREACH_STEP = "E_BREACH_STEP"
E_BREACH_NOT_FOUND = "E_BREACH_NOT_FOUND"

STEP_KINDS = {
    IncidentStatus.OPEN: kinds.BREACH_OPENED,
    IncidentStatus.REPORTED: kinds.BREACH_REPORTED,
    IncidentStatus.CONTAINED: kinds.BREACH_CONTAINED,
    IncidentStatus.CLOSED: kinds.BREACH_CLOSED,
}
"""The audit event kind recording each step."""
BREACH_ASSESSED = kinds.BREACH_ASSESSED


class BreachStepRefused(Refused):
    """A lifecycle step out of order: backwards, repeated, skipped, or closing unassessed."""

    code = E_BREACH_STEP


def looks_personal(text: str) -> bool:
    """Whether ``text`` holds something shaped like an SSN or an A-number (refused in records)."""
    return _looks_personal(text)


def next_status(current: IncidentStatus) -> IncidentStatus | None:
    """The one status an incident may move to from ``current`` (None once closed)."""
    at = LIFECYCLE.index(current)
    return LIFECYCLE[at + 1] if at + 1 < len(LIFECYCLE) else None


def check_step(current: IncidentStatus, target: IncidentStatus, *, assessed: bool) -> None:
    """Refuse any step but the next one, and closing an incident whose report was never made."""
    allowed = next_status(current)
    if target != allowed:
        expected = "none (it is closed)" if allowed is None else str(allowed)
        raise BreachStepRefused(
            f"an incident moves forward one step at a time: it is {current}, "
            f"the next step is {expected}, not {target}"
        )
    if target == IncidentStatus.CLOSED and not assessed:
        raise BreachStepRefused(
            "the affected people and categories were never derived: run `matchgate breach "
            "report` before closing the incident"
        )


def due_at(discovered_at: dt.datetime) -> dt.datetime:
    return discovered_at + REPORTING_WINDOW


def check_discovery(discovered_at: dt.datetime, opened_at: dt.datetime) -> dt.datetime:
    """The discovery time in UTC; refused when naive or after the incident was opened."""
    if discovered_at.tzinfo is None:
        raise InputError(
            "the discovery time needs a time zone", field="discovered_at", code=E_BREACH_INPUT
        )
    if discovered_at > opened_at:
        raise InputError(
            "the discovery time is after the incident was opened",
            field="discovered_at",
            code=E_BREACH_INPUT,
        )
    return discovered_at.astimezone(dt.UTC)


__all__ = [
    "BREACH_ASSESSED",
    "E_BREACH_INPUT",
    "E_BREACH_NOT_FOUND",
    "E_BREACH_STEP",
    "LIFECYCLE",
    "REPORTING_WINDOW",
    "STEP_KINDS",
    "BreachStepRefused",
    "ClockState",
    "Incident",
    "IncidentCategory",
    "Scope",
    "Step",
    "aware_utc",
    "check_discovery",
    "check_step",
    "clock_state",
    "due_at",
    "looks_personal",
    "next_status",
    "parse_category",
    "parse_status",
]
