"""File-level checks of a submitted request file, before and around the ordinary readers.

A submission is checked in this order, each step raising :class:`InputError` with a stable code
(:mod:`matchgate.intake.codes`, :mod:`matchgate.intake.submission_codes`) and never quoting a
value from the file:

1. size: not empty, not over the limit (:func:`check_size`);
2. bytes and lines, streamed in 1 MiB blocks (text formats only): UTF-8 (ASCII for the
   fixed-width layout), no NUL or other control bytes, no line over the limit, so a file of
   one gigabyte-long line is refused after its first 64 KiB (:func:`scan_text`);
3. format: fixed width by content, else CSV, Parquet or JSON Lines (:func:`inspect_submission`);
4. the columns present (for fixed width: the fields given in some record), which the caller
   compares with the agreement's allowed request fields (:func:`refuse_fields`: columns named
   by position, and by name only when it is a known field name, since a header may be data:
   :mod:`matchgate.intake.columns`);
5. every row, with the request-file row codes (:func:`read_submission`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from matchgate.domain.errors import InputError
from matchgate.intake.codes import WARNING_SEPARATOR, Code
from matchgate.intake.columns import describe_refused
from matchgate.intake.formats import detect_format
from matchgate.intake.readers import read_text_table
from matchgate.intake.requests import read_requests
from matchgate.intake.ssnvs import SsnvsFile, is_ssnvs_file, read_ssnvs
from matchgate.intake.submission_codes import SubmissionCode

MAX_SUBMISSION_BYTES = 512 * 1024 * 1024
"""Largest file accepted: a 50,000-row monthly file is about 5 MB; 512 MiB leaves wide room."""
MAX_LINE_BYTES = 64 * 1024
"""Longest line of a text file: a request row is a few hundred bytes."""
SSNVS = "ssnvs"
PARQUET = "parquet"
_BLOCK = 1 << 20
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARQUET_MAGIC = b"PAR1"


def check_size(path: Path, size: int, max_bytes: int = MAX_SUBMISSION_BYTES) -> None:
    """Refuse an empty file and one over ``max_bytes``."""
    if size == 0:
        raise InputError("the file is empty", path=str(path), code=Code.FILE_EMPTY)
    if size > max_bytes:
        raise InputError(
            f"the file has {size:,} bytes; submissions are limited to {max_bytes:,}",
            path=str(path),
            code=SubmissionCode.FILE_TOO_LARGE,
        )


def is_parquet(path: Path) -> bool:
    """Whether the file starts with the Parquet magic (Parquet is binary: no text scan)."""
    with path.open("rb") as handle:
        return handle.read(len(_PARQUET_MAGIC)) == _PARQUET_MAGIC


def scan_text(path: Path, *, max_line_bytes: int = MAX_LINE_BYTES) -> int:
    """Stream the file once: UTF-8, no control bytes, no line over the limit; its line count."""
    where = str(path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    run = 0  # bytes in the current line so far
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            bad = _CONTROL.search(block)
            if bad is not None:
                at = line + block.count(b"\n", 0, bad.start())
                raise InputError(
                    f"line {at} holds a NUL or control byte: this is binary data, not a request "
                    "file",
                    path=where,
                    row=None,
                    code=SubmissionCode.FILE_BINARY,
                )
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                at = line + block.count(b"\n", 0, max(exc.start, 0))
                raise InputError(
                    f"line {at} is not valid UTF-8 (save the file as UTF-8)",
                    path=where,
                    code=Code.FILE_ENCODING,
                ) from None
            pieces = block.split(b"\n")
            for index, piece in enumerate(pieces):
                run += len(piece)
                if run > max_line_bytes:
                    raise InputError(
                        f"line {line} is longer than {max_line_bytes:,} bytes",
                        path=where,
                        code=SubmissionCode.LINE_TOO_LONG,
                    )
                if index < len(pieces) - 1:
                    line += 1
                    run = 0
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(
            f"line {line} ends in the middle of a UTF-8 character (is the file truncated?)",
            path=where,
            code=Code.FILE_ENCODING,
        ) from None
    return line if run else line - 1


@dataclass(frozen=True)
class Inspected:
    """A submission's format and the request columns it carries (names as given, each once);
    ``header`` has every column's name by position (blank or repeated names included)."""

    path: Path
    format: str
    columns: tuple[str, ...]
    ssnvs: SsnvsFile | None = None
    header: tuple[str, ...] = ()

    @property
    def positions(self) -> tuple[str, ...]:
        """The names by position: ``header``, or ``columns`` when no header was kept."""
        return self.header or self.columns


def inspect_submission(path: Path, *, max_line_bytes: int = MAX_LINE_BYTES) -> Inspected:
    """Steps 2 and 3 of the module: scan the bytes, then tell the format and list the columns."""
    if is_parquet(path):
        fmt = PARQUET
    else:
        scan_text(path, max_line_bytes=max_line_bytes)
        fmt = SSNVS if is_ssnvs_file(path) else detect_format(path).value
    if fmt == SSNVS:
        ssnvs = read_ssnvs(path)
        return Inspected(path, fmt, ("request_id", *ssnvs.fields_present()), ssnvs)
    table = read_text_table(path)
    return Inspected(path, fmt, tuple(table.columns), header=table.header)


def refuse_fields(path: Path, refused: Sequence[str], inspected: Inspected | None = None) -> None:
    """Raise ``E_FIELD_NOT_ALLOWED`` when any column is ``refused``: by position (in
    ``inspected``'s header, else in ``refused``), and by name only for known field names."""
    if not refused:
        return
    if inspected is None:
        text = describe_refused(refused, refused, header_row=False)
    elif inspected.format == "jsonl":
        order = "in the order keys first appear"
        text = describe_refused(
            inspected.positions, refused, noun="key", header_row=False, order=order
        )
    else:
        header_row = inspected.format not in (PARQUET, SSNVS)
        text = describe_refused(inspected.positions, refused, header_row=header_row)
    raise InputError(text, path=str(path), code=SubmissionCode.FIELD_NOT_ALLOWED)


@dataclass(frozen=True)
class RowNote:
    """A row with codes: 1-based row (the line for fixed width), request_id, codes."""

    row: int
    request_id: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Submission:
    """A validated submission: the standardized request table and what was noted per row."""

    inspected: Inspected
    table: pa.Table
    notes: tuple[RowNote, ...]
    code_counts: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return int(self.table.num_rows)

    def row_error(self, index: int) -> str:
        """The error code of the 0-based row ``index`` ("" when usable)."""
        value = self.table["error_code"][index].as_py()
        return str(value) if value else ""


def read_submission(inspected: Inspected, *, today: dt.date) -> Submission:
    """Step 5: read and validate every row (fixed-width layout errors become row errors)."""
    batch = read_requests(inspected.path, today=today)
    table = batch.table
    layout = set(inspected.ssnvs.layout_errors()) if inspected.ssnvs is not None else set()
    if layout:
        errors = [
            SubmissionCode.RECORD_LAYOUT.value if row in layout else value
            for row, value in enumerate(table["error_code"].to_pylist(), start=1)
        ]
        position = table.schema.get_field_index("error_code")
        table = table.set_column(position, "error_code", pa.array(errors, pa.string()))
    notes: list[RowNote] = []
    counts: Counter[str] = Counter()
    lines = [r.line for r in inspected.ssnvs.records] if inspected.ssnvs is not None else None
    columns = zip(
        table["request_id"].to_pylist(),
        table["error_code"].to_pylist(),
        table["warning_codes"].to_pylist(),
        strict=True,
    )
    for index, (request_id, error, warnings) in enumerate(columns):
        codes = ([error] if error else []) + [c for c in warnings.split(WARNING_SEPARATOR) if c]
        if codes:
            counts.update(codes)
            row = lines[index] if lines is not None else index + 1
            notes.append(RowNote(row, request_id, tuple(codes)))
    return Submission(inspected, table, tuple(notes), dict(sorted(counts.items())))
