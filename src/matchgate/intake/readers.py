"""Read a request file (CSV, Parquet or JSON Lines) into columns of text.

Every value becomes a string ("" for empty or missing): the contract says empty and missing both
mean unknown, and validation wants one shape whatever the format. Column names are compared
trimmed and lower-cased. Errors name the file, the row or line and a code, never a value; a
column is named by its position, and by its name only when that is a known field name
(:mod:`matchgate.intake.columns`: a header may be data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from matchgate.domain.errors import InputError
from matchgate.intake.codes import Code
from matchgate.intake.columns import REQUEST_FIELDS, column_label
from matchgate.intake.formats import FileFormat, detect_format
from matchgate.intake.ssnvs import is_ssnvs_file, read_ssnvs
from matchgate.standardize.identifiers import SSN_DIGITS

_BOM = "\ufeff"


@dataclass(frozen=True)
class TextTable:
    """A file's columns as lists of strings, one entry per row, in file order.

    ``header`` is every column's name as read, by position (a name may be blank, and for JSON
    Lines the order is that of first appearance); ``columns`` is keyed by those names.
    """

    path: Path
    columns: dict[str, list[str]]
    rows: int
    header: tuple[str, ...] = ()


def read_text_table(path: Path) -> TextTable:
    """Read ``path`` in whatever supported format it is (fixed width: see ``intake.ssnvs``)."""
    if is_ssnvs_file(path):
        fixed = read_ssnvs(path)
        columns = fixed.columns()
        return TextTable(path, columns, fixed.rows, tuple(columns))
    fmt = detect_format(path)
    if fmt is FileFormat.PARQUET:
        return _read_parquet(path)
    text = _decode(path)
    if fmt is FileFormat.JSONL:
        return _read_jsonl(path, text)
    return _read_csv(path, text)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"line {line} is not valid UTF-8 (save the file as UTF-8)",
            path=str(path),
            code=Code.FILE_ENCODING,
        ) from None
    return text.removeprefix(_BOM)


def _column_name(raw: object) -> str:
    return str(raw).strip().lower()


def _unique_names(path: Path, names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name and name in seen:
            missing = not any(n in REQUEST_FIELDS for n in names)
            raise InputError(
                f"{column_label(seen[name], name)} and column {position} have the same name in "
                "the header" + (" (is the header row missing?)" if missing else ""),
                path=str(path),
                code=Code.FILE_MALFORMED,
            )
        seen[name] = position
    return names


def _read_csv(path: Path, text: str) -> TextTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError("the file has no header row", path=str(path), code=Code.FILE_EMPTY)
        names = _unique_names(path, [_column_name(cell) for cell in header])
        columns: dict[str, list[str]] = {name: [] for name in names}
        lists = [columns[name] for name in names]
        width = len(names)
        rows = 0
        for record in reader:
            if not record:
                continue  # a blank line is not a record
            rows += 1
            if len(record) > width:
                raise InputError(
                    f"the row has {len(record)} fields but the header has {width}",
                    path=str(path),
                    row=rows,
                    code=Code.FILE_MALFORMED,
                )
            record.extend([""] * (width - len(record)))
            for values, cell in zip(lists, record, strict=True):
                values.append(cell)
    except csv.Error:
        raise InputError(
            f"CSV syntax error near line {reader.line_num} (unbalanced quote?)",
            path=str(path),
            code=Code.FILE_MALFORMED,
        ) from None
    return TextTable(path, columns, rows, tuple(names))


def _json_text(value: object, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:0{SSN_DIGITS}d}" if column == "ssn" else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _read_jsonl(path: Path, text: str) -> TextTable:
    records: list[dict[str, object]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            raise InputError(
                f"line {line_number} is not a JSON object",
                path=str(path),
                row=len(records) + 1,
                code=Code.FILE_MALFORMED,
            )
        records.append({_column_name(k): v for k, v in record.items()})
    if not records:
        raise InputError("the file holds no JSON records", path=str(path), code=Code.FILE_EMPTY)
    names = list(dict.fromkeys(name for record in records for name in record))
    columns = {name: [_json_text(r.get(name), name) for r in records] for name in names}
    return TextTable(path, columns, len(records), tuple(names))


def _arrow_text(array: pa.ChunkedArray, column: str) -> list[str]:
    kind = array.type
    if pa.types.is_timestamp(kind):
        array = pc.cast(array, pa.date32())
        kind = array.type
    if pa.types.is_integer(kind) and column == "ssn":
        values = [None if v is None else f"{v:0{SSN_DIGITS}d}" for v in array.to_pylist()]
    elif pa.types.is_floating(kind):
        values = [
            None if v is None else (str(int(v)) if float(v).is_integer() else str(v))
            for v in array.to_pylist()
        ]
    elif pa.types.is_date(kind):
        values = [None if v is None else dt.date.isoformat(v) for v in array.to_pylist()]
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = array.to_pylist()
    else:
        values = pc.cast(array, pa.string()).to_pylist()
    return [v if v is not None else "" for v in values]


def _read_parquet(path: Path) -> TextTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError):
        raise InputError(
            "the file cannot be read as Parquet", path=str(path), code=Code.FILE_MALFORMED
        ) from None
    names = _unique_names(path, [_column_name(n) for n in table.column_names])
    if not names:
        raise InputError("the file has no columns", path=str(path), code=Code.FILE_EMPTY)
    columns: dict[str, list[str]] = {}
    for position, (name, array) in enumerate(zip(names, table.columns, strict=True), start=1):
        try:
            columns[name] = _arrow_text(array, name)
        except pa.ArrowException:
            raise InputError(
                f"{column_label(position, name)} has a type that cannot be read as text",
                path=str(path),
                code=Code.FILE_MALFORMED,
            ) from None
    return TextTable(path, columns, table.num_rows, tuple(names))
