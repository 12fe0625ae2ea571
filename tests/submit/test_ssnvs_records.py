"""The fixed-width layout (data contract, section 4): submission records in, return records out,
checked byte by byte against hand-made records."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.submit.helpers import ssnvs_record, write_ssnvs

from matchgate.disclosure.ssnvs import (
    ReturnRecord,
    ReturnRecordError,
    format_return_record,
    parse_return_record,
    read_return_records,
    write_return_file,
)
from matchgate.domain.errors import InputError
from matchgate.intake.readers import read_text_table
from matchgate.intake.ssnvs import is_ssnvs_file, iso_dob, looks_like_ssnvs, read_ssnvs

# Written out by hand, character by character, from the contract's table (not from the helper).
HAND_RECORD = (
    "123456789"  # 1-9 SSN
    "TPV"  # 10-12
    "214"  # 13-15
    "DE LA CRUZ GA"  # 16-28 last name (13)
    "MARIA JOSE"  # 29-38 first name (10)
    "ELENA  "  # 39-45 middle (7)
    "03091975"  # 46-53 DOB MMDDYYYY
    "F"  # 54 gender
    + " " * 35  # 55-89
    + "EMP-000042    "  # 90-103 user control (14)
    + " " * 20  # 104-123
    + "WXYZ"  # 124-127 requester id
    + "000"  # 128-130 multiple request indicator
)


def test_the_hand_record_is_130_characters_with_the_mark_at_10_to_15() -> None:
    assert len(HAND_RECORD) == 130
    assert HAND_RECORD[9:15] == "TPV214"
    assert looks_like_ssnvs(HAND_RECORD.encode() + b"\r\n")
    assert not looks_like_ssnvs(HAND_RECORD[:129].encode())


def test_helper_builds_the_hand_record() -> None:
    built = ssnvs_record(
        "123456789", "DE LA CRUZ GA", "MARIA JOSE", "ELENA", "03091975",
        gender="F", control="EMP-000042", requester="WXYZ",
    )  # fmt: skip
    assert built == HAND_RECORD


def test_submission_record_fields_and_request_columns(tmp_path: Path) -> None:
    path = write_ssnvs(tmp_path / "r.txt", [HAND_RECORD, ssnvs_record("", "DOE", "JANE")])
    fixed = read_ssnvs(path)
    assert fixed.rows == 2
    first = fixed.records[0]
    assert first.line == 1
    assert first.layout_ok
    assert first.request_values() == {
        "ssn": "123456789",
        "first_name": "MARIA JOSE",
        "middle_name": "ELENA",
        "last_name": "DE LA CRUZ GA",
        "dob": "1975-03-09",
    }
    columns = fixed.columns()
    assert columns["request_id"] == ["1", "2"]
    assert columns["dob"] == ["1975-03-09", ""]
    assert "gender" not in columns
    assert fixed.fields_present() == ["ssn", "first_name", "middle_name", "last_name", "dob"]
    # read_text_table routes fixed-width files here, whatever the extension
    table = read_text_table(path)
    assert table.rows == 2
    assert table.columns["last_name"] == ["DE LA CRUZ GA", "DOE"]


def test_dob_conversion() -> None:
    assert iso_dob("03091975") == "1975-03-09"
    assert iso_dob("        ") == ""
    assert iso_dob("3/9/1975") == "3/9/1975"  # passed on as written: validation flags it
    assert iso_dob("0309197 ") == "0309197"


def test_crlf_and_trailing_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.dat"
    path.write_bytes((HAND_RECORD + "\r\n").encode() * 3 + b"\r\n\n")
    assert is_ssnvs_file(path)
    assert [r.line for r in read_ssnvs(path).records] == [1, 2, 3]


def test_wrong_mark_or_filled_blanks_is_a_record_layout_problem(tmp_path: Path) -> None:
    bad_mark = ssnvs_record("123456789", "DOE", "JANE", mark="TPV215")
    filled = HAND_RECORD[:60] + "X" + HAND_RECORD[61:]
    path = write_ssnvs(tmp_path / "r.txt", [HAND_RECORD, bad_mark, filled])
    fixed = read_ssnvs(path)
    assert fixed.layout_errors() == [2, 3]
    assert fixed.records[1].request_values()["last_name"] == ""  # never matched


@pytest.mark.parametrize(
    ("content", "code", "row"),
    [
        pytest.param((HAND_RECORD + "\n") * 2 + HAND_RECORD[:100] + "\n", "E_RECORD_LENGTH", 3,
                     id="truncated-last-record"),
        pytest.param((HAND_RECORD + "\n") + HAND_RECORD + "XY\n", "E_RECORD_LENGTH", 2,
                     id="too-wide"),
        pytest.param(HAND_RECORD + "\n\n" + HAND_RECORD + "\n", "E_RECORD_LENGTH", 2,
                     id="blank-line-inside"),
        pytest.param(HAND_RECORD + "\n" + HAND_RECORD[:20] + "É" + HAND_RECORD[22:] + "\n",
                     "E_FILE_ENCODING", 2, id="not-ascii"),
        pytest.param(HAND_RECORD + "\n" + HAND_RECORD[:20] + "\t" + HAND_RECORD[21:] + "\n",
                     "E_FILE_ENCODING", 2, id="control-character"),
    ],
)  # fmt: skip
def test_file_level_problems_name_the_line(
    tmp_path: Path, content: str, code: str, row: int
) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(content.encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_ssnvs(path)
    assert caught.value.code == code
    assert caught.value.row == row
    assert "DE LA CRUZ" not in str(caught.value)


def test_one_enormous_line_is_refused_after_a_record_length(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(HAND_RECORD.encode())
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MiB of one line, nothing stored
    with pytest.raises(InputError) as caught:
        read_ssnvs(path)
    assert caught.value.code == "E_RECORD_LENGTH"
    assert caught.value.row == 1


def test_empty_file_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"\n\n")
    with pytest.raises(InputError) as caught:
        read_ssnvs(path)
    assert caught.value.code == "E_FILE_EMPTY"


# -- return records -------------------------------------------------------------------------------


def _ret(**changes: str) -> ReturnRecord:
    fields = {
        "ssn": "123456789",
        "last_name": "DE LA CRUZ GA",
        "first_name": "MARIA JOSE",
        "middle_name": "ELENA",
        "dob": "03091975",
        "confirmation": "A1B2C3D4E5F60718",
        "user_control": "EMP-000042",
        "code": " ",
        "requester_id": "WXYZ",
        "multiple_request": "000",
        "located_ssn": "",
        "death_indicator": "N",
    }
    fields.update(changes)
    return ReturnRecord(**fields)


def _at(line: str, start: int, end: int) -> str:
    return line[start - 1 : end]


def test_return_record_positions_for_a_verified_ssn() -> None:
    line = format_return_record(_ret())
    assert len(line) == 130
    expected = (
        "XXXXX6789"  # 1-9 masked (code blank)
        "DE LA CRUZ GA"  # 10-22
        "MARIA JOSE"  # 23-32
        "ELENA  "  # 33-39
        "03091975"  # 40-47
        " "  # 48
        "A1B2C3D4E5F60718"
        + " " * 19  # 49-83 confirmation, left-justified
        + "EMP-000042    "  # 84-97
        + " "  # 98 code blank
        + "214"  # 99-101
        + "WXYZ"  # 102-105
        + "000"  # 106-108
        + "   "  # 109-111
        + " " * 9  # 112-120 no located SSN
        + "N"  # 121 death indicator
        + " " * 9  # 122-130
    )
    assert line == expected


@pytest.mark.parametrize(
    ("code", "masked"), [(" ", True), ("3", True), ("6", True), ("1", False), ("5", False)]
)
def test_ssn_is_masked_exactly_for_codes_blank_3_and_6(code: str, masked: bool) -> None:
    death = "N" if code == " " else ""
    line = format_return_record(_ret(code=code, death_indicator=death))
    assert _at(line, 1, 9) == ("XXXXX6789" if masked else "123456789")
    assert _at(line, 98, 98) == code


def test_located_ssn_only_with_star() -> None:
    line = format_return_record(_ret(code="*", located_ssn="987654321", death_indicator=""))
    assert _at(line, 1, 9) == "123456789"
    assert _at(line, 98, 98) == "*"
    assert _at(line, 112, 120) == "987654321"
    assert _at(line, 121, 121) == " "
    with pytest.raises(ReturnRecordError):
        format_return_record(_ret(code="5", located_ssn="987654321", death_indicator=""))
    with pytest.raises(ReturnRecordError):
        format_return_record(_ret(code="*", located_ssn="", death_indicator=""))


def test_death_indicator_only_when_the_ssn_verifies() -> None:
    assert _at(format_return_record(_ret(death_indicator="Y")), 121, 121) == "Y"
    with pytest.raises(ReturnRecordError):
        format_return_record(_ret(code="3", death_indicator="Y"))


def test_the_writer_refuses_what_would_shift_columns() -> None:
    with pytest.raises(ReturnRecordError, match="last_name"):
        format_return_record(_ret(last_name="A" * 14))
    with pytest.raises(ReturnRecordError, match="printable ASCII"):
        format_return_record(_ret(first_name="JOSÉ"))
    with pytest.raises(ReturnRecordError):
        format_return_record(_ret(code="2", death_indicator=""))
    with pytest.raises(ReturnRecordError):
        format_return_record(_ret(confirmation="X" * 17))


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    records = [
        _ret(),
        _ret(code="1", death_indicator="", ssn="000123456"),
        _ret(code="*", located_ssn="987654321", death_indicator=""),
    ]
    path = tmp_path / "return.txt"
    assert write_return_file(records, path) == 3
    data = path.read_bytes()
    assert data.count(b"\n") == 3
    assert all(len(line) == 130 for line in data.splitlines())
    back = list(read_return_records(path))
    assert [r.code for r in back] == [" ", "1", "*"]
    assert back[0].ssn == "XXXXX6789"
    assert back[2].located_ssn == "987654321"
    assert [format_return_record(r) for r in back] == data.decode().splitlines()


@pytest.mark.parametrize("old_code", ["2", "4"])
def test_older_evs_codes_are_read(old_code: str) -> None:
    line = format_return_record(_ret(code="5", death_indicator=""))
    old = line[:97] + old_code + line[98:]
    assert parse_return_record(old).code == old_code


def test_reader_refuses_a_bad_return_record() -> None:
    line = format_return_record(_ret())
    with pytest.raises(ReturnRecordError):
        parse_return_record(line[:-1])
    with pytest.raises(ReturnRecordError):
        parse_return_record(line[:97] + "9" + line[98:])
    with pytest.raises(ReturnRecordError):
        parse_return_record(line[:98] + "215" + line[101:])
    with pytest.raises(ReturnRecordError):
        parse_return_record(line[:125] + "Z" + line[126:])
