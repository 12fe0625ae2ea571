"""Onward use: a notice of a proposed new use; disclosures for its purpose are refused until the
disclosing agency decides, and then only what a routine use naming that purpose covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.submit.conftest import Env, MakeEnv
from tests.submit.helpers import DAY, REFERENCE, REQUESTS, MemorySink, ScriptedMatcher

from matchgate.app.core import App
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.governance import (
    NoticeStatus,
    RefusalCode,
    onward_disclosable,
    onward_refusals,
    parse_agreement,
)
from matchgate.services.disclosure.notices import (
    NoticeError,
    decide_notice,
    file_notice,
    list_notices,
    notice_statuses,
)
from matchgate.services.disclosure.packages import open_package_file
from matchgate.services.submission.submit import SubmitResult

NEW = "benefit-fraud-referral"


def _agreement_with_new_use(folder: Path) -> Path:
    """The reference arrangement plus a routine use (from 2025-09-01) naming the new purpose for
    addresses and phones only."""
    document = yaml.safe_load(REFERENCE.read_text())
    document["id"] = "reference-onward"
    document["routine_uses"].append(
        {
            "id": "RU-SYN-40",
            "description": "Disclosure to DHS for referral of suspected benefit fraud (synthetic).",
            "citation": "90 FR 99040 (synthetic)",
            "effective": "2025-09-01",
            "recipients": ["DHS"],
            "purposes": [NEW],
            "categories": ["address", "phones"],
        }
    )
    path = folder / "reference-onward.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_policy_with_notices() -> None:
    document = yaml.safe_load(REFERENCE.read_text())
    document["routine_uses"][1]["purposes"].append(NEW)
    agreement = parse_agreement(yaml.safe_dump(document), source="test")
    assert onward_disclosable(agreement, DAY, NEW, {}) == frozenset()
    codes = {r.code for r in onward_refusals(agreement, "address", DAY, NEW, {})}
    assert codes == {RefusalCode.PURPOSE_NOT_AGREED}
    pending = {NEW: NoticeStatus.PENDING}
    codes = {r.code for r in onward_refusals(agreement, "address", DAY, NEW, pending)}
    assert codes == {RefusalCode.ONWARD_USE_PENDING}
    denied = {NEW: NoticeStatus.DENIED}
    codes = {r.code for r in onward_refusals(agreement, "address", DAY, NEW, denied)}
    assert codes == {RefusalCode.ONWARD_USE_DENIED}
    approved = {NEW: NoticeStatus.APPROVED}
    assert onward_disclosable(agreement, DAY, NEW, approved) == onward_disclosable(
        agreement, DAY, None, {}
    )
    assert onward_refusals(agreement, "address", DAY, NEW, approved) == ()
    # an approved notice for one purpose agrees nothing for another
    assert onward_disclosable(agreement, DAY, "other-use", approved) == frozenset()


def test_notice_lifecycle_is_audited(make_env: MakeEnv, store_url: str) -> None:
    env = make_env(store_url)
    sink = MemorySink()
    notice = file_notice(
        App(env.settings, audit=sink),
        "reference-2025-08",
        NEW,
        "Refer suspected fraud",
        caller=env.recipient_po,
    )
    assert notice.status is NoticeStatus.PENDING
    assert notice_statuses(App(env.settings), "reference-2025-08") == {NEW: NoticeStatus.PENDING}
    with pytest.raises(NoticeError, match="E_NOTICE_OPEN"):
        file_notice(
            App(env.settings, audit=sink),
            "reference-2025-08",
            NEW,
            "again",
            caller=env.recipient_po,
        )
    with pytest.raises(NoticeError, match="E_NOTICE_INVALID"):
        file_notice(
            App(env.settings, audit=sink),
            "reference-2025-08",
            "locate-and-verify-identity",
            "own purpose",
            caller=env.recipient_po,
        )
    denied = decide_notice(App(env.settings, audit=sink), notice.id, approve=False, caller=env.po)
    assert denied.status is NoticeStatus.DENIED
    with pytest.raises(NoticeError, match="E_NOTICE_DECIDED"):
        decide_notice(App(env.settings, audit=sink), notice.id, approve=True, caller=env.po)
    second = file_notice(
        App(env.settings, audit=sink), "reference-2025-08", NEW, "Narrower", caller=env.recipient_po
    )
    decide_notice(App(env.settings, audit=sink), second.id, approve=True, caller=env.po)
    assert notice_statuses(App(env.settings), "reference-2025-08") == {NEW: NoticeStatus.APPROVED}
    assert [n.status for n in list_notices(App(env.settings), caller=env.po)] == [
        "denied",
        "approved",
    ]
    assert sink.kinds() == [
        "onward_use.filed",
        "onward_use.decided",
        "onward_use.filed",
        "onward_use.decided",
    ]
    with pytest.raises(NoticeError, match="E_NOTICE_NOT_FOUND"):
        decide_notice(App(env.settings, audit=sink), "nope", approve=True, caller=env.po)


def test_a_decision_the_audit_log_cannot_record_is_not_taken(env: Env) -> None:
    notice = file_notice(
        App(env.settings, audit=MemorySink()),
        "reference-2025-08",
        NEW,
        "Refer",
        caller=env.recipient_po,
    )
    with pytest.raises(Exception, match="E_AUDIT_UNAVAILABLE"):
        decide_notice(
            App(env.settings, audit=MemorySink(fail_at=1)),
            notice.id,
            approve=True,
            caller=env.po,
        )
    assert notice_statuses(App(env.settings), "reference-2025-08") == {NEW: NoticeStatus.PENDING}


def test_submissions_for_the_new_purpose(make_env: MakeEnv) -> None:
    env = make_env(None)
    env.add(_agreement_with_new_use(env.tmp))
    matcher = ScriptedMatcher({"R1": ("match", "P1")})
    source = env.tmp / "requests.csv"
    source.write_text(REQUESTS)

    def submit() -> SubmitResult:
        return env.submit(source, "reference-onward", purpose=NEW, matcher=matcher)

    first = submit()
    assert (first.status, first.code) == (SubmissionStatus.REJECTED, "R_PURPOSE_NOT_AGREED")
    notice = file_notice(
        App(env.settings, audit=env.sink),
        "reference-onward",
        NEW,
        "Refer fraud",
        caller=env.recipient_po,
    )
    assert submit().code == "R_ONWARD_USE_PENDING"
    decide_notice(App(env.settings, audit=env.sink), notice.id, approve=False, caller=env.po)
    assert submit().code == "R_ONWARD_USE_DENIED"
    renewed = file_notice(
        App(env.settings, audit=env.sink),
        "reference-onward",
        NEW,
        "Refer fraud, narrower",
        caller=env.recipient_po,
    )
    decide_notice(App(env.settings, audit=env.sink), renewed.id, approve=True, caller=env.po)
    result = submit()
    assert result.status is SubmissionStatus.DISCLOSED
    assert matcher.calls == 1
    assert result.package is not None
    out = env.tmp / "opened"
    open_package_file(result.package, env.keys.recipient, [env.keys.sender_pub], out)
    rows = [json.loads(x) for x in (out / "response.jsonl").read_text().splitlines()]
    assert set(rows[0]["records"]) == {"address", "phones"}
    disclosure = json.loads((out / "disclosure.json").read_text())
    assert disclosure["purpose"] == NEW
    assert disclosure["categories"]["disclosed"]["phones"]["routine_uses"] == ["RU-SYN-40"]
    events = [e for e in env.sink.events if e.kind == "disclosure.made"]
    assert {e.details["purpose"] for e in events} == {NEW}
    assert {e.details["routine_use"] for e in events} == {"RU-SYN-40"}
    # before the routine use took effect, an approved purpose still has nothing to rest on
    early = env.submit(
        source, "reference-onward", purpose=NEW, matcher=matcher, on=DAY.replace(day=1, month=8)
    )
    assert early.code == "R_NO_ROUTINE_USE_IN_FORCE"
