"""A submission's files at rest: sealed under the data key ring, opened only while used.

``WORKSPACE/submissions/JOB/`` holds, sealed (``storage.atrest.files``, AAD context
``submission/JOB/ROLE``):

* ``request.EXT.mgr`` (role ``request``): the original as received; its SHA-256 is computed over
  the received bytes while it is sealed and recorded with the submission;
* ``match.parquet.mgr`` (role ``match``): the match output (request ids, decisions, person ids,
  scores, reasons).

The pipeline's readers (DuckDB, pyarrow) need a path, so a plaintext copy is made in an
owner-only ``work-*`` folder inside the submission folder for the length of one run and removed
afterwards, whatever happens; ``matchgate retention run`` also removes any a crash left behind.
The review queue of withheld ``possible`` rows (``storage.review``) is filled here too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import secrets
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pyarrow as pa

from matchgate.domain.review import NewItem
from matchgate.settings import Settings
from matchgate.standardize.identifiers import format_ssn
from matchgate.storage import review
from matchgate.storage.atrest import SUFFIX, DataKeyRing, open_to_file, seal_file, seal_stream
from matchgate.storage.db import session

REQUEST_ROLE = "request"
MATCH_ROLE = "match"
WORK_PREFIX = "work-"


def file_context(job_id: str, role: str) -> str:
    """The AAD context binding a sealed file to its job and role."""
    return f"submission/{job_id}/{role}"


def store_original(
    ring: DataKeyRing, source: Path, folder: Path, job_id: str, suffix: str
) -> tuple[Path, str]:
    """Seal ``source`` into a new owner-only ``folder`` as ``request{suffix}.mgr`` (read-only);
    the SHA-256 of the bytes received."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=False)
    target = folder / f"request{suffix}{SUFFIX}"
    with source.open("rb") as reader:
        sealed = seal_stream(ring, reader, target, context=file_context(job_id, REQUEST_ROLE))
    return target, sealed.sha256


@contextlib.contextmanager
def work_folder(folder: Path) -> Iterator[Path]:
    """An owner-only folder for plaintext working copies, removed when the block ends."""
    work = folder / f"{WORK_PREFIX}{secrets.token_hex(8)}"
    work.mkdir(mode=0o700)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def open_sealed(ring: DataKeyRing, sealed: Path, work: Path, job_id: str, role: str) -> Path:
    """Decrypt ``sealed`` into ``work`` under its plain name; the plaintext path."""
    target = work / sealed.name.removesuffix(SUFFIX)
    open_to_file(ring, sealed, target, context=file_context(job_id, role))
    return target


def seal_working_file(ring: DataKeyRing, plain: Path, folder: Path, job_id: str, role: str) -> Path:
    """Seal ``plain`` into ``folder`` as ``NAME.mgr`` and delete the plaintext."""
    target = folder / f"{plain.name}{SUFFIX}"
    seal_file(ring, plain, target, context=file_context(job_id, role))
    plain.unlink()
    return target


def seal_leftovers(ring: DataKeyRing, settings: Settings) -> int:
    """Seal plaintext originals and match outputs kept by a version before encryption at rest
    (``request.EXT``, ``match.parquet``); how many were sealed."""
    root = settings.workspace / "submissions"
    sealed = 0
    for folder in sorted(root.glob("*")) if root.is_dir() else []:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.endswith(SUFFIX) or path.name.startswith("."):
                continue
            role = (
                REQUEST_ROLE
                if path.name.startswith("request")
                else MATCH_ROLE
                if path.name == "match.parquet"
                else None
            )
            if role is not None:
                seal_working_file(ring, path, folder, folder.name, role)
                sealed += 1
    return sealed


@contextlib.contextmanager
def maintenance_lock(settings: Settings) -> Iterator[None]:
    """One maintenance pass over the kept files at a time (re-encryption, retention): a rewrap
    racing a purge could otherwise put back a file the purge had just deleted."""
    settings.workspace.mkdir(parents=True, exist_ok=True)
    with (settings.workspace / ".maintenance.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _a_number(value: object) -> str | None:
    return None if value is None else f"A{int(str(value)):09d}"


def queue_possible(
    settings: Settings,
    ring: DataKeyRing,
    *,
    job_id: str,
    agreement_id: str,
    table: pa.Table,
    matches: Mapping[str, Sequence[object]],
) -> int:
    """Queue each ``possible`` row (without a row error) for review; how many were queued."""
    decisions = matches.get("decision", [])
    errors = table["error_code"].to_pylist()
    ssns = table["ssn"].to_pylist() if "ssn" in table.column_names else [None] * len(errors)
    a_numbers = (
        table["a_number"].to_pylist() if "a_number" in table.column_names else [None] * len(errors)
    )
    items: list[NewItem] = []
    for index, request_id in enumerate(table["request_id"].to_pylist()):
        if str(decisions[index]) != "possible" or errors[index]:
            continue
        score = matches.get("score", [None] * len(errors))[index]
        person = matches.get("person_id", [None] * len(errors))[index]
        ssn = ssns[index]
        items.append(
            NewItem(
                id=uuid.uuid4().hex,
                job_id=job_id,
                agreement_id=agreement_id,
                request_id=str(request_id),
                person_id=str(person) if person else None,
                score=None if score is None else float(str(score)),
                ssn=None if ssn is None else format_ssn(int(str(ssn))),
                a_number=_a_number(a_numbers[index]),
            )
        )
    if not items:
        return 0
    settings.workspace.mkdir(parents=True, exist_ok=True)
    with session(settings.sqlite_url) as s:
        return review.add_items(s, ring, items, dt.datetime.now(dt.UTC))
