"""Write a request file (data contract, section 2) as SSNVS/EVS fixed-width submission records.

For trying the fixed-width path with synthetic data (``matchgate ssnvs-file``): each request row
with an SSN and a last name becomes one 130-character record (section 4). Names are folded to
upper-case ASCII and cut at the layout's widths (13, 10, 7), as an agency's extract does; the
date of birth ``YYYY-MM-DD`` becomes ``MMDDYYYY`` (blank when unknown); the user control data
(positions 90-103) carries the row's ``request_id`` (its first 14 characters), so each return
record can be joined back to the request. A row without an SSN or a last name cannot be a record
and is skipped (counted, never shown).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

RECORD_LENGTH = 130
MARK = "TPV214"
_REQUESTER = re.compile(r"^[A-Z0-9 ]{4}$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _fold(value: str, width: int) -> str:
    """Upper-case ASCII letters, spaces, hyphens and apostrophes, cut at ``width``."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    kept = "".join(c for c in ascii_text.upper() if c.isalpha() or c in " -'")
    return " ".join(kept.split())[:width]


def _dob(value: str) -> str:
    found = _DATE.match(value.strip())
    return f"{found[2]}{found[3]}{found[1]}" if found else ""


def record(
    ssn: str,
    last: str,
    first: str = "",
    middle: str = "",
    dob: str = "",
    *,
    control: str = "",
    requester: str = "SYNT",
    multiple: str = "000",
) -> str:
    """One 130-character submission record, each field at its contract position."""
    fields = [
        (1, ssn),
        (10, MARK),
        (16, _fold(last, 13)),
        (29, _fold(first, 10)),
        (39, _fold(middle, 7)),
        (46, _dob(dob)),
        (90, control[:14]),
        (124, requester),
        (128, multiple),
    ]
    out = [" "] * RECORD_LENGTH
    for start, value in fields:
        out[start - 1 : start - 1 + len(value)] = list(value)
    return "".join(out)


@dataclass(frozen=True)
class Written:
    records: int
    skipped: int


def records_of(rows: Iterable[Mapping[str, str]], requester: str) -> tuple[list[str], int]:
    """The records of the usable rows, and how many rows were skipped."""
    if not _REQUESTER.match(requester):
        raise ValueError("the requester id is 4 upper-case letters, digits or spaces")
    made: list[str] = []
    skipped = 0
    for row in rows:
        ssn = re.sub(r"\D", "", row.get("ssn") or "")
        last = _fold(row.get("last_name") or "", 13)
        control = "".join(c for c in (row.get("request_id") or "") if c.isprintable())
        if len(ssn) != 9 or not last or not control.isascii():
            skipped += 1
            continue
        made.append(
            record(
                ssn,
                last,
                row.get("first_name") or "",
                row.get("middle_name") or "",
                row.get("dob") or "",
                control=control,
                requester=requester,
            )
        )
    return made, skipped


def write_ssnvs(requests: Path, out: Path, *, requester: str = "SYNT") -> Written:
    """Write the records of a CSV request file to ``out`` (a new file), one per line."""
    with requests.open(encoding="utf-8", newline="") as handle:
        made, skipped = records_of(csv.DictReader(handle), requester)
    with out.open("x", encoding="ascii", newline="\n") as handle:
        handle.writelines(line + "\n" for line in made)
    return Written(len(made), skipped)
