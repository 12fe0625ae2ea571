"""Identifiers: opaque person ids, SSNs and A-numbers, all unique by construction.

Person ids are a 64-bit bijective mix (splitmix64) of the person's index keyed by the seed, so
distinct people always get distinct ids and nothing about the person can be read from one.
SSNs and A-numbers are a seeded Feistel permutation of the index over the valid number space
(cycle-walking keeps it inside the space), so they are unique and spread over every area.
Master people take indices from the bottom of the space and people absent from the master from
the top: the two sets never meet.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from matchgate.synth.text import digits, hex64

U64 = npt.NDArray[np.uint64]

_AREAS = 898  # 001-899 without 666
_GROUPS = 99  # 01-99
_SERIALS = 9999  # 0001-9999
SSN_SPACE = _AREAS * _GROUPS * _SERIALS
A_NUMBER_LOW = 10_000_000
A_NUMBER_SPACE = 250_000_000 - A_NUMBER_LOW
"""A-numbers issued so far run from eight digits (older) to nine digits starting with 2."""


def splitmix64(x: U64) -> U64:
    """The splitmix64 finalizer: a bijection on 64-bit integers with good avalanche."""
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def _key(seed: int, purpose: int) -> np.uint64:
    mixed = splitmix64(np.array([seed * 1_000_003 + purpose], dtype=np.uint64))
    return np.uint64(mixed[0])


class KeyedPermutation:
    """A seeded bijection of ``[0, domain)``: a balanced Feistel network plus cycle walking."""

    def __init__(self, domain: int, seed: int, purpose: int, rounds: int = 4) -> None:
        bits = max(2, (domain - 1).bit_length())
        self.domain = domain
        self.half = (bits + 1) // 2
        self.mask = np.uint64((1 << self.half) - 1)
        self.keys = [_key(seed, purpose * 16 + r) for r in range(rounds)]

    def _feistel(self, x: U64) -> U64:
        h = np.uint64(self.half)
        left, right = x >> h, x & self.mask
        for k in self.keys:
            left, right = right, left ^ (splitmix64(right ^ k) & self.mask)
        return np.asarray((left << h) | right, dtype=np.uint64)

    def __call__(self, x: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Map each index (all below ``domain``) to its permuted value."""
        y = self._feistel(np.asarray(x, dtype=np.uint64))
        out = y >= np.uint64(self.domain)
        while out.any():
            y[out] = self._feistel(y[out])
            out = y >= np.uint64(self.domain)
        return y.astype(np.int64)


def person_ids(index: npt.NDArray[np.int64], seed: int) -> pa.StringArray:
    """Opaque, unique 16-hex-digit person ids."""
    return hex64(splitmix64(np.asarray(index, dtype=np.uint64) ^ _key(seed, 1)))


def ssn_values(slots: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.int64]:
    """SSNs as integers for permutation slots in ``[0, SSN_SPACE)``: valid area, group, serial."""
    v = KeyedPermutation(SSN_SPACE, seed, 2)(slots)
    area = v // (_GROUPS * _SERIALS) + 1
    area = area + (area >= 666)
    rest = v % (_GROUPS * _SERIALS)
    group = rest // _SERIALS + 1
    serial = rest % _SERIALS + 1
    return np.asarray(area * 1_000_000 + group * 10_000 + serial, dtype=np.int64)


def ssn_strings(slots: npt.NDArray[np.int64], seed: int) -> pa.StringArray:
    """SSNs as 9-digit strings."""
    return digits(ssn_values(slots, seed), 9)


def a_number_values(slots: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.int64]:
    """A-numbers as integers for permutation slots in ``[0, A_NUMBER_SPACE)``."""
    return KeyedPermutation(A_NUMBER_SPACE, seed, 3)(slots) + A_NUMBER_LOW


def valid_ssn(ssn: str) -> bool:
    """Whether a 9-digit string lies in an issuable range (area 001-899 but 666, group, serial)."""
    if len(ssn) != 9 or not ssn.isdigit():
        return False
    area, group, serial = int(ssn[:3]), int(ssn[3:5]), int(ssn[5:])
    return 0 < area < 900 and area != 666 and group > 0 and serial > 0
