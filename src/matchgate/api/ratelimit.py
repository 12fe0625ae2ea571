"""Token buckets, in process: per token and per client address.

Each key refills at ``rate`` requests per second up to ``burst``; a request takes one. A refused
request learns how long until one is available (``Retry-After``). The counts live in one
process: with several workers each holds its own, so the limit a client meets is up to
``workers`` times the configured one (docs/api.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_KEYS = 10_000
"""Buckets kept at most; the least recently used is dropped first (a full bucket again)."""


class RateLimiter:
    """Buckets of one kind (tokens, or sources), keyed by a token's id or a client address."""

    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> int | None:
        """Take one request for ``key``: None when allowed, else the whole seconds to wait."""
        with self._lock:
            now = self._clock()
            level, then = self._buckets.pop(key, (float(self.burst), now))
            level = min(float(self.burst), level + (now - then) * self.rate)
            if level >= 1.0:
                self._buckets[key] = (level - 1.0, now)
                self._trim()
                return None
            self._buckets[key] = (level, now)
            self._trim()
            return max(1, math.ceil((1.0 - level) / self.rate))

    def _trim(self) -> None:
        while len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
