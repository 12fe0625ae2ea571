"""Recompute a log from its entries and hold it against signed checkpoints.

:class:`LogVerifier` is fed the stored entries in sequence order (with the accounting index rows
of each) and then told the store's chain head. It recomputes every entry's bytes, chain hash and
leaf, the Merkle root at every checkpointed size, and the head, and reports what disagrees:

* an entry edited without re-hashing: its hash (``E_AUDIT_HASH``) or format (``E_AUDIT_ENTRY``);
* an entry deleted, inserted or moved without re-hashing: a sequence gap or a broken link;
* history rewritten *with* re-hashing: the recomputed root differs from a checkpoint signed
  before the rewrite (``E_AUDIT_ROOT``), reported as the range of entries between the last
  checkpoint that still matches and the first that does not;
* entries removed from the end: fewer entries than a checkpoint covers (``E_AUDIT_TRUNCATED``);
* a checkpoint altered, forged or taken from another log: signature, key or log id;
* against witness files (a recipient agency's copy of the checkpoints taken at each release,
  ``matchgate.audit.witness``): any suffix deleted or rewritten up to a witnessed checkpoint,
  even when the host's own checkpoint file was trimmed to match (``E_AUDIT_WITNESS``, naming the
  witness file).

What no verifier can catch: a rewrite confined to the entries after the newest checkpoint by
someone who re-hashes as they go (nothing signed covers them yet). ``covered`` and
``uncovered`` in the report say how many entries a checkpoint vouches for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec

from matchgate.audit.chain import ChainHead
from matchgate.audit.checkpoint import Checkpoint, signature_valid
from matchgate.audit.entry import GENESIS_HASH, MalformedEntry, chain_hash, entry_bytes
from matchgate.audit.errors import Problem
from matchgate.audit.merkle import Frontier, leaf_hash
from matchgate.domain.audit import Entry

MAX_FINDINGS = 50


@dataclass(frozen=True)
class Finding:
    """One thing wrong. ``sequence`` is the first bad entry, or the first entry a range can
    start at when only a range is known (``last`` then closes it)."""

    code: str
    message: str
    sequence: int | None = None
    last: int | None = None
    exact: bool = True
    """Whether ``sequence`` is known bad (False: only that something from it to ``last`` is)."""


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of a verification."""

    log_id: str | None
    size: int
    checkpoints: int
    """Trusted checkpoints whose signature verified."""
    covered: int
    """Entries vouched for by the largest trusted checkpoint that matches the log."""
    findings: tuple[Finding, ...]
    truncated_findings: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def uncovered(self) -> int:
        """Entries after the newest matching checkpoint: protected by the chain alone."""
        return max(self.size - self.covered, 0)

    @property
    def first_bad(self) -> int | None:
        """The first bad entry: the lowest entry a finding pins exactly (its hash, link, place
        or index row is wrong), else the lowest entry a range finding starts at (a rewrite
        caught only by a checkpoint, which cannot say which entry of the range changed)."""
        exact = [f.sequence for f in self.findings if f.sequence is not None and f.exact]
        if exact:
            return min(exact)
        starts = [f.sequence for f in self.findings if f.sequence is not None]
        return min(starts) if starts else None


@dataclass
class _Sized:
    """Checkpoints (trusted or stored) that claim a root at one size."""

    trusted: list[Checkpoint] = field(default_factory=list)
    stored: list[Checkpoint] = field(default_factory=list)
    witnessed: list[tuple[str, Checkpoint]] = field(default_factory=list)


class LogVerifier:
    """Feed entries with :meth:`add` in sequence order, then call :meth:`finish`."""

    def __init__(
        self,
        trusted: Iterable[Checkpoint],
        keys: Mapping[str, ec.EllipticCurvePublicKey],
        *,
        stored: Iterable[Checkpoint] = (),
        bad_lines: Iterable[tuple[int, str]] = (),
        unreadable_stored: int = 0,
        witnessed: Iterable[tuple[str, Checkpoint]] = (),
        bad_witness: Iterable[tuple[str, str]] = (),
    ) -> None:
        self._findings: list[Finding] = []
        self._dropped = False
        self._frontier = Frontier()
        self._next = 0
        self._last_hash = GENESIS_HASH
        self._root_failed = False
        self._good_size = 0
        self._matched = 0
        self._by_size: dict[int, _Sized] = {}
        self._checked = 0
        for number, why in bad_lines:
            self._add(Problem.CHECKPOINT_FORMAT, f"checkpoint file line {number}: {why}")
        if unreadable_stored:
            self._add(
                Problem.STORED_CHECKPOINT,
                f"{unreadable_stored} checkpoints kept in the store cannot be read",
            )
        for name, why in bad_witness:
            self._add(Problem.WITNESS, f"witness file {name}: {why}")
        log_ids: set[str] = set()
        for cp in trusted:
            if self._signed(cp, keys, "trusted checkpoint"):
                self._checked += 1
                log_ids.add(cp.log_id)
                self._by_size.setdefault(cp.size, _Sized()).trusted.append(cp)
        self._witnessed: list[tuple[str, Checkpoint]] = []
        for name, cp in witnessed:
            if self._signed(cp, keys, f"checkpoint of witness file {name}", Problem.WITNESS):
                self._checked += 1
                log_ids.add(cp.log_id)
                self._witnessed.append((name, cp))
                sized = self._by_size.setdefault(cp.size, _Sized())
                sized.trusted.append(cp)
                sized.witnessed.append((name, cp))
        if len(log_ids) > 1:
            self._add(Problem.OTHER_LOG, "trusted checkpoints name more than one log")
        self.log_id = min(log_ids) if log_ids else None
        if self._checked == 0:
            self._add(
                Problem.NO_CHECKPOINT, "no validly signed trusted checkpoint to verify against"
            )
        for cp in stored:
            if not self._signed(
                cp, keys, "checkpoint kept in the store", Problem.STORED_CHECKPOINT
            ):
                continue
            if self.log_id is not None and cp.log_id != self.log_id:
                self._add(Problem.STORED_CHECKPOINT, "a checkpoint in the store names another log")
                continue
            self._by_size.setdefault(cp.size, _Sized()).stored.append(cp)
        self._max_trusted = max(
            (size for size, sized in self._by_size.items() if sized.trusted), default=0
        )

    @property
    def next_sequence(self) -> int:
        """The sequence the next entry should have (the log's size so far)."""
        return self._next

    def _add(
        self,
        code: str,
        message: str,
        sequence: int | None = None,
        last: int | None = None,
        *,
        exact: bool = True,
    ) -> None:
        if len(self._findings) >= MAX_FINDINGS:
            self._dropped = True
            return
        self._findings.append(Finding(code, message, sequence, last, exact))

    def _signed(
        self,
        cp: Checkpoint,
        keys: Mapping[str, ec.EllipticCurvePublicKey],
        what: str,
        code: str | None = None,
    ) -> bool:
        valid = signature_valid(cp, keys)
        if valid is None:
            self._add(
                code or Problem.UNTRUSTED_KEY,
                f"{what} of size {cp.size}: key {cp.key_id} is not trusted",
            )
        elif not valid:
            self._add(
                code or Problem.SIGNATURE, f"{what} of size {cp.size}: signature does not verify"
            )
        return bool(valid)

    def add(self, entry: Entry, indexed: Collection[str], *, index_complete: bool = True) -> None:
        """Check one stored entry; ``indexed`` are the subjects the accounting index lists for it
        (all of them unless ``index_complete`` is False, below a retention purge)."""
        seq = entry.sequence
        if seq != self._next:
            if seq > self._next:
                self._add(
                    Problem.GAP,
                    f"entries {self._next} to {seq - 1} are missing",
                    self._next,
                    seq - 1,
                )
            else:
                self._add(Problem.GAP, f"entry {seq} appears out of order", seq)
            self._next = seq
        if entry.prev_hash != self._last_hash:
            self._add(Problem.LINK, f"entry {seq} does not follow the entry before it", seq)
        try:
            content = entry_bytes(entry)
        except MalformedEntry as exc:
            self._add(Problem.ENTRY, f"entry {seq}: {exc} is not as the log writes it", seq)
            leaf = b"\x00" * 32
        else:
            leaf = leaf_hash(content)
            if chain_hash(entry.prev_hash, content) != entry.entry_hash:
                self._add(Problem.HASH, f"entry {seq}: content does not match its hash", seq)
            elif leaf.hex() != entry.leaf_hash:
                self._add(Problem.HASH, f"entry {seq}: stored leaf hash is wrong", seq)
            self._check_index(entry, indexed, index_complete)
        self._last_hash = entry.entry_hash
        self._next = seq + 1
        self._frontier.append(leaf)
        self._check_root()

    def _check_index(self, entry: Entry, indexed: Collection[str], complete: bool) -> None:
        subjects = set(entry.subject_list())
        listed = set(indexed)
        if listed - subjects or (complete and subjects - listed):
            self._add(
                Problem.INDEX,
                f"entry {entry.sequence}: the accounting index does not list its subjects",
                entry.sequence,
            )

    def _check_root(self) -> None:
        size = self._frontier.size
        sized = self._by_size.get(size)
        if sized is None:
            return
        root = self._frontier.root().hex()
        if any(cp.root != root for cp in sized.stored):
            self._add(
                Problem.STORED_CHECKPOINT,
                f"a checkpoint in the store of size {size} does not match the log",
                self._good_size,
                size - 1,
                exact=False,
            )
        for name, cp in sized.witnessed:
            if cp.root != root:
                self._add(
                    Problem.WITNESS,
                    f"witness file {name}: the log's first {size} entries do not have the "
                    "witnessed root",
                    self._good_size,
                    size - 1,
                    exact=False,
                )
        if not sized.trusted or self._root_failed:
            return
        if all(cp.root == root for cp in sized.trusted):
            self._good_size = size
            self._matched = size
            return
        self._root_failed = True
        self._add(
            Problem.ROOT,
            f"entries {self._good_size} to {size - 1} differ from what the checkpoint of size "
            f"{size} signed",
            self._good_size,
            size - 1,
            exact=False,
        )

    def add_orphan_index_rows(self, count: int) -> None:
        """Report index rows that point past the end of the log."""
        if count:
            self._add(
                Problem.INDEX,
                f"{count} accounting index rows name entries that do not exist",
                self._next,
            )

    def finish(self, head: ChainHead | None) -> VerifyReport:
        """Close the pass: truncation against checkpoints, and the store's head."""
        size = self._next
        if self._max_trusted > size:
            # Entries from `size` on are gone; those after the last matching checkpoint cannot be
            # vouched for either (they may be a rewrite), so the range starts there.
            self._add(
                Problem.TRUNCATED,
                f"the log has {size} entries but a checkpoint covers {self._max_trusted}: "
                f"entries {size} to {self._max_trusted - 1} are missing, and no checkpoint "
                f"vouches for entries from {self._good_size} on",
                self._good_size,
                self._max_trusted - 1,
                exact=False,
            )
        for name, cp in self._witnessed:
            if cp.size > size:
                self._add(
                    Problem.WITNESS,
                    f"witness file {name}: the log has {size} entries but the witnessed "
                    f"checkpoint covers {cp.size}",
                    min(self._good_size, size),
                    cp.size - 1,
                    exact=False,
                )
        if head is None:
            self._add(Problem.HEAD, "the store has no readable chain head")
        else:
            if self.log_id is not None and head.log_id != self.log_id:
                self._add(Problem.OTHER_LOG, "the checkpoints are of another log than the store")
            if (
                head.size != size
                or head.last_hash != self._last_hash
                or head.frontier.hashes != self._frontier.hashes
                or not 0 <= head.checkpointed <= head.size
            ):
                self._add(
                    Problem.HEAD,
                    "the store's chain head disagrees with its entries",
                )
        return VerifyReport(
            log_id=self.log_id if self.log_id is not None else (head.log_id if head else None),
            size=size,
            checkpoints=self._checked,
            covered=self._matched,
            findings=tuple(self._findings),
            truncated_findings=self._dropped,
        )
