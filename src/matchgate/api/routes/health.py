"""Liveness and readiness: the two routes that need no token."""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter

from matchgate.api.deps import AppDep
from matchgate.api.middleware import error_log
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import Out
from matchgate.domain.errors import ConfigurationError

router = APIRouter(prefix="/v1/health", tags=["health"])


class Live(Out):
    status: Literal["live"]


class Ready(Out):
    status: Literal["ready"]


@router.get("/live", response_model=Live)
def live() -> Live:
    """The process answers (nothing else is checked)."""
    return Live(status="live")


@router.get("/ready", response_model=Ready, responses={503: RESPONSES[503]})
def ready(app: AppDep) -> Ready:
    """Both stores answer at this version's schema and the audit log can be opened; else 503.

    The answer needs no token, so it does not say what failed (store locations are not for
    anyone who asks); the server's log does, one JSON line per failed check."""
    from matchgate.services.administration.database import check_ready

    state = check_ready(app)
    if not state.ready:
        for problem in state.problems:
            error_log.error(json.dumps({"event": "not_ready", "problem": problem}))
        raise ConfigurationError(
            f"not ready: {len(state.problems)} check(s) failed (the server's log says which)"
        )
    return Ready(status="ready")
