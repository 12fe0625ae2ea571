"""Answer a fixed-width (SSNVS/EVS) request file with fixed-width return records.

``match_ssnvs_file`` is ``matchgate match ... --format ssnvs``: it runs the ordinary match
(:func:`matchgate.services.master.match.match_files`, which reads fixed-width files through intake),
then turns each row into a return record (data contract, section 4). Submissions under an
agreement use :func:`answer_records` the same way, inside a package.

Verification codes come from the match output's ``ssa_code`` and ``located_ssn`` columns when the
matcher provides them; until it does, :func:`fallback_verifications` computes them from the match
decision and the master records (:mod:`matchgate.master.verification`). A record whose fixed
parts are wrong is answered ``6`` either way.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from matchgate.app.core import App
from matchgate.app.jobs import file_digest, tracked_job
from matchgate.atomic import atomic_path
from matchgate.disclosure.ssnvs import WRITTEN_CODES, ReturnRecord, write_return_file
from matchgate.domain.errors import InputError
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine, EngineError
from matchgate.engines.factory import EngineFactory
from matchgate.intake import Code, inspect_master, master_input_error
from matchgate.intake.ssnvs import (
    DOB,
    FIRST_NAME,
    LAST_NAME,
    MIDDLE_NAME,
    MULTIPLE_REQUEST,
    REQUESTER_ID,
    SSN,
    USER_CONTROL,
    SubmissionRecord,
    is_ssnvs_file,
    iso_dob,
    read_ssnvs,
)
from matchgate.master.lookup import master_rows, rows_by
from matchgate.master.verification import (
    LOCATED,
    NOT_VERIFIED,
    VERIFIED,
    Claim,
    Holder,
    Verification,
    verify,
)
from matchgate.services.master import match_files

MatchRows = Mapping[str, Sequence[object]]
MATCHER_CODES = {"blank": VERIFIED, "": NOT_VERIFIED}
"""The match output spells the blank code ``blank``, and leaves a row without an SSN empty (in
a fixed-width file that is a record that cannot be verified: code 6)."""


def confirmation_number(job_id: str) -> str:
    """The 16-character confirmation number of a job's return file: its id's first 16 digits."""
    return job_id.replace("-", "")[:16].upper()


def _claim(record: SubmissionRecord) -> Claim:
    return Claim(
        ssn=record.field(SSN).strip(),
        first_name=record.field(FIRST_NAME).strip(),
        last_name=record.field(LAST_NAME).strip(),
        dob=iso_dob(record.field(DOB)),
        usable=record.layout_ok,
    )


def _holder(row: Mapping[str, str] | None) -> Holder | None:
    if row is None:
        return None
    return Holder(
        ssn=row["ssn"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        dob=row["dob"],
        death_date=row["death_date"],
    )


@dataclass(frozen=True)
class People:
    """Master rows needed to answer: by SSN (claimed SSNs) and by person_id (matched people)."""

    by_ssn: dict[str, dict[str, str]]
    by_id: dict[str, dict[str, str]]


def lookup_people(
    engine: Engine, master: Path, *, ssns: Sequence[str], person_ids: Sequence[str]
) -> People:
    """Read the master rows of ``ssns`` and ``person_ids`` (one scan of the master)."""
    source = inspect_master(engine, master)
    try:
        table = master_rows(
            engine, source.relation, source.columns, person_ids=person_ids, ssns=ssns
        )
    except EngineError as exc:
        raise master_input_error(master, exc) from None
    return People(by_ssn=rows_by(table, "ssn"), by_id=rows_by(table, "person_id"))


def fallback_verifications(
    records: Sequence[SubmissionRecord], matches: MatchRows, people: People
) -> list[Verification]:
    """Codes computed here from the match decision and the master records (see
    :mod:`matchgate.master.verification`), for match outputs without ``ssa_code``."""
    out: list[Verification] = []
    for index, record in enumerate(records):
        claim = _claim(record)
        located = None
        if matches["decision"][index] == "match":
            located = _holder(people.by_id.get(str(matches["person_id"][index])))
        out.append(verify(claim, _holder(people.by_ssn.get(claim.ssn)), located))
    return out


def _from_match_output(
    records: Sequence[SubmissionRecord], matches: MatchRows, people: People
) -> list[Verification]:
    located = matches.get("located_ssn") or [""] * len(records)
    out: list[Verification] = []
    for index, record in enumerate(records):
        code = MATCHER_CODES.get(
            str(matches["ssa_code"][index] or ""), str(matches["ssa_code"][index])
        )
        if not record.layout_ok or code not in WRITTEN_CODES:
            out.append(Verification(NOT_VERIFIED))
        elif code == VERIFIED:
            holder = people.by_ssn.get(record.field(SSN).strip())
            dead = bool(holder and holder["death_date"])
            out.append(Verification(VERIFIED, death_indicator="Y" if dead else "N"))
        elif code == LOCATED:
            out.append(Verification(LOCATED, located_ssn=str(located[index] or "")))
        else:
            out.append(Verification(code))
    return out


def verifications(
    records: Sequence[SubmissionRecord], matches: MatchRows, people: People
) -> list[Verification]:
    """One verification per record: the matcher's ``ssa_code`` when the output has it, else
    :func:`fallback_verifications`. ``matches`` holds the match output's columns, request order.
    """
    ids = [str(v) for v in matches["request_id"]]
    if ids != [r.request_id for r in records]:
        raise ValueError("the match output's rows are not the file's records in order")
    if "ssa_code" in matches:
        return _from_match_output(records, matches, people)
    return fallback_verifications(records, matches, people)


def wanted_people(
    records: Sequence[SubmissionRecord], matches: MatchRows
) -> tuple[list[str], list[str]]:
    """The claimed SSNs and the matched person_ids whose master rows an answer needs."""
    ssns = [r.field(SSN).strip() for r in records]
    ids = [
        str(pid)
        for decision, pid in zip(matches["decision"], matches["person_id"], strict=True)
        if decision == "match" and pid
    ]
    return ssns, ids


def return_records(
    records: Sequence[SubmissionRecord], answers: Sequence[Verification], confirmation: str
) -> Iterator[ReturnRecord]:
    """The return record of each submission record, echoing what the layout says to echo."""
    for record, answer in zip(records, answers, strict=True):
        yield ReturnRecord(
            ssn=record.field(SSN),
            last_name=record.field(LAST_NAME).rstrip(),
            first_name=record.field(FIRST_NAME).rstrip(),
            middle_name=record.field(MIDDLE_NAME).rstrip(),
            dob=record.field(DOB).rstrip(),
            confirmation=confirmation,
            user_control=record.field(USER_CONTROL).rstrip(),
            code=answer.code,
            requester_id=record.field(REQUESTER_ID).rstrip(),
            multiple_request=record.field(MULTIPLE_REQUEST).rstrip(),
            located_ssn=answer.located_ssn,
            death_indicator=answer.death_indicator,
        )


@contextlib.contextmanager
def lookup_engine(app: App) -> Iterator[Engine]:
    """The embedded engine in memory (memory-capped, spilling under the workspace) for lookups:
    one scan of the master for a request file's people needs no cluster."""
    run_dir = app.settings.workspace / "tmp" / f"lookup-{uuid.uuid4().hex[:12]}"
    engine = EngineFactory(app.settings).embedded(run_dir)
    try:
        yield engine
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def match_columns(table: pa.Table) -> dict[str, list[object]]:
    """A match output table as plain columns."""
    return {name: table[name].to_pylist() for name in table.column_names}


@dataclass(frozen=True)
class SsnvsSummary:
    """What ``match --format ssnvs`` wrote."""

    output: Path
    records: int
    codes: dict[str, int]
    decisions: dict[str, int]
    confirmation: str
    seconds: float
    source: str
    """``matcher`` when the codes came from the match output, ``fallback`` otherwise."""


def match_ssnvs_file(
    app: App,
    master: Path,
    requests: Path,
    output: Path,
    *,
    progress: Progress = NO_PROGRESS,
) -> SsnvsSummary:
    """Match a fixed-width request file and write one return record per request record."""
    started = time.perf_counter()
    if not is_ssnvs_file(requests):
        raise InputError(
            "--format ssnvs answers a fixed-width SSNVS/EVS request file (130-character records "
            "with TPV214 at positions 10-15); this file is not one",
            path=str(requests),
            code=Code.FILE_FORMAT,
        )
    if output.resolve() in (requests.resolve(), master.resolve()):
        raise InputError(
            "the output would overwrite an input file", path=str(output), code=Code.OUTPUT_IS_INPUT
        )
    fixed = read_ssnvs(requests)
    inputs = {"master": master.name, "requests": requests.name, "requests_sha256": None}
    inputs["requests_sha256"] = file_digest(requests)
    settings = app.settings
    with tracked_job(settings, "match-ssnvs", inputs) as job:
        work = settings.workspace / "tmp" / f"ssnvs-{job.id[:12]}"
        try:
            matched = work / "match.parquet"
            summary = match_files(master, requests, matched, settings=settings, progress=progress)
            matches = match_columns(pq.read_table(matched))
            ssns, ids = wanted_people(fixed.records, matches)
            progress("verify", 0, fixed.rows)
            with lookup_engine(app) as engine:
                people = lookup_people(engine, master, ssns=ssns, person_ids=ids)
            answers = verifications(fixed.records, matches, people)
            progress("verify", fixed.rows, fixed.rows)
            confirmation = confirmation_number(job.id)
            with atomic_path(output) as tmp:
                written = write_return_file(
                    return_records(fixed.records, answers, confirmation), tmp
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        codes: dict[str, int] = {}
        for answer in answers:
            codes[answer.code] = codes.get(answer.code, 0) + 1
        job.outputs["output"] = str(output)
        job.counts.update({f"code_{k.strip() or 'blank'}": v for k, v in codes.items()})
        job.counts.update(rows=written)
    return SsnvsSummary(
        output=output,
        records=written,
        codes=dict(sorted(codes.items())),
        decisions=summary.decisions,
        confirmation=confirmation,
        seconds=time.perf_counter() - started,
        source="matcher" if "ssa_code" in matches else "fallback",
    )
