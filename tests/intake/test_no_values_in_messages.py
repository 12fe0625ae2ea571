"""No reader's message quotes a value from the file.

A header row is text from the file: when it is missing (or a JSON Lines key, a Parquet column
name is data), quoting "unknown columns" quotes a person's name, SSN and date of birth. Each test
plants distinctive synthetic values and checks that no message of the readers carries them, in
any case, while still pointing at the file and the column by position.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.submit.helpers import ssnvs_record

from matchgate.domain.errors import InputError
from matchgate.intake.readers import read_text_table
from matchgate.intake.submission import inspect_submission, refuse_fields

FIRST, LAST, SSN, DOB = "Quillon", "Vantragosa", "512348867", "1947-11-23"
PLANTED = (FIRST, LAST, SSN, "512-34-8867", DOB, "R9-QV")
"""Synthetic values no message may carry (compared case-insensitively)."""
ROW = f"R9-QV,{FIRST},,{LAST},{SSN},,{DOB},,,,\n"
ALLOWED = ("request_id", "first_name", "middle_name", "last_name", "ssn", "dob")


def assert_no_value(text: str) -> None:
    for value in PLANTED:
        assert value.lower() not in text.lower(), (value, text)


def refusal(path: Path) -> InputError:
    """What submit does with a file: inspect it, then refuse the columns not allowed."""
    try:
        inspected = inspect_submission(path)
        refused = [c for c in inspected.columns if c.strip().lower() not in ALLOWED]
        refuse_fields(path, refused, inspected)
    except InputError as exc:
        return exc
    raise AssertionError("the file was not refused")


def raised(action: Callable[[], object]) -> InputError:
    with pytest.raises(InputError) as caught:
        action()
    return caught.value


def test_a_csv_without_its_header_row_is_refused_by_position(tmp_path: Path) -> None:
    path = tmp_path / "noheader.csv"
    path.write_text(ROW + "R2,Olive,M,Tremont,123456789,,1961-04-12,,,,\n")
    error = refusal(path)
    assert error.code == "E_FIELD_NOT_ALLOWED"
    assert_no_value(str(error))
    assert "noheader.csv" in str(error)
    assert "column" in str(error)
    assert "1" in str(error)
    assert "header" in str(error)  # the likely cause is named


def test_json_lines_keys_that_are_values_are_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "keys.jsonl"
    record = {"request_id": "R1", FIRST: LAST, SSN: DOB}
    path.write_text(json.dumps(record) + "\n")
    error = refusal(path)
    assert error.code == "E_FIELD_NOT_ALLOWED"
    assert_no_value(str(error))


def test_parquet_column_names_that_are_values_are_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "names.parquet"
    pq.write_table(pa.table({"request_id": ["R1"], FIRST: [LAST], SSN: [DOB]}), path)
    error = refusal(path)
    assert_no_value(str(error))


def test_a_repeated_name_in_a_missing_header_is_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(f"R9-QV,{LAST},,{LAST},{SSN},,{DOB}\n")
    error = raised(lambda: read_text_table(path))
    assert error.code == "E_FILE_MALFORMED"
    assert_no_value(str(error))
    assert "2" in str(error)  # both positions are named
    assert "4" in str(error)


def test_a_parquet_column_of_an_unreadable_type_is_named_by_position(tmp_path: Path) -> None:
    path = tmp_path / "odd.parquet"
    odd = pa.array([{"x": 1}], pa.struct([("x", pa.int64())]))
    pq.write_table(pa.table({"request_id": ["R1"], FIRST: odd}), path)
    error = raised(lambda: read_text_table(path))
    assert_no_value(str(error))
    assert "column 2" in str(error)


def test_fixed_width_messages_carry_no_value(tmp_path: Path) -> None:
    good = ssnvs_record(SSN, LAST.upper(), FIRST.upper(), dob="11231947")
    cases = {
        "short": good[:-3],
        "long": good + "XY",
        "nonascii": good[:40] + "É" + good[41:],
    }
    for name, record in cases.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(f"{good}\n{record}\n".encode())
        error = raised(lambda path=path: read_text_table(path))
        assert_no_value(str(error))
        assert "line 2" in str(error), str(error)


def test_known_field_names_are_still_named(tmp_path: Path) -> None:
    """A real header's columns the agreement does not allow: contract names are quoted."""
    path = tmp_path / "r.csv"
    path.write_text("request_id,last_name,city,state\nR1,Doe,Austin,TX\n")
    error = refusal(path)
    assert "city" in str(error)
    assert "state" in str(error)
