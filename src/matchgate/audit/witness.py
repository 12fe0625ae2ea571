"""Witnessed checkpoints: one signed checkpoint per release, left for the recipient agency.

Before a package or an answer is released, the log signs a checkpoint covering the release's
entries and writes it, as one file, to the recipient's witness folder (``WITNESS/<AGENCY>/``),
outside the audit store. The recipient fetches the files and keeps its own copy; from then on a
host that deletes or rewrites any part of the log up to that checkpoint, even re-hashing
everything and trimming its own checkpoint file, no longer matches the recipient's copy.

A witness file is one line of canonical JSON (ASCII, then a newline)::

    {"agency": CODE, "checkpoint": CHECKPOINT, "consistency": [HEX, ...],
     "previous": CHECKPOINT or null, "type": "matchgate-audit-witness-v1"}

``checkpoint`` is the signed checkpoint (:mod:`matchgate.audit.checkpoint`); ``previous`` is the
checkpoint of the file before it in the same folder (null in the first), and ``consistency`` the
RFC 9162 consistency proof that ``checkpoint``'s tree extends ``previous``'s. Each file can thus
be checked against the one before it with nothing but the signer's public key. File names are
``<log id>-<size, 12 digits>.json``: listed by name, a log's files come in the order of its sizes.
Files are created exclusively and left read-only: a file is never overwritten.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from matchgate.audit.checkpoint import Checkpoint, CheckpointFormatError, signature_valid
from matchgate.audit.entry import is_hash
from matchgate.audit.merkle import consistency_proof, verify_consistency
from matchgate.domain.canonical import NotCanonical, canonical_json, parse_canonical

WITNESS_TYPE = "matchgate-audit-witness-v1"
_AGENCY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_NAME = re.compile(r"([0-9a-f]{32})-([0-9]{12})\.json")
_MAX_FILE = 8000
_FIELDS = {"agency", "checkpoint", "consistency", "previous", "type"}


class WitnessFormatError(ValueError):
    """A witness file that cannot be read; the message names the field."""


class WitnessRefused(ValueError):
    """A witness that may not be written: the log does not extend what was witnessed before."""


def agency_folder(root: Path, agency: str) -> Path:
    """The witness folder of ``agency`` under ``root``; refuses a code that is not a plain name."""
    if not _AGENCY.fullmatch(agency):
        raise WitnessFormatError("agency: not a plain agency code")
    return root / agency


def file_name(checkpoint: Checkpoint) -> str:
    return f"{checkpoint.log_id}-{checkpoint.size:012d}.json"


def is_file_name(name: str) -> bool:
    """Whether ``name`` is a witness file's name as matchgate makes them (one plain segment:
    ``<log id>-<size, 12 digits>.json``), so it is safe to join to a folder."""
    return _NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class Witnessed:
    """One witness file's content."""

    agency: str
    checkpoint: Checkpoint
    previous: Checkpoint | None
    consistency: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "type": WITNESS_TYPE,
            "agency": self.agency,
            "checkpoint": self.checkpoint.to_json(),
            "previous": None if self.previous is None else self.previous.to_json(),
            "consistency": list(self.consistency),
        }

    def to_bytes(self) -> bytes:
        return (canonical_json(self.to_json()) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> Witnessed:
        if len(data) > _MAX_FILE:
            raise WitnessFormatError("file too long")
        try:
            value = parse_canonical(data.decode("ascii").rstrip("\n"))
        except (UnicodeDecodeError, NotCanonical):
            raise WitnessFormatError("not one line of canonical JSON") from None
        if not isinstance(value, dict) or set(value) != _FIELDS:
            raise WitnessFormatError(
                "fields are not agency, checkpoint, consistency, previous, type"
            )
        if value["type"] != WITNESS_TYPE:
            raise WitnessFormatError("type: not a matchgate witness file")
        agency, proof = value["agency"], value["consistency"]
        if not isinstance(agency, str) or not _AGENCY.fullmatch(agency):
            raise WitnessFormatError("agency: not a plain agency code")
        if not isinstance(proof, list) or len(proof) > 64 or not all(is_hash(h) for h in proof):
            raise WitnessFormatError("consistency: not a list of hashes")
        try:
            checkpoint = Checkpoint.from_json(value["checkpoint"])
            before = value["previous"]
            previous = None if before is None else Checkpoint.from_json(before)
        except CheckpointFormatError as exc:
            raise WitnessFormatError(f"checkpoint: {exc}") from None
        return cls(agency, checkpoint, previous, tuple(proof))

    def problems(self, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> list[str]:
        """What is wrong with this file on its own: signatures, log, and the consistency proof
        from ``previous`` (empty when it holds)."""
        found: list[str] = []
        for what, cp in (("checkpoint", self.checkpoint), ("previous checkpoint", self.previous)):
            if cp is None:
                continue
            valid = signature_valid(cp, keys)
            if valid is None:
                found.append(f"its {what} is signed by untrusted key {cp.key_id}")
            elif not valid:
                found.append(f"its {what}'s signature does not verify")
        previous = self.previous
        if previous is None:
            if self.consistency:
                found.append("it has a consistency proof but no previous checkpoint")
            return found
        if previous.log_id != self.checkpoint.log_id:
            found.append("its previous checkpoint is of another log")
        elif not verify_consistency(
            previous.size,
            self.checkpoint.size,
            bytes.fromhex(previous.root),
            bytes.fromhex(self.checkpoint.root),
            [bytes.fromhex(h) for h in self.consistency],
        ):
            found.append(
                f"its tree of {self.checkpoint.size} entries does not extend the previous one "
                f"of {previous.size}"
            )
        return found


def write_witness(folder: Path, witnessed: Witnessed) -> Path:
    """Create ``folder/<name>`` exclusively, read-only, durable before returning.

    A file of that name already there is accepted only if it holds the same checkpoint (two
    releases covered by one tree size); anything else raises ``FileExistsError``.
    """
    path = folder / file_name(witnessed.checkpoint)
    try:
        create_read_only(path, witnessed.to_bytes())
    except FileExistsError:
        try:
            there = Witnessed.from_bytes(path.read_bytes())
        except (OSError, WitnessFormatError):
            raise FileExistsError(f"{path.name}: a different witness file is in the way") from None
        if there.checkpoint.root != witnessed.checkpoint.root:
            raise FileExistsError(f"{path.name}: a different witness file is in the way") from None
    return path


def create_read_only(path: Path, data: bytes) -> None:
    """Create ``path`` (never an existing file: ``FileExistsError``) read-only with ``data``,
    fsynced with its folder.

    The bytes are written and fsynced under a temporary name first and then hard-linked to
    ``path`` (atomic, and refused when ``path`` exists), so a process killed mid-write leaves
    at most a stray ``.partial`` file, never a torn file under the final name that would fail
    every later verification."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{path.name}.{os.getpid()}.partial"
    partial.unlink(missing_ok=True)  # a killed process of the same id left it
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        try:
            if os.write(fd, data) != len(data):
                raise OSError("short write to a witness file")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class WitnessFile:
    """A witness file found in a folder: its name (relative to the folder searched), its bytes,
    and what it holds (None when it cannot be read; ``error`` says why)."""

    name: str
    data: bytes
    witnessed: Witnessed | None
    error: str | None = None


def read_witness_files(folder: Path) -> list[WitnessFile]:
    """Every ``*.json`` witness file in ``folder`` or in its sub-folders (one per agency), in
    (folder, log, size) order. A missing folder holds none."""
    found: list[WitnessFile] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*.json")):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        try:
            witnessed = Witnessed.from_bytes(data)
        except WitnessFormatError as exc:
            found.append(WitnessFile(name, data, None, str(exc)))
            continue
        if path.name != file_name(witnessed.checkpoint):
            found.append(WitnessFile(name, data, None, "its name is not its checkpoint's"))
            continue
        found.append(WitnessFile(name, data, witnessed))
    return found


def not_kept(checkpoints: Sequence[Checkpoint], folder: Path) -> list[Checkpoint]:
    """Those of ``checkpoints`` (log, size, root) that no witness file in ``folder`` holds: a
    proof's checkpoints must be among a partner's kept copies to speak for them."""
    heads = {
        (wf.witnessed.checkpoint.log_id, wf.witnessed.checkpoint.size, wf.witnessed.checkpoint.root)
        for wf in read_witness_files(folder)
        if wf.witnessed is not None
    }
    return [cp for cp in checkpoints if (cp.log_id, cp.size, cp.root) not in heads]


def latest_witnessed(folder: Path, log_id: str) -> Witnessed | None:
    """The witness file of ``log_id`` with the largest size in one agency's folder."""
    best: tuple[int, Path] | None = None
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.fullmatch(path.name)
            if match and match.group(1) == log_id:
                size = int(match.group(2))
                if best is None or size > best[0]:
                    best = (size, path)
    if best is None:
        return None
    return Witnessed.from_bytes(best[1].read_bytes())


def leave_witness(
    root: Path,
    agencies: Sequence[str],
    checkpoint: Checkpoint,
    leaves: Callable[[], Sequence[bytes]],
) -> None:
    """Write ``checkpoint`` to each agency's folder under ``root``, chained to the agency's
    previous witness file of the log by a consistency proof made from ``leaves()`` (the leaf
    hashes of the first ``checkpoint.size`` entries, read once, only if a proof is needed). The
    proof is checked before the file is written: a log that does not extend what the agency was
    shown before is refused (``WitnessRefused``)."""
    read: list[Sequence[bytes]] = []
    for agency in agencies:
        folder = agency_folder(root, agency)
        previous = latest_witnessed(folder, checkpoint.log_id)
        old = None if previous is None else previous.checkpoint
        proof: list[bytes] = []
        if old is not None:
            if old.size > checkpoint.size:
                raise WitnessRefused("a witnessed checkpoint is larger than the log")
            if not read:
                read.append(leaves())
            proof = consistency_proof(read[0], old.size)
            if not verify_consistency(
                old.size,
                checkpoint.size,
                bytes.fromhex(old.root),
                bytes.fromhex(checkpoint.root),
                proof,
            ):
                raise WitnessRefused(
                    "the log does not extend the checkpoint last witnessed; "
                    "run `matchgate audit verify`"
                )
        write_witness(folder, Witnessed(agency, checkpoint, old, tuple(h.hex() for h in proof)))


def witness_agencies(recipients: Sequence[str | None]) -> tuple[str, ...]:
    """The distinct agencies named, in order, without empties."""
    return tuple(dict.fromkeys(a for a in recipients if a))


# --- the partner's side: fetch and keep a copy ---------------------------------------------------


@dataclass(frozen=True)
class FetchReport:
    """What a fetch copied, what it now keeps, and what was wrong (``ok`` when nothing)."""

    fetched: tuple[str, ...]
    kept: int
    newest: Checkpoint | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def fetch_witness(
    source: Path, into: Path, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> FetchReport:
    """Copy the witness files of ``source`` (one agency's folder) not yet in ``into``, each only
    if its signatures verify with ``keys`` and it follows the newest checkpoint kept: its
    ``previous`` is that checkpoint and its consistency proof holds. Files already kept must be
    unchanged and still offered. Stops copying at the first file that does not hold."""
    offered = read_witness_files(source)
    held = read_witness_files(into)
    problems: list[str] = []
    newest: Witnessed | None = None
    held_by_name: dict[str, bytes] = {}
    for wf in held:
        if wf.witnessed is None:
            problems.append(f"kept copy {wf.name}: {wf.error}")
            continue
        problems.extend(f"kept copy {wf.name}: {p}" for p in wf.witnessed.problems(keys))
        held_by_name[wf.name] = wf.data
        if newest is None or wf.witnessed.checkpoint.size > newest.checkpoint.size:
            newest = wf.witnessed
    agencies = {wf.witnessed.agency for wf in offered if wf.witnessed is not None}
    if len(agencies) > 1:
        problems.append("the folder holds files for more than one agency: give one agency's")
        offered = []
    offered_names = {wf.name for wf in offered}
    problems.extend(
        f"{name}: kept here but no longer in the witness folder"
        for name in sorted(held_by_name)
        if name not in offered_names
    )
    fetched: list[str] = []
    stopped = bool(problems)
    for wf in offered:
        if wf.name in held_by_name:
            if wf.data != held_by_name[wf.name]:
                problems.append(f"{wf.name}: differs from the copy kept")
            continue
        if stopped:
            continue
        found = _new_file_problems(wf, newest, keys)
        if found:
            problems.extend(f"{wf.name}: {p}" for p in found)
            stopped = True
            continue
        assert wf.witnessed is not None
        create_read_only(into / Path(wf.name).name, wf.data)
        fetched.append(wf.name)
        newest = wf.witnessed
    return FetchReport(
        tuple(fetched),
        len(held_by_name) + len(fetched),
        None if newest is None else newest.checkpoint,
        tuple(problems),
    )


def _new_file_problems(
    wf: WitnessFile, newest: Witnessed | None, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> list[str]:
    if wf.witnessed is None:
        return [str(wf.error)]
    witnessed = wf.witnessed
    found = witnessed.problems(keys)
    cp, previous = witnessed.checkpoint, witnessed.previous
    if newest is None:
        if previous is not None:
            found.append(
                f"it follows a checkpoint of {previous.size} entries that the folder no "
                "longer holds"
            )
        return found
    kept = newest.checkpoint
    if cp.log_id != kept.log_id:
        found.append("its checkpoint is of another log than the copies kept")
    elif cp.size <= kept.size:
        found.append(f"a checkpoint of {cp.size} entries offered after one of {kept.size} was kept")
    elif previous is None or previous.to_line() != kept.to_line():
        found.append(f"it does not follow the newest checkpoint kept ({kept.size} entries)")
    return found
