"""Clerical errors of the kind FEBRL makes (several fields keyed wrong at once), each pinned with a
small hand-made case: the right person is found, and the look-alike that shares the same
surviving fields with someone else is not.

Rules pinned here: ZIP codes that lost their leading zero, never-issued SSNs still compared (SSA
code 1), placeholder SSNs not compared, a birth date one keystroke off, a ZIP code one keystroke
off that forgives nothing, the SSN with the first name and the address line outweighing a
changed surname plus a mistyped birthday, and the first name, birthday and address line
outweighing a changed surname plus a wrong SSN.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MASTER_COLUMNS, REQUEST_COLUMNS, Row, filler, read_output, write_csv
from matchgate.services.master.match import match_files
from matchgate.settings import Settings

PEOPLE: list[Row] = [
    {
        "person_id": "P-NORA",
        "ssn": "412-00-3456",  # group 00: never issued, yet this is the number on her record
        "first_name": "Nora",
        "last_name": "Quinlan",
        "dob": "1972-04-18",
        "address_line": "15 Birch Lane",
        "zip": "02134",
    },
    {
        "person_id": "P-ELLA",
        "ssn": "423-45-6781",
        "first_name": "Ella",
        "last_name": "Marchetti",
        "dob": "1988-09-23",
        "address_line": "8 Cedar Ave",
        "zip": "04101",
    },
    {
        "person_id": "P-OWEN",
        "ssn": "434-56-7812",
        "first_name": "Owen",
        "last_name": "Halvorsen",
        "dob": "1965-11-02",
        "address_line": "31 Maple Dr",
        "zip": "55401",
    },
    {
        "person_id": "P-IRIS",
        "ssn": "445-67-8123",
        "first_name": "Iris",
        "last_name": "Delacroix",
        "dob": "1994-02-14",
        "address_line": "6 Willow Way",
        "zip": "73301",
    },
    {
        "person_id": "P-PAT",
        "ssn": "999-99-9999",  # a placeholder: many records carry it
        "first_name": "Patrick",
        "last_name": "Oyelaran",
        "dob": "1990-06-06",
        "zip": "85001",
    },
]
BY_ID = {p["person_id"]: p for p in PEOPLE}


def ask(person_id: str, **changes: str) -> Row:
    person = BY_ID[person_id]
    row = {k: person.get(k, "") for k in REQUEST_COLUMNS if k != "request_id"}
    row.update(changes)
    return row


# (kind, request, the person it must match)
PRESENT: list[tuple[str, Row, str]] = [
    # No SSN, names and birthday exact, another address line: only the ZIP code (4 digits, its
    # leading zero lost in a spreadsheet) keeps the address from conflicting.
    (
        "zip_lost_leading_zero",
        ask("P-ELLA", ssn="", zip="4101", address_line="90 Oak St"),
        "P-ELLA",
    ),
    # The never-issued SSN on both records is the only identifier (no birthday, no address).
    ("never_issued_ssn", ask("P-NORA", dob="", address_line="", zip=""), "P-NORA"),
    # SSN one keystroke off needs an explained birthday: one digit mistyped is explained.
    (
        "dob_one_digit",
        ask("P-ELLA", ssn="423-45-6718", dob="1988-09-28", address_line="", zip=""),
        "P-ELLA",
    ),
    # Married (new surname) and the birthday mistyped: SSN, first name and address agree.
    (
        "surname_and_dob_changed",
        ask("P-ELLA", last_name="Donnelly", dob="1986-02-13"),
        "P-ELLA",
    ),
    # Married, and another SSN on the request: first name, birthday and address line agree.
    (
        "surname_changed_and_ssn_wrong",
        ask("P-ELLA", last_name="Donnelly", ssn="487-65-4321"),
        "P-ELLA",
    ),
]

# (kind, request, the person it must not be matched to)
ABSENT: list[tuple[str, Row, str]] = [
    # A twin living in the next ZIP area (one keystroke away, another address line) using his
    # brother's SSN: SSN, surname and birthday agree, the first name does not. A ZIP code one
    # keystroke off is a typo or the next area; with another address line it does not vouch
    # for the household, so it forgives no conflicting field.
    (
        "twin_in_the_next_zip_code",
        ask("P-OWEN", first_name="Trevor", address_line="2 Spruce Ct", zip="55410"),
        "P-OWEN",
    ),
    # A twin sister absent from the master, her own SSN, at home: surname, birthday and address
    # agree, the first name and SSN do not.
    ("absent_twin_own_ssn", ask("P-IRIS", first_name="Isla", ssn="467-12-3456"), "P-IRIS"),
    # A relative using Ella's SSN at her address: surname, SSN and address agree, first name and
    # birthday do not (the surname, not the first name, is what a relative shares).
    (
        "relative_borrowing_ssn",
        ask("P-ELLA", first_name="Marco", dob="1961-07-30"),
        "P-ELLA",
    ),
    # Another Ella at the same address (another surname, SSN and birthday): a lodger.
    (
        "same_first_name_at_the_address",
        ask("P-ELLA", last_name="Donnelly", ssn="487-65-4321", dob="1990-01-15"),
        "P-ELLA",
    ),
    # Someone else whose record carries the same placeholder SSN.
    (
        "placeholder_ssn",
        ask("P-PAT", first_name="Grace", last_name="Oyelaran", dob="", zip=""),
        "P-PAT",
    ),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Row]:
    tmp = tmp_path_factory.mktemp("clerical")
    master = write_csv(tmp / "master.csv", MASTER_COLUMNS, PEOPLE + filler())
    answers: dict[str, Row] = {}
    # One file per request: one person is matched at most once per file.
    cases = [(f"present:{k}", r) for k, r, _ in PRESENT] + [
        (f"absent:{k}", r) for k, r, _ in ABSENT
    ]
    for n, (request_id, row) in enumerate(cases):
        requests = write_csv(
            tmp / f"r{n}.csv", REQUEST_COLUMNS, [{**row, "request_id": request_id}]
        )
        out = tmp / f"o{n}.csv"
        match_files(master, requests, out, settings=Settings(workspace=tmp / "ws"))
        answers.update({r["request_id"]: r for r in read_output(out)})
    return answers


@pytest.mark.parametrize(("kind", "asked", "person"), PRESENT, ids=[p[0] for p in PRESENT])
def test_person_keyed_with_errors_is_found(
    results: dict[str, Row], kind: str, asked: Row, person: str
) -> None:
    row = results[f"present:{kind}"]
    assert (row["decision"], row["person_id"]) == ("match", person), row["reasons"]


@pytest.mark.parametrize(("kind", "asked", "person"), ABSENT, ids=[a[0] for a in ABSENT])
def test_someone_else_with_the_same_surviving_fields_is_not_matched(
    results: dict[str, Row], kind: str, asked: Row, person: str
) -> None:
    row = results[f"absent:{kind}"]
    assert row["decision"] != "match", row["reasons"]


def test_levels_name_the_keystroke_errors(results: dict[str, Row]) -> None:
    assert json.loads(results["present:dob_one_digit"]["levels"])["dob"] == "one_digit"
    assert json.loads(results["absent:twin_in_the_next_zip_code"]["levels"])["address"] == (
        "zip_close"
    )
    assert json.loads(results["present:zip_lost_leading_zero"]["levels"])["address"] == "zip"


def test_never_issued_ssn_is_evidence_but_verifies_as_not_issued(results: dict[str, Row]) -> None:
    row = results["present:never_issued_ssn"]
    assert json.loads(row["levels"])["ssn"] == "exact"
    assert row["ssa_code"] == "1"
    assert "W_SSN_INVALID" in row["warning_codes"]


def test_placeholder_ssn_is_not_compared(results: dict[str, Row]) -> None:
    row = results["absent:placeholder_ssn"]
    assert "W_SSN_INVALID" in row["warning_codes"]
    assert "ssn" not in json.loads(row["levels"] or "{}")


def test_a_match_located_with_a_never_issued_ssn_is_not_given_out(tmp_path: Path) -> None:
    """A request with another (wrong) SSN matched to Nora: code 1, and no ``*`` locating her
    never-issued number."""
    master = write_csv(tmp_path / "m.csv", MASTER_COLUMNS, PEOPLE + filler())
    row = {**ask("P-NORA", ssn="498-76-5432"), "request_id": "n"}
    requests = write_csv(tmp_path / "r.csv", REQUEST_COLUMNS, [row])
    match_files(master, requests, tmp_path / "o.csv", settings=Settings(workspace=tmp_path))
    answer = read_output(tmp_path / "o.csv")[0]
    assert (answer["decision"], answer["person_id"]) == ("match", "P-NORA"), answer["reasons"]
    assert (answer["ssa_code"], answer["located_ssn"]) == ("1", "")
