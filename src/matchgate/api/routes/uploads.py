"""``POST /v1/submissions``: a requesting agency uploads a request file under an agreement, as
``matchgate submit FILE --agreement ID`` takes one.

The body is the file's bytes (``application/octet-stream``), streamed to disk and hashed as it
arrives, never held whole in memory; past ``max_upload_bytes`` the request is refused (413) and
what arrived is removed. The agreement and the options are query parameters (ids and flags,
never a personal value). The caller's right to submit under the agreement is checked before a
byte is kept; the rest of the submit use case (validation, matching, disclosure) runs as a job
of the API's worker pool, and the answer is 202 with the job id and its status route
(``Location``). With an ``Idempotency-Key`` the same key and the same bytes answer with the
first upload's job; other bytes under a used key are refused (409).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.jobs import JobRunner, JobState, ProgressWriter, upload_folder
from matchgate.api.links import links, submission
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import Out
from matchgate.app.core import App

router = APIRouter(prefix="/v1", tags=["submissions"], responses=RESPONSES)

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The request file's bytes (CSV, Parquet, JSONL or SSNVS).",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_CHUNK = 1 << 20


class UploadOut(Out):
    job_id: str
    state: str
    status_url: str


def runner_of(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


def _work(app: App, state: JobState, caller: Any, purpose: str | None) -> Any:
    from matchgate.services.submission.submit import SubmitOptions, submit_file

    path = upload_folder(app.settings, state.job_id) / state.source_name
    options = SubmitOptions(dry_run=state.dry_run, purpose=purpose, job_id=state.job_id)

    def work(progress: ProgressWriter) -> object:
        log = app.audit_log()
        return submit_file(
            app,
            path,
            state.agreement_id,
            caller=caller,
            options=options,
            subject=log.subject_key,
            matcher=app_matcher(app),
            progress=progress,
        )

    return work


def app_matcher(app: App) -> Any:
    """The matcher the jobs use: the host's (a test may set ``app.matcher``)."""
    from matchgate.services.master import match_files

    return getattr(app, "matcher", match_files)


@router.post(
    "/submissions",
    status_code=202,
    response_model=UploadOut,
    openapi_extra=UPLOAD_BODY,
    responses=links(202, **submission("$response.body#/job_id")),
)
async def upload_submission(
    request: Request,
    response: Response,
    app: AppDep,
    caller: CallerDep,
    agreement: Annotated[str, Query(min_length=1, max_length=128, description="Agreement id.")],
    filename: Annotated[
        str,
        Query(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
            description="The file's name (its extension names its format).",
        ),
    ] = "request.csv",
    dry_run: Annotated[bool, Query(description="Validate only: no matching.")] = False,
    purpose: Annotated[
        str | None, Query(max_length=64, description="Purpose, if not the agreement's.")
    ] = None,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", max_length=128, description="Retry-safe upload key."),
    ] = None,
) -> UploadOut:
    """Upload a request file under an agreement: validated, matched and disclosed as a job
    (``matchgate submit``); poll ``GET /v1/submissions/{job_id}``."""
    from matchgate.services.administration import require_submit

    fresh = await run_in_threadpool(require_submit, app, caller, agreement)
    runner = runner_of(request)
    job_id = uuid.uuid4().hex
    folder = upload_folder(app.settings, job_id)
    folder.mkdir(parents=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    try:
        with (folder / filename).open("wb") as handle:
            async for chunk in request.stream():
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    sha256 = digest.hexdigest()
    if idempotency_key is not None:
        try:
            first = runner.store.claim_key(fresh.agency, idempotency_key, sha256, job_id)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        if first != job_id:
            shutil.rmtree(folder, ignore_errors=True)
            known = runner.store.load(first)
            return _accepted(response, first, known.state if known else "done")
    state = JobState(
        job_id=job_id,
        agency=fresh.agency,
        agreement_id=agreement,
        source_name=filename,
        size_bytes=size,
        sha256=sha256,
        dry_run=dry_run,
        received_at=dt.datetime.now(dt.UTC).isoformat(),
    )
    runner.start(state, _work(app, state, fresh, purpose))
    return _accepted(response, job_id, state.state)


def _accepted(response: Response, job_id: str, state: str) -> UploadOut:
    url = f"/v1/submissions/{job_id}"
    response.headers["Location"] = url
    return UploadOut(job_id=job_id, state=state, status_url=url)
