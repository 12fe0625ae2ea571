"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error leaves as one object: ``type`` (``urn:matchgate:problem:<code>``), ``title`` (fixed
per kind), ``status``, ``detail`` (the error's message, which names fields, rows and codes but
never a personal value) and ``code``, the same code the command line prints. The status comes
from the exception tree (domain/errors.py)::

    AccessDenied, no valid token          401 (with WWW-Authenticate: Bearer)
    AccessDenied, roles do not allow it   403
    NotFound (and its subclasses)         404 (another agency's object answers the same)
    Refused (a rule forbids the step now) 409
    a purged package (``http_status``)    410
    NoticeError                           409
    other INPUT errors (InputError, ...)  422
    CONFIGURATION errors                  503 (the service is not set up to do it)
    AuditUnavailable                      503 (nothing was recorded, so nothing was done)
    SealedDataError, EngineError          500
    the request's shape (body, query)     422 E_REQUEST; body not JSON 400 E_REQUEST
    anything else                         500 E_INTERNAL (no message: it may quote data)

Values the caller put in the URL's path are replaced in ``detail`` by the parameter's name, so
the answer about another agency's object is byte for byte the answer about an id that does not
exist (and a message never echoes what it was given).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import (
    AccessDenied,
    ErrorCategory,
    InputError,
    MatchgateError,
    NotFound,
    Refused,
)

error_log = logging.getLogger("matchgate.api.error")
PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:matchgate:problem:"
E_REQUEST = "E_REQUEST"
E_INTERNAL = "E_INTERNAL"
E_RATE_LIMITED = "E_RATE_LIMITED"
E_TOO_LARGE = "E_TOO_LARGE"
E_UNAUTHENTICATED = "E_ACCESS_DENIED"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused",
    410: "Gone",
    413: "Request too large",
    422: "Unusable input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """An error, as every route answers one (RFC 9457)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    title: str
    status: int
    detail: str
    code: str


def status_of(exc: MatchgateError) -> int:
    """The HTTP status of a matchgate error (module docstring)."""
    from matchgate.app.access import NOT_AUTHENTICATED
    from matchgate.services.disclosure.notices import NoticeError

    fixed = getattr(exc, "http_status", None)
    if isinstance(fixed, int):
        return fixed  # an error of the HTTP shell's own (410 for a purged package)
    if isinstance(exc, AccessDenied) and exc.message == NOT_AUTHENTICATED:
        return 401  # no valid token (app.access says so in one message, whatever the reason)
    if isinstance(exc, AccessDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Refused | NoticeError):
        return 409
    if isinstance(exc, AuditUnavailable):
        return 503
    if exc.category is ErrorCategory.CONFIGURATION:
        return 503
    if isinstance(exc, InputError) or exc.category is ErrorCategory.INPUT:
        if type(exc).__name__ in ("SealedDataError", "EngineError"):
            return 500
        return 422
    return 500


def problem(
    status: int, code: str, detail: str, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = Problem(
        type=f"{TYPE_PREFIX}{code}",
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        code=code,
    )
    return JSONResponse(
        body.model_dump(), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def scrub(detail: str, path_params: dict[str, Any]) -> str:
    """``detail`` with each path parameter's value (or the leading part of it that a message
    quotes, at least 8 characters) replaced by ``{name}``."""
    for name, raw in sorted(path_params.items()):
        value = str(raw)
        shortest = min(len(value), 8)
        for size in range(len(value), shortest - 1, -1):
            if size and value[:size] in detail:
                detail = detail.replace(value[:size], "{" + name + "}")
                break
    return detail


def _matchgate_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MatchgateError)
    status = status_of(exc)
    if status == 500:  # ours, but nothing the caller can act on: log its type
        error_log.error(
            json.dumps({"event": "error", "code": exc.code, "type": type(exc).__name__})
        )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    detail = exc.message if status != 500 else "the request could not be completed"
    return problem(status, exc.code, scrub(detail, request.path_params), headers=headers)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    """The request's shape: where it is wrong and what kind of problem, never the value."""
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, E_REQUEST, "the request body is not JSON")
    parts = [f"{_where(e)}: {e.get('type', 'invalid')}" for e in errors[:10]]
    return problem(422, E_REQUEST, "; ".join(parts) or "the request is not usable as given")


def _where(error: dict[str, Any]) -> str:
    """Where an error is: the declared fields' names; a field the schema does not list is not
    named (its name is the caller's text, as a value is)."""
    loc = [str(part) for part in error.get("loc", ())]
    if error.get("type") == "extra_forbidden" and loc:
        loc[-1] = "(unknown field)"
    return ".".join(loc)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = {404: "E_NOT_FOUND", 405: "E_METHOD", 413: E_TOO_LARGE}.get(status, E_REQUEST)
    detail = {
        404: "no such route",
        405: "this route does not take that method",
        413: "the request body is larger than this server takes",
    }.get(status, TITLES.get(status, "error").lower())
    headers = dict(exc.headers) if exc.headers else None
    return problem(status, code, detail, headers=headers)


def _internal(request: Request, exc: Exception) -> JSONResponse:
    return problem(500, E_INTERNAL, "internal error (the server's log has its type)")


HANDLERS = {
    MatchgateError: _matchgate_error,
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    Exception: _internal,
}
"""The exception handlers ``create_api`` installs."""

RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": TITLES[status]}
    for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}
"""The problem answers every route may give, for the OpenAPI document."""
GONE: dict[int | str, dict[str, Any]] = {
    410: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": TITLES[410]}
}
