"""Withdrawals of wrong disclosures and their notices (5 U.S.C. 552a(c)(4)): the host's
``audit withdraw`` (``POST /v1/audit/withdrawals``, the SSN in the body, never in the URL) and a
recipient agency's ``withdrawals list|ack`` (``services.oversight.audit_access`` and
``services.oversight.withdrawals``, as the command line calls them).

A notice names the withdrawal's audit entry and the packages or answers its recipient received,
never the person. A notice of other agencies answers exactly as an unknown id (the refusal is
audited, as on the command line).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.links import link, links
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import In, Moment, Out
from matchgate.services.oversight import audit_access
from matchgate.services.oversight import withdrawals as service

router = APIRouter(prefix="/v1", tags=["withdrawals"], responses=RESPONSES)


def _ack(expression: str) -> dict[str, Any]:
    return link(
        "/v1/withdrawals/{notice_id}/ack", "post", "Acknowledge the notice.", notice_id=expression
    )


class WithdrawIn(In):
    ssn: str = Field(min_length=9, max_length=11, description="The person's SSN.")
    reason: Literal["wrong_match", "record_corrected", "dispute_noted"]
    package_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Only the disclosure in this package (a wrong match); default: every one.",
    )


class WithdrawalNoticeOut(Out):
    """A notice as ``matchgate withdrawals list`` shows it: ids, codes, dates; no person."""

    id: str
    withdrawal_entry: int = Field(description="The `disclosure.withdrawn` audit entry.")
    disclosing: str
    recipient: str
    reason: str
    package_id: str | None
    references: list[str] = Field(description="What the recipient received of the record.")
    created_at: Moment
    created_entry: int = Field(description="The `withdrawal.notified` audit entry.")
    acknowledged_by: str | None
    acknowledged_at: Moment | None


class WithdrawalOut(Out):
    sequence: int = Field(description="The correction's audit entry.")
    withdraws: list[int] = Field(description="The disclosure entries it withdraws.")
    notify: list[str] = Field(description="The earlier recipients of the record.")
    notices: list[WithdrawalNoticeOut]


@router.post(
    "/audit/withdrawals",
    response_model=WithdrawalOut,
    status_code=201,
    responses=links(201, Acknowledge=_ack("$response.body#/notices/0/id")),
)
def withdraw(body: WithdrawIn, app: AppDep, caller: CallerDep) -> WithdrawalOut:
    """Record that a disclosure your agency made proved wrong and notify each earlier recipient
    of the record (``matchgate audit withdraw``; the discloser's privacy officers)."""
    done = audit_access.withdraw_for_caller(
        app,
        body.ssn,
        body.reason,
        caller=caller,
        package_id=body.package_id,
    )
    return WithdrawalOut.model_validate(done)


@router.get(
    "/withdrawals",
    response_model=list[WithdrawalNoticeOut],
    responses=links(200, Acknowledge=_ack("$response.body#/0/id")),
)
def list_notices(
    app: AppDep,
    caller: CallerDep,
    pending: Annotated[bool, Query(description="Only notices not yet acknowledged.")] = False,
) -> list[WithdrawalNoticeOut]:
    """Withdrawal notices to (or from) your agency, oldest first (``withdrawals list``)."""
    found = service.list_withdrawal_notices(app, caller=caller, pending_only=pending)
    return [WithdrawalNoticeOut.model_validate(n) for n in found]


@router.post("/withdrawals/{notice_id}/ack", response_model=WithdrawalNoticeOut)
def acknowledge(notice_id: str, app: AppDep, caller: CallerDep) -> WithdrawalNoticeOut:
    """Acknowledge a withdrawal notice to your agency (``withdrawals ack``; the recipient's
    submitters and privacy officers); audited before it is recorded."""
    done = service.acknowledge_withdrawal_notice(app, notice_id, caller=caller)
    return WithdrawalNoticeOut.model_validate(done)
