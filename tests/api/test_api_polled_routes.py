"""The two routes a requester polls (a submission's status, its package) authenticate and run
their use case in one worker thread, the package sent from the bytes read there: the answers
are those of the other routes (a revoked token refused from the next request on, and audited;
the package's headers those of a file response; a Range request answered from the file); and
a worker freezes what it built at start-up."""

from __future__ import annotations

import gc
import logging
import shutil
from pathlib import Path

import pytest
from fastapi.responses import FileResponse
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from tests.api.conftest import Served

from matchgate.api.asgi import application
from matchgate.services.oversight.audit_queries import tail_entries

HEADERS = ("content-length", "content-disposition", "etag", "last-modified", "accept-ranges")


@pytest.fixture(scope="module", autouse=True)
def outbox(served: Served) -> Path:
    """The world's package where the host keeps what it sent (its submission wrote it
    elsewhere)."""
    made = served.world.submission
    assert made.package is not None
    folder = served.world.settings.workspace / "outbox"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(made.package, folder / f"{made.package_id}.mgp")
    return folder


def _denials(served: Served, token_id: str) -> list[tuple[str, str]]:
    views = tail_entries(served.app.audit_config, 500)
    return [
        (v.details["reason"], v.details["action"])
        for v in views
        if v.kind == "access.denied" and v.details.get("token_id") == token_id
    ]


@pytest.mark.parametrize("suffix", ["", "/package"])
def test_a_revoked_token_is_refused_from_the_next_poll_and_audited(
    served: Served, suffix: str
) -> None:
    job_id = served.world.submission.job_id
    made = served.client("admin").issue_token("dhs-submitter", label="polled")
    headers = {"Authorization": f"Bearer {made['token']}"}
    path = f"/v1/submissions/{job_id}{suffix}"
    assert served.http.get(path, headers=headers).status_code == 200
    served.client("admin").revoke_token(made["token_id"])
    refused = served.http.get(path, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert _denials(served, made["token_id"]) == [("token_revoked", "authenticate")]


def test_another_agencys_submission_is_refused_as_unknown_and_audited(served: Served) -> None:
    job_id = served.world.submission.job_id
    made = served.client("admin").issue_token("irs-all", label="not-a-party")
    headers = {"Authorization": f"Bearer {made['token']}"}
    other = served.http.get(f"/v1/submissions/{job_id}", headers=headers)
    unknown = served.http.get(f"/v1/submissions/{'0' * 32}", headers=headers)
    assert other.status_code == unknown.status_code == 404
    assert other.json()["code"] == unknown.json()["code"] == "E_SUBMISSION_NOT_FOUND"
    assert _denials(served, made["token_id"]) == [
        ("not_party", "submission.read"),
        ("not_found", "submission.read"),
    ]


def test_the_package_answers_as_a_file_response_would(served: Served, outbox: Path) -> None:
    package_id = served.world.submission.package_id
    assert package_id is not None
    path = outbox / f"{package_id}.mgp"
    plain = Starlette(
        routes=[Route("/file", lambda _: FileResponse(path, filename=path.name), methods=["GET"])]
    )
    expected = TestClient(plain).get("/file")
    job_id = served.world.submission.job_id
    url = f"/v1/submissions/{job_id}/package"
    answer = served.http.get(url, headers=served.headers("dhs-submitter"))
    assert answer.status_code == 200
    assert answer.content == path.read_bytes() == expected.content
    assert {h: answer.headers[h] for h in HEADERS} == {h: expected.headers[h] for h in HEADERS}
    ranged = served.http.get(url, headers={**served.headers("dhs-submitter"), "Range": "bytes=0-9"})
    assert ranged.status_code == 206
    assert ranged.content == path.read_bytes()[:10]
    assert ranged.headers["x-package-id"] == package_id


def test_a_worker_takes_what_it_built_out_of_the_collectors_sight(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``matchgate serve``'s workers freeze the objects alive after start-up, so that a full
    garbage collection (a pause for every request the worker holds) walks only what requests
    left."""
    monkeypatch.setenv("MATCHGATE_WORKSPACE", str(served.world.settings.workspace))
    if served.world.settings.database_url:
        monkeypatch.setenv("MATCHGATE_DATABASE_URL", served.world.settings.database_url)
    loggers = [logging.getLogger(f"matchgate.api.{name}") for name in ("access", "error")]
    kept = [(log.handlers[:], log.propagate, log.level) for log in loggers]
    gc.unfreeze()
    try:
        api = application()
        assert gc.get_freeze_count() > 10_000
        assert api.state.matchgate.settings.workspace == served.world.settings.workspace
    finally:
        gc.unfreeze()
        for log, (handlers, propagate, level) in zip(loggers, kept, strict=True):
            log.handlers[:] = handlers
            log.propagate = propagate
            log.setLevel(level)
