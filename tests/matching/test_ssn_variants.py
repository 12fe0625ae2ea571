"""SSN variants: every SSN one keystroke away, and nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import DamerauLevenshtein

from matchgate.matching.ssn_variants import VARIANTS_PER_SSN, ssn_variants


def _one_edit_brute_force(ssn: str) -> set[str]:
    out = set()
    for i in range(9):
        for d in "0123456789":
            if d != ssn[i]:
                out.add(ssn[:i] + d + ssn[i + 1 :])
    for i in range(8):
        if ssn[i] != ssn[i + 1]:
            out.add(ssn[:i] + ssn[i + 1] + ssn[i] + ssn[i + 2 :])
    return out


def test_89_variants_for_distinct_digits() -> None:
    rows, variants = ssn_variants(np.array([7], np.int32), np.array([123456789], np.int64))
    assert VARIANTS_PER_SSN == 89
    assert len(variants) == 89
    assert set(rows.tolist()) == {7}
    assert 123456798 in variants  # transposition of the last two digits
    assert 123456780 in variants  # one wrong digit
    assert 123456789 not in variants


@given(st.lists(st.integers(min_value=1_000_000, max_value=899_999_999), min_size=1, max_size=20))
def test_variants_are_exactly_the_one_edit_neighbours(ssns: list[int]) -> None:
    rows, variants = ssn_variants(np.arange(len(ssns), dtype=np.int32), np.array(ssns, np.int64))
    for row, ssn in enumerate(ssns):
        mine = {f"{v:09d}" for v in variants[rows == row].tolist()}
        text = f"{ssn:09d}"
        assert mine == _one_edit_brute_force(text)
        assert all(DamerauLevenshtein.distance(text, v) == 1 for v in mine)
