"""The minimized response record: only the categories passed in, only their fields, each value
with as_of and source; possible rows withheld; no_match rows say so."""

from __future__ import annotations

from matchgate.disclosure.response import (
    CATEGORY_FIELDS,
    Answer,
    category_items,
    response_record,
)

MASTER = {
    "person_id": "P1",
    "ssn": "123456789",
    "first_name": "Olive",
    "middle_name": "",
    "last_name": "Tremont",
    "other_names": "Olive Hart|O. Tremont",
    "dob": "1961-04-12",
    "sex": "F",
    "birth_city": "Boston",
    "birth_state": "MA",
    "birth_country": "US",
    "citizenship": "US_CITIZEN",
    "citizenship_as_of": "1961-05-01",
    "a_number": "",
    "death_date": "",
    "address_line": "1 Main St",
    "city": "Springfield",
    "state": "IL",
    "zip": "62701",
}
DETAILS = {
    "relatives": [
        {
            "person_id": "P1",
            "relative_person_id": "P9",
            "relationship": "CHILD",
            "first_name": "Ada",
            "last_name": "Tremont",
            "as_of": "2000-01-01",
            "source": "SS-5 application",
        }
    ],
    "phones": [],
}
MATCH = Answer("R1", "match", 0.997, "SSN agrees; surname agrees", person_id="P1")


def test_only_the_disclosable_categories_and_their_fields() -> None:
    record = response_record(
        MATCH,
        disclosable={"identity", "relatives", "phones"},
        master=MASTER,
        details=DETAILS,
        snapshot_date="2025-08-31",
    )
    assert set(record) == {"request_id", "decision", "score", "reasons", "records"}
    assert list(record["records"]) == ["identity", "phones", "relatives"]
    (identity,) = record["records"]["identity"]
    assert identity == {
        "value": {
            "ssn": "123456789",
            "first_name": "Olive",
            "last_name": "Tremont",
            "dob": "1961-04-12",
            "sex": "F",
        },
        "as_of": "2025-08-31",
        "source": "master record",
    }
    (relative,) = record["records"]["relatives"]
    assert relative["value"] == {
        "relationship": "CHILD",
        "first_name": "Ada",
        "last_name": "Tremont",
    }
    assert "P9" not in str(record)  # the relative's internal key is never disclosed
    assert record["records"]["phones"] == []
    for category, items in record["records"].items():
        for item in items:
            assert set(item) == {"value", "as_of", "source"}
            assert set(item["value"]) <= set(CATEGORY_FIELDS[category])


def test_nothing_when_nothing_is_disclosable() -> None:
    record = response_record(MATCH, disclosable=set(), master=MASTER, snapshot_date="2025-08-31")
    assert record["records"] == {}
    assert "Tremont" not in str(record)


def test_master_row_categories_and_address_fallback() -> None:
    aliases = category_items("aliases", MASTER, {}, snapshot_date="2025-08-31")
    assert [a["value"]["name"] for a in aliases] == ["Olive Hart", "O. Tremont"]
    citizenship = category_items("citizenship", MASTER, {}, snapshot_date="2025-08-31")
    assert citizenship == [
        {"value": {"citizenship": "US_CITIZEN"}, "as_of": "1961-05-01", "source": "master record"}
    ]
    address = category_items("address", MASTER, {}, snapshot_date="2025-08-31")
    assert address[0]["value"]["city"] == "Springfield"
    assert address[0]["source"] == "master record"
    # a detail category without its table has nothing (it is not taken from elsewhere)
    assert category_items("banking", MASTER, {}, snapshot_date="2025-08-31") == []


def test_possible_is_withheld_and_no_match_says_so() -> None:
    possible = response_record(
        Answer("R2", "possible", 0.7, "surname agrees", person_id="P1"),
        disclosable=set(CATEGORY_FIELDS),
        master=MASTER,
        snapshot_date="2025-08-31",
    )
    assert possible == {
        "request_id": "R2",
        "decision": "possible",
        "withheld": "pending review by the disclosing agency",
    }
    no_match = response_record(
        Answer("R3", "no_match", 0.0, "", error_code="E_NAME_MISSING", warning_codes=("W_X",)),
        disclosable=set(CATEGORY_FIELDS),
    )
    assert no_match == {
        "request_id": "R3",
        "decision": "no_match",
        "note": "no confident match in the master file",
        "error_code": "E_NAME_MISSING",
        "warning_codes": ["W_X"],
    }
