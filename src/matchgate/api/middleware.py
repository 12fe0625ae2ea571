"""What every request passes through before and after its route (one pure ASGI middleware).

In order: a request id (``X-Request-ID`` kept when it is a plain token of at most 64
characters, else a new one; echoed on the answer); the rate limits (per client address, then
per token id; 429 with ``Retry-After``); the body size limit (413, by ``Content-Length`` and by
counting what arrives); the route; an unexpected exception turned into a 500 problem with no
message; and one JSON access-log line: method, route template, status, duration, request id.
The line never holds the path's values, the query or the body (a template such as
``/v1/submissions/{job_id}`` names no object).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matchgate.access import parse_token
from matchgate.api.config import ApiConfig
from matchgate.api.problems import E_INTERNAL, E_RATE_LIMITED, E_TOO_LARGE, problem
from matchgate.api.ratelimit import RateLimiter

REQUEST_ID = "x-request-id"
UPLOAD_PATH = "/v1/submissions"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
access_log = logging.getLogger("matchgate.api.access")
error_log = logging.getLogger("matchgate.api.error")


class _TooLarge(HTTPException):
    """The body grew past the limit while it was read (an HTTPException, which the framework
    lets through its body parsing to the problem handler)."""

    def __init__(self) -> None:
        super().__init__(413)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _token_id(scope: Scope) -> str | None:
    """The public id of the bearer token, if the header holds one (never the secret)."""
    value = _header(scope, b"authorization")
    if value is None or not value.lower().startswith("bearer "):
        return None
    return parse_token(value[7:].strip())


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "(unmatched)"


class ShellMiddleware:
    """The middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, config: ApiConfig) -> None:
        self.app = app
        self.config = config
        self.sources = RateLimiter(config.source_rate, config.source_burst)
        self.tokens = RateLimiter(config.token_rate, config.token_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = _header(scope, REQUEST_ID.encode())
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k != REQUEST_ID.encode()
                ]
                headers.append((REQUEST_ID.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refused = self._refusal(scope)
            if refused is not None:
                await refused(scope, receive, send_with_id)
                return
            await self._call(scope, receive, send_with_id)
        finally:
            access_log.info(
                json.dumps(
                    {
                        "event": "request",
                        "method": scope.get("method"),
                        "route": _route(scope),
                        "status": status["code"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "request_id": request_id,
                    },
                    sort_keys=True,
                )
            )

    def _refusal(self, scope: Scope) -> Any:
        client = scope.get("client")
        source = client[0] if client else "unknown"
        wait = self.sources.take(source)
        token = _token_id(scope)
        if wait is None and token is not None:
            wait = self.tokens.take(token)
        if wait is not None:
            return problem(
                429,
                E_RATE_LIMITED,
                "too many requests from this token or address; retry after the time given",
                headers={"Retry-After": str(wait)},
            )
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self._limit(scope)):
            return self._too_large(scope)
        return None

    def _limit(self, scope: Scope) -> int:
        """The body limit: an upload's (a request file, streamed to disk) or any other's."""
        if scope.get("method") == "POST" and scope.get("path") == UPLOAD_PATH:
            return self.config.max_upload_bytes
        return self.config.max_body_bytes

    def _too_large(self, scope: Scope) -> Any:
        return problem(
            413, E_TOO_LARGE, f"the request body is larger than {self._limit(scope)} bytes"
        )

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False
        limit = self._limit(scope)

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._too_large(scope)(scope, receive, send)
        except Exception as exc:
            # The message of an unexpected exception may quote data: log its type only.
            error_log.error(
                json.dumps(
                    {
                        "event": "internal_error",
                        "type": type(exc).__name__,
                        "route": _route(scope),
                        "request_id": scope["state"]["request_id"],
                    }
                )
            )
            if not started:
                response = problem(
                    500, E_INTERNAL, "internal error (the server's log has its type)"
                )
                await response(scope, receive, send)
