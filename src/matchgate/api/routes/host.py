"""The host's routes of the exchange: a held submission released or refused after consultation
(``matchgate submissions release|refuse``), recipient keys (``agencies keys add|list|revoke``)
and the public half of the host's signing key (``GET /v1/host/key``: a requester fetches it,
confirms its id out of band, and opens packages with it).

A release matches and discloses the file, so it runs as a job of the API's worker pool (202,
polled at the submission's status route) once the checks a release makes first have passed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.jobs import JobState, ProgressWriter
from matchgate.api.links import link, links, submission
from matchgate.api.problems import RESPONSES
from matchgate.api.routes.uploads import UploadOut, app_matcher, runner_of
from matchgate.api.schemas import In, Moment, Out

router = APIRouter(prefix="/v1", tags=["host"], responses=RESPONSES)


class ReleaseIn(In):
    agreed: str = Field(min_length=1, max_length=2000, description="What was agreed.")
    agreement_version: int | None = Field(default=None, ge=1)


class RefuseIn(In):
    reason: str = Field(min_length=1, max_length=2000, description="Why it is refused.")


class RefusedOut(Out):
    job_id: str
    status: str
    code: str


class KeyIn(In):
    agency: str = Field(min_length=1, max_length=32)
    public_key: str = Field(min_length=1, max_length=8192, description="The PEM public key.")
    fingerprint: str = Field(
        min_length=1, max_length=128, description="Its key id, confirmed out of band."
    )


class KeyOut(Out):
    key_id: str
    agency: str
    status: str
    registered_at: Moment
    registered_by: str
    retired_at: Moment | None
    revoked_at: Moment | None
    revoked_by: str | None


class HostKeyOut(Out):
    key_id: str
    public_key: str = Field(description="The PEM public key (`matchgate keys trust`).")


@router.post(
    "/submissions/{job_id}/release",
    status_code=202,
    response_model=UploadOut,
    responses=links(202, **submission("$response.body#/job_id")),
)
def release_submission(
    job_id: str, body: ReleaseIn, request: Request, response: Response, app: AppDep,
    caller: CallerDep,
) -> UploadOut:  # fmt: skip
    """Release a held submission after consultation (the discloser's privacy officer): it is
    matched and disclosed as a job (``matchgate submissions release``)."""
    from matchgate.services.submission.consult import check_release, release_held
    from matchgate.services.submission.records import get_submission

    check_release(app, job_id, body.agreed, caller=caller)
    stored = get_submission(app, job_id, caller=caller)
    state = JobState(
        job_id=job_id,
        agency=caller.agency,
        agreement_id=stored.agreement_id,
        source_name=stored.source_name,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256 or "",
        dry_run=False,
        received_at=dt.datetime.now(dt.UTC).isoformat(),
    )

    def work(progress: ProgressWriter) -> Any:
        return release_held(
            app, job_id, body.agreed, caller=caller,
            subject=app.audit_log().subject_key, agreement_version=body.agreement_version,
            matcher=app_matcher(app), progress=progress,
        )  # fmt: skip

    runner_of(request).start(state, work)
    url = f"/v1/submissions/{job_id}"
    response.headers["Location"] = url
    return UploadOut(job_id=job_id, state=state.state, status_url=url)


@router.post("/submissions/{job_id}/refuse", response_model=RefusedOut)
def refuse_submission(job_id: str, body: RefuseIn, app: AppDep, caller: CallerDep) -> RefusedOut:
    """Refuse a held submission after consultation (``matchgate submissions refuse``)."""
    from matchgate.services.submission.consult import refuse_held

    refuse_held(app, job_id, body.reason, caller=caller)
    return RefusedOut(job_id=job_id, status="rejected", code="E_HELD_REFUSED")


@router.post(
    "/keys",
    status_code=201,
    response_model=KeyOut,
    responses=links(
        201,
        RevokeKey=link(
            "/v1/keys/{key_id}/revoke", "post", "Revoke it.", key_id="$response.body#/key_id"
        ),
    ),
)
def add_key(body: KeyIn, app: AppDep, caller: CallerDep) -> KeyOut:
    """Register an agency's public key, confirmed by its fingerprint (``agencies keys add``)."""
    from matchgate.services.administration.recipient_keys import add_recipient_key

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "key.pub"
        path.write_text(body.public_key, encoding="utf-8")
        view = add_recipient_key(app, body.agency, path, body.fingerprint, caller=caller)
    return KeyOut.model_validate(view)


@router.get("/keys", response_model=list[KeyOut])
def list_keys(
    app: AppDep,
    caller: CallerDep,
    agency: Annotated[str | None, Query(max_length=32, description="Only this agency.")] = None,
) -> list[KeyOut]:
    """Registered keys the caller may see (``agencies keys list``)."""
    from matchgate.services.administration.recipient_keys import list_recipient_keys

    views = list_recipient_keys(app, agency, caller=caller)
    return [KeyOut.model_validate(v) for v in views]


@router.post("/keys/{key_id}/revoke", response_model=KeyOut)
def revoke_key(key_id: str, app: AppDep, caller: CallerDep) -> KeyOut:
    """Revoke a registered key: nothing is sealed to it again (``agencies keys revoke``)."""
    from matchgate.services.administration.recipient_keys import revoke_recipient_key

    view = revoke_recipient_key(app, key_id, caller=caller)
    return KeyOut.model_validate(view)


@router.get("/host/key", response_model=HostKeyOut)
def host_key(app: AppDep, caller: CallerDep) -> HostKeyOut:
    """The public half of the host's signing key and its id (any caller with a token)."""
    from matchgate.disclosure.keys import key_id, parse_public_key
    from matchgate.services.disclosure.host import host_signing_key, signing_key_path

    host_signing_key(app)  # ConfigurationError (503) when the host has none
    data = signing_key_path(app).with_suffix(".pub").read_bytes()
    public = parse_public_key(data, source="the host's public key")
    return HostKeyOut(key_id=key_id(public), public_key=data.decode("ascii"))
