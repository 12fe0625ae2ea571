"""schemathesis against /openapi.json: every operation, a fixed number of generated examples
each, once per role (the host's administrator and privacy officer, a partner's submitter and
privacy officer), with every check schemathesis has; no failure is allowed. Then a stateful
run per role: sequences of calls chained by the document's OpenAPI links (a new incident to
its page, a new token to its revocation, a withdrawal to its notice's acknowledgement, ...),
a fixed number of scenarios and steps, the same checks, no failure.

One setting departs from schemathesis' defaults: well-shaped data may be refused by a use case's
rules with 422 (an agency code no agency has, a category not in the vocabulary): the schema
gives the shape, the use case the rules, and 422 is the answer to "well formed, not usable"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, Response
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation, BaseSchema
from tests.access.world import World
from tests.api.conftest import Served, serve

EXAMPLES = 8
CONFIG = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "410", "422", "429"]
        }
    }
}


@pytest.fixture(scope="module")
def api(world: World) -> Iterator[Served]:
    done = serve(world)
    with done.http:
        yield done


ROLES = ("admin", "ssa-po", "dhs-submitter", "dhs-po")
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
OPERATIONS = 38


def schema_for(api: Served, role: str, extra: dict[str, Any] | None = None) -> BaseSchema:
    """The document as schemathesis reads it, with ``role``'s token for the bearer scheme."""
    auth = {"auth": {"openapi": {"HTTPBearer": {"bearer": api.token(role)}}}}
    config = SchemathesisConfig.from_dict(CONFIG | auth | (extra or {}))
    return schemathesis.openapi.from_asgi("/openapi.json", api.http.app, config=config)


def _check(operation: APIOperation, mode: GenerationMode) -> None:
    """``EXAMPLES`` cases of ``mode`` for one operation, each sent and validated by every
    check (driven here rather than by schemathesis' pytest plugin, whose lazy schemas do not
    run on this pytest)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate()

    run()


@pytest.mark.parametrize("role", ROLES)
def test_api_conforms_to_its_document(role: str, api: Served) -> None:
    operations = [result.ok() for result in schema_for(api, role).get_all_operations()]
    assert len(operations) == OPERATIONS
    for operation in operations:
        raw = operation.definition.raw
        takes_input = bool(raw.get("parameters") or raw.get("requestBody"))
        for mode in MODES if takes_input else MODES[:1]:  # nothing to get wrong in no input
            _check(operation, mode)


SCENARIOS = 25
STEPS = 10
STATEFUL_ROLES = ("admin", "ssa-po", "dhs-po")
DECLARED_LINKS_ONLY = {"phases": {"stateful": {"inference": {"algorithms": []}}}}
"""Only the links the document declares: schemathesis' own inference would also chain a
listing's first token to its revocation, revoking the token the run acts with."""


@pytest.mark.parametrize("role", STATEFUL_ROLES)
def test_linked_calls_conform_to_the_document(role: str, api: Served) -> None:
    """The stateful run: each link is followed with the id an earlier answer gave, so the
    routes behind path parameters are reached with real objects (a 2xx there is seen)."""
    seen: list[tuple[str, int]] = []
    base: Any = schema_for(api, role, DECLARED_LINKS_ONLY).as_state_machine()

    class Recording(base):  # type: ignore[misc,valid-type]
        def after_call(self, response: Response, case: Case) -> None:
            super().after_call(response, case)
            seen.append((f"{case.method} {case.path}", response.status_code))

    Recording.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
    )
    reached = {op for op, status in seen if "{" in op and 200 <= status < 300}
    assert reached, "; ".join(f"{o} {s}" for o, s in seen)
