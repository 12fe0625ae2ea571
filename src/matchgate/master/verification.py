"""SSNVS/EVS verification codes from a claim and the master records (data contract, section 4).

A fixed-width record claims that an SSN belongs to a named person born on a date. The code says
how that claim compares with the SSN holder's master record:

======= ====================================================================================
code    when
======= ====================================================================================
blank   the SSN is in the master, the name agrees, and the DOB agrees (a blank DOB is not
        checked); the death indicator is ``Y`` when the record has a death date, else ``N``
``1``   the SSN is not in the master (or is in a range never issued)
``3``   the name agrees, the DOB does not
``5``   the name does not agree (the DOB is not checked)
``6``   the record could not be verified for another reason: a blank or malformed SSN, no
        name, a record whose fixed parts are wrong
``*``   the input SSN did not verify (code 1 or 5), but the matcher confidently found the
        person (decision ``match``) under another SSN, and that record's name and DOB agree
        with the claim; the located SSN is returned
======= ====================================================================================

Names agree by the one SSA name-verification rule of
:mod:`matchgate.standardize.name_verification`, the same rule the matcher's ``ssa_code`` column
uses (:mod:`matchgate.matching.ssa`): standardized names, what the fixed-width layout loses
(truncation at 13/10 characters, spaces, hyphens, apostrophes, periods, accents) and no more; a
name missing or given as a placeholder on either side is not compared. Only first and last names
are compared; the middle name, the gender (ignored by SSNVS) and the earlier names are not.
docs/matching.md ("SSA verification codes") says why nicknames and swaps do not verify.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from matchgate.standardize.identifiers import ssn_is_issuable
from matchgate.standardize.name_verification import (
    FIRST_NAME_WIDTH,
    LAST_NAME_WIDTH,
    name_verifies,
    names_verify,
)
from matchgate.standardize.names import standardize_name

__all__ = [
    "DOB_DISAGREES",
    "FIRST_NAME_WIDTH",
    "LAST_NAME_WIDTH",
    "LOCATED",
    "NAME_DISAGREES",
    "NOT_IN_FILE",
    "NOT_VERIFIED",
    "VERIFIED",
    "Claim",
    "Holder",
    "Verification",
    "fold",
    "name_agrees",
    "verify",
]

VERIFIED = " "
NOT_IN_FILE = "1"
DOB_DISAGREES = "3"
NAME_DISAGREES = "5"
NOT_VERIFIED = "6"
LOCATED = "*"


@dataclass(frozen=True)
class Claim:
    """What a fixed-width record claims: SSN as written, names as written, DOB as YYYY-MM-DD."""

    ssn: str
    first_name: str
    last_name: str
    dob: str
    usable: bool = True


@dataclass(frozen=True)
class Holder:
    """The master record compared with a claim (all text; empty when unknown)."""

    ssn: str
    first_name: str
    last_name: str
    dob: str
    death_date: str = ""


@dataclass(frozen=True)
class Verification:
    """A code, the located SSN (code ``*`` only) and the death indicator (code blank only)."""

    code: str
    located_ssn: str = ""
    death_indicator: str = ""


def fold(name: str) -> str:
    """Upper case, accents removed, only A-Z kept."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed.upper() if "A" <= ch <= "Z")


def name_agrees(given: str, recorded: str, width: int) -> bool:
    """Whether one name as submitted agrees with the recorded one (the one rule, on raw text)."""
    return name_verifies(standardize_name(given), standardize_name(recorded), width)


def _names(claim: Claim, holder: Holder) -> bool | None:
    return names_verify(
        standardize_name(claim.first_name),
        standardize_name(claim.last_name),
        standardize_name(holder.first_name),
        standardize_name(holder.last_name),
    )


def _names_agree(claim: Claim, holder: Holder) -> bool:
    return bool(_names(claim, holder))


def _dob_agrees(claim: Claim, holder: Holder) -> bool:
    return not claim.dob or claim.dob == holder.dob


def _located(claim: Claim, located: Holder | None) -> Verification | None:
    if located is None or located.ssn == claim.ssn:
        return None
    if not (len(located.ssn) == 9 and located.ssn.isdigit()):
        return None
    if _names_agree(claim, located) and _dob_agrees(claim, located):
        return Verification(LOCATED, located_ssn=located.ssn)
    return None


def verify(claim: Claim, holder: Holder | None, located: Holder | None = None) -> Verification:
    """The code for ``claim``: ``holder`` is the master record of the claimed SSN (None when
    no record has it); ``located`` is the person the matcher decided ``match`` for, if any."""
    ssn = claim.ssn.strip()
    if not claim.usable or not (
        standardize_name(claim.first_name) or standardize_name(claim.last_name)
    ):
        return Verification(NOT_VERIFIED)
    if len(ssn) != 9 or not ssn.isdigit():
        return Verification(NOT_VERIFIED)
    if not ssn_is_issuable(ssn) or holder is None:
        return _located(claim, located) or Verification(NOT_IN_FILE)
    if _names_agree(claim, holder):
        if _dob_agrees(claim, holder):
            return Verification(VERIFIED, death_indicator="Y" if holder.death_date else "N")
        return Verification(DOB_DISAGREES)
    return _located(claim, located) or Verification(NAME_DISAGREES)
