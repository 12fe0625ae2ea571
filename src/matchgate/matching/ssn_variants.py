"""Every SSN one keystroke away from a request's SSN, generated on the request side.

A mistyped SSN is found by equality joins on these variants, never by an edit-distance scan of
the master: 9 positions x 9 other digits (81 substitutions) + 8 adjacent transpositions = 89 keys
per SSN (a transposition of two equal digits is no change and is left out).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

DIGITS = 9
_PLACES = 10 ** np.arange(DIGITS - 1, -1, -1, dtype=np.int64)  # place value of each position
VARIANTS_PER_SSN = DIGITS * 9 + (DIGITS - 1)


def ssn_variants(
    rows: npt.NDArray[np.int32], ssns: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Pairs ``(row, variant)`` for every one-edit variant of each ``ssns[i]`` (owned by
    ``rows[i]``), the SSN itself excluded."""
    ssns = ssns.astype(np.int64)
    digits = (ssns[:, None] // _PLACES[None, :]) % 10  # (n, 9)
    # Substitutions: digit d at position p becomes (d + k) % 10 for k in 1..9.
    shifts = np.arange(1, 10, dtype=np.int64)
    new_digits = (digits[:, :, None] + shifts[None, None, :]) % 10  # (n, 9, 9)
    substituted = (
        ssns[:, None, None] + (new_digits - digits[:, :, None]) * _PLACES[None, :, None]
    ).reshape(len(ssns), DIGITS * 9)
    # Transpositions of positions p and p + 1.
    left, right = digits[:, :-1], digits[:, 1:]
    transposed = (
        ssns[:, None] + (right - left) * _PLACES[None, :-1] + (left - right) * _PLACES[None, 1:]
    )
    keep = left != right
    variant_rows = np.concatenate(
        [np.repeat(rows, substituted.shape[1]), np.broadcast_to(rows[:, None], keep.shape)[keep]]
    )
    variants = np.concatenate([substituted.ravel(), transposed[keep]])
    return variant_rows.astype(np.int32), variants.astype(np.int32)
