"""The public vocabulary of input codes: stable strings other programs may rely on.

Three kinds, told apart by prefix and set:

* file errors (:data:`FILE_ERRORS`, ``E_``): a file cannot be used at all; the run stops with an
  :class:`~matchgate.domain.errors.InputError` carrying the code, and no output file is written;
* row errors (:data:`ROW_ERRORS`, ``E_``): one request row cannot be used; it is answered
  ``no_match`` with the code in ``error_code``;
* row warnings (:data:`ROW_WARNINGS`, ``W_``): a field was given but is unusable; it is treated as
  unknown, the row is still answered, and the code is listed in ``warning_codes`` (``|``-joined).

Rows are numbered from 1 in file order, not counting a CSV header line; lines (used only for
encoding errors, where records cannot be told apart) count every physical line, header included.
Codes are added, never renamed or reused.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Every input code matchgate emits."""

    FILE_MISSING = "E_FILE_MISSING"
    FILE_FORMAT = "E_FILE_FORMAT"
    FILE_ENCODING = "E_FILE_ENCODING"
    FILE_EMPTY = "E_FILE_EMPTY"
    FILE_MALFORMED = "E_FILE_MALFORMED"
    REQUEST_ID_COLUMN_MISSING = "E_REQUEST_ID_COLUMN_MISSING"
    REQUEST_ID_EMPTY = "E_REQUEST_ID_EMPTY"
    REQUEST_ID_DUPLICATE = "E_REQUEST_ID_DUPLICATE"
    NAME_COLUMNS_MISSING = "E_NAME_COLUMNS_MISSING"
    MASTER_COLUMNS_MISSING = "E_MASTER_COLUMNS_MISSING"
    MASTER_IS_REQUEST = "E_MASTER_IS_REQUEST"
    OUTPUT_FORMAT = "E_OUTPUT_FORMAT"
    OUTPUT_IS_INPUT = "E_OUTPUT_IS_INPUT"
    NAME_MISSING = "E_NAME_MISSING"
    SSN_INVALID = "W_SSN_INVALID"
    ANUMBER_INVALID = "W_ANUMBER_INVALID"
    DOB_INVALID = "W_DOB_INVALID"
    DOB_FUTURE = "W_DOB_FUTURE"
    NAME_PLACEHOLDER = "W_NAME_PLACEHOLDER"


MEANINGS: dict[Code, str] = {
    Code.FILE_MISSING: "the file does not exist or is not a regular file",
    Code.FILE_FORMAT: "the file is not CSV, Parquet or JSON Lines (by extension or content)",
    Code.FILE_ENCODING: "the file is not valid UTF-8 text; the message gives the first bad line",
    Code.FILE_EMPTY: "the file has no header row (CSV) or no columns at all",
    Code.FILE_MALFORMED: "the file cannot be parsed as its format (bad CSV row, JSON line)",
    Code.REQUEST_ID_COLUMN_MISSING: "the request file has no request_id column",
    Code.REQUEST_ID_EMPTY: "a request row has an empty request_id",
    Code.REQUEST_ID_DUPLICATE: "two request rows share a request_id; both rows are named",
    Code.NAME_COLUMNS_MISSING: "the request file has neither a first_name nor a last_name column",
    Code.MASTER_COLUMNS_MISSING: "the master file lacks a required column (named in the message)",
    Code.MASTER_IS_REQUEST: "the master file is a request file (it has a request_id column)",
    Code.OUTPUT_FORMAT: "the output file's extension is not .csv, .parquet or .jsonl",
    Code.OUTPUT_IS_INPUT: "the output path is one of the input files",
    Code.NAME_MISSING: "the request row has no usable first or last name; answered no_match",
    Code.SSN_INVALID: (
        "the SSN is not 9 digits in an issued range: a malformed or placeholder one is matched "
        "as if absent; a never-issued 9-digit number is still compared (SSA code 1)"
    ),
    Code.ANUMBER_INVALID: "the A-number is not 7-9 digits (A prefix allowed); treated as absent",
    Code.DOB_INVALID: "the date of birth is not a real YYYY-MM-DD date; matched as if absent",
    Code.DOB_FUTURE: "the date of birth is after today; matched as if absent",
    Code.NAME_PLACEHOLDER: (
        "a name field holds a placeholder (FNU, BABY GIRL, UNKNOWN, N/A: the documented list in "
        "standardize/placeholders.py); that name is matched as if absent"
    ),
}
"""One line of meaning per code, for documentation and ``--help`` style listings."""

FILE_ERRORS: frozenset[Code] = frozenset(
    {
        Code.FILE_MISSING,
        Code.FILE_FORMAT,
        Code.FILE_ENCODING,
        Code.FILE_EMPTY,
        Code.FILE_MALFORMED,
        Code.REQUEST_ID_COLUMN_MISSING,
        Code.REQUEST_ID_EMPTY,
        Code.REQUEST_ID_DUPLICATE,
        Code.NAME_COLUMNS_MISSING,
        Code.MASTER_COLUMNS_MISSING,
        Code.MASTER_IS_REQUEST,
        Code.OUTPUT_FORMAT,
        Code.OUTPUT_IS_INPUT,
    }
)
ROW_ERRORS: frozenset[Code] = frozenset({Code.NAME_MISSING})
ROW_WARNINGS: frozenset[Code] = frozenset(
    {
        Code.SSN_INVALID,
        Code.ANUMBER_INVALID,
        Code.DOB_INVALID,
        Code.DOB_FUTURE,
        Code.NAME_PLACEHOLDER,
    }
)

WARNING_SEPARATOR = "|"
