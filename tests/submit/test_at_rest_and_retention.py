"""Encryption at rest in a real submission, the review queue, and retention (issue 6, parts 5-6).

All data synthetic. Retention runs on dates relative to today (the retention clock starts at the
submission's last status change, which is real time), so no test depends on the calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.submit.conftest import Env, MakeEnv
from tests.submit.helpers import (
    DAY,
    PERSONAL,
    REQUESTS,
    MemorySink,
    ScriptedMatcher,
    agreement_variant,
)

from matchgate.app.audit import audit_config, init_audit, open_audit
from matchgate.app.core import App
from matchgate.audit import kinds
from matchgate.domain.audit import AuditEvent, AuditReceipt, AuditUnavailable
from matchgate.domain.errors import ConfigurationError
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.services.administration.datakeys import (
    open_data_keys,
    reencrypt_data,
    rotate_data_keys,
)
from matchgate.services.oversight.audit_queries import verify_audit
from matchgate.services.oversight.retention import run_retention
from matchgate.services.submission.records import get_submission
from matchgate.services.submission.submit import submit_file
from matchgate.storage import review
from matchgate.storage.atrest import header_of, open_stream
from matchgate.storage.db import session

SCRIPT = {"R1": ("match", "P1"), "R2": ("possible", "P3"), "R4": ("possible", "P5")}
"""R2 and R4 are withheld as ``possible``: their SSNs go to the review queue, sealed."""
RETENTION_DAYS = 90  # examples/agreements/reference-2025-08.yaml


def _source(env: Env, name: str = "requests.csv", text: str = REQUESTS) -> Path:
    path = env.tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _disclosed(env: Env, name: str = "requests.csv", text: str = REQUESTS, **changes: Any) -> str:
    result = env.submit(_source(env, name, text), matcher=ScriptedMatcher(dict(SCRIPT)), **changes)
    assert result.status is SubmissionStatus.DISCLOSED, result
    return result.job_id


def _folder(env: Env, job_id: str) -> Path:
    return env.settings.workspace / "submissions" / job_id


def _every_stored_byte(env: Env) -> bytes:
    """Every file the workspace holds but its keys and the loaded master store (the disclosing
    agency's system of records, docs/encryption.md)."""
    root = env.settings.workspace
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and "keys" not in p.parts and p.relative_to(root).parts[0] != "master"
    ]
    return b"".join(p.read_bytes() for p in files)


def _today_plus(env: Env, days: int) -> dt.date:
    return env.settings.today() + dt.timedelta(days=days)


# -- at rest -------------------------------------------------------------------------------------


def test_a_submission_keeps_only_sealed_files_and_sealed_identifiers(
    make_env: MakeEnv, store_url: str
) -> None:
    env = make_env(store_url)
    job_id = _disclosed(env)
    names = sorted(p.name for p in _folder(env, job_id).iterdir())
    assert names == ["match.parquet.mgr", "request.csv.mgr"]  # no plaintext, no work folder
    assert header_of(_folder(env, job_id) / "request.csv.mgr").context.endswith("/request")
    data = _every_stored_byte(env)  # the SQLite store, sealed files, outbox package
    for value in (*PERSONAL, "345678912", "567891234", "OMalley"):
        assert value.encode() not in data, value
    ring = open_data_keys(App(env.settings))
    with session(env.settings.sqlite_url) as s:
        queued = sorted(review.items_of_job(s, job_id), key=lambda r: r.request_id)
        assert [(r.request_id, r.person_id, r.status) for r in queued] == [
            ("R2", "P3", "pending"),
            ("R4", "P5", "pending"),
        ]
        assert [review.reveal(ring, r)["ssn"] for r in queued] == ["345678912", "567891234"]
        assert [r.request_id for r in review.find_by(s, ring, "ssn", "567891234")] == ["R4"]


def test_the_plaintext_work_folder_is_removed_when_matching_fails(env: Env) -> None:
    def broken(master: Path, requests: Path, output: Path, **_: object) -> object:
        assert requests.read_bytes() == REQUESTS.encode()  # the pipeline reads the plaintext
        assert requests.parent.stat().st_mode & 0o077 == 0
        raise RuntimeError("matcher broke")

    with pytest.raises(RuntimeError):
        env.submit(_source(env), matcher=broken)
    (folder,) = (env.settings.workspace / "submissions").iterdir()
    assert [p.name for p in folder.iterdir()] == ["request.csv.mgr"]


def test_a_rotation_between_submissions_keeps_both_readable(env: Env) -> None:
    first = _disclosed(env)
    rotation = rotate_data_keys(App(env.settings))
    assert rotation.reencryption is not None
    assert rotation.reencryption.files_moved == 2
    assert rotation.reencryption.rows_moved == 2
    next_month = DAY + dt.timedelta(days=31)  # one file a month under the reference agreement
    second = _disclosed(env, "again.csv", REQUESTS.replace("R3,", "R9,"), on=next_month)
    for job in (first, second):
        assert header_of(_folder(env, job) / "request.csv.mgr").key_version == 2
    ring = open_data_keys(App(env.settings))
    with session(env.settings.sqlite_url) as s:
        assert len(review.find_by(s, ring, "ssn", "345678912")) == 2
        assert review.count_by_key(s) == {2: 4}


def test_plaintext_kept_by_an_older_version_is_sealed_by_the_reencryption_pass(env: Env) -> None:
    job_id = _disclosed(env)
    folder = _folder(env, job_id)
    ring = open_data_keys(App(env.settings))
    for name, role in (("request.csv", "request"), ("match.parquet", "match")):
        sealed = folder / f"{name}.mgr"
        with (folder / name).open("wb") as plain:
            open_stream(ring, sealed, plain, context=f"submission/{job_id}/{role}")
        sealed.unlink()
    done = reencrypt_data(App(env.settings))
    assert done.plaintext_sealed == 2
    assert sorted(p.name for p in folder.iterdir()) == ["match.parquet.mgr", "request.csv.mgr"]
    digest = hashlib.sha256()
    with io.BytesIO() as out:
        open_stream(ring, folder / "request.csv.mgr", out, context=f"submission/{job_id}/request")
        digest.update(out.getvalue())
    assert digest.hexdigest() == get_submission(App(env.settings), job_id, caller=env.po).sha256


# -- retention -----------------------------------------------------------------------------------


class CheckingSink(MemorySink):
    """Records events; for a purge, checks the files are still there when it is recorded."""

    def __init__(self, watched: list[Path], fail_at: int | None = None) -> None:
        super().__init__(fail_at=fail_at)
        self.watched = watched
        self.present_at_purge: list[bool] = []

    def append(self, event: AuditEvent) -> AuditReceipt:
        if event.kind == kinds.PURGE_DONE:
            self.present_at_purge.append(all(p.exists() for p in self.watched))
        return super().append(event)


def test_nothing_is_purged_before_the_retention_ends(env: Env) -> None:
    job_id = _disclosed(env)
    sink = MemorySink()
    report = run_retention(
        App(env.settings, audit=sink), caller=env.po, on=_today_plus(env, RETENTION_DAYS - 1)
    )
    assert (report.purged, report.not_due, sink.events) == ([], 1, [])
    assert len(list(_folder(env, job_id).iterdir())) == 2


def test_retention_purges_files_package_and_queue_after_recording_it(env: Env) -> None:
    job_id = _disclosed(env)
    env_package = next(iter(env.packages()))
    watched = [*_folder(env, job_id).iterdir(), env_package]
    size = sum(p.stat().st_size for p in watched)
    sink = CheckingSink(watched)
    report = run_retention(
        App(env.settings, audit=sink),
        caller=env.po,
        on=_today_plus(env, RETENTION_DAYS),
        outbox=env.out,
    )
    assert sink.present_at_purge == [True]  # recorded before anything was deleted
    (purge,) = report.purged
    assert purge.job_id == job_id
    assert purge.what == ("match_results", "request_files", "response_packages", "review_notes")
    assert (purge.files, purge.rows) == (3, 2)
    assert purge.bytes == size
    assert not _folder(env, job_id).exists()
    assert not env_package.exists()
    with session(env.settings.sqlite_url) as s:
        assert review.count_job_items(s, job_id) == 0
    stored = get_submission(App(env.settings), job_id, caller=env.po)  # the submission record stays
    assert (stored.status, stored.sha256) == ("disclosed", stored.sha256)
    (event,) = sink.events
    assert event.kind == "purge.done"
    assert event.actor == env.po.user_id  # the caller who ran it
    assert event.details["job_id"] == job_id
    assert event.details["request_sha256"] == stored.sha256
    assert (event.details["files"], event.details["rows"]) == (3, 2)
    for value in PERSONAL:
        assert value not in repr(event)
    again = run_retention(
        App(env.settings, audit=sink), caller=env.po, on=_today_plus(env, RETENTION_DAYS + 1)
    )
    assert (again.purged, again.nothing_left, len(sink.events)) == ([], 1, 1)


def test_dry_run_lists_and_changes_nothing(env: Env) -> None:
    job_id = _disclosed(env)
    report = run_retention(
        App(env.settings),
        caller=env.po,
        on=_today_plus(env, RETENTION_DAYS),
        dry_run=True,
        outbox=env.out,
    )
    (purge,) = report.purged
    assert (purge.job_id, purge.files, purge.sequence) == (job_id, 3, None)
    assert len(list(_folder(env, job_id).iterdir())) == 2
    assert len(env.packages()) == 1


def test_no_audit_entry_no_purge(env: Env) -> None:
    job_id = _disclosed(env)
    with pytest.raises(AuditUnavailable):
        run_retention(
            App(env.settings, audit=MemorySink(fail_at=1)), caller=env.po, on=_today_plus(env, 400)
        )
    assert len(list(_folder(env, job_id).iterdir())) == 2
    with session(env.settings.sqlite_url) as s:
        assert review.count_job_items(s, job_id) == 2
    with pytest.raises(ConfigurationError):  # no audit log set up: nothing is purged
        run_retention(App(env.settings), caller=env.po, on=_today_plus(env, 400))
    assert len(list(_folder(env, job_id).iterdir())) == 2


def test_a_deletion_that_fails_after_its_entry_is_reported_and_retried(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = _disclosed(env)
    real_unlink = Path.unlink

    def failing_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.startswith("match."):
            raise PermissionError("simulated")
        real_unlink(self, missing_ok=missing_ok)

    sink = MemorySink()
    monkeypatch.setattr(Path, "unlink", failing_unlink)
    first = run_retention(
        App(env.settings, audit=sink), caller=env.po, on=_today_plus(env, RETENTION_DAYS)
    )
    monkeypatch.setattr(Path, "unlink", real_unlink)
    (failed,) = first.failed
    assert (failed.job_id, failed.error, failed.sequence) == (job_id, "PermissionError", 1)
    assert sink.kinds() == ["purge.done", "release.failed"]
    assert [p.name for p in _folder(env, job_id).iterdir()] == ["match.parquet.mgr"]
    second = run_retention(
        App(env.settings, audit=sink), caller=env.po, on=_today_plus(env, RETENTION_DAYS)
    )
    (purge,) = second.purged
    assert (purge.what, purge.files) == (("match_results",), 1)
    assert sink.kinds() == ["purge.done", "release.failed", "purge.done"]
    assert not _folder(env, job_id).exists()


def test_what_the_agreement_does_not_list_is_kept(env: Env, tmp_path: Path) -> None:
    keep_queue = agreement_variant(
        tmp_path / "agreements",
        "keeps-review",
        retention={"days": 30, "purge": ["request_files"]},
    )
    env.add(keep_queue)
    result = env.submit(_source(env), "keeps-review", matcher=ScriptedMatcher(dict(SCRIPT)))
    assert result.status is SubmissionStatus.DISCLOSED, result
    report = run_retention(
        App(env.settings, audit=MemorySink()), caller=env.po, on=_today_plus(env, 30)
    )
    (purge,) = report.purged
    assert purge.what == ("request_files",)
    assert [p.name for p in _folder(env, result.job_id).iterdir()] == ["match.parquet.mgr"]
    with session(env.settings.sqlite_url) as s:
        assert review.count_job_items(s, result.job_id) == 2


def test_the_audit_log_and_accounting_survive_retention(env: Env) -> None:
    config = audit_config(env.settings)
    init_audit(config)
    log = open_audit(config)
    done = submit_file(
        App(env.settings, audit=log),
        _source(env),
        "reference-2025-08",
        caller=env.submitter,
        options=replace(env.options),
        subject=log.subject_key,
        matcher=ScriptedMatcher(dict(SCRIPT)),
    )
    assert done.status is SubmissionStatus.DISCLOSED
    before = log.accounting("123456789").lines
    assert before
    report = run_retention(
        App(env.settings, audit=log), caller=env.po, on=_today_plus(env, RETENTION_DAYS)
    )
    assert len(report.purged) == 1
    assert log.accounting("123456789").lines == before
    verified = verify_audit(config)
    assert verified.ok, verified.findings
    assert verified.size == report.purged[0].sequence + 1
