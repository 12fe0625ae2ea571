"""What every request passes through: problem details with the CLI's codes, request ids, the
size limit (413), the rate limits (429 with Retry-After), and the JSON access log."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.access.world import World
from tests.api.conftest import ROOMY, Served, serve

from matchgate.api import ApiConfig, create_api
from matchgate.api.ratelimit import RateLimiter
from matchgate.app.core import App
from matchgate.client import ServerError
from matchgate.domain.errors import AccessDenied, InputError, NotFound
from matchgate.services.administration import AgreementNotFound
from matchgate.services.submission.records import SubmissionNotFound
from matchgate.settings import Settings

PROBLEM = "application/problem+json"


def _problem(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"type", "title", "status", "detail", "code"}
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:matchgate:problem:{code}"
    return body


def test_problems_carry_the_cli_codes(served: Served) -> None:
    http = served.http
    dhs = served.headers("dhs-submitter")
    _problem(http.get("/v1/agreements/nope", headers=dhs), 404, "E_AGREEMENT_NOT_FOUND")
    _problem(http.get("/v1/submissions/nope", headers=dhs), 404, "E_SUBMISSION_NOT_FOUND")
    # a submitter may not add agencies: 403 with the CLI's code
    refused = http.post("/v1/agencies", json={"code": "NEW", "name": "N"}, headers=dhs)
    assert "your roles do not allow" in str(_problem(refused, 403, "E_ACCESS_DENIED")["detail"])
    # a shape the schema refuses: 422, naming the field and never the value
    bad = http.post(
        "/v1/agencies",
        json={"code": "NEW", "name": "N", "123-45-6789": "S3CR3T", "roles": 7},
        headers=dhs,
    )
    detail = str(_problem(bad, 422, "E_REQUEST")["detail"])
    assert "S3CR3T" not in detail
    assert "123-45-6789" not in detail
    assert "body.(unknown field): extra_forbidden" in detail
    wrong_type = http.post("/v1/agencies", json={"code": 123456789, "name": "N"}, headers=dhs)
    detail = str(_problem(wrong_type, 422, "E_REQUEST")["detail"])
    assert detail == "body.code: string_type"
    not_json = http.post(
        "/v1/agencies",
        content=b"{nope",
        headers={**dhs, "content-type": "application/json"},
    )
    _problem(not_json, 400, "E_REQUEST")
    _problem(http.get("/v1/nothing-here", headers=dhs), 404, "E_NOT_FOUND")
    _problem(http.delete("/v1/agencies", headers=dhs), 405, "E_METHOD")


def test_an_input_error_of_a_use_case_is_422_with_its_code(served: Served) -> None:
    admin = served.headers("admin")
    response = served.http.post(
        "/v1/users", json={"id": "x y", "agency": "DHS", "roles": ["submitter"]}, headers=admin
    )
    assert _problem(response, 422, "E_USER")


def test_the_client_raises_the_servers_exception(served: Served) -> None:
    dhs = served.client("dhs-submitter")
    with pytest.raises(AgreementNotFound) as found:
        dhs.agreement("nope")
    assert found.value.code == "E_AGREEMENT_NOT_FOUND"
    with pytest.raises(SubmissionNotFound):
        dhs.submission("nope")
    with pytest.raises(AccessDenied):
        dhs.add_agency("NEW", "New agency")
    with pytest.raises(AccessDenied):
        served.client(None).agencies()
    with pytest.raises(InputError) as bad:
        served.client("admin").add_user("x y", "DHS", ["submitter"])
    assert bad.value.code == "E_USER"
    assert isinstance(found.value, NotFound)


def test_the_client_falls_back_to_the_tree_for_a_code_it_does_not_know() -> None:
    from matchgate.client import error_from_problem

    error = error_from_problem(404, {"code": "E_SOMETHING_NEW", "detail": "gone"})
    assert type(error) is NotFound
    assert error.code == "E_SOMETHING_NEW"
    assert str(error) == "gone [E_SOMETHING_NEW]"
    assert isinstance(error_from_problem(502, "<html>"), ServerError)


def test_request_id_is_echoed_or_made(served: Served) -> None:
    mine = served.http.get("/v1/health/live", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    made = served.http.get("/v1/health/live", headers={"X-Request-ID": "bad id\twith spaces"})
    assert made.headers["x-request-id"] not in ("", "bad id\twith spaces")
    assert len(served.http.get("/v1/health/live").headers["x-request-id"]) == 32


def test_access_log_is_one_json_line_without_values(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    job = served.world.submission.job_id
    headers = served.headers("dhs-submitter")
    with caplog.at_level(logging.INFO, logger="matchgate.api.access"):
        served.http.get(f"/v1/submissions/{job}", headers={**headers, "X-Request-ID": "rid-1"})
        served.http.get("/v1/submissions?agreement=VALUE-IN-QUERY", headers=headers)
        served.http.get(f"/v1/submissions/{job}?probe=VALUE-IN-QUERY", headers=headers)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name.endswith("access")]
    assert lines[0] == {
        "event": "request",
        "method": "GET",
        "route": "/v1/submissions/{job_id}",
        "status": 200,
        "duration_ms": lines[0]["duration_ms"],
        "request_id": "rid-1",
    }
    assert [(x["route"], x["status"]) for x in lines[1:]] == [
        ("/v1/submissions", 200),
        ("/v1/submissions/{job_id}", 422),  # an undeclared query parameter is refused
    ]
    assert job not in caplog.text
    assert "VALUE-IN-QUERY" not in caplog.text


def test_body_size_limit_is_413(world: World) -> None:
    small = serve(world, ApiConfig(max_body_bytes=64, source_burst=1000, token_burst=1000))
    headers = small.headers("admin")
    big = {"code": "NEW", "name": "n" * 200}
    _problem(small.http.post("/v1/agencies", json=big, headers=headers), 413, "E_TOO_LARGE")

    def chunks() -> object:  # no Content-Length: counted as it arrives
        yield b'{"code": "NEW", "name": "'
        yield b"n" * 200
        yield b'"}'

    streamed = small.http.post(
        "/v1/agencies",
        content=chunks(),  # type: ignore[arg-type]
        headers={**headers, "content-type": "application/json"},
    )
    _problem(streamed, 413, "E_TOO_LARGE")


def test_rate_limits_answer_429_with_retry_after(world: World) -> None:
    tight = serve(world, ApiConfig(token_rate=0.5, token_burst=3, source_burst=1000))
    headers = tight.headers("dhs-submitter")
    answers = [tight.http.get("/v1/submissions", headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = _problem(answers[-1], 429, "E_RATE_LIMITED")
    assert int(answers[-1].headers["retry-after"]) == 2
    assert "mgt_" not in str(refused)
    # another token still passes: the limit is per token
    assert tight.http.get("/v1/submissions", headers=tight.headers("dhs-po")).status_code == 200
    # and per source, token or not
    by_source = serve(world, ApiConfig(source_rate=1, source_burst=2))
    codes = [by_source.http.get("/v1/health/live").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 2, clock=lambda: now[0])
    assert limiter.take("a") is None
    assert limiter.take("a") is None
    assert limiter.take("a") == 1
    now[0] = 0.5
    assert limiter.take("a") is None
    assert limiter.take("b") is None


def test_an_unexpected_error_is_500_without_its_message(
    served: Served, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from matchgate.services.administration import users

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("123-45-6789 leaked")

    monkeypatch.setattr(users, "list_agencies", broken)
    with caplog.at_level(logging.INFO):
        response = served.http.get("/v1/agencies", headers=served.headers("admin"))
    body = _problem(response, 500, "E_INTERNAL")
    assert "123-45-6789" not in json.dumps(body)
    assert "123-45-6789" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_readiness_and_liveness(
    served: Served, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert served.http.get("/v1/health/live").json() == {"status": "live"}
    assert served.http.get("/v1/health/ready").json() == {"status": "ready"}
    bare = TestClient(create_api(App(Settings(workspace=tmp_path / "ws")), ROOMY))
    assert bare.get("/v1/health/live").status_code == 200
    with caplog.at_level(logging.ERROR, logger="matchgate.api.error"):
        problem = _problem(bare.get("/v1/health/ready"), 503, "E_CONFIG")
    assert str(problem["detail"]).startswith("not ready: 2 check(s) failed")
    assert str(tmp_path) not in str(problem)  # where the stores are is for the log only
    assert "matchgate db upgrade" in caplog.text
    assert not (tmp_path / "ws" / "matchgate.sqlite").exists()  # a probe creates nothing


def test_every_route_has_a_response_model() -> None:
    from fastapi.routing import APIRoute

    from matchgate.api.factory import ROUTERS

    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 38
    # the package and a witness file are sent as the bytes the host keeps, not as a model
    files = {"/v1/submissions/{job_id}/package", "/v1/witness/{name}"}
    assert [r.path for r in routes if r.response_model is None and r.path not in files] == []


def test_a_token_revoked_while_the_request_runs_is_401() -> None:
    from matchgate.api.problems import status_of
    from matchgate.app.access import NOT_AUTHENTICATED

    assert status_of(AccessDenied(NOT_AUTHENTICATED)) == 401
    assert status_of(AccessDenied("your roles do not allow agency.manage")) == 403
