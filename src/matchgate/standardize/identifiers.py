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
    """A parsed identifier: ``value`` when usable; ``invalid`` when given but unusable."""

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


def parse_ssn(raw: str | None) -> Parsed:
    """An SSN: 9 digits, hyphens and spaces allowed, in an issuable range."""
    if raw is None or not raw.strip():
        return MISSING
    digits = _digits(raw)
    if len(digits) != SSN_DIGITS or not _is_ascii_digits(digits) or not ssn_is_issuable(digits):
        return INVALID
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


def standardize_zip(raw: str | None) -> str:
    """The 5-digit ZIP code of a ZIP or ZIP+4, or ``""``."""
    if not raw:
        return ""
    digits = re.sub(r"[^0-9]", "", raw)
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
