"""Typed dependencies: the App, and the caller behind the bearer token.

The token is checked against the store on every request (``app.access.authenticate``: a revoked
token or user is refused from the next request on); a refusal is audited there, a token-less one
counted per client address (``access.unauthenticated``). The services re-check the caller's
roles and agency for each action, as they do for the command line.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matchgate.access import Principal
from matchgate.app.core import App

bearer = HTTPBearer(auto_error=False, description="An API token (`matchgate tokens issue`).")


async def get_app(request: Request) -> App:
    app: App = request.app.state.matchgate
    return app


AppDep = Annotated[App, Depends(get_app)]


def get_caller(
    request: Request,
    app: AppDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    from matchgate.app.access import authenticate

    token = None if credentials is None else credentials.credentials
    source = request.client.host if request.client else None
    return authenticate(app.settings, token, source=source, audit=app.refusal_audit())


CallerDep = Annotated[Principal, Depends(get_caller)]


async def strict_query(request: Request) -> None:
    """Refuse a query parameter the route does not declare (422 E_REQUEST), as an unknown body
    field is refused: a misspelt filter must not silently list everything. (``async``: a check
    this small runs on the event loop, not in a worker thread as a plain function would.)"""
    from fastapi.routing import APIRoute

    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    known: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        known.update(str(p.alias) for p in dependant.query_params)
        pending.extend(dependant.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [{"type": "extra_forbidden", "loc": ("query", "(unknown)"), "msg": "not declared"}]
        )
