"""Read SSNVS / EVS fixed-width submission records (data contract, section 4).

A record is 130 ASCII characters on one line (LF or CR LF); positions are 1-based and inclusive.
The file is read one line at a time with a bounded read, so a file that is one enormous line is
refused after 132 bytes, not loaded. Problems that make the whole file unreadable (a line of the
wrong length, a byte that is not printable ASCII) raise :class:`InputError`; a record of the right
length whose fixed parts are wrong (no ``TPV214``, data where the layout keeps blanks) is kept and
flagged, so the rest of the file is still answered.

Each record becomes one request row: ``request_id`` is its line number (from 1), the names are
the fields as written (trailing blanks removed), the date of birth ``MMDDYYYY`` becomes
``YYYY-MM-DD`` (anything else is passed on as written, so validation reports it), and the gender
byte is not read into the request (SSNVS ignores it; EVS gender is not a request field).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from matchgate.domain.errors import InputError
from matchgate.intake.codes import Code
from matchgate.intake.submission_codes import SubmissionCode

RECORD_LENGTH = 130
ENTRY_CODE = "TPV"
PROCESSING_CODE = "214"
MARK = ENTRY_CODE + PROCESSING_CODE
_MARK_AT = slice(9, 15)


@dataclass(frozen=True)
class Span:
    """Positions ``start`` to ``end`` of a record, 1-based and inclusive (as the layout)."""

    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    def of(self, record: str) -> str:
        return record[self.start - 1 : self.end]


SSN = Span(1, 9)
ENTRY = Span(10, 12)
PROCESSING = Span(13, 15)
LAST_NAME = Span(16, 28)
FIRST_NAME = Span(29, 38)
MIDDLE_NAME = Span(39, 45)
DOB = Span(46, 53)
GENDER = Span(54, 54)
BLANK_1 = Span(55, 89)
USER_CONTROL = Span(90, 103)
BLANK_2 = Span(104, 123)
REQUESTER_ID = Span(124, 127)
MULTIPLE_REQUEST = Span(128, 130)

NAME_WIDTHS = {"last_name": LAST_NAME.width, "first_name": FIRST_NAME.width}
"""How many characters of each name the layout keeps (13 and 10; the middle name keeps 7)."""

REQUEST_FIELDS = ("ssn", "first_name", "middle_name", "last_name", "dob")
"""The request fields (data contract, section 2) a fixed-width record can carry."""


@dataclass(frozen=True)
class SubmissionRecord:
    """One fixed-width submission record, its fields exactly as written (130 characters)."""

    line: int
    text: str

    def field(self, span: Span) -> str:
        return span.of(self.text)

    @property
    def layout_ok(self) -> bool:
        """``TPV214`` in place and the two blank areas blank."""
        return (
            self.text[_MARK_AT] == MARK
            and not BLANK_1.of(self.text).strip()
            and not BLANK_2.of(self.text).strip()
        )

    @property
    def request_id(self) -> str:
        return str(self.line)

    def request_values(self) -> dict[str, str]:
        """The record as request fields (empty when blank, or when its layout is wrong)."""
        if not self.layout_ok:
            return dict.fromkeys(REQUEST_FIELDS, "")
        return {
            "ssn": SSN.of(self.text).strip(),
            "first_name": FIRST_NAME.of(self.text).strip(),
            "middle_name": MIDDLE_NAME.of(self.text).strip(),
            "last_name": LAST_NAME.of(self.text).strip(),
            "dob": iso_dob(DOB.of(self.text)),
        }


def iso_dob(raw: str) -> str:
    """``MMDDYYYY`` as ``YYYY-MM-DD``; blank stays empty; anything else is returned as written."""
    text = raw.strip()
    if len(text) == len(raw) == DOB.width and text.isdigit():
        return f"{text[4:8]}-{text[0:2]}-{text[2:4]}"
    return text


def looks_like_ssnvs(first_line: bytes) -> bool:
    """Whether a file's first line is a fixed-width record: 130 characters, TPV214 at 10-15."""
    line = first_line.rstrip(b"\n").rstrip(b"\r")
    return len(line) == RECORD_LENGTH and line[_MARK_AT] == MARK.encode("ascii")


def is_ssnvs_file(path: Path) -> bool:
    """Whether ``path`` is a regular file whose content is in the fixed-width layout."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return looks_like_ssnvs(handle.readline(RECORD_LENGTH + 2))
    except OSError:
        return False


def _printable_ascii(line: bytes) -> bool:
    return all(0x20 <= byte <= 0x7E for byte in line)


def read_records(path: Path) -> Iterator[SubmissionRecord]:
    """Yield every record of a fixed-width file in order; raise on the first unusable line.

    Trailing empty lines are allowed; an empty line followed by a record is not.
    """
    where = str(path)
    limit = RECORD_LENGTH + 2  # the record and CR LF
    blank_since: int | None = None
    try:
        handle = path.open("rb")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"cannot read ({reason})", path=where, code=Code.FILE_MISSING) from None
    with handle:
        number = 0
        while raw := handle.readline(limit):
            number += 1
            ended = raw.endswith(b"\n")
            line = raw.rstrip(b"\n").removesuffix(b"\r")
            if not ended and len(raw) == limit:
                raise InputError(
                    f"line {number} is longer than a {RECORD_LENGTH}-character record",
                    path=where,
                    row=number,
                    code=SubmissionCode.RECORD_LENGTH,
                )
            if not line:
                blank_since = number if blank_since is None else blank_since
                continue
            if blank_since is not None:
                raise InputError(
                    f"line {blank_since} is empty but records follow it",
                    path=where,
                    row=blank_since,
                    code=SubmissionCode.RECORD_LENGTH,
                )
            if not _printable_ascii(line):
                raise InputError(
                    f"line {number} holds a byte that is not printable ASCII (the fixed-width "
                    "layout is ASCII)",
                    path=where,
                    row=number,
                    code=Code.FILE_ENCODING,
                )
            if len(line) != RECORD_LENGTH:
                raise InputError(
                    f"line {number} has {len(line)} characters; a record has {RECORD_LENGTH}",
                    path=where,
                    row=number,
                    code=SubmissionCode.RECORD_LENGTH,
                )
            yield SubmissionRecord(number, line.decode("ascii"))


@dataclass(frozen=True)
class SsnvsFile:
    """A fixed-width file read whole: its records in order."""

    path: Path
    records: tuple[SubmissionRecord, ...]

    @property
    def rows(self) -> int:
        return len(self.records)

    def columns(self) -> dict[str, list[str]]:
        """The records as request columns (``request_id`` and :data:`REQUEST_FIELDS`)."""
        columns: dict[str, list[str]] = {"request_id": [], **{f: [] for f in REQUEST_FIELDS}}
        for record in self.records:
            columns["request_id"].append(record.request_id)
            for name, value in record.request_values().items():
                columns[name].append(value)
        return columns

    def fields_present(self) -> list[str]:
        """Request fields given (not blank) in at least one record: the file's "columns"."""
        present: set[str] = set()
        for record in self.records:
            present.update(k for k, v in record.request_values().items() if v)
            if len(present) == len(REQUEST_FIELDS):
                break
        return [name for name in REQUEST_FIELDS if name in present]

    def layout_errors(self) -> list[int]:
        """Row numbers (1-based, in file order) of records whose fixed parts are wrong."""
        return [row for row, r in enumerate(self.records, start=1) if not r.layout_ok]


def read_ssnvs(path: Path) -> SsnvsFile:
    """Read a whole fixed-width submission file; raise :class:`InputError` when it is unusable."""
    records = tuple(read_records(path))
    if not records:
        raise InputError("the file holds no records", path=str(path), code=Code.FILE_EMPTY)
    return SsnvsFile(path, records)
