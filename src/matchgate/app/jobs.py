"""Job records: every long run leaves a row saying what went in, what came out, and how it ended."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matchgate.domain.errors import MatchgateError
from matchgate.domain.lifecycle import JobStatus
from matchgate.settings import Settings
from matchgate.storage.db import create_if_fresh, session
from matchgate.storage.jobs import finish_job, start_job


def file_digest(path: Path) -> str:
    """SHA-256 of a file (or a folder's files in name order): names an input, reveals nothing."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for item in files:
        digest.update(item.name.encode())
        with item.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class JobRecord:
    """What a running job reports back before it finishes."""

    id: str
    outputs: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)


@contextmanager
def tracked_job(settings: Settings, kind: str, inputs: Mapping[str, Any]) -> Iterator[JobRecord]:
    """Record a job as running, then as finished or failed (with the error's code, not its text)."""
    settings.workspace.mkdir(parents=True, exist_ok=True)
    record = JobRecord(id=uuid.uuid4().hex)
    create_if_fresh(settings.sqlite_url)
    with session(settings.sqlite_url) as s:
        start_job(
            s,
            record.id,
            kind=kind,
            status=JobStatus.RUNNING.value,
            at=datetime.now(UTC),
            inputs=inputs,
        )
    status, code = JobStatus.FAILED.value, None
    try:
        yield record
        status = JobStatus.FINISHED.value
    except MatchgateError as exc:
        code = getattr(exc, "code", None) or type(exc).__name__
        raise
    except BaseException as exc:
        code = type(exc).__name__
        raise
    finally:
        with session(settings.sqlite_url) as s:
            finish_job(
                s,
                record.id,
                status=status,
                at=datetime.now(UTC),
                outputs=record.outputs,
                counts=record.counts,
                error_code=code,
            )
