"""``create_api(app)``: the HTTP shell over one :class:`~matchgate.app.core.App`.

The FastAPI application holds nothing but the App (``state.matchgate``), its limits and the
routes; every route authenticates its caller and calls one use case, the one the command line
calls. Uploaded files (and released held ones) are matched by the pool of worker threads in
``state.jobs`` (``api.jobs``), outside the request.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from matchgate.api.config import ApiConfig
from matchgate.api.deps import strict_query
from matchgate.api.jobs import JobRunner
from matchgate.api.middleware import ShellMiddleware
from matchgate.api.problems import HANDLERS
from matchgate.api.routes import (
    access,
    agreements,
    breach,
    health,
    host,
    oversight,
    packages,
    submissions,
    uploads,
    withdrawals,
    witness,
)
from matchgate.app.core import App

ROUTERS = (
    health.router,
    access.router,
    agreements.router,
    submissions.router,
    uploads.router,
    packages.router,
    host.router,
    oversight.router,
    breach.router,
    withdrawals.router,
    witness.router,
)


def create_api(app: App, config: ApiConfig | None = None) -> FastAPI:
    """The API over ``app``, with ``config``'s limits (default: :class:`ApiConfig`'s)."""
    limits = config or ApiConfig()
    api = FastAPI(
        title="matchgate",
        version="1",
        summary="Governed inter-agency identity matching: the exchange over HTTP.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(strict_query)],
    )
    api.state.matchgate = app
    api.state.limits = limits
    api.state.jobs = JobRunner(app.settings, limits.job_workers)
    for router in ROUTERS:
        api.include_router(router)
    for exc_class, handler in HANDLERS.items():
        api.add_exception_handler(exc_class, handler)
    api.add_middleware(ShellMiddleware, config=limits)
    return api
