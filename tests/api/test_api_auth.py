"""Every operation the OpenAPI document lists, but the health probes, refuses a request without
a valid token: 401, a problem document, ``WWW-Authenticate: Bearer``. Generated from the
document, so a route added later is covered without listing it here."""

from __future__ import annotations

import pytest
from tests.api.conftest import Served
from tests.api.openapi import body_for, operations

from matchgate.services.oversight.audit_queries import EntryView, tail_entries

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
    assert checked == 36


def _entries(served: Served, kind: str) -> list[EntryView]:
    views = tail_entries(served.world.log.config, 10_000)
    return [v for v in views if v.kind == kind]


def test_a_revoked_token_is_refused_from_the_next_request_and_audited(served: Served) -> None:
    made = served.client("admin").issue_token("dhs-submitter", label="soon-revoked")
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert served.http.get("/v1/submissions", headers=headers).status_code == 200
    served.client("admin").revoke_token(made["token_id"])
    assert served.http.get("/v1/submissions", headers=headers).status_code == 401
    denied = [
        v.details
        for v in _entries(served, "access.denied")
        if v.details.get("token_id") == made["token_id"]
    ]
    assert [(d["reason"], d["action"]) for d in denied] == [("token_revoked", "authenticate")]


def test_a_refusal_by_role_is_audited_with_its_action(served: Served) -> None:
    before = len(_entries(served, "access.denied"))
    refused = served.http.post(
        "/v1/agencies", json={"code": "NEW", "name": "N"}, headers=served.headers("dhs-po")
    )
    assert refused.status_code == 403
    after = _entries(served, "access.denied")
    assert len(after) == before + 1
    assert (after[-1].details["action"], after[-1].details["reason"]) == (
        "agency.manage",
        "no_role",
    )


def test_token_less_refusals_are_counted_per_source(served: Served) -> None:
    assert served.http.get("/v1/agencies").status_code == 401
    counted = _entries(served, "access.unauthenticated")
    assert counted, "no access.unauthenticated entry"
    assert {v.details["source"] for v in counted} == {"testclient"}
