"""Every operation the OpenAPI document lists, but the health probes, refuses a request without
a valid token: 401, a problem document, ``WWW-Authenticate: Bearer``. Generated from the
document, so a route added later is covered without listing it here."""

from __future__ import annotations

import pytest
from tests.api.conftest import Served
from tests.api.openapi import body_for, operations

PUBLIC = {("get", "/v1/health/live"), ("get", "/v1/health/ready")}


def test_only_the_health_probes_are_public(served: Served) -> None:
    document = served.http.get("/openapi.json").json()
    public = {(op.method, op.path) for op in operations(document) if op.public}
    assert public == PUBLIC


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer mgt_nope_notatoken", "Bearer ", "Basic YWRtaW46YWRtaW4="],
    ids=["none", "unknown", "empty", "basic"],
)
def test_every_operation_without_a_valid_token_answers_401(
    served: Served, authorization: str | None
) -> None:
    document = served.http.get("/openapi.json").json()
    checked = 0
    for op in operations(document):
        if op.public:
            continue
        path = op.path
        for name in op.path_params:
            path = path.replace("{" + name + "}", "some-id")
        headers = {} if authorization is None else {"Authorization": authorization}
        response = served.http.request(
            op.method, path, json=body_for(document, op), headers=headers
        )
        assert response.status_code == 401, (op.method, op.path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        problem = response.json()
        assert problem["status"] == 401
        assert problem["code"] == "E_ACCESS_DENIED"
        assert problem["type"] == "urn:matchgate:problem:E_ACCESS_DENIED"
        checked += 1
    assert checked == 23


def test_a_revoked_token_is_refused_from_the_next_request(served: Served) -> None:
    made = served.client("admin").issue_token("dhs-submitter", label="soon-revoked")
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert served.http.get("/v1/submissions", headers=headers).status_code == 200
    served.client("admin").revoke_token(made["token_id"])
    assert served.http.get("/v1/submissions", headers=headers).status_code == 401
