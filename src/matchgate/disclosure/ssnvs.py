"""Write (and read back) SSNVS / EVS fixed-width return records (data contract, section 4).

A return record is 130 ASCII bytes plus a line feed; positions are 1-based and inclusive:

====== ======================================================================================
1-9    SSN; the first five digits masked ``XXXXX`` when the code is blank, 3 or 6
10-22  last name, 23-32 first name, 33-39 middle name (echoed from the submission)
40-47  date of birth as submitted, 48 blank
49-83  confirmation number (16 characters, left-justified in the 35 positions)
84-97  user control data (echoed), 98 verification code, 99-101 ``214``
102-105 requester id, 106-108 multiple request indicator, 109-111 blank
112-120 the other SSN located and verified (code ``*`` only)
121    death indicator ``Y``/``N`` (only when the SSN verifies: code blank), 122-130 blank
====== ======================================================================================

The writer refuses a record it cannot write exactly (a value too wide, a byte outside printable
ASCII, a located SSN without code ``*``) rather than shifting the columns of every field after
it. The reader accepts every code the layout ever used, including EVS's older ``2`` and ``4``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

RECORD_LENGTH = 130
PROCESSING_CODE = "214"
VERIFIED = " "
MASK = "XXXXX"
MASKED_CODES = frozenset({" ", "3", "6"})
"""Codes for which the SSN's first five digits are masked in the return record."""
WRITTEN_CODES = frozenset({" ", "1", "3", "5", "6", "*"})
"""Codes matchgate writes (blank = SSN, name and DOB agree)."""
READ_CODES = WRITTEN_CODES | {"2", "4"}
"""Codes accepted when reading: older EVS files used 2 and 4 for gender mismatches."""
CONFIRMATION_WIDTH = 16

# (start, end), 1-based inclusive.
_SSN = (1, 9)
_LAST = (10, 22)
_FIRST = (23, 32)
_MIDDLE = (33, 39)
_DOB = (40, 47)
_CONFIRMATION = (49, 83)
_USER_CONTROL = (84, 97)
_CODE = (98, 98)
_PROCESSING = (99, 101)
_REQUESTER = (102, 105)
_MULTIPLE = (106, 108)
_LOCATED = (112, 120)
_DEATH = (121, 121)
_BLANKS = ((48, 48), (109, 111), (122, 130))


class ReturnRecordError(ValueError):
    """A return record cannot be written or read exactly; the message names the field only."""


@dataclass(frozen=True)
class ReturnRecord:
    """One return record. Names, DOB, user control data and ids are echoed as submitted."""

    ssn: str
    last_name: str
    first_name: str
    middle_name: str
    dob: str
    confirmation: str
    user_control: str
    code: str
    requester_id: str
    multiple_request: str
    located_ssn: str = ""
    death_indicator: str = ""

    @property
    def masked(self) -> bool:
        return self.code in MASKED_CODES


def _width(span: tuple[int, int]) -> int:
    return span[1] - span[0] + 1


def _put(buffer: list[str], span: tuple[int, int], value: str, name: str) -> None:
    width = _width(span)
    if len(value) > width:
        raise ReturnRecordError(f"{name} is longer than its {width} positions")
    if not all(" " <= ch <= "~" for ch in value):
        raise ReturnRecordError(f"{name} is not printable ASCII")
    buffer[span[0] - 1 : span[1]] = list(value.ljust(width))


def _masked_ssn(record: ReturnRecord) -> str:
    ssn = record.ssn
    if record.masked and ssn.strip():
        if len(ssn) != _width(_SSN):
            raise ReturnRecordError("ssn must have 9 characters to be masked")
        return MASK + ssn[len(MASK) :]
    return ssn


def format_return_record(record: ReturnRecord) -> str:
    """The record's 130 characters (no line end); raises :class:`ReturnRecordError`."""
    if record.code not in WRITTEN_CODES:
        raise ReturnRecordError("the verification code is not one matchgate writes")
    if record.located_ssn and record.code != "*":
        raise ReturnRecordError("a located SSN is written only with code *")
    if record.code == "*" and not (len(record.located_ssn) == 9 and record.located_ssn.isdigit()):
        raise ReturnRecordError("code * needs the located SSN (9 digits)")
    if record.death_indicator not in ("", "Y", "N"):
        raise ReturnRecordError("the death indicator is Y, N or blank")
    if record.death_indicator and record.code != VERIFIED:
        raise ReturnRecordError("the death indicator is written only when the SSN verifies")
    if len(record.confirmation) > CONFIRMATION_WIDTH:
        raise ReturnRecordError(f"confirmation is longer than {CONFIRMATION_WIDTH} characters")
    buffer = [" "] * RECORD_LENGTH
    _put(buffer, _SSN, _masked_ssn(record), "ssn")
    _put(buffer, _LAST, record.last_name, "last_name")
    _put(buffer, _FIRST, record.first_name, "first_name")
    _put(buffer, _MIDDLE, record.middle_name, "middle_name")
    _put(buffer, _DOB, record.dob, "dob")
    _put(buffer, _CONFIRMATION, record.confirmation, "confirmation")
    _put(buffer, _USER_CONTROL, record.user_control, "user_control")
    _put(buffer, _CODE, record.code, "code")
    _put(buffer, _PROCESSING, PROCESSING_CODE, "processing code")
    _put(buffer, _REQUESTER, record.requester_id, "requester_id")
    _put(buffer, _MULTIPLE, record.multiple_request, "multiple_request")
    _put(buffer, _LOCATED, record.located_ssn, "located_ssn")
    _put(buffer, _DEATH, record.death_indicator, "death_indicator")
    return "".join(buffer)


def write_return_records(records: Iterable[ReturnRecord], handle: BinaryIO) -> int:
    """Write one line per record (130 bytes and LF); the number written."""
    count = 0
    for record in records:
        handle.write(format_return_record(record).encode("ascii") + b"\n")
        count += 1
    return count


def write_return_file(records: Iterable[ReturnRecord], path: Path) -> int:
    """Write a return file at ``path`` (the caller makes it atomic); the number of records."""
    with path.open("wb") as handle:
        return write_return_records(records, handle)


def _get(line: str, span: tuple[int, int]) -> str:
    return line[span[0] - 1 : span[1]]


def parse_return_record(line: str) -> ReturnRecord:
    """Read one return record (130 characters, no line end); trailing blanks are removed.

    The SSN is returned as written (``XXXXX`` and the last four digits when masked).
    """
    if len(line) != RECORD_LENGTH:
        raise ReturnRecordError(f"a return record has {RECORD_LENGTH} characters, not {len(line)}")
    if not all(" " <= ch <= "~" for ch in line):
        raise ReturnRecordError("a return record is printable ASCII")
    code = _get(line, _CODE)
    if code not in READ_CODES:
        raise ReturnRecordError("unknown verification code at position 98")
    if _get(line, _PROCESSING) != PROCESSING_CODE:
        raise ReturnRecordError("positions 99-101 are not 214")
    if any(_get(line, span).strip() for span in _BLANKS):
        raise ReturnRecordError("a position the layout keeps blank holds data")
    return ReturnRecord(
        ssn=_get(line, _SSN),
        last_name=_get(line, _LAST).rstrip(),
        first_name=_get(line, _FIRST).rstrip(),
        middle_name=_get(line, _MIDDLE).rstrip(),
        dob=_get(line, _DOB).rstrip(),
        confirmation=_get(line, _CONFIRMATION).rstrip(),
        user_control=_get(line, _USER_CONTROL).rstrip(),
        code=code,
        requester_id=_get(line, _REQUESTER).rstrip(),
        multiple_request=_get(line, _MULTIPLE).rstrip(),
        located_ssn=_get(line, _LOCATED).strip(),
        death_indicator=_get(line, _DEATH).strip(),
    )


def read_return_records(path: Path) -> Iterator[ReturnRecord]:
    """Every record of a return file, in order (LF or CR LF line ends)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\n").removesuffix(b"\r")
            if not line:
                continue
            try:
                yield parse_return_record(line.decode("ascii"))
            except (UnicodeDecodeError, ReturnRecordError) as exc:
                raise ReturnRecordError(f"line {number}: {exc}") from None
