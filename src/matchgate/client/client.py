"""The client: one method per route of docs/api.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx

from matchgate.client.errors import ServerError, error_from_problem
from matchgate.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

    from matchgate.audit import FetchReport

HOST_URL_ENV = "MATCHGATE_HOST_URL"
TOKEN_ENV = "MATCHGATE_TOKEN"  # noqa: S105 - the variable's name, not a token

Json = dict[str, Any]
MAX_WITNESS_BYTES = 64_000
"""More than any witness file holds (matchgate refuses one past 8,000 bytes)."""


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
        response = self._send(method, path, json=json, params=params, headers=self._headers)
        return _answer(response)

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        params = {k: v for k, v in (kw.pop("params", None) or {}).items() if v is not None}
        try:
            return self._http.request(method, path, params=params or None, **kw)
        except httpx.HTTPError as exc:
            raise ServerError(f"the API could not be reached ({type(exc).__name__})") from None

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

    def upload(
        self,
        path: Path,
        agreement: str,
        *,
        dry_run: bool = False,
        purpose: str | None = None,
        idempotency_key: str | None = None,
    ) -> Json:
        """Upload the request file at ``path`` (streamed from disk); the answer names its job."""
        params = {"agreement": agreement, "filename": path.name, "dry_run": dry_run}
        if purpose is not None:
            params["purpose"] = purpose
        headers = {**self._headers, "Content-Type": "application/octet-stream"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        with path.open("rb") as handle:
            response = self._send(
                "POST", "/v1/submissions", content=_chunks(handle), params=params, headers=headers
            )
        result: Json = _answer(response)
        return result

    def wait(
        self,
        job_id: str,
        *,
        every: float = 0.5,
        timeout: float | None = None,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> Json:
        """Poll the submission until its job has ended; ``progress`` hears each stage's counts."""
        started = time.monotonic()
        while True:
            shown = self.submission(job_id)
            job = shown.get("job") or {}
            if progress is not None and job.get("stage"):
                progress(job["stage"], job["done"], job["total"])
            if job.get("state", "done") in ("done", "failed"):
                return shown
            if timeout is not None and time.monotonic() - started > timeout:
                raise ServerError(f"job {job_id} did not end within {timeout:.0f} s")
            time.sleep(every)

    def download_package(self, job_id: str, folder: Path) -> Path:
        """Save the submission's sealed package in ``folder`` (checked against its SHA-256)."""
        path = f"/v1/submissions/{_segment(job_id)}/package"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with self._http.stream("GET", path, headers=self._headers) as response:
                if not response.is_success:
                    response.read()
                    _answer(response)
                package_id = response.headers["X-Package-Id"]
                target = folder / f"{package_id}.mgp"
                digest = hashlib.sha256()
                with target.open("wb") as handle:
                    for block in response.iter_bytes():
                        digest.update(block)
                        handle.write(block)
        except httpx.HTTPError as exc:
            raise ServerError(f"the API could not be reached ({type(exc).__name__})") from None
        if digest.hexdigest() != response.headers.get("X-Package-SHA256"):
            target.unlink(missing_ok=True)
            raise ServerError("the package's bytes do not match its SHA-256")
        return target

    def release(self, job_id: str, agreed: str, agreement_version: int | None = None) -> Json:
        body = {"agreed": agreed, "agreement_version": agreement_version}
        result: Json = self._call("POST", f"/v1/submissions/{_segment(job_id)}/release", json=body)
        return result

    def refuse(self, job_id: str, reason: str) -> Json:
        path = f"/v1/submissions/{_segment(job_id)}/refuse"
        result: Json = self._call("POST", path, json={"reason": reason})
        return result

    def notices(self, agreement: str | None = None) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/notices", params={"agreement": agreement})
        return result

    # --- keys -------------------------------------------------------------------------------

    def add_key(self, agency: str, public_key: str, fingerprint: str) -> Json:
        body = {"agency": agency, "public_key": public_key, "fingerprint": fingerprint}
        result: Json = self._call("POST", "/v1/keys", json=body)
        return result

    def keys(self, agency: str | None = None) -> list[Json]:
        result: list[Json] = self._call("GET", "/v1/keys", params={"agency": agency})
        return result

    def revoke_key(self, key_id: str) -> Json:
        result: Json = self._call("POST", f"/v1/keys/{_segment(key_id)}/revoke")
        return result

    def host_key(self) -> Json:
        """The host's public signing key and its id (confirm the id out of band)."""
        result: Json = self._call("GET", "/v1/host/key")
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

    def withdraw(self, ssn: str, reason: str, *, package_id: str | None = None) -> Json:
        """Withdraw a wrong disclosure (``audit withdraw``); the SSN travels in the body."""
        body = {"ssn": ssn, "reason": reason, "package_id": package_id}
        result: Json = self._call("POST", "/v1/audit/withdrawals", json=body)
        return result

    def withdrawals(self, *, pending: bool = False) -> list[Json]:
        """The withdrawal notices to (or from) the caller's agency."""
        result: list[Json] = self._call("GET", "/v1/withdrawals", params={"pending": pending})
        return result

    def acknowledge_withdrawal(self, notice_id: str) -> Json:
        result: Json = self._call("POST", f"/v1/withdrawals/{_segment(notice_id)}/ack")
        return result

    def witness_files(self) -> list[Json]:
        """The witness files the host wrote for the caller's agency (names, sizes, heads)."""
        result: list[Json] = self._call("GET", "/v1/witness")
        return result

    def witness_file(self, name: str) -> bytes:
        """One witness file's bytes as the host serves them (not checked: see fetch_witness).
        More than any witness file holds is refused before it is all read."""
        path = f"/v1/witness/{_segment(name)}"
        data = bytearray()
        try:
            with self._http.stream("GET", path, headers=self._headers) as response:
                if not response.is_success:
                    response.read()
                    _answer(response)
                for block in response.iter_bytes():
                    data += block
                    if len(data) > MAX_WITNESS_BYTES:
                        raise ServerError("the API sent more than a witness file holds")
        except httpx.HTTPError as exc:
            raise ServerError(f"the API could not be reached ({type(exc).__name__})") from None
        return bytes(data)

    def fetch_witness(
        self, into: Path, keys: Mapping[str, ec.EllipticCurvePublicKey]
    ) -> FetchReport:
        """Fetch the host's witness files for the caller's agency and keep in ``into`` those
        that hold, checked here as ``matchgate audit witness fetch --from`` checks a folder
        (:func:`matchgate.audit.fetch_witness`): each signature against ``keys`` (the keys
        this side trusts, never the host's word), each file consistent with the newest copy
        kept, the copies kept unchanged and still offered. Nothing after a file that does not
        hold is kept."""
        from matchgate.audit import fetch_witness, is_file_name

        listed = self.witness_files()
        with tempfile.TemporaryDirectory(prefix="matchgate-witness-") as staging:
            folder = Path(staging)
            for row in listed:
                name = str(row.get("name"))
                if not is_file_name(name):  # a name of our own making only: never a path
                    raise ServerError("the API listed a witness file name matchgate does not make")
                (folder / name).write_bytes(self.witness_file(name))
            return fetch_witness(folder, into, keys)

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


def _answer(response: httpx.Response) -> Any:
    """The JSON of a successful answer; else the error its problem document names."""
    if response.is_success:
        return response.json()
    try:
        body = response.json()
    except ValueError:
        body = None
    raise error_from_problem(response.status_code, body)


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    yield from iter(lambda: handle.read(1 << 20), b"")


def _segment(value: str) -> str:
    """An id as one path segment (quoted: an id is never a path)."""
    from urllib.parse import quote

    return quote(value, safe="")
