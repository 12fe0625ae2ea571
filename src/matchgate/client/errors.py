"""Problem details back into matchgate's exceptions.

A problem's ``code`` names the class the server raised. The client knows every class already
imported in its process (walking :class:`MatchgateError`'s subclasses): a command-line process
that imported the services knows ``SubmissionNotFound``; a small script that imported only the
client gets the nearest class of the tree that domain/errors.py draws (``NotFound`` for a 404,
``AccessDenied`` for 401 and 403, ``Refused`` for 409, ``ConfigurationError`` for 503,
``InputError`` for 400 and 422). Either way the exception carries the server's ``code`` and
message, so ``str(error)`` reads as it would on the host.
"""

from __future__ import annotations

from typing import Any

from matchgate.domain.errors import (
    AccessDenied,
    ConfigurationError,
    InputError,
    MatchgateError,
    NotFound,
    Refused,
)

_BY_STATUS: dict[int, type[MatchgateError]] = {
    400: InputError,
    401: AccessDenied,
    403: AccessDenied,
    404: NotFound,
    409: Refused,
    413: InputError,
    422: InputError,
    429: Refused,
    503: ConfigurationError,
}


class ServerError(MatchgateError):
    """The server failed to answer (a 5xx that is not a configuration problem), or answered
    with something that is not a problem document."""

    code = "E_SERVER"


def _classes() -> dict[str, type[MatchgateError]]:
    found: dict[str, type[MatchgateError]] = {}
    pending: list[type[MatchgateError]] = [MatchgateError]
    while pending:
        cls = pending.pop()
        if not cls.per_instance_code:
            found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


def error_from_problem(status: int, body: Any) -> MatchgateError:
    """The exception a problem document stands for (module docstring)."""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return _make(ServerError, ServerError.code, f"HTTP {status} without a problem document")
    code = str(body["code"])
    detail = str(body.get("detail") or body.get("title") or f"HTTP {status}")
    cls = _classes().get(code) or _BY_STATUS.get(status, ServerError)
    return _make(cls, code, detail)


def _make(cls: type[MatchgateError], code: str, detail: str) -> MatchgateError:
    """An instance of ``cls`` with the server's code and message, without calling a subclass's
    own constructor (whose arguments differ and would rebuild the message)."""
    error = cls.__new__(cls)
    MatchgateError.__init__(error, detail)
    if isinstance(error, InputError):
        error.path = error.row = error.field = None
    error.code = code
    return error
