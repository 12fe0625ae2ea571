"""Suspending an agreement: no submission is taken under it until the suspension is lifted.

A suspension is not a new version of the agreement (its text stays what was approved); it is a
row beside it, set and lifted by the disclosing agency's privacy officer, each step audited as
``agreement.changed`` before it counts. Submissions read it on every call (nothing cached), so
it takes effect on the very next request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from matchgate.access import Action, Principal
from matchgate.app.access import SUSPENDED, now, record_denial
from matchgate.app.core import App
from matchgate.domain.agreements import Suspension
from matchgate.domain.audit import AuditSink
from matchgate.domain.errors import AccessDenied, InputError
from matchgate.domain.events import AgreementChanged
from matchgate.services.administration.agreements import (
    agreement_parties,
    is_suspended,
    require_agreement,
)
from matchgate.storage import access as store

E_SUSPENSION = "E_SUSPENSION"
MAX_REASON = 500


@dataclass(frozen=True)
class SuspensionChange:
    agreement_id: str
    suspended: bool


def require_submit(app: App, caller: Principal, agreement_id: str) -> Principal:
    """The caller, re-read, if they may submit under the agreement now: a submitter of the
    requesting agency, and the agreement not suspended."""
    audit = app.audit
    fresh = require_agreement(app, caller, Action.SUBMIT, agreement_id)
    if is_suspended(app, agreement_id):
        record_denial(app.settings, fresh, SUSPENDED, Action.SUBMIT, agreement_id, audit)
        raise AccessDenied(f"agreement {agreement_id} is suspended: no submission is taken")
    return fresh


def _reason(text: str) -> str:
    value = text.strip()
    if not value or len(value) > MAX_REASON or not value.isascii() or not value.isprintable():
        raise InputError(
            f"the reason must be 1 to {MAX_REASON} printable ASCII characters",
            field="reason",
            code=E_SUSPENSION,
        )
    return value


def suspend_agreement(
    app: App, agreement_id: str, reason: str, *, caller: Principal
) -> SuspensionChange:
    """Suspend disclosures under an agreement (audited first); counts from the next request."""
    audit = app.audit
    fresh = require_agreement(app, caller, Action.AGREEMENT_SUSPEND, agreement_id)
    text = _reason(reason)
    if is_suspended(app, agreement_id):
        raise InputError(
            f"agreement {agreement_id} is already suspended", field="agreement", code=E_SUSPENSION
        )
    _audit_change(app, agreement_id, fresh.user_id, "suspended", audit)
    with app.unit_of_work() as s:
        store.add_suspension(
            s,
            Suspension(
                id=uuid.uuid4().hex,
                agreement_id=agreement_id,
                reason=text,
                suspended_at=now(),
                suspended_by=fresh.user_id,
            ),
        )
    return SuspensionChange(agreement_id, suspended=True)


def resume_agreement(app: App, agreement_id: str, *, caller: Principal) -> SuspensionChange:
    """Lift the suspension of an agreement (audited first)."""
    audit = app.audit
    fresh = require_agreement(app, caller, Action.AGREEMENT_SUSPEND, agreement_id)
    if not is_suspended(app, agreement_id):
        raise InputError(
            f"agreement {agreement_id} is not suspended", field="agreement", code=E_SUSPENSION
        )
    _audit_change(app, agreement_id, fresh.user_id, "resumed", audit)
    with app.unit_of_work() as s:
        store.lift_suspensions(s, agreement_id, by=fresh.user_id, at=now())
    return SuspensionChange(agreement_id, suspended=False)


def _audit_change(app: App, agreement_id: str, user_id: str, change: str, audit: AuditSink) -> None:
    """Append the agreement change before it is made (a failure here changes nothing)."""
    parties = agreement_parties(app, agreement_id)
    audit.append(
        AgreementChanged(
            actor=user_id,
            agency=None if parties is None else parties.recipient,
            agreement=agreement_id,
            change=change,
        ).audit_event()
    )
