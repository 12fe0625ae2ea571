"""Reading the audit log: verify it against the trusted checkpoints, prove that an entry is in it
or that one checkpoint extends another, the accounting of disclosures for a person, and the
entries themselves. The sink that writes the log is :mod:`matchgate.app.audit`; what an agency may
see of all this is :mod:`matchgate.services.oversight.audit_access`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchgate.app.audit import (
    AuditConfig,
    accounting_for_subject,
    chain_head,
    trusted_keys,
)
from matchgate.audit import (
    Accounting,
    Checkpoint,
    ConsistencyProof,
    Entry,
    InclusionProof,
    LogVerifier,
    VerifyReport,
    check_consistency,
    check_inclusion,
    consistency_proof,
    entry_bytes,
    inclusion_proof,
    kinds,
    load_subject_key,
    read_checkpoints,
    read_witness_files,
    signature_valid,
    subject_key,
)
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import InputError
from matchgate.storage import audit as store

_BATCH = 1000  # entries verified per read


def accounting_for(config: AuditConfig, ssn: str) -> Accounting:
    """The accounting of the person with this SSN (agency view); needs the subject key."""
    key = load_subject_key(config.subject_key_file)
    return accounting_for_subject(config, subject_key(key, ssn))


def _index_floor(s: Any) -> int:
    """Entries below this may have lost index rows to a retention purge (still in the log)."""
    floor = 0
    for entry in store.entries_of_kind(s, kinds.ACCOUNTING_PURGED):
        try:
            value = entry.detail_map().get("before_sequence")
        except ValueError:
            continue  # a malformed entry: the verifier reports it
        if isinstance(value, int) and not isinstance(value, bool):
            floor = max(floor, value)
    return floor


def verify_audit(
    config: AuditConfig,
    *,
    checkpoint_files: Sequence[Path] = (),
    trust: Sequence[Path] = (),
    witness_dirs: Sequence[Path] = (),
) -> VerifyReport:
    """Recompute the whole log against the trusted checkpoints (the checkpoint folder's file, or
    the files given, e.g. a partner's copy) and the witnessed ones (witness files in
    ``witness_dirs``: the host's witness folder, one agency's, or an agency's fetched copy), with
    checkpoints signed by ``trust`` keys (default: the log's own public key)."""
    files = list(checkpoint_files) or [config.checkpoint_file]
    checkpoints: list[Checkpoint] = []
    bad: list[tuple[int, str]] = []
    for path in files:
        if not path.exists():
            if checkpoint_files:
                raise InputError("no such checkpoint file", path=str(path))
            continue
        found = read_checkpoints(path)
        checkpoints.extend(found.checkpoints)
        bad.extend(found.bad_lines)
    witnessed: list[tuple[str, Checkpoint]] = []
    bad_witness: list[tuple[str, str]] = []
    for folder in witness_dirs:
        if not folder.is_dir():
            raise InputError("no such witness folder", path=str(folder))
        for wf in read_witness_files(folder):
            if wf.witnessed is None:
                bad_witness.append((wf.name, str(wf.error)))
            else:
                witnessed.append((wf.name, wf.witnessed.checkpoint))
    keys = trusted_keys(list(trust) or [config.signing_public_key_file])
    with store.transaction(config.url, write=False) as s:
        if not store.tables_present(s):
            verifier = LogVerifier(
                checkpoints, keys, bad_lines=bad, witnessed=witnessed, bad_witness=bad_witness
            )
            return verifier.finish(None)
        stored: list[Checkpoint] = []
        unreadable = 0
        for line in store.checkpoint_lines(s):
            try:
                stored.append(Checkpoint.from_line(line))
            except ValueError:
                unreadable += 1
        verifier = LogVerifier(
            checkpoints,
            keys,
            stored=stored,
            bad_lines=bad,
            unreadable_stored=unreadable,
            witnessed=witnessed,
            bad_witness=bad_witness,
        )
        floor = _index_floor(s)
        for batch in _batches(store.entries(s)):
            listed = store.index_rows(s, batch[0].sequence, batch[-1].sequence + 1)
            for entry in batch:
                verifier.add(
                    entry,
                    listed.get(entry.sequence, set()),
                    index_complete=entry.sequence >= floor,
                )
        verifier.add_orphan_index_rows(store.index_rows_from(s, verifier.next_sequence))
        kept = store.head(s, lock=False)
        try:
            head = None if kept is None else chain_head(kept)
        except (ValueError, TypeError):  # a head no append could have written
            head = None
        return verifier.finish(head)


def _batches(entries: Iterator[Entry]) -> Iterator[list[Entry]]:
    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _trusted_checkpoints(config: AuditConfig) -> list[Checkpoint]:
    keys = trusted_keys([config.signing_public_key_file])
    if not config.checkpoint_file.exists():
        return []
    found = read_checkpoints(config.checkpoint_file).checkpoints
    return [cp for cp in found if signature_valid(cp, keys) is True]


def _leaves(config: AuditConfig, size: int) -> list[bytes]:
    with store.transaction(config.url, write=False) as s:
        leaves = [bytes.fromhex(h) for h in store.leaf_hashes(s, size)]
    if len(leaves) != size:
        raise AuditUnavailable(
            f"the log holds {len(leaves)} of the {size} entries a checkpoint covers; "
            "run `matchgate audit verify`"
        )
    return leaves


def prove_inclusion(
    config: AuditConfig, sequence: int, *, size: int | None = None
) -> InclusionProof:
    """An inclusion proof of entry ``sequence`` in the newest checkpoint covering it (or the one
    of ``size``), checked before it is returned."""
    candidates = [
        cp
        for cp in _trusted_checkpoints(config)
        if cp.size > sequence and (size is None or cp.size == size)
    ]
    if not candidates:
        raise InputError(
            f"no checkpoint covers entry {sequence}"
            + (f" at size {size}" if size is not None else "")
            + " (run `matchgate audit checkpoint` to make one)",
            code="E_AUDIT_NOT_COVERED",
        )
    checkpoint = max(candidates, key=lambda cp: (cp.size, cp.time))
    with store.transaction(config.url, write=False) as s:
        found = store.entries_at(s, [sequence])
    if not found:
        raise InputError(f"no entry {sequence} in the log", code="E_AUDIT_NO_ENTRY")
    entry = entry_bytes(found[0]).decode("ascii")
    leaves = _leaves(config, checkpoint.size)
    path = tuple(h.hex() for h in inclusion_proof(leaves, sequence))
    proof = InclusionProof(entry, sequence, path, checkpoint)
    problems = check_inclusion(proof, trusted_keys([config.signing_public_key_file]))
    if problems:
        raise AuditUnavailable(
            f"entry {sequence} does not prove against its checkpoint ({problems[0]}); "
            "run `matchgate audit verify`"
        )
    return proof


def prove_consistency(config: AuditConfig, old_size: int, new_size: int) -> ConsistencyProof:
    """A consistency proof between the checkpoints of ``old_size`` and ``new_size``."""
    by_size = {cp.size: cp for cp in _trusted_checkpoints(config)}
    missing = [n for n in (old_size, new_size) if n not in by_size]
    if missing or old_size > new_size:
        raise InputError(
            "give two checkpointed sizes, the older first "
            f"(checkpointed sizes: {', '.join(str(n) for n in sorted(by_size)) or 'none'})",
            code="E_AUDIT_NOT_COVERED",
        )
    leaves = _leaves(config, new_size)
    path = tuple(h.hex() for h in consistency_proof(leaves, old_size))
    proof = ConsistencyProof(by_size[old_size], by_size[new_size], path)
    if check_consistency(proof, trusted_keys([config.signing_public_key_file])):
        raise AuditUnavailable(
            "the log does not prove consistent with its checkpoints; run `matchgate audit verify`"
        )
    return proof


@dataclass(frozen=True)
class EntryView:
    """An entry for display: identifiers, counts and hashes only."""

    sequence: int
    recorded_at: str
    kind: str
    actor: str
    agency: str | None
    agreement: str | None
    subjects: int
    details: dict[str, Any]
    entry_hash: str


def _view(entry: Entry) -> EntryView:
    try:
        details: dict[str, Any] = dict(entry.detail_map())
        subjects = len(entry.subject_list())
    except ValueError:
        details, subjects = {"(unreadable)": True}, -1
    return EntryView(
        sequence=entry.sequence,
        recorded_at=entry.recorded_at,
        kind=entry.kind,
        actor=entry.actor,
        agency=entry.agency,
        agreement=entry.agreement,
        subjects=subjects,
        details=details,
        entry_hash=entry.entry_hash,
    )


def show_entries(config: AuditConfig, start: int, limit: int) -> list[EntryView]:
    """Entries from ``start`` on, at most ``limit``."""
    with store.transaction(config.url, write=False) as s:
        return [_view(entry) for entry in store.entries(s, start, start + max(limit, 0))]


def tail_entries(config: AuditConfig, count: int) -> list[EntryView]:
    """The last ``count`` entries, oldest first."""
    with store.transaction(config.url, write=False) as s:
        return [_view(entry) for entry in store.last_entries(s, max(count, 0))]
