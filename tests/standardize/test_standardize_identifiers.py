"""SSNs, A-numbers, ZIP codes and dates of birth."""

# ruff: noqa: RUF001  (look-alike letters are the point of this module)

from __future__ import annotations

import datetime as dt

import pytest

from matchgate.standardize.dates import DobProblem, parse_dob, swap_day_month
from matchgate.standardize.identifiers import (
    INVALID,
    MISSING,
    Parsed,
    format_ssn,
    parse_a_number,
    parse_ssn,
    standardize_zip,
)

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123456789", Parsed(123456789)),
        ("123-45-6789", Parsed(123456789)),
        (" 123 45 6789 ", Parsed(123456789)),
        ("001010001", Parsed(1010001)),
        ("", MISSING),
        ("   ", MISSING),
        (None, MISSING),
        ("12345678", INVALID),
        ("1234567890", INVALID),
        ("12345678X", INVALID),
        # Never issued: still compared (the same wrong number twice is evidence), flagged.
        ("000123456", Parsed(123456, invalid=True)),
        ("666123456", Parsed(666123456, invalid=True)),
        ("900123456", Parsed(900123456, invalid=True)),
        ("999123456", Parsed(999123456, invalid=True)),
        ("123001234", Parsed(123001234, invalid=True)),
        ("123450000", Parsed(123450000, invalid=True)),
        # Placeholders: shared by many people, so not compared at all.
        ("000000000", INVALID),
        ("999-99-9999", INVALID),
        ("111111111", INVALID),
        ("000-00-1234", INVALID),
        ("123000000", INVALID),
        ("１２３４５６７８９", INVALID),
    ],
)
def test_parse_ssn(raw: str | None, expected: Parsed) -> None:
    assert parse_ssn(raw) == expected


def test_format_ssn_pads() -> None:
    assert format_ssn(1010001) == "001010001"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A123456789", Parsed(123456789)),
        ("a12345678", Parsed(12345678)),
        ("1234567", Parsed(1234567)),
        ("012345678", Parsed(12345678)),
        ("A-123-456-789", Parsed(123456789)),
        ("", MISSING),
        ("A123456", INVALID),
        ("1234567890", INVALID),
        ("B12345678", INVALID),
        ("A000000000", INVALID),
        ("AA1234567", INVALID),
    ],
)
def test_parse_a_number(raw: str, expected: Parsed) -> None:
    assert parse_a_number(raw) == expected


def test_a_numbers_compare_as_nine_digits() -> None:
    assert parse_a_number("A01234567") == parse_a_number("1234567")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20500", "20500"),
        ("20500-1234", "20500"),
        ("2134", "02134"),  # a leading zero lost in a spreadsheet
        ("501", "00501"),
        ("50", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_standardize_zip(raw: str | None, expected: str) -> None:
    assert standardize_zip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("1980-02-29", dt.date(1980, 2, 29), None),
        (" 1980-01-02 ", dt.date(1980, 1, 2), None),
        ("", None, None),
        ("1981-02-29", None, DobProblem.NOT_A_DATE),
        ("1980-13-01", None, DobProblem.NOT_A_DATE),
        ("02/01/1980", None, DobProblem.NOT_A_DATE),
        ("19800102", None, DobProblem.NOT_A_DATE),
        ("1800-01-01", None, DobProblem.NOT_A_DATE),
        ("2025-06-02", None, DobProblem.FUTURE),
        ("2025-06-01", dt.date(2025, 6, 1), None),
    ],
)
def test_parse_dob(raw: str, value: dt.date | None, problem: DobProblem | None) -> None:
    parsed = parse_dob(raw, today=TODAY)
    assert (parsed.value, parsed.problem) == (value, problem)


def test_swap_day_month() -> None:
    assert swap_day_month(dt.date(1980, 3, 7)) == dt.date(1980, 7, 3)
    assert swap_day_month(dt.date(1980, 3, 3)) is None
    assert swap_day_month(dt.date(1980, 3, 17)) is None
