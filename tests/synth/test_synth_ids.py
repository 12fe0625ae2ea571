"""Identifiers and formatting helpers of the generator."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from matchgate.synth.finance import aba_check_digit
from matchgate.synth.ids import (
    A_NUMBER_LOW,
    A_NUMBER_SPACE,
    SSN_SPACE,
    KeyedPermutation,
    a_number_values,
    person_ids,
    ssn_strings,
    valid_ssn,
)
from matchgate.synth.text import digits, hex64, join


@pytest.mark.parametrize("domain", [2, 7, 1000, 4097])
def test_keyed_permutation_is_a_bijection(domain: int) -> None:
    values = KeyedPermutation(domain, seed=3, purpose=9)(np.arange(domain))
    assert sorted(values.tolist()) == list(range(domain))
    if domain > 100:
        assert (values != np.arange(domain)).mean() > 0.9


def test_permutation_depends_on_the_seed() -> None:
    a = KeyedPermutation(10_000, seed=1, purpose=2)(np.arange(50))
    b = KeyedPermutation(10_000, seed=2, purpose=2)(np.arange(50))
    assert (a != b).any()


def test_ssns_are_valid_and_spread_over_areas() -> None:
    ssns = ssn_strings(np.arange(50_000), seed=5).to_pylist()
    assert all(valid_ssn(s) for s in ssns)
    assert len(set(ssns)) == len(ssns)
    areas = {s[:3] for s in ssns}
    assert len(areas) > 800  # spread out, not consecutive numbers


def test_reserved_top_of_the_ssn_space_never_meets_the_master() -> None:
    low = set(ssn_strings(np.arange(20_000), seed=5).to_pylist())
    top = set(ssn_strings(SSN_SPACE - 1 - np.arange(20_000), seed=5).to_pylist())
    assert not low & top
    assert all(valid_ssn(s) for s in top)


def test_valid_ssn_rejects_never_issued_ranges() -> None:
    assert valid_ssn("123456789")
    for bad in ("000123456", "666123456", "900123456", "123006789", "123450000", "12345678"):
        assert not valid_ssn(bad)


def test_a_numbers_are_unique_and_in_range() -> None:
    values = a_number_values(np.arange(30_000), seed=4)
    assert len(set(values.tolist())) == values.size
    assert values.min() >= A_NUMBER_LOW
    assert values.max() < A_NUMBER_LOW + A_NUMBER_SPACE


def test_person_ids_are_unique_and_opaque() -> None:
    ids = person_ids(np.arange(10_000), seed=8).to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)
    assert ids != sorted(ids)  # the order reveals nothing about the row
    bits = [bin(int(a, 16) ^ int(b, 16)).count("1") for a, b in itertools.pairwise(ids)]
    assert 28 < np.mean(bits) < 36  # neighbours differ in about half their bits
    assert person_ids(np.arange(5), seed=9).to_pylist() != ids[:5]


def test_digit_and_hex_formatting() -> None:
    assert digits(np.array([0, 7, 123456789]), 9).to_pylist() == [
        "000000000",
        "000000007",
        "123456789",
    ]
    assert digits(np.array([5, 42]), 2).to_pylist() == ["05", "42"]
    assert hex64(np.array([0, 255], dtype=np.uint64)).to_pylist() == [
        "0000000000000000",
        "00000000000000ff",
    ]


def test_join_skips_empty_parts() -> None:
    parts = [pa.array(["A", "", "", "D"]), pa.array(["", "", "C", "E"])]
    assert join(parts).to_pylist() == ["A", "", "C", "D E"]


def test_aba_check_digit_matches_known_routing_numbers() -> None:
    # 011000015 (Federal Reserve Bank of Boston) and 021000021 are published routing numbers.
    assert aba_check_digit(np.array([1100001, 2100002])).tolist() == [5, 1]
