"""Proof documents a partner agency can check with nothing but checkpoints and a public key.

An inclusion proof carries one entry's canonical bytes, the audit path to the root of a tree
of ``size`` entries, and the signed checkpoint of that size; a consistency proof carries two
checkpoints and the path showing the newer tree extends the older. Both are JSON objects, and
:func:`check_inclusion` / :func:`check_consistency` verify them (RFC 9162 algorithms) without any
access to the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from matchgate.audit.checkpoint import Checkpoint, CheckpointFormatError, signature_valid
from matchgate.audit.entry import is_hash
from matchgate.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from matchgate.domain.canonical import NotCanonical, parse_canonical

INCLUSION = "matchgate-audit-inclusion-v1"
CONSISTENCY = "matchgate-audit-consistency-v1"


class ProofFormatError(ValueError):
    """A proof document that cannot be read; the message names the field."""


@dataclass(frozen=True)
class InclusionProof:
    """Entry ``sequence`` (its bytes in ``entry``) is leaf ``sequence`` of the signed tree."""

    entry: str
    sequence: int
    path: tuple[str, ...]
    checkpoint: Checkpoint

    def to_json(self) -> dict[str, Any]:
        return {
            "type": INCLUSION,
            "sequence": self.sequence,
            "entry": self.entry,
            "leaf_hash": leaf_hash(self.entry.encode("ascii")).hex(),
            "path": list(self.path),
            "checkpoint": self.checkpoint.to_json(),
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of ``new`` extends the tree of ``old``: the log only grew in between."""

    old: Checkpoint
    new: Checkpoint
    path: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": CONSISTENCY,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "path": list(self.path),
        }


def _path(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(is_hash(h) for h in value) or len(value) > 64:
        raise ProofFormatError("path: not a list of hashes")
    return tuple(value)


def _checkpoint(value: object, name: str) -> Checkpoint:
    try:
        return Checkpoint.from_json(value)
    except CheckpointFormatError as exc:
        raise ProofFormatError(f"{name}: {exc}") from None


def parse_proof(value: object) -> InclusionProof | ConsistencyProof:
    """A proof document from its parsed JSON."""
    if not isinstance(value, dict):
        raise ProofFormatError("not a JSON object")
    kind = value.get("type")
    if kind == INCLUSION:
        entry, sequence = value.get("entry"), value.get("sequence")
        if not isinstance(entry, str) or not entry.isascii():
            raise ProofFormatError("entry: not an entry's canonical text")
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
            raise ProofFormatError("sequence: not an entry sequence")
        return InclusionProof(
            entry,
            sequence,
            _path(value.get("path")),
            _checkpoint(value.get("checkpoint"), "checkpoint"),
        )
    if kind == CONSISTENCY:
        return ConsistencyProof(
            _checkpoint(value.get("old"), "old"),
            _checkpoint(value.get("new"), "new"),
            _path(value.get("path")),
        )
    raise ProofFormatError("type: not a matchgate audit proof")


def _signed(cp: Checkpoint, keys: Mapping[str, ec.EllipticCurvePublicKey], name: str) -> list[str]:
    valid = signature_valid(cp, keys)
    if valid is None:
        return [f"{name} checkpoint is signed by untrusted key {cp.key_id}"]
    return [] if valid else [f"{name} checkpoint signature does not verify"]


def check_inclusion(
    proof: InclusionProof, keys: Mapping[str, ec.EllipticCurvePublicKey], log_id: str | None = None
) -> list[str]:
    """What is wrong with an inclusion proof (empty when it holds)."""
    cp = proof.checkpoint
    problems = _signed(cp, keys, "the")
    if log_id is not None and cp.log_id != log_id:
        problems.append("the checkpoint is of another log")
    try:
        content = parse_canonical(proof.entry)
    except NotCanonical:
        return [*problems, "the entry is not canonical JSON"]
    if not isinstance(content, dict) or content.get("seq") != proof.sequence:
        problems.append("the entry's sequence is not the proof's")
    leaf = leaf_hash(proof.entry.encode("ascii"))
    path = [bytes.fromhex(h) for h in proof.path]
    if not verify_inclusion(leaf, proof.sequence, cp.size, path, bytes.fromhex(cp.root)):
        problems.append("the audit path does not lead to the checkpoint's root")
    return problems


def check_consistency(
    proof: ConsistencyProof, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> list[str]:
    """What is wrong with a consistency proof (empty when it holds)."""
    problems = _signed(proof.old, keys, "the old") + _signed(proof.new, keys, "the new")
    if proof.old.log_id != proof.new.log_id:
        problems.append("the checkpoints are of different logs")
    path = [bytes.fromhex(h) for h in proof.path]
    if not verify_consistency(
        proof.old.size,
        proof.new.size,
        bytes.fromhex(proof.old.root),
        bytes.fromhex(proof.new.root),
        path,
    ):
        problems.append("the new tree does not extend the old one")
    return problems
