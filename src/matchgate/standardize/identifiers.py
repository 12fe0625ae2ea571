"""SSNs, A-numbers and ZIP codes -> comparable forms.

Each parser returns a :class:`Parsed` value: the comparable value, or ``None`` with ``invalid``
telling apart "not given" (empty) from "given but unusable" (which earns a warning code).
SSNs and A-numbers are compared as integers: an SSN's 9 digits fit a 32-bit integer, and an
A-number is "compared as 9 digits zero-padded", which an integer does by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATORS_PATTERN = "[ \t\r\n-]"
"""Characters allowed between the digits of an SSN or A-number."""
_SEPARATORS = re.compile(SEPARATORS_PATTERN)

SSN_DIGITS = 9
ANUMBER_MIN_DIGITS = 7
ANUMBER_MAX_DIGITS = 9
ZIP_DIGITS = 5


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed identifier: ``value`` when usable; ``invalid`` when given but not valid (an
    unusable value, or for an SSN also a usable one in a range never issued)."""

    value: int | None
    invalid: bool = False


MISSING = Parsed(None)
INVALID = Parsed(None, invalid=True)


def _digits(raw: str) -> str:
    return _SEPARATORS.sub("", raw)


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


UNISSUABLE_SSN_PATTERN = r"(000|666|9[0-9]{2})[0-9]{6}|[0-9]{3}00[0-9]{4}|[0-9]{5}0000"
"""9 digits that were never issued: area 000, 666 or 900-999; group 00; serial 0000."""
_UNISSUABLE_SSN = re.compile(UNISSUABLE_SSN_PATTERN)


def ssn_is_issuable(digits: str) -> bool:
    """Whether 9 ASCII digits could be an issued SSN."""
    return _UNISSUABLE_SSN.fullmatch(digits) is None


PLACEHOLDER_SSN_PATTERN = "|".join(
    [*(digit * SSN_DIGITS for digit in "0123456789"), "00000[0-9]{4}", "[0-9]{3}000000"]
)
"""9 digits that stand for "no SSN" rather than for a person: one digit repeated, or a number
with neither area nor group (only the last four digits known) or neither group nor serial.
Many people share them, so agreeing on one says nothing."""
_PLACEHOLDER_SSN = re.compile(PLACEHOLDER_SSN_PATTERN)


def parse_ssn(raw: str | None) -> Parsed:
    """An SSN: 9 digits, hyphens and spaces allowed, not a placeholder.

    A number in a range the SSA never issued (area 000, 666 or 900-999; group 00; serial 0000)
    is still compared, since the same mistyped or made-up number on two records of one person
    is evidence, but it is flagged ``invalid`` (a warning; the SSA code is 1, see
    :func:`ssn_is_issuable`). A placeholder (:data:`PLACEHOLDER_SSN_PATTERN`) is unusable."""
    if raw is None or not raw.strip():
        return MISSING
    digits = _digits(raw)
    if (
        len(digits) != SSN_DIGITS
        or not _is_ascii_digits(digits)
        or _PLACEHOLDER_SSN.fullmatch(digits)
    ):
        return INVALID
    if not ssn_is_issuable(digits):
        return Parsed(int(digits), invalid=True)
    return Parsed(int(digits))


def parse_a_number(raw: str | None) -> Parsed:
    """An alien registration number: 7 to 9 digits, optionally prefixed ``A``; never all zeros."""
    if raw is None or not raw.strip():
        return MISSING
    digits = _digits(raw)
    if digits[:1] in ("A", "a"):
        digits = digits[1:]
    if not (ANUMBER_MIN_DIGITS <= len(digits) <= ANUMBER_MAX_DIGITS) or not _is_ascii_digits(
        digits
    ):
        return INVALID
    value = int(digits)
    return Parsed(value) if value else INVALID


def format_ssn(value: int) -> str:
    """An SSN integer as its 9 digits."""
    return f"{value:09d}"


ZIP_MIN_DIGITS = 3
"""Fewest digits of a ZIP code that lost its leading zeros (``00501`` read as a number is
``501``)."""


def standardize_zip(raw: str | None) -> str:
    """The 5-digit ZIP code of a ZIP or ZIP+4, or ``""``.

    A spreadsheet or a numeric column drops leading zeros (every ZIP code of New England and
    Puerto Rico starts with 0), so 3 or 4 digits are the ZIP code padded back with zeros."""
    if not raw:
        return ""
    digits = re.sub(r"[^0-9]", "", raw)
    if ZIP_MIN_DIGITS <= len(digits) < ZIP_DIGITS:
        return digits.zfill(ZIP_DIGITS)
    return digits[:ZIP_DIGITS] if len(digits) >= ZIP_DIGITS else ""


ADDRESS_WORDS: dict[str, str] = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "LANE": "LN",
    "BOULEVARD": "BLVD",
    "COURT": "CT",
    "PLACE": "PL",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
    "HIGHWAY": "HWY",
    "PARKWAY": "PKWY",
    "APARTMENT": "APT",
    "SUITE": "STE",
    "UNIT": "APT",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "FIRST": "1ST",
    "SECOND": "2ND",
    "THIRD": "3RD",
    "FOURTH": "4TH",
    "FIFTH": "5TH",
}
"""USPS-style abbreviations applied word by word to an address line."""

ADDRESS_NON_ALNUM_PATTERN = "[^A-Z0-9]+"
_ADDRESS_NON_ALNUM = re.compile(ADDRESS_NON_ALNUM_PATTERN)


def standardize_address(folded: str) -> str:
    """An address line already folded to upper-case ASCII (:func:`~.names.fold`): words of
    letters and digits, one space apart, common street words abbreviated; ``""`` when empty."""
    words = _ADDRESS_NON_ALNUM.sub(" ", folded).split()
    return " ".join(ADDRESS_WORDS.get(word, word) for word in words)
