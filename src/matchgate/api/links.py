"""OpenAPI links: how an answer's ids feed the next route (an upload's job to its status, a new
token to its revocation, ...). They document the exchange's steps for a client, and let
schemathesis' stateful run chain real ids instead of guessing them (tests/api)."""

from __future__ import annotations

from typing import Any


def _pointer(path: str, method: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"


def link(path: str, method: str, description: str, **parameters: str) -> dict[str, Any]:
    """A link to ``method path``, each of its path ``parameters`` filled by a runtime expression
    (``$response.body#/job_id``)."""
    return {
        "operationRef": _pointer(path, method),
        "parameters": {f"path.{name}": value for name, value in parameters.items()},
        "description": description,
    }


def links(status: int, **named: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route whose ``status`` answer has ``named`` links."""
    return {status: {"links": named}}


def submission(expression: str) -> dict[str, dict[str, Any]]:
    """A submission's status and its package, from the job id at ``expression``."""
    return {
        "ShowSubmission": link(
            "/v1/submissions/{job_id}", "get", "The submission and its job.", job_id=expression
        ),
        "DownloadPackage": link(
            "/v1/submissions/{job_id}/package", "get", "Its sealed package.", job_id=expression
        ),
    }
