"""``matchgate withdrawals list|ack``: a recipient agency's notices of withdrawn disclosures.

A thin shell over ``services.oversight.withdrawals``. A notice names the withdrawal's audit
entry and the packages or answers the recipient received, never the person. Exit 3 for a notice
that does not exist or belongs to other agencies (the same answer), or one acknowledged already.
With ``MATCHGATE_HOST_URL`` set, both go to the host's API (``cli/remote.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli import remote
from matchgate.cli.shell import AsJson, Runner, caller, current_app, echo, echo_json

if TYPE_CHECKING:
    from matchgate.services.oversight.withdrawals import WithdrawalNotice


def _withdrawal_json(n: WithdrawalNotice) -> dict[str, Any]:
    return {
        "id": n.id,
        "from": n.disclosing,
        "recipient": n.recipient,
        "withdrawal_entry": n.withdrawal_entry,
        "reason": n.reason,
        "package_id": n.package_id,
        "references": list(n.references),
        "notified_at": n.created_at.isoformat(),
        "audit_entry": n.created_entry,
        "acknowledged_at": None if n.acknowledged_at is None else n.acknowledged_at.isoformat(),
        "acknowledged_by": n.acknowledged_by,
    }


def _withdrawal_line(n: WithdrawalNotice) -> str:
    state = (
        "not yet acknowledged"
        if n.acknowledged_at is None
        else f"acknowledged {n.acknowledged_at:%Y-%m-%d} by {n.acknowledged_by}"
    )
    scope = f"package {n.package_id}" if n.package_id else "every disclosure of the record"
    return (
        f"{n.id}  {n.created_at:%Y-%m-%d}  from {n.disclosing} to {n.recipient}: "
        f"{n.reason.replace('_', ' ')} ({scope}; audit entry {n.withdrawal_entry}); "
        f"you received: {', '.join(n.references) or '-'}; {state}"
    )


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``withdrawals list|ack`` to ``app``."""
    withdrawals = typer.Typer(
        help="Notices that a disclosed record was withdrawn (5 U.S.C. 552a(c)(4)).",
        no_args_is_help=True,
    )

    @withdrawals.command("list")
    def list_command(
        pending: Annotated[
            bool, typer.Option("--pending", help="Only notices not yet acknowledged.")
        ] = False,
        as_json: AsJson = False,
    ) -> None:
        """List the withdrawal notices to (or from) the caller's agency."""
        from matchgate.services.oversight.withdrawals import list_withdrawal_notices

        def work() -> None:
            if remote.enabled():
                found = remote.list_withdrawal_notices(pending)
            else:
                found = list_withdrawal_notices(
                    current_app(), caller=caller(), pending_only=pending
                )
            if as_json:
                echo_json([_withdrawal_json(n) for n in found])
                return
            for n in found:
                echo(_withdrawal_line(n))
            if not found:
                echo("no withdrawal notices")

        run(work)

    @withdrawals.command("ack")
    def ack_command(
        notice_id: Annotated[str, typer.Argument(help="The notice's id.")],
        as_json: AsJson = False,
    ) -> None:
        """Acknowledge a withdrawal notice to the caller's agency."""
        from matchgate.services.oversight.withdrawals import acknowledge_withdrawal_notice

        def work() -> None:
            if remote.enabled():
                done = remote.acknowledge_withdrawal_notice(notice_id)
            else:
                done = acknowledge_withdrawal_notice(current_app(), notice_id, caller=caller())
            if as_json:
                echo_json(_withdrawal_json(done))
            else:
                echo(_withdrawal_line(done))

        run(work)

    app.add_typer(withdrawals, name="withdrawals")
