"""``GET /v1/submissions/{job_id}/package``: the sealed package of a disclosed submission, for
the requesting agency (the agreement's recipient) only.

The bytes are the file in the host's outbox, sent as they are (``application/octet-stream``)
with the package id and its SHA-256 in ``X-Package-Id`` and ``X-Package-SHA256``. Another
agency's job, the disclosing agency's included, answers exactly as an unknown id; a submission
with no package answers 409; a package purged under the agreement's retention answers 410.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from matchgate.access import Principal
from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.problems import GONE, RESPONSES
from matchgate.app.core import App
from matchgate.domain.errors import NotFound, Refused

router = APIRouter(prefix="/v1", tags=["submissions"], responses=RESPONSES | GONE)
OCTETS = "application/octet-stream"


class PackagePurged(NotFound):
    """The submission's package was purged under its agreement's retention (410)."""

    code = "E_PACKAGE_PURGED"
    http_status = 410


class NoPackage(Refused):
    """The submission has no package (not disclosed, or a dry run)."""

    code = "E_NO_PACKAGE"


def package_file(app: App, job_id: str, caller: Principal) -> tuple[Path, str, str]:
    """The package's path, id and SHA-256, if the caller's agency is the job's recipient."""
    from matchgate.services.administration import agreement_parties
    from matchgate.services.submission.records import SubmissionNotFound, get_submission

    stored = get_submission(app, job_id, caller=caller)
    parties = agreement_parties(app, stored.agreement_id)  # the stored row, not re-parsed
    if parties is None or parties.recipient != caller.agency:
        raise SubmissionNotFound(job_id)
    if stored.package_id is None:
        raise NoPackage(f"submission {job_id} has no package (it is {stored.status})")
    path = app.settings.workspace / "outbox" / f"{stored.package_id}.mgp"
    if not path.is_file():
        raise PackagePurged(
            f"the package of submission {job_id} was purged under its agreement's retention"
        )
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return path, stored.package_id, digest.hexdigest()


@router.get(
    "/submissions/{job_id}/package",
    response_class=FileResponse,
    responses={200: {"content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}}}},
)
async def download_package(job_id: str, app: AppDep, caller: CallerDep) -> FileResponse:
    """The sealed package of your agency's disclosed submission (``matchgate open`` reads it)."""
    path, package_id, sha256 = await run_in_threadpool(package_file, app, job_id, caller)
    return FileResponse(
        path,
        media_type=OCTETS,
        filename=f"{package_id}.mgp",
        headers={"X-Package-Id": package_id, "X-Package-SHA256": sha256},
    )
