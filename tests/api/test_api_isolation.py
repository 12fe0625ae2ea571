"""Object isolation, generated from the OpenAPI document: for every route with a path parameter,
another agency's object asked for by a user holding every role, of IRS (party to nothing) or of
DHS-USCIS (a partner of the host under another agreement), answers exactly as a fresh random id
of the same shape: the same status, the same body, the same headers but the request id. The test
counts the routes it covered, so a route added with a parameter it cannot fill fails here until
it is taught the parameter."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest
from tests.access.world import SSN, World
from tests.api.conftest import Served
from tests.api.openapi import body_for, operations

from matchgate.disclosure.keys import key_id, parse_public_key
from matchgate.services.oversight.audit_access import withdraw_for_caller


def _notice_to_dhs(world: World) -> str:
    """A withdrawal notice to DHS: the host withdraws its disclosure once per world."""
    from matchgate.services.oversight.withdrawals import list_withdrawal_notices

    made = list_withdrawal_notices(world.app, caller=world.dhs_po)
    if not made:
        withdraw_for_caller(
            world.app,
            SSN,
            "wrong_match",
            caller=world.ssa_po,
            package_id=world.submission.package_id,
        )
        made = list_withdrawal_notices(world.app, caller=world.dhs_po)
    return made[0].id


OBJECTS: dict[str, Callable[[World], str]] = {
    "agreement_id": lambda w: "reference-2025-08",
    "job_id": lambda w: w.submission.job_id,
    "incident_id": lambda w: w.incident.id,
    "user_id": lambda w: "dhs-submitter",
    "token_id": lambda w: w.dhs_submitter.token_id,
    "key_id": lambda w: key_id(
        parse_public_key((w.settings.workspace.parent / "keys" / "dhs.pub").read_bytes())
    ),
    "notice_id": _notice_to_dhs,
    "name": lambda w: sorted(p.name for p in (w.log.config.witness_root / "DHS").iterdir())[0],
}
"""An object of another agency for each path parameter (DHS's or the host SSA's)."""


def fresh_like(value: str, rng: random.Random) -> str:
    """A random id of the same shape: each letter, digit kept as a letter, digit."""

    def one(c: str) -> str:
        if c.isdigit():
            return rng.choice(string.digits)
        if c.islower():
            return rng.choice(string.ascii_lowercase)
        if c.isupper():
            return rng.choice(string.ascii_uppercase)
        return c

    return "".join(one(c) for c in value)


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _headers(response: object) -> dict[str, str]:
    headers = dict(response.headers)  # type: ignore[attr-defined]
    headers.pop("x-request-id")
    return headers


@pytest.mark.parametrize("outsider_id", ["irs-all", "uscis-all"])
def test_another_agencys_object_answers_as_a_random_id(served: Served, outsider_id: str) -> None:
    rng = random.Random(18)
    document = served.http.get("/openapi.json").json()
    outsider = served.headers(outsider_id)
    covered = []
    for op in operations(document):
        if not op.path_params:
            continue
        real = {name: OBJECTS[name](served.world) for name in op.path_params}
        fresh = {name: fresh_like(value, rng) for name, value in real.items()}
        assert fresh != real
        body = body_for(document, op)
        theirs = served.http.request(op.method, _fill(op.path, real), json=body, headers=outsider)
        made_up = served.http.request(op.method, _fill(op.path, fresh), json=body, headers=outsider)
        where = (op.method, op.path)
        assert theirs.status_code == made_up.status_code, where
        assert theirs.status_code == 404, (where, theirs.text)
        assert theirs.content == made_up.content, where
        assert _headers(theirs) == _headers(made_up), where
        covered.append(where)
    assert len(covered) == 13, covered


def test_the_owner_reaches_the_same_objects(served: Served) -> None:
    """The isolation test above is about objects that exist: their owners get them."""
    w = served.world
    dhs = served.client("dhs-submitter")
    assert dhs.submission(w.submission.job_id)["job_id"] == w.submission.job_id
    assert served.client("dhs-po").agreement("reference-2025-08")["agreement"]["id"] == (
        "reference-2025-08"
    )
    assert served.client("ssa-po").incident(w.incident.id)["id"] == w.incident.id
