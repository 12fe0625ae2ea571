"""Seeded random streams and weighted draws.

Every chunk of people, and every other piece of output, draws from its own generator derived
from the run seed and fixed stream keys, so output does not depend on what else was generated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """A generator for one stream of a run: the same (seed, keys) always gives the same draws."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


def cumulative(weights: Sequence[float] | npt.NDArray[np.floating[Any]]) -> FloatArray:
    """Cumulative weights for :func:`weighted`; rejects negative or all-zero weights."""
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return np.cumsum(w)


def weighted(rng: np.random.Generator, cum: FloatArray, n: int) -> IntArray:
    """Draw ``n`` indices with probability proportional to the weights behind ``cum``."""
    u = rng.random(n) * cum[-1]
    idx = np.searchsorted(cum, u, side="right")
    return np.asarray(np.minimum(idx, cum.size - 1), dtype=np.int64)


def chance(rng: np.random.Generator, p: float | FloatArray, n: int) -> BoolArray:
    """``n`` independent coin flips with success probability ``p`` (scalar or per item)."""
    return rng.random(n) < p


def uniform_int(
    rng: np.random.Generator, low: IntArray | int, high: IntArray | int, n: int
) -> IntArray:
    """Integers drawn uniformly from ``[low, high)`` per item (``high`` must exceed ``low``)."""
    span = np.maximum(np.asarray(high, dtype=np.int64) - np.asarray(low, dtype=np.int64), 1)
    return (np.asarray(low, dtype=np.int64) + (rng.random(n) * span).astype(np.int64)).astype(
        np.int64
    )
