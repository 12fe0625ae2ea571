"""Typed dependencies: the App, and the caller behind the bearer token.

The token is checked against the store on every request (``app.access.authenticate``: a revoked
token or user is refused from the next request on); a refusal is audited there, a token-less one
counted per client address (``access.unauthenticated``). The services re-check the caller's
roles and agency for each action, as they do for the command line.

Two ways to a caller. ``CallerDep`` (a plain function, so FastAPI runs it in a worker thread)
for most routes. The routes every requester polls (a submission's status, its package) take
``CredentialsDep`` (the bearer token and the client's address, read on the event loop) and
call :func:`as_caller`, which authenticates and runs the route's use case in ONE worker
thread, the use case re-checking that same caller without reading it again
(``app.access.checked``): one hand-off of the interpreter lock and one caller read a request
instead of two of each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matchgate.access import Principal
from matchgate.app.core import App

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="An API token (`matchgate tokens issue`).")


async def get_app(request: Request) -> App:
    app: App = request.app.state.matchgate
    return app


AppDep = Annotated[App, Depends(get_app)]


@dataclass(frozen=True)
class Credentials:
    """What a request shows of its caller: the bearer token (None without one) and the
    client's address (the ``source`` of a token-less refusal)."""

    token: str | None
    source: str | None

    def caller(self, app: App) -> Principal:
        """The caller as the store says now (AccessDenied, audited, when the token is not
        valid): blocking, for a worker thread."""
        from matchgate.app.access import authenticate

        return authenticate(app, self.token, source=self.source, audit=app.refusal_audit())


async def get_credentials(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Credentials:
    return Credentials(
        token=None if credentials is None else credentials.credentials,
        source=request.client.host if request.client else None,
    )


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]


def get_caller(app: AppDep, credentials: CredentialsDep) -> Principal:
    return credentials.caller(app)


CallerDep = Annotated[Principal, Depends(get_caller)]


async def as_caller(app: App, credentials: Credentials, work: Callable[[Principal], T]) -> T:
    """``work(caller)`` for the authenticated caller, both in one worker thread; ``work``'s
    re-checks of that caller take it as read (``app.access.checked``)."""
    from matchgate.app.access import checked

    def run() -> T:
        with checked(credentials.caller(app)) as caller:
            return work(caller)

    return await run_in_threadpool(run)


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
