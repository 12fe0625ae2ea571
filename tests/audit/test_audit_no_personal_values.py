"""Acceptance (issue 6), audit side: a run with planted SSNs, A-numbers, account numbers, names
and dates of birth leaves none of them in the audit tables, the checkpoint files, the proofs,
the accounting exports or the error messages.

The run goes through the audit API as the disclosure and verification paths use it: subjects
by ``subject_key``, a request file named by its SHA-256, disclosures, a verification answer, a
withdrawal, a purge attempt, and a careless caller whose event carries an SSN (refused).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from matchgate.app.audit import AuditConfig, init_audit, open_audit
from matchgate.audit import (
    AuditEvent,
    AuditEventRejected,
    Disclosure,
    SubjectKeyInputError,
    kinds,
    render_text,
)
from matchgate.services.oversight.audit_queries import accounting_for, prove_inclusion, verify_audit
from matchgate.storage import audit as store

PEOPLE = [
    {
        "ssn": "532-71-4096",
        "a_number": "A087654321",
        "account": "9876543210123",
        "first": "Quennell",
        "last": "Ozymandias-Hartwig",
        "dob": "1961-07-23",
    },
    {
        "ssn": "219-44-8127",
        "a_number": "A201987654",
        "account": "55501234567890",
        "first": "Marisol",
        "last": "Featherstonehaugh",
        "dob": "1979-12-02",
    },
]


def _forms(person: dict[str, str]) -> list[str]:
    """Every spelling of a planted value worth looking for."""
    ssn = person["ssn"]
    year, month, day = person["dob"].split("-")
    return [
        ssn,
        ssn.replace("-", ""),
        person["a_number"],
        person["a_number"][1:],
        person["account"],
        person["first"],
        person["last"],
        person["dob"],
        f"{month}/{day}/{year}",
        f"{year}{month}{day}",
    ]


PLANTED = [form for person in PEOPLE for form in _forms(person)]


def _request_file(tmp_path: Path) -> Path:
    path = tmp_path / "requests.csv"
    lines = ["request_id,first_name,last_name,ssn,a_number,dob,account"]
    for i, p in enumerate(PEOPLE):
        lines.append(
            f"r{i},{p['first']},{p['last']},{p['ssn']},{p['a_number']},{p['dob']},{p['account']}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _store_text(url: str) -> str:
    """Every value in every audit table, as text."""
    chunks = []
    with store.audit_engine(url, write=False).connect() as con:
        for table in store.TABLE_NAMES:
            for row in con.execute(text(f"SELECT * FROM {table}")):
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def _assert_clean(haystack: str, where: str) -> None:
    for value in PLANTED:
        assert value not in haystack, f"{value!r} found in {where}"
    assert not re.search(r"(?<![0-9a-f])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![0-9a-f])", haystack), where


def test_a_run_leaves_no_planted_value_on_the_audit_side(tmp_path: Path, store_url: str) -> None:
    config = AuditConfig(
        url=store_url,
        checkpoint_dir=tmp_path / "checkpoints",
        subject_key_file=tmp_path / "keys" / "subject.hmac",
        signing_key_file=tmp_path / "keys" / "checkpoint.key",
        checkpoint_every=3,
    )
    init_audit(config)
    log = open_audit(config)
    messages: list[str] = []
    request = _request_file(tmp_path)
    subjects = {p["ssn"]: log.subject_key(p["ssn"]) for p in PEOPLE}

    log.append(
        AuditEvent(
            kind=kinds.SUBMISSION_RECEIVED,
            actor="svc:intake",
            agency="DHS-USCIS",
            agreement="reference-2025-08",
            details={"file_sha256": hashlib.sha256(request.read_bytes()).hexdigest(), "rows": 2},
        )
    )
    # A careless caller: personal values in an event are refused, and not echoed.
    for careless in (
        {"note": f"row 1 ssn {PEOPLE[0]['ssn']}"},
        {"a_number": PEOPLE[1]["a_number"]},
        {"ssn": PEOPLE[0]["ssn"].replace("-", "")},
    ):
        with pytest.raises(AuditEventRejected) as caught:
            log.append(
                AuditEvent(kind=kinds.SUBMISSION_REJECTED, actor="svc:intake", details=careless)
            )
        messages.append(str(caught.value))
    with pytest.raises(SubjectKeyInputError) as bad_ssn:
        log.subject_key("000-12-3456")
    messages.append(str(bad_ssn.value))

    log.append(
        AuditEvent(kind=kinds.MATCH_RUN, actor="svc:match", details={"match": 2, "possible": 0})
    )
    package = Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient="DHS-USCIS",
        purpose="benefit-eligibility",
        routine_uses=("RU-31",),
        package_id="7f3c2a9e-1b4d-4c8e-9a6f-0d2e5b7c1a93",
    )
    log.release_after_audit(
        package.events({subjects[p["ssn"]]: ["identity", "banking"] for p in PEOPLE}), lambda: None
    )
    answer = Disclosure(
        actor="svc:verify",
        agreement="save-verification",
        recipient="DHS-USCIS",
        purpose="status-check",
        routine_uses=("RU-12",),
        answer_id="ans-000017",
    )
    log.release_after_audit(
        answer.event(["citizenship"], [subjects[PEOPLE[1]["ssn"]]]), lambda: "yes"
    )
    log.withdraw(PEOPLE[0]["ssn"], "wrong_match", actor="po:lee", package_id=package.package_id)
    log.checkpoint()

    assert verify_audit(config).ok
    exports = []
    for p in PEOPLE:
        accounting = accounting_for(config, p["ssn"])
        assert accounting.lines
        exports.append(json.dumps(accounting.to_json(generated_at="2025-01-01T00:00:00.000000Z")))
        exports.append(
            render_text(
                accounting.for_person(), generated_at="2025-01-01T00:00:00.000000Z", title="t"
            )
        )
    proofs = [json.dumps(prove_inclusion(config, seq).to_json()) for seq in range(4)]

    _assert_clean(_store_text(store_url), "the audit tables")
    _assert_clean(config.checkpoint_file.read_text(), "the checkpoint file")
    _assert_clean("\n".join(exports), "the accounting exports")
    _assert_clean("\n".join(proofs), "the proofs")
    _assert_clean("\n".join(messages), "the error messages")
    if store_url.startswith("sqlite"):
        database = Path(store_url.removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):  # the file, its WAL and shm
            _assert_clean(path.read_bytes().decode("latin-1"), path.name)
    for path in config.checkpoint_dir.rglob("*"):
        if path.is_file():
            _assert_clean(path.read_bytes().decode("latin-1"), path.name)
    # The planted values were really there to find.
    assert PEOPLE[0]["last"] in request.read_text()
