"""Request intake: formats, validation errors with codes, row warnings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matchgate.domain.errors import InputError
from matchgate.intake import Code, read_requests
from matchgate.intake.codes import FILE_ERRORS, MEANINGS, ROW_ERRORS, ROW_WARNINGS

TODAY = dt.date(2025, 6, 1)
HEADER = "request_id,first_name,middle_name,last_name,ssn,a_number,dob,zip,favorite_color\n"
ROWS = [
    "r1,José,,García-López,123-45-6789,A12345678,1980-03-07,20500-1234,blue\n",
    "r2,Mary,Ann,O'Brien,,,1975-12-31,,green\n",
]


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def raises(path: Path, code: Code) -> InputError:
    with pytest.raises(InputError) as info:
        read_requests(path, today=TODAY)
    assert info.value.code == code
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    return info.value


def test_csv_is_standardized(tmp_path: Path) -> None:
    batch = read_requests(write(tmp_path / "r.csv", HEADER + "".join(ROWS)), today=TODAY)
    rows = batch.table.to_pylist()
    assert batch.rows == 2
    assert rows[0]["request_id"] == "r1"
    assert rows[0]["first"] == "JOSE"
    assert rows[0]["last"] == "GARCIA LOPEZ"
    assert rows[0]["last_keys"] == ["GARC", "LOPE"]
    assert rows[0]["ssn"] == 123456789
    assert rows[0]["a_number"] == 12345678
    assert rows[0]["dob"] == dt.date(1980, 3, 7)
    assert rows[0]["dob_swapped"] == dt.date(1980, 7, 3)
    assert rows[0]["zip"] == "20500"
    assert rows[0]["warning_codes"] == ""
    assert rows[0]["error_code"] is None
    assert rows[1]["middle"] == "ANN"
    assert rows[1]["last"] == "OBRIEN"
    assert rows[1]["ssn"] is None
    assert rows[1]["dob_swapped"] is None
    assert "favorite_color" not in batch.table.column_names


def test_parquet_and_jsonl_read_like_csv(tmp_path: Path) -> None:
    csv_batch = read_requests(write(tmp_path / "r.csv", HEADER + "".join(ROWS)), today=TODAY)
    records = [
        {
            "request_id": "r1",
            "first_name": "José",
            "last_name": "García-López",
            "ssn": "123456789",
            "a_number": "A12345678",
            "dob": "1980-03-07",
            "zip": "20500",
        },
        {
            "request_id": "r2",
            "first_name": "Mary",
            "middle_name": "Ann",
            "last_name": "O'Brien",
            "dob": "1975-12-31",
            "ssn": None,
        },
    ]
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    table = pa.Table.from_pylist(records)
    parquet = tmp_path / "r.parquet"
    pq.write_table(table, parquet)
    for path in (jsonl, parquet):
        batch = read_requests(path, today=TODAY)
        assert batch.table.column("ssn").to_pylist() == csv_batch.table.column("ssn").to_pylist()
        assert batch.table.column("last").to_pylist() == csv_batch.table.column("last").to_pylist()
        assert batch.table.column("dob").to_pylist() == csv_batch.table.column("dob").to_pylist()


def test_typed_parquet_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "request_id": pa.array([1, 2], pa.int64()),
            "last_name": ["Lee", "Kim"],
            "ssn": pa.array([12345678, None], pa.int64()),
            "dob": pa.array([dt.date(1990, 1, 2), None], pa.date32()),
        }
    )
    pq.write_table(table, tmp_path / "r.parquet")
    rows = read_requests(tmp_path / "r.parquet", today=TODAY).table.to_pylist()
    assert rows[0]["request_id"] == "1"
    assert rows[0]["ssn"] == 12345678  # zero-padded "012345678" is a valid SSN
    assert rows[0]["dob"] == dt.date(1990, 1, 2)


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    batch = read_requests(write(tmp_path / "requests.txt", HEADER + ROWS[0]), today=TODAY)
    assert batch.rows == 1
    pq.write_table(pa.table({"request_id": ["a"], "last_name": ["Lee"]}), tmp_path / "r.data")
    assert read_requests(tmp_path / "r.data", today=TODAY).rows == 1


def test_unrecognizable_file(tmp_path: Path) -> None:
    raises(write(tmp_path / "requests.xyz", "just some words\n"), Code.FILE_FORMAT)


def test_fixed_width_submission_is_read_by_content(tmp_path: Path) -> None:
    """A 130-character record with TPV214 at 10-15 is read as the SSNVS/EVS layout (whatever the
    file's name); its request_id is its line number (the layout is tested in tests/submit)."""
    blank = "123456789TPV214" + " " * 115
    named = "123456789TPV214" + "LEE".ljust(13) + "ANN".ljust(10) + " " * 92
    batch = read_requests(write(tmp_path / "sub.csv", blank + "\n" + named + "\n"), today=TODAY)
    assert batch.table["request_id"].to_pylist() == ["1", "2"]
    assert batch.table["error_code"].to_pylist() == [Code.NAME_MISSING, None]
    assert batch.table["ssn"].to_pylist() == [123456789, 123456789]


def test_missing_file(tmp_path: Path) -> None:
    raises(tmp_path / "nope.csv", Code.FILE_MISSING)
    raises(tmp_path, Code.FILE_MISSING)


def test_missing_request_id_column(tmp_path: Path) -> None:
    raises(write(tmp_path / "r.csv", "id,last_name\n1,Lee\n"), Code.REQUEST_ID_COLUMN_MISSING)


def test_empty_request_id(tmp_path: Path) -> None:
    error = raises(
        write(tmp_path / "r.csv", "request_id,last_name\n1,Lee\n ,Kim\n"), Code.REQUEST_ID_EMPTY
    )
    assert error.row == 2
    assert "row 2" in str(error)
    assert "Kim" not in str(error)


def test_duplicate_request_id_names_both_rows(tmp_path: Path) -> None:
    text = "request_id,last_name\na,Lee\nb,Kim\nc,Ng\nb,Park\n"
    error = raises(write(tmp_path / "r.csv", text), Code.REQUEST_ID_DUPLICATE)
    assert "row 4" in str(error)
    assert "row 2" in str(error)
    assert "Park" not in str(error)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    data = b"request_id,last_name\n1,Lee\n2,Mu\xf1oz\n"
    error = raises(write(tmp_path / "r.csv", data), Code.FILE_ENCODING)
    assert "line 3" in str(error)
    assert "Mu" not in str(error)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    batch = read_requests(
        write(tmp_path / "r.csv", "\ufeffrequest_id,last_name\n1,Lee\n"), today=TODAY
    )
    assert batch.table.column("last").to_pylist() == ["LEE"]


def test_no_name_column(tmp_path: Path) -> None:
    raises(write(tmp_path / "r.csv", "request_id,ssn\n1,123456789\n"), Code.NAME_COLUMNS_MISSING)


def test_empty_file(tmp_path: Path) -> None:
    raises(write(tmp_path / "r.csv", ""), Code.FILE_EMPTY)


def test_header_only_is_zero_rows(tmp_path: Path) -> None:
    assert read_requests(write(tmp_path / "r.csv", "request_id,last_name\n"), today=TODAY).rows == 0


def test_too_many_fields(tmp_path: Path) -> None:
    error = raises(
        write(tmp_path / "r.csv", "request_id,last_name\n1,Lee\n2,Smith,Jr\n"), Code.FILE_MALFORMED
    )
    assert error.row == 2


def test_bad_json_line(tmp_path: Path) -> None:
    error = raises(
        write(tmp_path / "r.jsonl", '{"request_id": "1", "last_name": "Lee"}\n[1, 2]\n'),
        Code.FILE_MALFORMED,
    )
    assert error.row == 2


def test_bad_parquet(tmp_path: Path) -> None:
    raises(write(tmp_path / "r.parquet", b"PAR1 not really"), Code.FILE_MALFORMED)


def test_invalid_fields_warn_and_row_is_kept(tmp_path: Path) -> None:
    text = (
        "request_id,first_name,last_name,ssn,a_number,dob\n"
        "1,Ann,Lee,000-12-3456,A12,1980-02-30\n"
        "2,Bo,Kim,666123456,1234567,2030-01-01\n"
        "3,Cy,Ng,123-00-4567,,01/02/1980\n"
        "4,Di,Wu,12345678,,\n"
    )
    rows = read_requests(write(tmp_path / "r.csv", text), today=TODAY).table.to_pylist()
    assert rows[0]["warning_codes"] == "W_SSN_INVALID|W_ANUMBER_INVALID|W_DOB_INVALID"
    assert rows[1]["warning_codes"] == "W_SSN_INVALID|W_DOB_FUTURE"
    assert rows[1]["a_number"] == 1234567
    assert rows[2]["warning_codes"] == "W_SSN_INVALID|W_DOB_INVALID"
    assert rows[3]["warning_codes"] == "W_SSN_INVALID"
    # Never-issued 9-digit SSNs warn but are still compared; the 8-digit one is unusable.
    assert [r["ssn"] for r in rows] == [123456, 666123456, 123004567, None]
    assert all(r["dob"] is None for r in rows)
    assert all(r["error_code"] is None for r in rows)


def test_row_without_usable_name_is_an_error_row(tmp_path: Path) -> None:
    text = "request_id,first_name,last_name,ssn\n1,,,123456789\n2,--,'',\n3,Ann,,\n"
    rows = read_requests(write(tmp_path / "r.csv", text), today=TODAY).table.to_pylist()
    assert [r["error_code"] for r in rows] == ["E_NAME_MISSING", "E_NAME_MISSING", None]


def test_code_vocabulary_is_complete() -> None:
    assert set(MEANINGS) == set(Code)
    assert set(Code) == FILE_ERRORS | ROW_ERRORS | ROW_WARNINGS
    assert not FILE_ERRORS & ROW_ERRORS
    for code in Code:
        assert code.value.startswith("W_" if code in ROW_WARNINGS else "E_")
        assert MEANINGS[code]
        assert "\n" not in MEANINGS[code]


def test_comparison_columns_are_filled(tmp_path: Path) -> None:
    text = (
        "request_id,first_name,last_name,address_line,zip\n"
        "1,Bill,García López,12 North Oak Street,20500-1234\n"
    )
    batch = read_requests(write(tmp_path / "r.csv", text), today=TODAY)
    row = batch.table.to_pylist()[0]
    assert (row["first_c"], row["last_c"]) == ("BILL", "GARCIALOPEZ")
    assert row["last_tokens"] == ["GARCIA", "LOPEZ"]
    assert "N:WILLIAM" in row["first_vk"]
    assert row["first_dk"] == [k for k in row["first_vk"] if not k.startswith("S:")]
    assert any(k.startswith("S:") for k in row["last_vk"])
    assert row["addr"] == "12 N OAK ST"
    assert row["zip"] == "20500"
