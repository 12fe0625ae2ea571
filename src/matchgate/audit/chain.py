"""The head of the hash chain: what appending the next entry needs to know, and nothing more.

The store keeps one head row beside the entries (size, last entry hash, Merkle frontier, size
of the last checkpoint) and updates it in the same transaction as each append, so an append
costs O(log n) and never re-reads the log. The head is a cache of what the entries imply:
``verify`` recomputes it and reports a head that disagrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from matchgate.audit.entry import GENESIS_HASH, format_time, new_entry
from matchgate.audit.events import EventRecord
from matchgate.audit.merkle import Frontier
from matchgate.domain.audit import Entry


@dataclass
class ChainHead:
    """The state after the last entry: ``size`` entries, the last one's hash, the frontier."""

    log_id: str
    last_hash: str = GENESIS_HASH
    frontier: Frontier = field(default_factory=Frontier)
    checkpointed: int = 0
    """Tree size of the last checkpoint made (0 before the first)."""

    @property
    def size(self) -> int:
        return self.frontier.size

    def root(self) -> bytes:
        return self.frontier.root()

    def append(self, record: EventRecord, now: datetime) -> Entry:
        """Make the next entry for ``record`` and advance the head past it."""
        entry = new_entry(self.size, self.last_hash, format_time(now), record)
        self.frontier.append(bytes.fromhex(entry.leaf_hash))
        self.last_hash = entry.entry_hash
        return entry

    def checkpoint_due(self, every: int) -> bool:
        """Whether ``every`` or more entries have been added since the last checkpoint."""
        return self.size - self.checkpointed >= every
