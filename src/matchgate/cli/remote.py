"""Local or remote: the requester's commands (``submit``, ``submissions list|show``,
``withdrawals list|ack``, ``audit witness fetch`` without ``--from``) run on this workspace, or,
when ``MATCHGATE_HOST_URL`` is set, through :mod:`matchgate.client` against the host's API, so a
requesting agency needs none of the host's files.

Remotely ``submit`` uploads the file (with an ``Idempotency-Key`` of its own, so a retried
upload is taken once), follows its job with a progress bar, and saves the sealed package in
``--out`` (default: the requester's ``WORKSPACE/outbox``); the exit codes are the local ones.
``audit witness fetch`` checks the files it fetches on this side, against the keys given with
``--trust``, exactly as it checks a folder (the host is not trusted to check itself).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matchgate.cli.progress import RichProgress
from matchgate.cli.shell import (
    EXIT_HELD,
    EXIT_REJECTED,
    console,
    echo,
    echo_json,
    host_url,
    say,
    settings,
)
from matchgate.client import Client
from matchgate.services.oversight.withdrawals import WithdrawalNotice
from matchgate.services.submission.records import StoredSubmission

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

    from matchgate.audit import FetchReport


def enabled() -> bool:
    """Whether the requester's commands go to a remote host (``MATCHGATE_HOST_URL``)."""
    return host_url() is not None


def client() -> Client:
    url = host_url()
    assert url is not None
    return Client(url, settings().caller_token())


def stored(shown: dict[str, Any]) -> StoredSubmission:
    """A submission as the API shows it, as the local commands print one."""
    names = set(StoredSubmission.__dataclass_fields__) - {"agreement_id", "agreement_version"}
    fields = {k: v for k, v in shown.items() if k in names}
    for moment in ("received_at", "updated_at"):
        fields[moment] = dt.datetime.fromisoformat(fields[moment])
    agreement = shown["agreement"]
    return StoredSubmission(
        agreement_id=agreement["id"], agreement_version=agreement["version"], **fields
    )


def list_submissions(agreement: str | None, limit: int) -> list[StoredSubmission]:
    with client() as host:
        return [stored(row) for row in host.submissions(agreement, limit)]


def get_submission(job_id: str) -> StoredSubmission:
    with client() as host:
        return stored(host.submission(job_id))


def _moment(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def notice(shown: dict[str, Any]) -> WithdrawalNotice:
    """A withdrawal notice as the API shows it, as the local commands print one."""
    created = _moment(shown["created_at"])
    assert created is not None
    return WithdrawalNotice(
        id=shown["id"],
        withdrawal_entry=shown["withdrawal_entry"],
        disclosing=shown["disclosing"],
        recipient=shown["recipient"],
        reason=shown["reason"],
        package_id=shown["package_id"],
        references=tuple(shown["references"]),
        created_at=created,
        created_entry=shown["created_entry"],
        acknowledged_by=shown["acknowledged_by"],
        acknowledged_at=_moment(shown["acknowledged_at"]),
    )


def list_withdrawal_notices(pending: bool) -> list[WithdrawalNotice]:
    with client() as host:
        return [notice(row) for row in host.withdrawals(pending=pending)]


def acknowledge_withdrawal_notice(notice_id: str) -> WithdrawalNotice:
    with client() as host:
        return notice(host.acknowledge_withdrawal(notice_id))


def fetch_witness(into: Path, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> FetchReport:
    with client() as host:
        return host.fetch_witness(into, keys)


def submit(
    file: Path,
    agreement: str,
    *,
    dry_run: bool,
    purpose: str | None,
    out: Path | None,
    as_json: bool,
) -> int:
    """``matchgate submit`` against the remote host (module docstring); the exit code."""
    from matchgate.intake.formats import require_file

    require_file(file)
    with client() as host:
        accepted = host.upload(
            file, agreement, dry_run=dry_run, purpose=purpose, idempotency_key=uuid.uuid4().hex
        )
        job_id = str(accepted["job_id"])
        with RichProgress(console).shown() as progress:
            shown = host.wait(job_id, progress=progress)
        package = None
        if shown["status"] == "disclosed" and shown["package_id"]:
            package = host.download_package(job_id, out or settings().workspace / "outbox")
    if as_json:
        echo_json({**shown, "package": None if package is None else str(package)})
    else:
        echo(f"job:       {job_id}")
        echo(f"status:    {shown['status']}" + (" (dry run)" if shown["dry_run"] else ""))
        echo(f"agreement: {agreement}")
        if shown["records"] is not None:
            echo(f"file:      {shown['format']}, {shown['records']:,} records")
        if shown["counts"]:
            echo("rows:      " + ", ".join(f"{k} {v:,}" for k, v in shown["counts"].items()))
        if package is not None:
            echo(f"package:   {package}")
    job = shown.get("job") or {}
    if shown["status"] == "rejected" or job.get("state") == "failed":
        say(
            f"rejected: {shown['message'] or 'the job failed'} [{shown['code'] or job.get('code')}]"
        )
        return EXIT_REJECTED
    if shown["status"] == "needs_consultation":
        say(f"held for consultation: {shown['message']} [{shown['code']}]")
        return EXIT_HELD
    return 0
