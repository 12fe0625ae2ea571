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
from matchgate.domain.audit import AuditSink
from matchgate.domain.errors import AccessDenied, InputError
from matchgate.domain.events import AgreementChanged
from matchgate.services.administration.agreements import (
    agreement_parties,
    is_suspended,
    require_agreement,
)
from matchgate.settings import Settings
from matchgate.storage import access as store
from matchgate.storage.db import session, store_url

E_SUSPENSION = "E_SUSPENSION"
MAX_REASON = 500


@dataclass(frozen=True)
class SuspensionChange:
    agreement_id: str
    suspended: bool


def require_submit(
    settings: Settings, caller: Principal, agreement_id: str, *, audit: AuditSink | None = None
) -> Principal:
    """The caller, re-read, if they may submit under the agreement now: a submitter of the
    requesting agency, and the agreement not suspended."""
    fresh = require_agreement(settings, caller, Action.SUBMIT, agreement_id, audit=audit)
    if is_suspended(settings, agreement_id):
        record_denial(settings, fresh, SUSPENDED, Action.SUBMIT, agreement_id, audit)
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
    settings: Settings, agreement_id: str, reason: str, *, caller: Principal, audit: AuditSink
) -> SuspensionChange:
    """Suspend disclosures under an agreement (audited first); counts from the next request."""
    fresh = require_agreement(settings, caller, Action.AGREEMENT_SUSPEND, agreement_id, audit=audit)
    text = _reason(reason)
    if is_suspended(settings, agreement_id):
        raise InputError(
            f"agreement {agreement_id} is already suspended", field="agreement", code=E_SUSPENSION
        )
    _audit_change(settings, agreement_id, fresh.user_id, "suspended", audit)
    with session(store_url(settings)) as s:
        store.add(
            s,
            store.AgreementSuspension(
                id=uuid.uuid4().hex,
                agreement_id=agreement_id,
                reason=text,
                suspended_at=now(),
                suspended_by=fresh.user_id,
                active=True,
            ),
        )
    return SuspensionChange(agreement_id, suspended=True)


def resume_agreement(
    settings: Settings, agreement_id: str, *, caller: Principal, audit: AuditSink
) -> SuspensionChange:
    """Lift the suspension of an agreement (audited first)."""
    fresh = require_agreement(settings, caller, Action.AGREEMENT_SUSPEND, agreement_id, audit=audit)
    if not is_suspended(settings, agreement_id):
        raise InputError(
            f"agreement {agreement_id} is not suspended", field="agreement", code=E_SUSPENSION
        )
    _audit_change(settings, agreement_id, fresh.user_id, "resumed", audit)
    with session(store_url(settings)) as s:
        for row in store.active_suspensions(s, agreement_id):
            row.active = False
            row.lifted_at = now()
            row.lifted_by = fresh.user_id
    return SuspensionChange(agreement_id, suspended=False)


def _audit_change(
    settings: Settings, agreement_id: str, user_id: str, change: str, audit: AuditSink
) -> None:
    """Append the agreement change before it is made (a failure here changes nothing)."""
    parties = agreement_parties(settings, agreement_id)
    audit.append(
        AgreementChanged(
            actor=user_id,
            agency=None if parties is None else parties.recipient,
            agreement=agreement_id,
            change=change,
        ).audit_event()
    )
