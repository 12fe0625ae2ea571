"""Acceptance (issue 6): the accounting for a person matches, disclosure by disclosure, what the
packages actually held.

Real packages are sealed (``services.disclosure.packages``) into a staging folder, audited with
their
package ids, and released (moved to the outbox) through ``release_after_audit``; one release
fails. Then every package in the outbox is opened with the recipient's key, and for every person
the (package, categories) pairs the packages hold are compared with the accounting's lines.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from pathlib import Path

import pytest

from matchgate.app.audit import AuditConfig, AuditLog, init_audit, open_audit
from matchgate.audit import Disclosure
from matchgate.disclosure import ManifestInfo
from matchgate.services.disclosure.packages import make_keys, open_package_file, seal_files
from matchgate.services.oversight.audit_queries import accounting_for

COLUMNS = {
    "identity": ("first_name", "last_name", "dob"),
    "address": ("address_line",),
    "citizenship": ("citizenship",),
}
ALL_COLUMNS = ["request_id", "ssn", *(c for cols in COLUMNS.values() for c in cols)]
RECIPIENTS = ["DHS-USCIS", "VA", "FBI"]


def _people(rng: random.Random, n: int) -> list[dict[str, str]]:
    people = []
    for i in range(n):
        people.append(
            {
                "ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
                "first_name": rng.choice(["Ana", "Bo", "Chen", "Dara"]),
                "last_name": f"Synth{i}",
                "dob": f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "address_line": "" if rng.random() < 0.3 else f"{rng.randint(1, 999)} Elm St",
                "citizenship": rng.choice(["citizen", "lpr", ""]),
            }
        )
    return people


def _row(
    person: dict[str, str], allowed: set[str], request_id: str
) -> tuple[dict[str, str], set[str]]:
    """The response row for ``person`` and the categories it actually holds."""
    row = {"request_id": request_id, "ssn": person["ssn"]}
    held = set()
    for category, columns in COLUMNS.items():
        if category in allowed and all(person[c] for c in columns):
            row.update({c: person[c] for c in columns})
            held.add(category)
    return row, held


def _categories_in(row: dict[str, str]) -> frozenset[str]:
    return frozenset(cat for cat, cols in COLUMNS.items() if all(row.get(c) for c in cols))


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    config = AuditConfig(
        url=f"sqlite:///{tmp_path / 'audit.sqlite'}",
        checkpoint_dir=tmp_path / "checkpoints",
        subject_key_file=tmp_path / "keys" / "subject.hmac",
        signing_key_file=tmp_path / "keys" / "checkpoint.key",
        checkpoint_every=8,
    )
    init_audit(config)
    return open_audit(config)


def test_accounting_matches_the_packages_disclosure_by_disclosure(
    log: AuditLog, tmp_path: Path
) -> None:
    rng = random.Random(61)
    keys = tmp_path / "pkgkeys"
    keys.mkdir()
    sender = make_keys(keys, "ssa")
    recipient_keys = {r: make_keys(keys, r.lower()) for r in RECIPIENTS}
    staging, outbox = tmp_path / "staging", tmp_path / "outbox"
    staging.mkdir()
    outbox.mkdir()
    people = _people(rng, 30)
    sent_to: dict[str, str] = {}
    failed_package = ""

    for number in range(8):
        recipient = RECIPIENTS[number % 3]
        allowed = set(rng.sample(sorted(COLUMNS), rng.randint(1, 3))) | {"identity"}
        chosen = rng.sample(people, rng.randint(3, 12))
        rows, held = [], {}
        for i, person in enumerate(chosen):
            row, categories = _row(person, allowed, f"r{number}-{i}")
            rows.append(row)
            held[log.subject_key(person["ssn"])] = categories
        data = staging / f"response-{number}.csv"
        with data.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=ALL_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        staged = staging / f"package-{number}.mgp"
        sealed = seal_files(
            [data],
            staged,
            info=ManifestInfo(
                job_id=f"job-{number}",
                agreement_id="reference-2025-08",
                agreement_version="1",
                master_snapshot_id="snap-1",
                model_version="m1",
                policy_version="p1",
                counts={"match": len(rows)},
            ),
            sender_key=sender.private_key,
            recipient_public_key=recipient_keys[recipient].public_key,
            marking="CUI//SP-PRVCY",
        )
        data.unlink()
        events = Disclosure(
            actor="svc:disclose",
            agreement="reference-2025-08",
            recipient=recipient,
            purpose="benefit-eligibility",
            routine_uses=("RU-31",),
            package_id=sealed.manifest.package_id,
            law_enforcement=recipient == "FBI",
            recipient_key_id=sealed.manifest.recipient_key_id,
        ).events(held)
        target = outbox / staged.name if number != 5 else tmp_path / "missing" / staged.name
        try:
            log.release_after_audit(
                events, lambda staged=staged, target=target: staged.rename(target)
            )
            sent_to[staged.name] = recipient
        except FileNotFoundError:
            assert number == 5  # the one release that fails: the package never left staging
            failed_package = sealed.manifest.package_id

    # What the packages in the outbox actually hold, per person.
    delivered: dict[str, set[tuple[str, frozenset[str]]]] = defaultdict(set)
    sealed_to: dict[str, str] = {}
    assert sorted(p.name for p in outbox.iterdir()) == sorted(sent_to)
    assert len(sent_to) == 7
    for name, recipient in sent_to.items():
        opened = open_package_file(
            outbox / name,
            recipient_keys[recipient].private_key,
            [sender.public_key],
            tmp_path / "opened" / name,
        )
        with next(iter(opened.paths.values())).open(newline="") as handle:
            for row in csv.DictReader(handle):
                delivered[row["ssn"]].add((opened.manifest.package_id, _categories_in(row)))
        sealed_to[opened.manifest.package_id] = opened.manifest.recipient_key_id
        assert opened.manifest.recipient_key_id == recipient_keys[recipient].key_id

    for person in people:
        accounting = log.accounting(person["ssn"])
        released = {(x.reference, frozenset(x.categories)) for x in accounting.lines if x.released}
        assert released == delivered.get(person["ssn"], set()), person["last_name"]
        for line in accounting.lines:  # each line names the key its package was sealed to
            if line.released:
                assert line.recipient_key_id == sealed_to[line.reference]
        assert {x.reference for x in accounting.lines if not x.released} <= {failed_package}
        shown = accounting.for_person().lines
        assert {x.recipient for x in shown} <= {"DHS-USCIS", "VA"}
        assert len(shown) == sum(1 for x in accounting.lines if x.recipient != "FBI")
    unreleased = [x for p in people for x in log.accounting(p["ssn"]).lines if not x.released]
    assert unreleased
    assert {x.reference for x in unreleased} == {failed_package}
    assert verify_ok(log)


def verify_ok(log: AuditLog) -> bool:
    from matchgate.services.oversight.audit_queries import verify_audit

    return verify_audit(log.config).ok


def test_accounting_for_is_the_same_from_the_service(log: AuditLog) -> None:
    event = Disclosure(
        actor="svc",
        agreement="a-1",
        recipient="VA",
        purpose="p",
        routine_uses=("RU-1",),
        package_id="x",
    ).event(["identity"], [log.subject_key("123-45-6789")])
    log.append(event)
    assert accounting_for(log.config, "123456789") == log.accounting("123-45-6789")
