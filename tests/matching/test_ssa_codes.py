"""SSA verification codes (data contract, section 4) in the match output."""

from __future__ import annotations

from conftest import Row, Run

ANA = {
    "person_id": "P-ANA",
    "ssn": "321-54-9876",
    "first_name": "Ana",
    "last_name": "Silva",
    "dob": "1970-04-12",
    "address_line": "5 Elm St",
    "zip": "02139",
}
BO = {
    "person_id": "P-BO",
    "ssn": "321-54-9877",
    "first_name": "Bo",
    "last_name": "Nilsson",
    "dob": "1988-08-08",
    "zip": "98101",
}


def req(rid: str, **fields: str) -> Row:
    base = {k: ANA[k] for k in ("first_name", "last_name", "ssn", "dob", "zip")}
    return {**base, **fields, "request_id": rid}


def test_codes(run: Run) -> None:
    out = run(
        [ANA, BO],
        [
            req("blank"),
            req("blank_no_dob", dob=""),
            req("three", dob="1971-09-30", zip="99999"),
            req("five", first_name="Xavier", last_name="Quint", dob="1999-01-02"),
            req("one", ssn="111-22-3334", first_name="Yolanda", last_name="Ruiz"),
            req("never_issued", ssn="666-12-3456", first_name="Yolanda", last_name="Ruiz"),
            req("none", ssn=""),
        ],
    )
    assert (out["blank"]["ssa_code"], out["blank"]["located_ssn"]) == ("blank", "")
    assert out["blank_no_dob"]["ssa_code"] == "blank"
    assert out["three"]["ssa_code"] == "3"
    assert out["five"]["ssa_code"] == "5"
    assert out["one"]["ssa_code"] == "1"
    assert out["never_issued"]["ssa_code"] == "1"
    assert out["none"]["ssa_code"] == ""


def test_star_with_the_located_ssn(run: Run) -> None:
    """The SSN given is not on file, but the person was found with another one."""
    out = run([ANA, BO], [req("star", ssn="123-45-6780", address_line="5 Elm Street")])
    assert out["star"]["decision"] == "match"
    assert (out["star"]["ssa_code"], out["star"]["located_ssn"]) == ("*", "321549876")


def test_name_tolerance_of_the_fixed_width_layout(run: Run) -> None:
    """Truncation, removed spaces and hyphens still verify."""
    long_name = {
        **ANA,
        "first_name": "Maximiliana",
        "last_name": "Vandenberghe-Oliveira",
        "person_id": "P-MAX",
        "ssn": "400-12-3456",
    }
    out = run(
        [long_name],
        [
            {
                "request_id": "fw",
                "first_name": "MAXIMILIAN",
                "last_name": "VANDENBERGHEO",
                "ssn": "400123456",
                "dob": long_name["dob"],
            }
        ],
    )
    assert out["fw"]["ssa_code"] == "blank"
