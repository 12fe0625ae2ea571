"""Use case: disclose a processed submission's answers as a sealed, audited package.

Order of work (DESIGN, principles 2 and 3):

1. governance decides, for the agreement, the day, the recipient and the purpose (with its
   onward-use notices), which categories are disclosable, which routine uses they rest on, and why
   every other category is refused;
2. only the master rows of matched people (and, for a fixed-width file, of the claimed SSNs) and
   only the detail tables of disclosable categories are read;
3. the response (``response.jsonl``), the summary (``disclosure.json``) and, for a fixed-width
   file whose answers may be disclosed (``identity``), the return file (``return.txt``) are
   written to an owner-only staging folder and sealed to the recipient, signed by the sender;
4. the disclosure is audited (one ``disclosure.made`` event per set of categories actually
   disclosed, naming each person by a keyed HMAC, and one ``package.released``), and only then is
   the package moved to the outbox; the plaintext staging folder is removed either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchgate.app.core import App
from matchgate.audit import release_after_audit
from matchgate.disclosure import ManifestInfo, PrivateKey, PublicKey, seal
from matchgate.disclosure.response import (
    CATEGORY_TABLES,
    RESPONSE_FILE,
    RETURN_FILE,
    SUMMARY_FILE,
    Answer,
    DisclosureSummary,
    response_record,
    write_jsonl,
)
from matchgate.disclosure.ssnvs import write_return_file
from matchgate.domain.audit import AuditEvent, AuditSink
from matchgate.domain.events import DisclosureMade, PackageReleased
from matchgate.governance import Agreement, Policy
from matchgate.intake.codes import WARNING_SEPARATOR
from matchgate.intake.ssnvs import SSN, SubmissionRecord
from matchgate.intake.submission import Submission
from matchgate.master.details import detail_file, detail_rows
from matchgate.master.verification import LOCATED, Verification
from matchgate.services.disclosure.ssnvs import (
    People,
    confirmation_number,
    lookup_engine,
    lookup_people,
    return_records,
    verifications,
    wanted_people,
)
from matchgate.standardize.identifiers import ssn_is_issuable

DISCLOSURE_MADE = DisclosureMade.kind
PACKAGE_RELEASED = PackageReleased.kind
RULES_VERSION = "minimize-1"
"""Version of the minimization rules in :mod:`matchgate.disclosure.response`."""

SubjectKey = Callable[[str], str]
"""SSN (9 digits) -> keyed HMAC naming the person in the audit log."""


@dataclass(frozen=True)
class Keys:
    """The host's signing key and the recipient agency's registered key (and its id)."""

    sender: PrivateKey
    recipient: PublicKey
    recipient_key_id: str


@dataclass(frozen=True)
class Outcome:
    """What was released: the package and what it holds."""

    package: Path
    package_id: str
    package_sha256: str
    counts: dict[str, int]
    categories: tuple[str, ...]
    people: int
    files: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DisclosureJob:
    """Everything a disclosure needs, as plain values and paths."""

    job_id: str
    agreement: Agreement
    day: dt.date
    purpose: str
    policy: Policy
    submission: Submission
    matches: Mapping[str, Sequence[object]]
    master: Path
    master_snapshot: str
    master_as_of: str
    model_version: str
    actor: str


def _answers(job: DisclosureJob) -> list[Answer]:
    table = job.submission.table
    errors = table["error_code"].to_pylist()
    warnings = table["warning_codes"].to_pylist()
    m = job.matches
    out: list[Answer] = []
    for index, request_id in enumerate(table["request_id"].to_pylist()):
        if str(m["request_id"][index]) != request_id:
            raise ValueError("the match output's rows are not the submission's rows in order")
        decision = str(m["decision"][index])
        if errors[index]:
            decision = "no_match"  # an unusable row is never answered with records
        out.append(
            Answer(
                request_id=request_id,
                decision=decision,
                score=float(str(m["score"][index] or 0)),
                reasons=str(m["reasons"][index] or "") if "reasons" in m else "",
                person_id=str(m["person_id"][index] or ""),
                error_code=str(errors[index] or ""),
                warning_codes=tuple(c for c in warnings[index].split(WARNING_SEPARATOR) if c),
            )
        )
    return out


def _details(
    job: DisclosureJob, engine_people: Sequence[str], app: App
) -> dict[str, dict[str, list[dict[str, str]]]]:
    """person_id -> detail table -> rows, for the tables of disclosable categories only."""
    by_person: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(dict)
    tables = sorted({CATEGORY_TABLES[c] for c in job.policy.disclosable if c in CATEGORY_TABLES})
    folder = job.master.parent
    with lookup_engine(app) as engine:
        for table in tables:
            path = detail_file(folder, table)
            if path is None:
                continue
            for pid in engine_people:
                by_person[pid].setdefault(table, [])
            for row in detail_rows(engine, path, table, engine_people).to_pylist():
                by_person[row["person_id"]].setdefault(table, []).append(row)
    return by_person


def _group_subjects(
    categories_by_person: Mapping[str, frozenset[str]],
    ssn_of: Mapping[str, str],
    subject: SubjectKey,
) -> tuple[dict[frozenset[str], list[str]], int]:
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    unkeyed = 0
    for pid, categories in categories_by_person.items():
        if not categories:
            continue
        ssn = ssn_of.get(pid, "")
        if len(ssn) != 9 or not ssn.isdigit() or not ssn_is_issuable(ssn):
            unkeyed += 1  # the subject key is an HMAC of a valid SSN; counted, not named
            continue
        groups[categories].append(subject(ssn))
    return groups, unkeyed


def _events(
    job: DisclosureJob,
    package_id: str,
    groups: Mapping[frozenset[str], list[str]],
    unkeyed: int,
    counts: Mapping[str, int],
    recipient_key_id: str,
) -> list[AuditEvent]:
    agreement = job.agreement
    events: list[AuditEvent] = []
    for categories, subjects in sorted(groups.items(), key=lambda g: sorted(g[0])):
        uses = sorted({u for c in categories for u in job.policy.relied_on.get(c, ())})
        events.append(
            DisclosureMade(
                actor=job.actor,
                agency=agreement.recipient,
                agreement=agreement.id,
                subjects=tuple(sorted(set(subjects))),
                recipient=agreement.recipient,
                categories=",".join(sorted(categories)),
                purpose=job.purpose,
                routine_use=",".join(uses),
                package_id=package_id,
                agreement_version=agreement.version,
                legal_authority=_ascii("; ".join(agreement.legal_authorities)),
                job_id=job.job_id,
                recipient_key_id=recipient_key_id,
            ).audit_event()
        )
    events.append(
        PackageReleased(
            actor=job.actor,
            agency=agreement.recipient,
            agreement=agreement.id,
            package_id=package_id,
            job_id=job.job_id,
            agreement_version=agreement.version,
            unkeyed_people=unkeyed,
            rows=counts,
            recipient_key_id=recipient_key_id,
            master_snapshot=job.master_snapshot,
        ).audit_event()
    )
    return events


def _verified_people(
    records: Sequence[SubmissionRecord],
    answers: Sequence[Verification],
    people: People,
    disclosed: dict[str, set[str]],
    ssn_of: dict[str, str],
) -> None:
    """Add ``identity`` for each person a return record tells about: the holder of the claimed
    SSN (codes blank, 3 and 5 say how the claim compares with that record) and a located person."""
    by_ssn = {row["ssn"]: row for row in (*people.by_ssn.values(), *people.by_id.values())}
    for record, answer in zip(records, answers, strict=True):
        if answer.code in (" ", "3", "5"):
            ssn = record.field(SSN).strip()
        elif answer.code == LOCATED:
            ssn = answer.located_ssn
        else:
            continue
        row = by_ssn.get(ssn)
        if row is not None:
            disclosed[row["person_id"]].add("identity")
            ssn_of.setdefault(row["person_id"], ssn)


def _ascii(text: str) -> str | None:
    """``text`` when the audit log can hold it (printable ASCII, bounded), else None."""
    return text if text.isascii() and text.isprintable() and len(text) <= 4000 else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _release(sealed: Path, target: Path) -> None:
    """Move the sealed package into the outbox (never replacing a file there)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise FileExistsError(str(target))
    try:
        os.link(sealed, target)
    except OSError:
        shutil.copyfile(sealed, target)
    sealed.unlink()


def disclose(
    app: App,
    job: DisclosureJob,
    *,
    staging: Path,
    out_dir: Path,
    keys: Keys,
    subject: SubjectKey,
) -> Outcome:
    """Build, seal, audit (``app.audit``) and release the package for ``job`` (see the module
    docstring)."""
    audit = app.audit
    answers = _answers(job)
    counts = dict(Counter(a.decision for a in answers))
    counts = {d: counts.get(d, 0) for d in ("match", "possible", "no_match")}
    matched_ids = sorted({a.person_id for a in answers if a.decision == "match" and a.person_id})
    fixed = job.submission.inspected.ssnvs
    with_return = fixed is not None and "identity" in job.policy.disclosable
    ssns: list[str] = []
    if with_return and fixed is not None:
        ssns, _ = wanted_people(fixed.records, job.matches)
    with lookup_engine(app) as engine:
        people = lookup_people(engine, job.master, ssns=ssns, person_ids=matched_ids)
    details = _details(job, matched_ids, app) if matched_ids else {}
    staging.mkdir(mode=0o700, parents=True, exist_ok=False)
    try:
        return _build_and_release(
            job, answers, counts, people, details, with_return, staging, out_dir, keys, audit,
            subject,
        )  # fmt: skip
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build_and_release(
    job: DisclosureJob,
    answers: Sequence[Answer],
    counts: Mapping[str, int],
    people: People,
    details: Mapping[str, Mapping[str, list[dict[str, str]]]],
    with_return: bool,
    staging: Path,
    out_dir: Path,
    keys: Keys,
    audit: AuditSink,
    subject: SubjectKey,
) -> Outcome:
    disclosed: dict[str, set[str]] = defaultdict(set)

    def records() -> Iterator[dict[str, Any]]:
        for answer in answers:
            master = people.by_id.get(answer.person_id) if answer.decision == "match" else None
            record = response_record(
                answer,
                disclosable=job.policy.disclosable,
                master=master,
                details=details.get(answer.person_id, {}),
                snapshot_date=job.master_as_of,
            )
            if "records" in record:
                disclosed[answer.person_id].update(c for c, v in record["records"].items() if v)
            yield record

    files = [RESPONSE_FILE]
    write_jsonl(records(), staging / RESPONSE_FILE)
    notes: list[str] = []
    ssn_of = {pid: row["ssn"] for pid, row in people.by_id.items()}
    fixed = job.submission.inspected.ssnvs
    if fixed is not None and with_return:
        answers_fw = verifications(fixed.records, job.matches, people)
        confirmation = confirmation_number(job.job_id)
        write_return_file(
            return_records(fixed.records, answers_fw, confirmation), staging / RETURN_FILE
        )
        files.append(RETURN_FILE)
        _verified_people(fixed.records, answers_fw, people, disclosed, ssn_of)
    elif fixed is not None:
        notes.append(
            "no return file: the verification codes disclose identity, which may not be "
            "disclosed under this agreement that day"
        )
    agreement = job.agreement
    summary = DisclosureSummary(
        job_id=job.job_id,
        agreement_id=agreement.id,
        agreement_version=agreement.version,
        disclosed_on=job.day.isoformat(),
        disclosing=agreement.parties.disclosing.code,
        recipient=agreement.recipient,
        purpose=job.purpose,
        marking=agreement.protective_marking,
        disclosed=job.policy.relied_on,
        refused=job.policy.refused,
        counts=counts,
        files=files,
        notes=notes,
    )
    summary.write(staging / SUMMARY_FILE)
    files.append(SUMMARY_FILE)
    info = ManifestInfo(
        job_id=job.job_id,
        agreement_id=agreement.id,
        agreement_version=str(agreement.version),
        master_snapshot_id=job.master_snapshot,
        model_version=job.model_version,
        policy_version=f"{RULES_VERSION}/{agreement.id}@{agreement.version}/{job.day.isoformat()}",
        counts=dict(counts),
    )
    sealed = staging / "package.mgp"
    manifest = seal(
        sealed,
        {name: staging / name for name in files},
        info,
        sender_key=keys.sender,
        recipient_public_key=keys.recipient,
        marking=agreement.protective_marking,
    )
    frozen = {pid: frozenset(c) for pid, c in disclosed.items()}
    groups, unkeyed = _group_subjects(frozen, ssn_of, subject)
    if manifest.recipient_key_id != keys.recipient_key_id:  # the registry's id is the key's own
        raise ValueError("the package was not sealed to the registered recipient key")
    events = _events(job, manifest.package_id, groups, unkeyed, counts, keys.recipient_key_id)
    target = out_dir / f"{manifest.package_id}.mgp"
    digest = _sha256(sealed)
    release_after_audit(audit, events, lambda: _release(sealed, target))
    categories = tuple(sorted({c for cs in frozen.values() for c in cs}))
    return Outcome(
        package=target,
        package_id=manifest.package_id,
        package_sha256=digest,
        counts=dict(counts),
        categories=categories,
        people=len([p for p, c in frozen.items() if c]),
        files=tuple(files),
        notes=tuple(notes),
    )
