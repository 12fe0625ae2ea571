"""Use cases for onward-use notices: file one, decide one, list them, read their statuses.

The recipient files a notice of a proposed new use or disclosure (a purpose code and a
description) under an agreement; the disclosing agency approves or denies it. Both steps are
audited before they are acknowledged. What a notice's status means for disclosures is decided by
:mod:`matchgate.governance.onward`; submissions read the statuses through
:func:`notice_statuses`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from matchgate.access import Action, Principal
from matchgate.app.access import require, require_object
from matchgate.app.core import App
from matchgate.domain.errors import InputError, MatchgateError
from matchgate.domain.events import OnwardUseDecided, OnwardUseFiled
from matchgate.domain.notices import OnwardNotice as Notice
from matchgate.governance import NoticeStatus
from matchgate.services.administration import (
    AgreementNotFound,
    agreement_parties,
    get_agreement,
    readable_agreements,
    require_agreement,
)
from matchgate.storage import submissions as store

NOTICE_FILED = OnwardUseFiled.kind
NOTICE_DECIDED = OnwardUseDecided.kind
E_NOTICE_NOT_FOUND = "E_NOTICE_NOT_FOUND"
E_NOTICE_DECIDED = "E_NOTICE_DECIDED"
E_NOTICE_INVALID = "E_NOTICE_INVALID"
E_NOTICE_OPEN = "E_NOTICE_OPEN"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_AGENT = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$")
MAX_DESCRIPTION = 2000


class NoticeError(MatchgateError):
    """A notice cannot be filed or decided; ``code`` says why.

    Per instance: ``code`` is one of the ``E_NOTICE_*`` codes of this module.
    """

    code = "E_NOTICE"
    per_instance_code = True

    def __init__(self, message: str, code: str) -> None:
        self.code = code
        super().__init__(message)


def _check_text(value: str, what: str, limit: int) -> str:
    text = value.strip()
    if not text or len(text) > limit or not text.isprintable():
        raise InputError(
            f"the {what} must be 1 to {limit:,} printable characters",
            field=what,
            code=E_NOTICE_INVALID,
        )
    return text


def _check_agent(value: str, what: str) -> str:
    if not _AGENT.match(value):
        raise InputError(
            f"the {what} must be 1 to 64 printable ASCII characters",
            field=what,
            code=E_NOTICE_INVALID,
        )
    return value


def file_notice(
    app: App,
    agreement_id: str,
    purpose: str,
    description: str,
    *,
    caller: Principal,
) -> Notice:
    """File a notice of a proposed new use or disclosure; audited before it is acknowledged.

    Filed by a privacy officer of the requesting agency (recorded as ``filed_by``). Refused for
    the agreement's own purpose (already agreed) and while a notice for the same purpose is
    pending or approved; after a denial a new notice may be filed.
    """
    audit = app.audit
    caller = require_agreement(app, caller, Action.NOTICE_FILE, agreement_id)
    filed_by = caller.user_id
    if not _SLUG.match(purpose) or len(purpose) > 64:
        raise InputError(
            "the purpose must be a code of lower-case words joined by hyphens (at most 64)",
            field="purpose",
            code=E_NOTICE_INVALID,
        )
    text = _check_text(description, "description", MAX_DESCRIPTION)
    filed_by = _check_agent(filed_by, "filer")
    agreement = get_agreement(app, agreement_id)
    if purpose == agreement.purpose.code:
        raise NoticeError(
            f"{purpose!r} is the agreement's own purpose; it needs no notice", E_NOTICE_INVALID
        )
    with app.unit_of_work() as s:
        current = _latest(store.notices_of(s, agreement_id)).get(purpose)
        if current is not None and current.status != NoticeStatus.DENIED:
            raise NoticeError(
                f"notice {current.id} for {purpose!r} is already {current.status}", E_NOTICE_OPEN
            )
    notice = Notice(
        id=uuid.uuid4().hex,
        agreement_id=agreement_id,
        purpose=purpose,
        description=text,
        filed_by=filed_by,
        filed_at=app.clock(),
        status=NoticeStatus.PENDING,
        decided_by=None,
        decided_at=None,
        decision_note=None,
    )
    audit.append(
        OnwardUseFiled(
            actor=filed_by,
            agency=agreement.recipient,
            agreement=agreement_id,
            notice_id=notice.id,
            purpose=purpose,
        ).audit_event()
    )
    with app.unit_of_work() as s:
        return store.add_notice(s, notice)


def decide_notice(
    app: App,
    notice_id: str,
    *,
    approve: bool,
    caller: Principal,
    note: str | None = None,
) -> Notice:
    """Record the disclosing agency's decision on a pending notice; audited before it counts.

    The audit entry is written first (outside any transaction of the store, which may share the
    database with the audit log): if it cannot be, the notice stays pending and disclosures for
    its purpose stay refused. A notice decided by someone else meanwhile is not decided twice.
    Decided by a privacy officer of the disclosing agency (recorded as ``decided_by``); a
    notice under another agency's agreement is reported as not found.
    """
    audit = app.audit
    text = _check_text(note, "note", MAX_DESCRIPTION) if note else None
    with app.unit_of_work() as s:
        notice = store.get_notice(s, notice_id)
        found = (
            None
            if notice is None
            else (notice.agreement_id, notice.purpose, notice.status, notice.id)
        )
    parties = None if found is None else agreement_parties(app, found[0])
    caller = require_object(
        app.settings,
        caller,
        Action.NOTICE_DECIDE,
        parties,
        missing=lambda: NoticeError(f"no notice {notice_id[:40]!r}", E_NOTICE_NOT_FOUND),
        object_id=notice_id,
        audit=audit,
    )
    decided_by = _check_agent(caller.user_id, "decider")
    assert found is not None
    agreement_id, purpose, status_now, found_id = found
    if status_now != NoticeStatus.PENDING:
        raise NoticeError(f"notice {found_id} was already {status_now}", E_NOTICE_DECIDED)
    status = NoticeStatus.APPROVED if approve else NoticeStatus.DENIED
    audit.append(
        OnwardUseDecided(
            actor=decided_by,
            agreement=agreement_id,
            notice_id=notice_id,
            purpose=purpose,
            decision=status.value,
        ).audit_event()
    )
    with app.unit_of_work() as s:
        if not store.decide_pending(
            s,
            notice_id,
            status=status.value,
            decided_by=decided_by,
            decided_at=app.clock(),
            note=text,
        ):
            raise NoticeError(f"notice {notice_id} was decided meanwhile", E_NOTICE_DECIDED)
        decided = store.get_notice(s, notice_id)
        assert decided is not None
        return decided


def list_notices(app: App, agreement_id: str | None = None, *, caller: Principal) -> list[Notice]:
    """Notices in the order they were filed (of one agreement, or all) that the caller may read."""
    caller = require(app.settings, caller, Action.NOTICE_READ)
    allowed = readable_agreements(app, caller, Action.NOTICE_READ)
    with app.unit_of_work() as s:
        return [
            notice for notice in store.notices_of(s, agreement_id) if notice.agreement_id in allowed
        ]


def _latest(notices: Sequence[Notice]) -> dict[str, Notice]:
    latest: dict[str, Notice] = {}
    for notice in notices:  # in filing order: a later notice replaces an earlier one
        latest[notice.purpose] = notice
    return latest


def notice_statuses(app: App, agreement_id: str) -> dict[str, NoticeStatus]:
    """Purpose -> status of its latest notice, for the policy functions."""
    with app.unit_of_work() as s:
        notices = store.notices_of(s, agreement_id)
    return {purpose: notice.status for purpose, notice in _latest(notices).items()}


__all__ = [
    "AgreementNotFound",
    "Notice",
    "NoticeError",
    "decide_notice",
    "file_notice",
    "list_notices",
    "notice_statuses",
]
