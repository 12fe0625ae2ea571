"""The submission and onward-use notice repositories, on SQLite and PostgreSQL: they hand back
frozen domain values, never rows, and a use case changes a submission only through
``change_submission``, which keeps the one rule for stored messages."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from matchgate.domain.lifecycle import NoticeStatus, SubmissionStatus
from matchgate.domain.notices import OnwardNotice
from matchgate.domain.submissions import HeldSubmission, StoredSubmission
from matchgate.storage import retention as retention_store
from matchgate.storage import submissions as store
from matchgate.storage.db import session

T0 = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
DIGEST = "ab" * 32


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time compared as UTC (SQLite hands it back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _received(job_id: str, sha256: str | None = DIGEST) -> StoredSubmission:
    return StoredSubmission(
        job_id=job_id,
        agreement_id="a-1",
        agreement_version=1,
        purpose="verification",
        dry_run=False,
        status=SubmissionStatus.RECEIVED.value,
        code=None,
        message=None,
        received_at=T0,
        updated_at=T0,
        source_name="requests.csv",
        size_bytes=123,
        sha256=sha256,
        format=None,
        records=None,
        duplicate_of=None,
        package_id=None,
        counts={},
        report={},
        master_snapshot_id="snap-1",
        recipient_key_id="key-1",
        stored_path="submissions/j1/request.csv.mgr",
    )


def test_a_submission_goes_in_and_comes_back_as_a_domain_value(store_url: str) -> None:
    with session(store_url) as s:
        store.add_submission(s, _received("j1"), month="2025-09")
    with session(store_url) as s:
        stored = store.stored_submission(s, "j1")
        assert store.stored_submission(s, "nope") is None
        held = list(retention_store.submissions(s))
    assert type(stored) is StoredSubmission
    assert dataclasses.replace(stored, received_at=T0, updated_at=T0) == _received("j1")
    assert _utc(stored.received_at) == T0
    assert [type(h) for h in held] == [HeldSubmission]
    assert (held[0].job_id, held[0].stored_path) == ("j1", "submissions/j1/request.csv.mgr")
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.status = SubmissionStatus.REJECTED.value  # type: ignore[misc]


def test_changes_are_made_by_the_repository_and_messages_keep_the_one_rule(
    store_url: str,
) -> None:
    later = T0 + dt.timedelta(minutes=5)
    with session(store_url) as s:
        store.add_submission(s, _received("j1"), month="2025-09")
        store.claim_digest(s, "j1", "a-1", DIGEST)
    with session(store_url) as s:
        holder = store.holder_of(s, "a-1", DIGEST)
        assert type(holder) is StoredSubmission
        assert holder.job_id == "j1"
        store.change_submission(
            s,
            "j1",
            updated_at=later,
            status=SubmissionStatus.REJECTED.value,
            code="E_FILE",
            message="row 3 holds 123-45-6789",  # value-shaped: withheld, naming the code
            active_digest=None,
            report={"error": {"code": "E_FILE"}},
        )
        with pytest.raises(LookupError):
            store.change_submission(s, "nope", updated_at=later, records=1)
    with session(store_url) as s:
        stored = store.stored_submission(s, "j1")
        assert store.holder_of(s, "a-1", DIGEST) is None  # the digest was released
    assert stored is not None
    assert (stored.status, stored.code) == ("rejected", "E_FILE")
    assert stored.message == store.withheld("E_FILE")
    assert stored.report == {"error": {"code": "E_FILE"}}
    assert _utc(stored.updated_at) == later
    assert _utc(stored.received_at) == T0


def test_a_claimed_digest_is_refused_to_a_second_submission(store_url: str) -> None:
    with session(store_url) as s:
        store.add_submission(s, _received("j1"), month="2025-09")
        store.claim_digest(s, "j1", "a-1", DIGEST)
        store.add_submission(s, _received("j2"), month="2025-09")
        with pytest.raises(store.DigestTaken):
            store.claim_digest(s, "j2", "a-1", DIGEST)


def _notice(notice_id: str, purpose: str, agreement_id: str = "a-1") -> OnwardNotice:
    return OnwardNotice(
        id=notice_id,
        agreement_id=agreement_id,
        purpose=purpose,
        description="a proposed new use",
        filed_by="dhs-po",
        filed_at=T0,
        status=NoticeStatus.PENDING,
        decided_by=None,
        decided_at=None,
        decision_note=None,
    )


def test_onward_use_notices_are_domain_values_in_filing_order(store_url: str) -> None:
    with session(store_url) as s:
        for notice in (_notice("n2", "audit"), _notice("n1", "benefits"), _notice("n3", "x", "b")):
            assert store.add_notice(s, notice) == notice
    decided_at = T0 + dt.timedelta(days=1)
    with session(store_url) as s:
        assert store.decide_pending(
            s, "n1", status="denied", decided_by="ssa-po", decided_at=decided_at, note=None
        )
        assert not store.decide_pending(
            s, "n1", status="approved", decided_by="ssa-po", decided_at=decided_at, note=None
        )
    with session(store_url) as s:
        listed = store.notices_of(s, "a-1")
        every = store.notices_of(s)
        denied = store.get_notice(s, "n1")
        assert store.get_notice(s, "nope") is None
    assert [n.id for n in listed] == ["n2", "n1"]  # filed first, listed first
    assert [n.id for n in every] == ["n2", "n1", "n3"]
    assert all(type(n) is OnwardNotice for n in every)
    assert denied is not None
    assert denied.status is NoticeStatus.DENIED
    assert (denied.decided_by, _utc(denied.decided_at)) == ("ssa-po", decided_at)
