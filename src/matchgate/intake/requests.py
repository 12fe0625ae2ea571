"""Read, validate and standardize a request file (data contract, section 2).

Only the contract's columns are read (request_id, first_name, middle_name, last_name, ssn,
a_number, dob, address_line, zip); any others are ignored. City and state are not compared: the
ZIP code and the address line say more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from matchgate.collector import collector_paused
from matchgate.domain.errors import InputError
from matchgate.intake.codes import WARNING_SEPARATOR, Code
from matchgate.intake.readers import TextTable, read_text_table
from matchgate.standardize.dates import DobProblem, parse_dob, swap_day_month
from matchgate.standardize.identifiers import (
    parse_a_number,
    parse_ssn,
    standardize_address,
    standardize_zip,
)
from matchgate.standardize.names import (
    compact,
    fold,
    name_key,
    name_placeholder,
    standardize_name,
    surname_keys,
)
from matchgate.standardize.records import REQUEST_SCHEMA
from matchgate.standardize.variants import dictionary_keys, variant_keys

NAME_COLUMNS = ("first_name", "last_name")
NAME_FIELDS = ("first_name", "middle_name", "last_name")


@dataclass(frozen=True)
class RequestBatch:
    """A validated request file: its standardized table (:data:`REQUEST_SCHEMA`)."""

    path: Path
    table: pa.Table

    @property
    def rows(self) -> int:
        return int(self.table.num_rows)


def read_requests(path: Path, *, today: dt.date) -> RequestBatch:
    """Read and validate ``path``; raise :class:`InputError` when the file cannot be used.

    ``today`` is the calendar date in the agency's time zone (future dates of birth are unusable).
    """
    with collector_paused():
        text = read_text_table(path)
        _check_columns(text)
        ids = _request_ids(text)
        return RequestBatch(path, _standardize(text, ids, today))


def _check_columns(text: TextTable) -> None:
    if "request_id" not in text.columns:
        raise InputError(
            "there is no request_id column",
            path=str(text.path),
            field="request_id",
            code=Code.REQUEST_ID_COLUMN_MISSING,
        )
    if not any(name in text.columns for name in NAME_COLUMNS):
        raise InputError(
            "there is neither a first_name nor a last_name column",
            path=str(text.path),
            code=Code.NAME_COLUMNS_MISSING,
        )


def _request_ids(text: TextTable) -> list[str]:
    ids = [value.strip() for value in text.columns["request_id"]]
    first_row: dict[str, int] = {}
    for row, value in enumerate(ids, start=1):
        if not value:
            raise InputError(
                "request_id is empty",
                path=str(text.path),
                row=row,
                field="request_id",
                code=Code.REQUEST_ID_EMPTY,
            )
        earlier = first_row.setdefault(value, row)
        if earlier != row:
            raise InputError(
                f"request_id repeats the one on row {earlier}",
                path=str(text.path),
                row=row,
                field="request_id",
                code=Code.REQUEST_ID_DUPLICATE,
            )
    return ids


def _column(text: TextTable, name: str) -> list[str]:
    return text.columns.get(name) or [""] * text.rows


def _standardize(text: TextTable, ids: list[str], today: dt.date) -> pa.Table:
    firsts = [standardize_name(v) or None for v in _column(text, "first_name")]
    middles = [standardize_name(v) or None for v in _column(text, "middle_name")]
    lasts = [standardize_name(v) or None for v in _column(text, "last_name")]
    ssns: list[int | None] = []
    a_numbers: list[int | None] = []
    dobs: list[dt.date | None] = []
    swapped: list[dt.date | None] = []
    errors: list[str | None] = []
    warnings: list[str] = []
    placeholder = [
        any(name_placeholder(v) for v in names)
        for names in zip(*(_column(text, c) for c in NAME_FIELDS), strict=True)
    ]
    columns = zip(
        firsts,
        lasts,
        _column(text, "ssn"),
        _column(text, "a_number"),
        _column(text, "dob"),
        placeholder,
        strict=True,
    )
    for first, last, raw_ssn, raw_a_number, raw_dob, named_unknown in columns:
        codes: list[str] = []
        ssn = parse_ssn(raw_ssn)
        if ssn.invalid:
            codes.append(Code.SSN_INVALID)
        a_number = parse_a_number(raw_a_number)
        if a_number.invalid:
            codes.append(Code.ANUMBER_INVALID)
        dob = parse_dob(raw_dob, today=today)
        if dob.problem is DobProblem.NOT_A_DATE:
            codes.append(Code.DOB_INVALID)
        elif dob.problem is DobProblem.FUTURE:
            codes.append(Code.DOB_FUTURE)
        if named_unknown:
            codes.append(Code.NAME_PLACEHOLDER)
        ssns.append(ssn.value)
        a_numbers.append(a_number.value)
        dobs.append(dob.value)
        swapped.append(swap_day_month(dob.value) if dob.value else None)
        errors.append(None if (first or last) else Code.NAME_MISSING.value)
        warnings.append(WARNING_SEPARATOR.join(codes))
    first_vk = [list(variant_keys(v)) if v else None for v in firsts]
    last_vk = [list(variant_keys(v)) if v else None for v in lasts]
    return pa.table(
        {
            "row": pa.array(range(text.rows), pa.int32()),
            "request_id": ids,
            "first": firsts,
            "middle": middles,
            "last": lasts,
            "first_key": [name_key(v) if v else None for v in firsts],
            "last_keys": [surname_keys(v) if v else None for v in lasts],
            "ssn": ssns,
            "a_number": a_numbers,
            "dob": dobs,
            "dob_swapped": swapped,
            "zip": [standardize_zip(v) or None for v in _column(text, "zip")],
            "addr": [standardize_address(fold(v)) or None for v in _column(text, "address_line")],
            "first_c": [compact(v) if v else None for v in firsts],
            "middle_c": [compact(v) if v else None for v in middles],
            "last_c": [compact(v) if v else None for v in lasts],
            "last_tokens": [v.split(" ") if v else None for v in lasts],
            "first_vk": first_vk,
            "first_dk": [
                list(dictionary_keys(tuple(k))) if k is not None else None for k in first_vk
            ],
            "last_vk": last_vk,
            "last_dk": [
                list(dictionary_keys(tuple(k))) if k is not None else None for k in last_vk
            ],
            "error_code": errors,
            "warning_codes": warnings,
        },
        schema=REQUEST_SCHEMA,
    )
