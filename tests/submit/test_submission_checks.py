"""File-level checks of a submission: size, bytes, lines, format and columns; clear codes, no
values in messages, bounded memory for a gigabyte of one line."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.submit.helpers import DAY, REQUESTS, ssnvs_record, write_ssnvs

from matchgate.domain.errors import InputError
from matchgate.intake.submission import (
    check_size,
    inspect_submission,
    read_submission,
    refuse_fields,
    scan_text,
)


def _error(call: object) -> InputError:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def test_size_limits(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    assert _error(lambda: check_size(path, 0)).code == "E_FILE_EMPTY"
    assert _error(lambda: check_size(path, 101, 100)).code == "E_FILE_TOO_LARGE"
    check_size(path, 100, 100)


def test_scan_counts_lines_and_accepts_utf8(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("request_id,last_name\nR1,Nguyễn\nR2,O'Malley", encoding="utf-8")
    assert scan_text(path) == 3


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (b"request_id,last_name\nR1,Tremont\x00\n", "E_FILE_BINARY", 2),
        (b"request_id,last_name\nR1,Tr\xe9mont\n", "E_FILE_ENCODING", 2),
        (b"request_id,last_name\nR1,Tr\xc3", "E_FILE_ENCODING", 2),
        (bytes(range(256)) * 4, "E_FILE_BINARY", 1),
    ],
)
def test_scan_refuses_binary_and_bad_encoding(
    tmp_path: Path, data: bytes, code: str, line: int
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    error = _error(lambda: scan_text(path))
    assert error.code == code
    assert f"line {line}" in str(error)
    assert "Tremont" not in str(error)


def test_long_line_refused_across_block_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"request_id,last_name\n" + b"R1," + b"A" * (3 << 20) + b"\n")
    error = _error(lambda: scan_text(path, max_line_bytes=64 * 1024))
    assert error.code == "E_LINE_TOO_LONG"
    assert "line 2" in str(error)


def test_a_gigabyte_of_one_line_is_refused_early(tmp_path: Path) -> None:
    """1 GB of one line (sparse: the disk holds almost nothing) is refused after the first block
    that passes the line limit; the scan never reads the rest."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"request_id," + b"x" * (2 << 20))
        handle.truncate(1_000_000_000)
    error = _error(lambda: scan_text(path))
    assert error.code == "E_LINE_TOO_LONG"
    assert path.stat().st_size == 1_000_000_000


def test_inspect_tells_the_formats_apart(tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text(REQUESTS)
    assert inspect_submission(csv).format == "csv"
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text(json.dumps({"request_id": "R1", "last_name": "Doe", "color": "red"}) + "\n")
    inspected = inspect_submission(jsonl)
    assert (inspected.format, inspected.columns) == ("jsonl", ("request_id", "last_name", "color"))
    parquet = tmp_path / "r.bin"  # detected by content, not by name
    pq.write_table(pa.table({"request_id": ["R1"], "first_name": ["Jane"]}), parquet)
    assert inspect_submission(parquet).format == "parquet"
    fixed = write_ssnvs(tmp_path / "r.csv.txt", [ssnvs_record("123456789", "DOE", "JANE")])
    inspected = inspect_submission(fixed)
    assert inspected.format == "ssnvs"
    assert inspected.columns == ("request_id", "ssn", "first_name", "last_name")


def test_refused_fields_are_named_without_values(tmp_path: Path) -> None:
    error = _error(lambda: refuse_fields(tmp_path / "r.csv", ["color", "phone"]))
    assert error.code == "E_FIELD_NOT_ALLOWED"
    assert "color" not in str(error)  # not a field name: it may be data, shown by position
    assert "column 1 is not a request field" in str(error)
    assert "phone (column 2)" in str(error)  # a known field name is named
    refuse_fields(tmp_path / "r.csv", [])


def test_rows_get_codes_and_layout_errors_become_row_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "request_id,first_name,last_name,ssn,dob\n"
        "R1,Jane,Doe,000123456,1990-02-30\n"
        "R2,,,123456789,\n"
        "R3,Jane,Doe,,\n"
    )
    submission = read_submission(inspect_submission(path), today=DAY)
    assert submission.records == 3
    assert [(n.row, n.request_id, n.codes) for n in submission.notes] == [
        (1, "R1", ("W_SSN_INVALID", "W_DOB_INVALID")),
        (2, "R2", ("E_NAME_MISSING",)),
    ]
    assert submission.code_counts == {"E_NAME_MISSING": 1, "W_DOB_INVALID": 1, "W_SSN_INVALID": 1}
    fixed = write_ssnvs(
        tmp_path / "f.txt",
        [ssnvs_record("123456789", "DOE", "JANE"), ssnvs_record("1", "DOE", "JANE", mark="XXX214")],
    )
    submission = read_submission(inspect_submission(fixed), today=DAY)
    assert submission.row_error(1) == "E_RECORD_LAYOUT"
    assert [(n.row, n.codes) for n in submission.notes] == [(2, ("E_RECORD_LAYOUT",))]
