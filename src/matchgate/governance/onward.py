"""Onward use: a purpose beyond the agreement's, agreed only by the disclosing agency's decision.

The recipient files a notice of a proposed new use or disclosure of the records (a purpose code
and a description). Until the disclosing agency decides, disclosures for that purpose are
refused with ``R_ONWARD_USE_PENDING``; after a denial, with ``R_ONWARD_USE_DENIED``. An approved
notice makes its purpose agreed (policy rule 2), and a disclosure for it still needs a routine use
in force naming that purpose (rule 4). The latest notice for a purpose is the one that counts.
These functions are pure: services read the notices from the store and pass their statuses in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from matchgate.domain.lifecycle import NoticeStatus
from matchgate.governance.agreement import Agreement
from matchgate.governance.codes import RefusalCode
from matchgate.governance.policy import (
    Refusal,
    disclosable_categories,
    refusal_reasons,
    routine_uses_relied_on,
)
from matchgate.governance.vocabulary import Category


def agreed_purposes(notices: Mapping[str, NoticeStatus]) -> frozenset[str]:
    """The purposes whose latest notice was approved (``notices``: purpose -> latest status)."""
    return frozenset(p for p, status in notices.items() if status is NoticeStatus.APPROVED)


def _notice_refusal(agreement: Agreement, purpose: str, status: NoticeStatus) -> Refusal | None:
    if status is NoticeStatus.PENDING:
        return Refusal(
            RefusalCode.ONWARD_USE_PENDING,
            f"purpose {purpose!r} is a proposed new use under agreement {agreement.id}; "
            f"{agreement.parties.disclosing.code} has not decided on its notice",
        )
    if status is NoticeStatus.DENIED:
        return Refusal(
            RefusalCode.ONWARD_USE_DENIED,
            f"{agreement.parties.disclosing.code} denied the notice of new use {purpose!r} "
            f"under agreement {agreement.id}",
        )
    return None


def onward_disclosable(
    agreement: Agreement,
    on: date,
    purpose: str | None,
    notices: Mapping[str, NoticeStatus],
) -> frozenset[Category]:
    """The categories disclosable on ``on`` for ``purpose``, given the notices' statuses."""
    return disclosable_categories(
        agreement, on, purpose=purpose, agreed_purposes=agreed_purposes(notices)
    )


def onward_refusals(
    agreement: Agreement,
    category: str,
    on: date,
    purpose: str | None,
    notices: Mapping[str, NoticeStatus],
) -> tuple[Refusal, ...]:
    """Every reason ``category`` may not be disclosed for ``purpose`` on ``on``: the policy's,
    with "purpose not agreed" replaced by the notice's own code when one is pending or denied."""
    reasons = refusal_reasons(
        agreement, category, on, purpose=purpose, agreed_purposes=agreed_purposes(notices)
    )
    status = notices.get(purpose) if purpose is not None else None
    if status is None:
        return reasons
    replacement = _notice_refusal(agreement, purpose or "", status)
    if replacement is None:
        return reasons
    return tuple(replacement if r.code is RefusalCode.PURPOSE_NOT_AGREED else r for r in reasons)


@dataclass(frozen=True)
class Policy:
    """What governance decided for one disclosure day, as plain values."""

    disclosable: frozenset[str]
    relied_on: dict[str, tuple[str, ...]]
    refused: dict[str, tuple[tuple[str, str], ...]]


def decide_policy(
    agreement: Agreement, day: date, purpose: str, notices: Mapping[str, NoticeStatus]
) -> Policy:
    """Disclosable categories, routine uses relied on, and refusal reasons for the rest."""
    disclosable = onward_disclosable(agreement, day, purpose, notices)
    agreed = agreed_purposes(notices)
    relied = {
        str(c): routine_uses_relied_on(agreement, c, day, purpose=purpose, agreed_purposes=agreed)
        for c in disclosable
    }
    refused = {
        str(c): tuple(
            (str(r.code), r.reason) for r in onward_refusals(agreement, c, day, purpose, notices)
        )
        for c in Category
        if c not in disclosable
    }
    return Policy(frozenset(str(c) for c in disclosable), relied, refused)
