"""Job records: a run leaves a row saying how it ended, with an error code but no error text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from matchgate.app.jobs import file_digest, tracked_job
from matchgate.domain.errors import InputError
from matchgate.settings import Settings
from matchgate.storage.db import session
from matchgate.storage.models import Job


def test_finished_job_keeps_inputs_outputs_and_counts(tmp_path: Path, store_url: str) -> None:
    settings = Settings(workspace=tmp_path, database_url=store_url)
    with tracked_job(settings, "match", {"requests": "abc"}) as job:
        job.counts["rows"] = 3
        job.outputs["output"] = "out.csv"
    with session(store_url) as s:
        row = s.get(Job, job.id)
        assert row is not None
        assert (row.kind, row.status, row.error_code) == ("match", "finished", None)
        assert row.inputs == {"requests": "abc"}
        assert row.counts == {"rows": 3}
        assert row.finished_at is not None


def test_failed_job_records_the_code_not_the_message(tmp_path: Path, store_url: str) -> None:
    settings = Settings(workspace=tmp_path, database_url=store_url)
    with (
        pytest.raises(InputError),
        tracked_job(settings, "match", {}) as job,
    ):
        raise InputError("secret-value-123", path="r.csv", code="E_TEST")
    with session(store_url) as s:
        row = s.scalars(select(Job).where(Job.id == job.id)).one()
        assert (row.status, row.error_code) == ("failed", "E_TEST")
        assert "secret-value-123" not in repr(row.__dict__)


def test_file_digest_changes_with_content(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x")
    first = file_digest(f)
    assert first == file_digest(f)
    f.write_text("y")
    assert file_digest(f) != first
