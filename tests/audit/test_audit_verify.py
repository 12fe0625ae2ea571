"""The verifier on hand-made logs: each kind of damage gets its code and its entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from matchgate.audit import (
    AuditEvent,
    ChainHead,
    Checkpoint,
    Entry,
    LogVerifier,
    Problem,
    VerifyReport,
    check_event,
    sign_checkpoint,
)
from matchgate.audit.merkle import Frontier
from matchgate.disclosure.keys import generate_keypair, key_id

KEY = generate_keypair()
KEYS = {key_id(KEY): KEY.public_key()}
LOG = "ab" * 16
T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def _build(n: int) -> tuple[list[Entry], dict[int, Checkpoint], ChainHead]:
    head = ChainHead(log_id=LOG)
    entries: list[Entry] = []
    checkpoints = {0: _sign(0, head.root())}
    for i in range(n):
        event = AuditEvent(kind="match.run", actor="svc", subjects=(f"{i:064x}",), details={"i": i})
        entries.append(head.append(check_event(event), T0 + dt.timedelta(minutes=i)))
        if (i + 1) % 4 == 0:
            checkpoints[i + 1] = _sign(i + 1, head.root())
    return entries, checkpoints, head


def _sign(size: int, root: bytes, key: object = KEY, log: str = LOG) -> Checkpoint:
    return sign_checkpoint(
        log_id=log,
        size=size,
        root=root,
        time="2025-03-02T00:00:00.000000Z",
        key=key,
        key_id=key_id(key),  # type: ignore[arg-type]
    )


def _verify(
    entries: list[Entry],
    checkpoints: list[Checkpoint],
    head: ChainHead | None,
    *,
    stored: list[Checkpoint] | None = None,
    index: dict[int, set[str]] | None = None,
    floor: int = 0,
) -> VerifyReport:
    verifier = LogVerifier(checkpoints, KEYS, stored=stored or [])
    for e in entries:
        listed = index.get(e.sequence, set()) if index is not None else set(json.loads(e.subjects))
        verifier.add(e, listed, index_complete=e.sequence >= floor)
    return verifier.finish(head)


def _codes(report: VerifyReport) -> set[str]:
    return {f.code for f in report.findings}


def test_a_clean_log_verifies_and_reports_its_uncovered_tail() -> None:
    entries, cps, head = _build(10)
    report = _verify(entries, list(cps.values()), head)
    assert report.ok, report.findings
    assert (report.size, report.covered, report.uncovered, report.checkpoints) == (10, 8, 2, 3)
    assert report.first_bad is None


def test_without_a_trusted_checkpoint_nothing_verifies() -> None:
    entries, _, head = _build(3)
    assert _codes(_verify(entries, [], head)) == {Problem.NO_CHECKPOINT}


def test_an_edited_entry_is_pinned_by_its_hash() -> None:
    entries, cps, head = _build(10)
    entries[6] = dataclasses.replace(entries[6], details='{"i":60}')
    report = _verify(entries, list(cps.values()), head)
    assert report.first_bad == 6
    assert Problem.HASH in _codes(report)
    assert Problem.ROOT in _codes(report)  # the checkpoint of 8 no longer matches


def test_a_deleted_entry_leaves_a_gap_and_a_moved_one_a_broken_link() -> None:
    entries, cps, head = _build(10)
    report = _verify(entries[:3] + entries[4:], list(cps.values()), head)
    assert report.first_bad == 3
    assert Problem.GAP in _codes(report)
    swapped = list(entries)
    swapped[2], swapped[5] = (
        dataclasses.replace(entries[5], sequence=2),
        dataclasses.replace(entries[2], sequence=5),
    )
    report = _verify(swapped, list(cps.values()), head)
    assert report.first_bad == 2
    assert Problem.LINK in _codes(report)


def test_truncation_below_a_checkpoint_is_caught() -> None:
    entries, cps, _ = _build(10)
    report = _verify(entries[:6], list(cps.values()), None)
    truncated = [f for f in report.findings if f.code == Problem.TRUNCATED]
    assert truncated
    assert (truncated[0].sequence, truncated[0].last) == (4, 7)  # vouched for up to 4; 8 claimed


def test_a_consistent_rewrite_is_caught_by_the_checkpoint_covering_it() -> None:
    entries, cps, _ = _build(10)
    head = ChainHead(log_id=LOG)
    rewritten = []
    for e in entries:
        details = json.loads(e.details)
        if e.sequence == 5:
            details["i"] = 500
        event = AuditEvent(
            kind=e.kind, actor=e.actor, subjects=tuple(json.loads(e.subjects)), details=details
        )
        rewritten.append(head.append(check_event(event), T0 + dt.timedelta(minutes=e.sequence)))
    report = _verify(rewritten, list(cps.values()), head)
    roots = [f for f in report.findings if f.code == Problem.ROOT]
    assert len(roots) == 1
    assert (roots[0].sequence, roots[0].last) == (4, 7)
    assert report.covered == 4


def test_forged_and_foreign_checkpoints() -> None:
    entries, cps, head = _build(8)
    forged = dataclasses.replace(cps[8], root="00" * 32)
    assert Problem.SIGNATURE in _codes(_verify(entries, [cps[4], forged], head))
    stranger = generate_keypair()
    assert Problem.UNTRUSTED_KEY in _codes(_verify(entries, [_sign(8, b"\1" * 32, stranger)], head))
    other_log = _sign(8, bytes.fromhex(cps[8].root), log="cd" * 16)
    assert Problem.OTHER_LOG in _codes(_verify(entries, [cps[4], other_log], head))
    assert Problem.OTHER_LOG in _codes(_verify(entries, [other_log], head))
    stolen = _sign(8, b"\2" * 32)  # the real key, a root of a history that never was
    assert Problem.ROOT in _codes(_verify(entries, [cps[4], stolen], head))


def test_stored_copies_head_and_index_are_checked_too() -> None:
    entries, cps, head = _build(8)
    bad_copy = dataclasses.replace(cps[4], root="00" * 32)
    assert _codes(_verify(entries, list(cps.values()), head, stored=[bad_copy])) == {
        Problem.STORED_CHECKPOINT
    }
    wrong_root_copy = _sign(4, b"\3" * 32)
    assert _codes(_verify(entries, list(cps.values()), head, stored=[wrong_root_copy])) == {
        Problem.STORED_CHECKPOINT
    }
    stale = ChainHead(
        log_id=LOG, last_hash=head.last_hash, frontier=Frontier(4, [head.frontier.hashes[0][::-1]])
    )
    assert _codes(_verify(entries, list(cps.values()), stale)) == {Problem.HEAD}
    index = {e.sequence: set(json.loads(e.subjects)) for e in entries}
    index[3] = set()
    report = _verify(entries, list(cps.values()), head, index=index)
    assert _codes(report) == {Problem.INDEX}
    assert report.first_bad == 3
    # Below a retention purge, missing index rows are expected; extra ones never are.
    assert _verify(entries, list(cps.values()), head, index=index, floor=4).ok
    index[1] = {"f" * 64}
    assert _codes(_verify(entries, list(cps.values()), head, index=index, floor=4)) == {
        Problem.INDEX
    }


def test_findings_are_capped() -> None:
    entries, cps, head = _build(120)
    broken = [dataclasses.replace(e, entry_hash="00" * 32) for e in entries]
    report = _verify(broken, list(cps.values()), head)
    assert report.truncated_findings
    assert report.first_bad == 0
