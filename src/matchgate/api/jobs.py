"""Uploaded submissions taken outside the request: a bounded pool of worker threads owned by the
API, the state each job reports while it runs, and the idempotency keys of uploads.

A job's state (queued, running with its progress, done, failed with the error's code) is a small
JSON file under ``WORKSPACE/api/jobs`` and an idempotency key a file under
``WORKSPACE/api/idempotency`` (created exclusively, named by a digest of the agency and the
key): every worker process of one host sees them, and they outlive a restart. They hold ids,
counts, digests and codes, never a value of the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from matchgate.domain.errors import MatchgateError, Refused
from matchgate.settings import Settings

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
_WRITE_EVERY = 0.5
"""Seconds between two progress writes of one job (the last one is always written)."""


class IdempotencyConflict(Refused):
    """The ``Idempotency-Key`` was already used by the agency for a file with other bytes."""

    code = "E_IDEMPOTENCY_KEY"


@dataclass
class JobState:
    """What a job reports while it runs: ids, a stage, counts, a code (never a value)."""

    job_id: str
    agency: str
    agreement_id: str
    source_name: str
    size_bytes: int
    sha256: str
    dry_run: bool
    received_at: str
    state: str = QUEUED
    stage: str | None = None
    done: int = 0
    total: int | None = None
    code: str | None = None


def _api_folder(settings: Settings) -> Path:
    return settings.workspace / "api"


def upload_folder(settings: Settings, job_id: str) -> Path:
    """Where an upload is written while it arrives and until its job has stored it sealed."""
    return _api_folder(settings) / "uploads" / job_id


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    spare = path.with_suffix(f".{threading.get_ident()}.tmp")
    spare.write_text(json.dumps(data, sort_keys=True))
    os.replace(spare, path)


class JobStore:
    """The job states and idempotency keys of one workspace (module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs = _api_folder(settings) / "jobs"
        self.keys = _api_folder(settings) / "idempotency"

    def save(self, state: JobState) -> None:
        _write(self.jobs / f"{state.job_id}.json", asdict(state))

    def load(self, job_id: str) -> JobState | None:
        if not job_id.isalnum():
            return None
        try:
            data = json.loads((self.jobs / f"{job_id}.json").read_text())
        except (OSError, ValueError):
            return None
        return JobState(**data)

    def claim_key(self, agency: str, key: str, sha256: str, job_id: str) -> str:
        """The job of ``key`` (the agency's): ``job_id`` when the key is new, the first job when
        it was used for the same bytes; :class:`IdempotencyConflict` for other bytes."""
        name = hashlib.sha256(f"{agency}\0{key}".encode()).hexdigest()
        path = self.keys / f"{name}.json"
        self.keys.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            for _ in range(50):  # its writer may be between creating and writing it
                with contextlib.suppress(ValueError, OSError):
                    first = json.loads(path.read_text())
                    break
                time.sleep(0.01)
            else:  # pragma: no cover - a writer that died between two system calls
                raise IdempotencyConflict("the Idempotency-Key is in use") from None
            if first["sha256"] != sha256:
                raise IdempotencyConflict(
                    "the Idempotency-Key was already used for a file with other bytes"
                ) from None
            return str(first["job_id"])
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps({"sha256": sha256, "job_id": job_id}))
        return job_id


class ProgressWriter:
    """A :class:`~matchgate.domain.progress.Progress` that records a job's stage and counts."""

    def __init__(self, store: JobStore, state: JobState) -> None:
        self.store, self.state = store, state
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        self.state.stage, self.state.done, self.state.total = stage, done, total
        now = time.monotonic()
        if now - self.last >= _WRITE_EVERY or (total is not None and done >= total):
            self.last = now
            self.store.save(self.state)


class JobRunner:
    """A pool of ``workers`` threads taking uploaded submissions one each."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.store = JobStore(settings)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="matchgate-job")

    def start(self, state: JobState, work: Callable[[ProgressWriter], object]) -> None:
        """Queue ``work`` for ``state``'s job; its state says how it went."""
        self.store.save(state)
        self.pool.submit(self._run, state, work)

    def _run(self, state: JobState, work: Callable[[ProgressWriter], object]) -> None:
        state.state = RUNNING
        self.store.save(state)
        try:
            work(ProgressWriter(self.store, state))
            state.state = DONE
        except MatchgateError as exc:
            state.state, state.code = FAILED, exc.code
        except Exception as exc:  # the type only: a message may quote data
            state.state, state.code = FAILED, type(exc).__name__
        finally:
            shutil.rmtree(upload_folder(self.store.settings, state.job_id), ignore_errors=True)
            self.store.save(state)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
