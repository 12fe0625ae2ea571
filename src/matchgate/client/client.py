"""The client: one method per route of docs/api.md."""

from __future__ import annotations

import datetime as dt
import os
from types import TracebackType
from typing import Any

import httpx

from matchgate.client.errors import ServerError, error_from_problem
from matchgate.domain.errors import ConfigurationError

HOST_URL_ENV = "MATCHGATE_HOST_URL"
TOKEN_ENV = "MATCHGATE_TOKEN"  # noqa: S105 - the variable's name, not a token

Json = dict[str, Any]


class Client:
    """Calls the API at ``base_url`` with ``token``; ``http`` may be given (a test's client
    bound to an in-process app), else one is made and closed with this one."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._own = http is None
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._headers = {} if not token else {"Authorization": f"Bearer {token}"}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Client:
        """A client of ``MATCHGATE_HOST_URL`` acting with ``MATCHGATE_TOKEN``."""
        env = os.environ if environ is None else environ
        url = env.get(HOST_URL_ENV)
        if not url:
            raise ConfigurationError(f"{HOST_URL_ENV} is not set: the API's base URL")
        return cls(url, env.get(TOKEN_ENV) or None)

    def close(self) -> None:
        if self._own:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the exchange -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Json | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(
                method, path, json=json, params=query or None, headers=self._headers
            )
        except httpx.HTTPError as exc:
            raise ServerError(f"the API could not be reached ({type(exc).__name__})") from None
        if response.is_success:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = None
        raise error_from_problem(response.status_code, body)

    # --- health -------------------------------------------------------------------------------

    def live(self) -> Json:
        result: Json = self._call("GET", "/v1/health/live")
        return result

    def ready(self) -> Json:
        result: Json = self._call("GET", "/v1/health/ready")
        return result

    # --- agencies, users, tokens --------------------------------------------------------------

    def agencies(self) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/agencies")
        return result

    def add_agency(self, code: str, name: str) -> Json:
        result: Json = self._call("POST", "/v1/agencies", json={"code": code, "name": name})
        return result

    def users(self, agency: str | None = None) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/users", params={"agency": agency})
        return result

    def add_user(self, user_id: str, agency: str, roles: list[str]) -> Json:
        body = {"id": user_id, "agency": agency, "roles": roles}
        result: Json = self._call("POST", "/v1/users", json=body)
        return result

    def revoke_user(self, user_id: str) -> Json:
        result: Json = self._call("POST", f"/v1/users/{_segment(user_id)}/revoke")
        return result

    def issue_token(
        self, user_id: str | None = None, *, days: int = 90, label: str = "api"
    ) -> Json:
        body = {"user_id": user_id, "days": days, "label": label}
        result: Json = self._call("POST", "/v1/tokens", json=body)
        return result

    def tokens(self, user_id: str | None = None) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/tokens", params={"user_id": user_id})
        return result

    def revoke_token(self, token_id: str) -> Json:
        result: Json = self._call("POST", f"/v1/tokens/{_segment(token_id)}/revoke")
        return result

    # --- agreements ---------------------------------------------------------------------------

    def agreements(self) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/agreements")
        return result

    def agreement(self, agreement_id: str, version: int | None = None) -> Json:
        path = f"/v1/agreements/{_segment(agreement_id)}"
        result: Json = self._call("GET", path, params={"version": version})
        return result

    def add_agreement(self, document: str, source_name: str = "agreement.yaml") -> Json:
        body = {"document": document, "source_name": source_name}
        result: Json = self._call("POST", "/v1/agreements", json=body)
        return result

    def suspend_agreement(self, agreement_id: str, reason: str) -> Json:
        path = f"/v1/agreements/{_segment(agreement_id)}/suspend"
        result: Json = self._call("POST", path, json={"reason": reason})
        return result

    def resume_agreement(self, agreement_id: str) -> Json:
        result: Json = self._call("POST", f"/v1/agreements/{_segment(agreement_id)}/resume")
        return result

    # --- submissions and notices --------------------------------------------------------------

    def submissions(self, agreement: str | None = None, limit: int = 50) -> list[Json]:
        params = {"agreement": agreement, "limit": limit}
        result: list[Json] = self._call("GET", "/v1/submissions", params=params)
        return result

    def submission(self, job_id: str) -> Json:
        result: Json = self._call("GET", f"/v1/submissions/{_segment(job_id)}")
        return result

    def notices(self, agreement: str | None = None) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/notices", params={"agreement": agreement})
        return result

    # --- oversight ----------------------------------------------------------------------------

    def accounting(self, ssn: str, *, for_person: bool = False) -> Json:
        """The accounting of one person's record; the SSN travels in the body, never the URL."""
        body = {"ssn": ssn, "for_person": for_person}
        result: Json = self._call("POST", "/v1/accounting", json=body)
        return result

    def verify_audit(self) -> Json:
        result: Json = self._call("GET", "/v1/audit/verify")
        return result

    def checkpoint(self) -> Json:
        result: Json = self._call("POST", "/v1/audit/checkpoints")
        return result

    def retention_dry_run(self, on: dt.date | None = None) -> Json:
        body = {"dry_run": True, "on": None if on is None else on.isoformat()}
        result: Json = self._call("POST", "/v1/retention/runs", json=body)
        return result

    # --- breach -------------------------------------------------------------------------------

    def open_incident(self, category: str, **scope: Any) -> Json:
        """Open an incident: ``packages``, ``jobs``, ``answers``, ``recipients`` (lists),
        ``since``, ``until``, ``discovered_at`` (ISO text) and ``summary`` as keywords."""
        result: Json = self._call("POST", "/v1/breach", json={"category": category, **scope})
        return result

    def incidents(self, status: str | None = None) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/breach", params={"status": status})
        return result

    def incident(self, incident_id: str) -> Json:
        result: Json = self._call("GET", f"/v1/breach/{_segment(incident_id)}")
        return result


def _segment(value: str) -> str:
    """An id as one path segment (quoted: an id is never a path)."""
    from urllib.parse import quote

    return quote(value, safe="")
