"""Withdrawal notices (5 U.S.C. 552a(c)(4)): made when a disclosure is withdrawn, listed and
acknowledged by the recipient agency.

When the disclosing agency records that a record it disclosed proved wrong (``audit withdraw``),
every earlier recipient of that record gets one notice. A notice names only what its recipient
already holds, the ids of the packages or answers it received of the record, and the
``disclosure.withdrawn`` entry (its audit sequence), never the person. Making a notice is a
``withdrawal.notified`` entry and acknowledging it a ``withdrawal.acknowledged`` entry, each
appended before the row is written and each naming the person's subject key, so the accounting
shows notified and acknowledged from the log itself.

The recipient's users list their agency's notices and acknowledge them; a notice of other
agencies answers exactly as one that does not exist (the audit log tells them apart).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from matchgate.access import Action, Parties, Principal, readable
from matchgate.app.access import require, require_object
from matchgate.app.audit import AuditConfig, AuditLog, Withdrawal
from matchgate.app.core import App
from matchgate.audit import Accounting
from matchgate.audit.disclosures import join
from matchgate.domain.errors import NotFound, Refused
from matchgate.domain.events import WithdrawalAcknowledged, WithdrawalNotified
from matchgate.domain.withdrawals import WithdrawalNotice
from matchgate.storage import audit as audit_store
from matchgate.storage import withdrawals as store

E_WITHDRAWAL_NOTICE_NOT_FOUND = "E_WITHDRAWAL_NOTICE_NOT_FOUND"
E_WITHDRAWAL_ACKNOWLEDGED = "E_WITHDRAWAL_ACKNOWLEDGED"


class WithdrawalNoticeNotFound(NotFound):
    code = E_WITHDRAWAL_NOTICE_NOT_FOUND


class NoticeAcknowledged(Refused):
    code = E_WITHDRAWAL_ACKNOWLEDGED


@dataclass(frozen=True)
class NotifiedWithdrawal:
    """A recorded withdrawal and the notices made for its recipients."""

    sequence: int
    withdraws: tuple[int, ...]
    notify: tuple[str, ...]
    notices: tuple[WithdrawalNotice, ...]


def notify_recipients(
    app: App,
    log: AuditLog,
    withdrawal: Withdrawal,
    accounting: Accounting,
    *,
    subject: str,
    reason: str,
    package_id: str | None,
    caller: Principal,
) -> NotifiedWithdrawal:
    """One notice per recipient the withdrawal names, each audited before it is stored.

    ``accounting`` is the person's whole accounting as the withdrawal saw it: a notice names the
    references of the lines its recipient received, which that recipient already holds.
    """
    made: list[WithdrawalNotice] = []
    for recipient in withdrawal.notify:
        references = tuple(
            sorted({line.reference for line in accounting.lines if line.recipient == recipient})
        )
        notice_id = uuid.uuid4().hex
        created_at = app.clock()
        receipt = log.append(
            WithdrawalNotified(
                actor=caller.user_id,
                agency=recipient,
                subjects=(subject,),
                notice_id=notice_id,
                withdrawal_entry=withdrawal.sequence,
                recipient=recipient,
                references=join(references),
            ).audit_event()
        )
        notice = WithdrawalNotice(
            id=notice_id,
            withdrawal_entry=withdrawal.sequence,
            disclosing=caller.agency,
            recipient=recipient,
            reason=reason,
            package_id=package_id,
            references=references,
            created_at=created_at,
            created_entry=receipt.sequence,
            acknowledged_by=None,
            acknowledged_at=None,
        )
        with app.unit_of_work() as s:
            made.append(store.add_notice(s, notice, created_by=caller.user_id))
    return NotifiedWithdrawal(
        withdrawal.sequence, withdrawal.withdraws, withdrawal.notify, tuple(made)
    )


def _parties(row: WithdrawalNotice) -> Parties:
    return Parties(disclosing=row.disclosing, recipient=row.recipient)


def list_withdrawal_notices(
    app: App, *, caller: Principal, pending_only: bool = False
) -> list[WithdrawalNotice]:
    """The notices the caller may read (to their agency, or made by it), oldest first."""
    caller = require(app.settings, caller, Action.WITHDRAWAL_READ, audit=app.refusal_audit())
    with app.unit_of_work() as s:
        found = [
            row
            for row in store.notices(s)
            if readable(caller, Action.WITHDRAWAL_READ, _parties(row))
        ]
    return [n for n in found if not pending_only or n.acknowledged_at is None]


def _subjects_of(config: AuditConfig, sequence: int) -> tuple[str, ...]:
    """The subject keys of the withdrawal entry a notice follows (the person, keyed)."""
    with audit_store.transaction(config.url, write=False) as s:
        found = audit_store.entries_at(s, [sequence])
        return found[0].subject_list() if found else ()


def acknowledge_withdrawal_notice(
    app: App, notice_id: str, *, caller: Principal
) -> WithdrawalNotice:
    """Record that the recipient agency received a notice; audited before the row changes.

    A notice of other agencies, or none, is ``WithdrawalNoticeNotFound`` alike (the refusal is
    audited); one acknowledged already is refused and keeps its first acknowledgement.
    """
    log = app.audit_log()
    with app.unit_of_work() as s:
        row = store.get_notice(s, notice_id)
        parties = None if row is None else _parties(row)
    caller = require_object(
        app.settings,
        caller,
        Action.WITHDRAWAL_ACK,
        parties,
        missing=lambda: WithdrawalNoticeNotFound(f"no withdrawal notice {notice_id[:40]!r}"),
        object_id=notice_id,
        audit=log,
    )
    assert row is not None
    if row.acknowledged_at is not None:
        raise NoticeAcknowledged(f"withdrawal notice {row.id} was already acknowledged")
    receipt = log.append(
        WithdrawalAcknowledged(
            actor=caller.user_id,
            agency=row.recipient,
            subjects=_subjects_of(app.audit_config, int(row.withdrawal_entry)),
            notice_id=row.id,
            withdrawal_entry=int(row.withdrawal_entry),
            recipient=row.recipient,
        ).audit_event()
    )
    with app.unit_of_work() as s:
        if not store.acknowledge(
            s, row.id, by=caller.user_id, at=app.clock(), entry=receipt.sequence
        ):
            raise NoticeAcknowledged(f"withdrawal notice {row.id} was acknowledged meanwhile")
        done = store.get_notice(s, row.id)
        assert done is not None
        return done


__all__ = [
    "E_WITHDRAWAL_ACKNOWLEDGED",
    "E_WITHDRAWAL_NOTICE_NOT_FOUND",
    "NoticeAcknowledged",
    "NotifiedWithdrawal",
    "WithdrawalNotice",
    "WithdrawalNoticeNotFound",
    "acknowledge_withdrawal_notice",
    "list_withdrawal_notices",
    "notify_recipients",
]
