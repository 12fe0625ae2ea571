"""The per-agency inbox and outbox: a file with its envelope goes through ``submit``; its
package and a receipt land in the agency's outbox; the envelope's token authenticates the
sender, who must be of the inbox's agency; nothing of the file or the token stays behind."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tests.submit.conftest import Env
from tests.submit.helpers import PERSONAL, REQUESTS, ScriptedMatcher, subject

from matchgate.app.core import App
from matchgate.services.submission.exchange import process_inboxes
from matchgate.services.submission.records import get_submission


def _drop(env: Env, agency: str, name: str, token: str, **changes: Any) -> Path:
    inbox = env.settings.workspace / "exchange" / agency / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    request = inbox / f"{name}.csv"
    request.write_text(REQUESTS, encoding="utf-8")
    envelope = {
        "file": request.name,
        "agreement": "reference-2025-08",
        "sha256": hashlib.sha256(request.read_bytes()).hexdigest(),
        "token": token,
        **changes,
    }
    (inbox / f"{name}.envelope.json").write_text(json.dumps(envelope), encoding="utf-8")
    return inbox


def _process(env: Env) -> list[Any]:
    return process_inboxes(
        App(env.settings, audit=env.sink),
        subject=subject,
        matcher=ScriptedMatcher({"R1": ("match", "P1")}),
    )


def test_a_file_in_the_inbox_is_submitted_and_its_package_lands_in_the_outbox(env: Env) -> None:
    token = env.accounts.tokens["dhs-submitter"]
    inbox = _drop(env, "DHS", "2025-09", token)
    (done,) = _process(env)
    assert (done.agency, done.status) == ("DHS", "disclosed")
    assert done.job_id is not None
    assert list(inbox.iterdir()) == []  # neither the file nor the token stays
    outbox = inbox.parent / "outbox"
    assert sorted(p.name for p in outbox.iterdir()) == sorted(
        [f"{done.package_id}.mgp", "2025-09.receipt.json"]
    )
    receipt = json.loads((outbox / "2025-09.receipt.json").read_text())
    assert receipt["job_id"] == done.job_id
    assert receipt["status"] == "disclosed"
    stored = get_submission(App(env.settings), done.job_id, caller=env.submitter)
    assert stored.master_snapshot_id == env.snapshot
    everything = b"".join(p.read_bytes() for p in outbox.glob("*.json"))
    for value in (*PERSONAL, token):
        assert value.encode() not in everything


def test_a_token_of_another_agency_is_refused_and_audited(env: Env) -> None:
    uscis = env.accounts.user("uscis-submitter", "DHS-USCIS", "submitter")
    inbox = _drop(env, "DHS", "wrong", env.accounts.tokens["uscis-submitter"])
    (done,) = _process(env)
    assert (done.status, done.code, done.job_id) == ("refused", "E_ACCESS_DENIED", None)
    assert list(inbox.iterdir()) == []
    denied = [e for e in env.sink.events if e.kind == "access.denied"]
    assert [(e.details["user_id"], e.details["reason"]) for e in denied] == [
        (uscis.user_id, "wrong_inbox")
    ]
    assert not any(e.kind.startswith("submission.") for e in env.sink.events)


def test_an_envelope_that_does_not_match_its_file_or_names_a_key_is_refused(env: Env) -> None:
    token = env.accounts.tokens["dhs-submitter"]
    _drop(env, "DHS", "a-tampered", token, sha256="0" * 64)
    _drop(env, "DHS", "b-with-key", token, recipient_key="dhs.pub")
    _drop(env, "DHS", "c-no-token", "mgt_0123456789abcdef_nothing")
    results = _process(env)
    assert [(d.envelope, d.status, d.code) for d in results] == [
        ("a-tampered.envelope.json", "refused", "E_ENVELOPE"),
        ("b-with-key.envelope.json", "refused", "E_ENVELOPE"),
        ("c-no-token.envelope.json", "refused", "E_ACCESS_DENIED"),
    ]
    assert not any(e.kind.startswith("submission.") for e in env.sink.events)
    inbox = env.settings.workspace / "exchange" / "DHS" / "inbox"
    assert sorted(p.name for p in inbox.iterdir()) == ["b-with-key.csv"]  # its envelope unread
