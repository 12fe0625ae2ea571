"""Fallback verification codes (used when a match output has no ``ssa_code``): each code and the
documented name tolerance, on hand-made claims."""

from __future__ import annotations

import pytest

from matchgate.master.verification import Claim, Holder, fold, name_agrees, verify

OLIVE = Holder("123456789", "Olive", "Tremont", "1961-04-12")
CRUZ = Holder("234567891", "Maria-José", "De La Cruz Garcia", "1975-03-09")
DEAD = Holder("345678912", "Sean", "O'Malley", "1939-02-01", death_date="2020-05-05")
LONG = Holder("456789123", "Christopher", "Montgomery", "1970-01-15")


def claim(ssn: str, first: str, last: str, dob: str = "", usable: bool = True) -> Claim:
    return Claim(ssn=ssn, first_name=first, last_name=last, dob=dob, usable=usable)


def test_fold_keeps_only_letters() -> None:
    assert fold("Maria-José") == "MARIAJOSE"
    assert fold("O'Malley") == "OMALLEY"
    assert fold("de la  Cruz") == "DELACRUZ"
    assert fold("Nguyễn") == "NGUYEN"


@pytest.mark.parametrize(
    ("given", "recorded", "width", "agrees"),
    [
        ("DE LA CRUZ GA", "De La Cruz Garcia", 13, True),  # cut at 13 as written
        ("DELACRUZGARCI", "De La Cruz Garcia", 13, True),  # spaces removed, then cut
        ("DELACRUZGARCIA", "De La Cruz Garcia", 13, True),  # spaces removed
        ("OMALLEY", "O'Malley", 13, True),  # apostrophe removed
        ("MARIA JOSE", "Maria-José", 10, True),  # hyphen and accent
        ("CHRISTOPHE", "Christopher", 10, True),  # first name cut at 10
        ("CHRIS", "Christopher", 10, False),  # a nickname is not a cut
        ("DE LA CRUZ", "De La Cruz Garcia", 13, False),  # dropped second surname
        ("GARCIA", "De La Cruz Garcia", 13, False),
        ("", "Tremont", 13, False),
        ("TREMONTE", "Tremont", 13, False),
    ],
)
def test_name_tolerance(given: str, recorded: str, width: int, agrees: bool) -> None:
    assert name_agrees(given, recorded, width) is agrees


def test_blank_code_with_death_indicator() -> None:
    assert verify(claim("123456789", "OLIVE", "TREMONT", "1961-04-12"), OLIVE).code == " "
    assert verify(claim("123456789", "OLIVE", "TREMONT"), OLIVE).death_indicator == "N"
    dead = verify(claim("345678912", "SEAN", "OMALLEY"), DEAD)
    assert (dead.code, dead.death_indicator) == (" ", "Y")


def test_blank_dob_is_not_checked_and_truncated_names_verify() -> None:
    assert verify(claim("234567891", "MARIA JOSE", "DE LA CRUZ GA"), CRUZ).code == " "
    assert verify(claim("456789123", "CHRISTOPHE", "MONTGOMERY", "1970-01-15"), LONG).code == " "


def test_code_3_name_agrees_dob_does_not() -> None:
    result = verify(claim("123456789", "OLIVE", "TREMONT", "1961-04-13"), OLIVE)
    assert (result.code, result.death_indicator) == ("3", "")


def test_code_5_name_does_not_agree() -> None:
    assert verify(claim("123456789", "OLGA", "TREMONT", "1961-04-12"), OLIVE).code == "5"


def test_code_1_not_in_file_or_never_issued() -> None:
    assert verify(claim("987654321", "OLIVE", "TREMONT"), None).code == "1"
    assert verify(claim("000123456", "OLIVE", "TREMONT"), None).code == "1"
    assert verify(claim("666123456", "OLIVE", "TREMONT"), OLIVE).code == "1"


def test_code_6_other_reasons() -> None:
    assert verify(claim("", "OLIVE", "TREMONT"), None).code == "6"
    assert verify(claim("12345678", "OLIVE", "TREMONT"), None).code == "6"
    assert verify(claim("123456789", "", ""), OLIVE).code == "6"
    assert verify(claim("123456789", "OLIVE", "TREMONT", usable=False), OLIVE).code == "6"


def test_star_needs_a_confident_match_under_another_ssn_that_verifies() -> None:
    borrowed = claim("123456789", "SEAN", "OMALLEY", "1939-02-01")  # Olive's SSN, Sean's name
    located = verify(borrowed, OLIVE, located=DEAD)
    assert (located.code, located.located_ssn, located.death_indicator) == ("*", "345678912", "")
    # not in file, found elsewhere
    assert verify(claim("987654321", "SEAN", "OMALLEY"), None, located=DEAD).code == "*"
    # the located person must verify too (DOB disagrees): no star
    assert verify(claim("123456789", "SEAN", "OMALLEY", "1939-02-02"), OLIVE, DEAD).code == "5"
    # the matcher found the holder itself: no other SSN to give
    assert verify(claim("123456789", "OLGA", "TREMONT"), OLIVE, located=OLIVE).code == "5"
    # a DOB mismatch with the right name is 3, never a star
    assert verify(claim("123456789", "OLIVE", "TREMONT", "1961-01-01"), OLIVE, DEAD).code == "3"
