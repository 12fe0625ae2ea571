"""Unknown is not different: a placeholder name is not compared, so the other fields decide."""

from __future__ import annotations

from conftest import Row, Run

OKAFOR = {
    "person_id": "P-OK",
    "ssn": "321-54-1111",
    "first_name": "Chidinma",
    "middle_name": "Adaeze",
    "last_name": "Okafor",
    "dob": "1984-03-17",
    "address_line": "12 Birch Rd",
    "zip": "60614",
}
UNNAMED = {  # enumerated at birth before the name was known
    "person_id": "P-BABY",
    "ssn": "321-54-2222",
    "first_name": "Baby Girl",
    "last_name": "Marsh",
    "dob": "2024-06-02",
    "zip": "30301",
}


def w2(rid: str, **fields: str) -> Row:
    """A W-2-style request: SSN, names and address, no date of birth."""
    base = {k: OKAFOR[k] for k in ("first_name", "middle_name", "last_name", "ssn", "address_line")}
    return {**base, "zip": OKAFOR["zip"], **fields, "request_id": rid}


def test_placeholder_first_name_is_not_a_borrowed_ssn(run: Run) -> None:
    requests = [
        w2("fnu", first_name="FNU", middle_name="A"),
        w2("unknown", first_name="Unknown", middle_name="A", address_line=""),
        w2("other", first_name="Gideon", middle_name="T", address_line="", zip=""),
    ]
    out: dict[str, Row] = {}
    for request in requests:  # one file each: a file matches a person once
        out.update(run([OKAFOR, UNNAMED], [request]))
    for rid in ("fnu", "unknown"):
        assert out[rid]["decision"] == "match", out[rid]["reasons"]
        assert out[rid]["person_id"] == "P-OK"
        assert "W_NAME_PLACEHOLDER" in out[rid]["warning_codes"]
        assert "first name and date of birth disagree" not in out[rid]["reasons"]
        # the SSA code follows the fields that are known: SSN and surname agree, no DOB given
        assert out[rid]["ssa_code"] == "blank"
    # A real first name that differs is still a borrowed SSN.
    assert out["other"]["decision"] == "no_match"
    assert out["other"]["ssa_code"] == "5"


def test_placeholder_in_the_master_is_not_compared(run: Run) -> None:
    out = run(
        [OKAFOR, UNNAMED],
        [
            {
                "request_id": "named",
                "first_name": "Willow",
                "last_name": "Marsh",
                "ssn": UNNAMED["ssn"],
                "dob": UNNAMED["dob"],
            }
        ],
    )
    assert out["named"]["decision"] == "match", out["named"]["reasons"]
    assert out["named"]["person_id"] == "P-BABY"
    assert out["named"]["ssa_code"] == "blank"
    assert out["named"]["warning_codes"] == ""
