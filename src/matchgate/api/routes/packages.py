"""``GET /v1/submissions/{job_id}/package``: the sealed package of a disclosed submission, for
the requesting agency (the agreement's recipient) only.

The bytes are the file in the host's outbox, sent as they are (``application/octet-stream``)
with the package id and its SHA-256 in ``X-Package-Id`` and ``X-Package-SHA256``. Another
agency's job, the disclosing agency's included, answers exactly as an unknown id; a submission
with no package answers 409; a package purged under the agreement's retention answers 410.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.types import Receive, Scope, Send

from matchgate.access import Principal
from matchgate.api.deps import AppDep, CredentialsDep, as_caller
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


@dataclass(frozen=True)
class Package:
    """A package as read for its download: its file, id, bytes, digest and ``os.stat``."""

    path: Path
    package_id: str
    content: bytes
    sha256: str
    stat: os.stat_result


def read_package(app: App, job_id: str, caller: Principal) -> Package:
    """The package of the submission, read whole (one read gives its bytes and its digest), if
    the caller's agency is the job's recipient."""
    from matchgate.services.submission.records import SubmissionNotFound, readable_submission

    stored, parties = readable_submission(app, job_id, caller=caller)
    if parties.recipient != caller.agency:
        raise SubmissionNotFound(job_id)
    if stored.package_id is None:
        raise NoPackage(f"submission {job_id} has no package (it is {stored.status})")
    path = app.settings.workspace / "outbox" / f"{stored.package_id}.mgp"
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            content = handle.read() if S_ISREG(stat.st_mode) else b""
    except (FileNotFoundError, IsADirectoryError):
        stat = None
    if stat is None or not S_ISREG(stat.st_mode):
        raise PackagePurged(
            f"the package of submission {job_id} was purged under its agreement's retention"
        )
    digest = hashlib.sha256(content).hexdigest()
    return Package(path, stored.package_id, content, digest, stat)


class PackageResponse(FileResponse):
    """A package sent from the bytes :func:`read_package` read in the route's worker thread.

    The headers are FileResponse's (length, ``ETag`` and ``Last-Modified`` from the same
    ``stat``, ``Content-Disposition``, ``Accept-Ranges``); the body goes in one message
    instead of FileResponse's worker-thread hand-off per 64 KiB read (and its task group
    watching for a disconnect). A request with a ``Range`` header is answered by FileResponse
    itself, from the file, as before.
    """

    def __init__(self, package: Package) -> None:
        super().__init__(
            package.path,
            media_type=OCTETS,
            filename=f"{package.package_id}.mgp",
            headers={"X-Package-Id": package.package_id, "X-Package-SHA256": package.sha256},
            stat_result=package.stat,
        )
        self.content = package.content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(k == b"range" for k, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return
        head = scope["method"].upper() == "HEAD"
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": b"" if head else self.content})


@router.get(
    "/submissions/{job_id}/package",
    response_class=FileResponse,
    responses={200: {"content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}}}},
)
async def download_package(job_id: str, app: AppDep, credentials: CredentialsDep) -> FileResponse:
    """The sealed package of your agency's disclosed submission (``matchgate open`` reads it)."""
    package = await as_caller(app, credentials, lambda caller: read_package(app, job_id, caller))
    return PackageResponse(package)
