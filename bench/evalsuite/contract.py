"""Writing the data contract's files, and deriving a truth row's discrepancy kinds.

External generators (pseudopeople, FEBRL) do not label what their noise did to a row. The kinds
here are derived by comparing the request row with the true person's master row, field by field,
and use ``matchgate synth``'s vocabulary where a kind means the same thing (``typo``,
``dob_day_month_swap``, ``ssn_transposition``, ``name_only`` ...), plus a few coarser ones for
what cannot be told apart after the fact (``given_differs``, ``surname_differs``, ``dob_differs``,
``ssn_differs``, ``given_missing``, ``surname_missing``) and ``ssn_other_holder`` (the request's
SSN is another master person's). Absent people are ``absent``, or ``absent_borrowed_ssn`` when
their SSN is a master person's.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import jellyfish

from matchgate.domain.contract import REQUEST_COLUMNS, TRUTH_COLUMNS

MASTER_COLUMNS = (
    "person_id",
    "ssn",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "sex",
    "death_date",
    "address_line",
    "city",
    "state",
    "zip",
)
UNKNOWN = "unknown"

Row = Mapping[str, str]


def text(value: object) -> str:
    """A cell as text: None, NaN and pandas' missing markers are empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    out = str(value).strip()
    return "" if out in {"nan", "NaN", "<NA>", "None", "NaT"} else out


def iso_date(raw: str, fmt: str) -> str:
    """``raw`` in ``fmt`` as YYYY-MM-DD, or empty when it is not a calendar date."""
    try:
        return dt.datetime.strptime(raw, fmt).date().isoformat()
    except ValueError:
        return ""


def digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def _norm(value: str) -> str:
    return re.sub(r"[^A-Z]", "", value.upper())


def _name_kind(req: str, master: str, part: str) -> str | None:
    a, b = _norm(req), _norm(master)
    if a == b:
        return None
    if not a:
        return f"{part}_missing"
    if not b:
        return None
    if jellyfish.damerau_levenshtein_distance(a, b) <= 2:
        return "typo"
    return f"{part}_differs"


def _dob_kind(req: str, master: str) -> str | None:
    if req == master or not master:
        return None
    if not req:
        return "dob_missing"
    ry, rm, rd = req.split("-")
    my, mm, md = master.split("-")
    if (ry, rm, rd) == (my, md, mm):
        return "dob_day_month_swap"
    if (rm, rd) == (mm, md):
        return "dob_year_error"
    return "dob_differs"


def _ssn_kind(req: str, master: str, holders: Mapping[str, str], person: str) -> str | None:
    if req == master or not master:
        return None
    if not req:
        return "ssn_missing"
    if holders.get(req, person) != person:
        return "ssn_other_holder"
    if len(req) == len(master) == 9:
        diff = [i for i in range(9) if req[i] != master[i]]
        if len(diff) == 1:
            return "ssn_digit_error"
        if len(diff) == 2 and diff[1] == diff[0] + 1 and req[diff[0]] == master[diff[1]]:
            return "ssn_transposition"
    return "ssn_differs"


def case_of(
    request: Row,
    master: Row | None,
    holders: Mapping[str, str],
    never_sent: frozenset[str] = frozenset(),
) -> str:
    """The truth file's ``case`` for one request row; ``master`` is None for an absent person.

    ``holders`` maps each master SSN (9 digits) to its person_id. ``never_sent`` names the
    fields the whole request file leaves empty (a W-2 has no DOB): their ``*_missing`` kind is
    not tagged on every row, it says nothing about the row.
    """
    ssn = digits(request.get("ssn", ""))
    if master is None:
        return "absent_borrowed_ssn" if ssn in holders else "absent"
    kinds: list[str] = []
    first = _name_kind(request.get("first_name", ""), master.get("first_name", ""), "given")
    last = _name_kind(request.get("last_name", ""), master.get("last_name", ""), "surname")
    swapped = (
        _norm(request.get("first_name", "")) == _norm(master.get("last_name", ""))
        and _norm(request.get("last_name", "")) == _norm(master.get("first_name", ""))
        and first is not None
    )
    if swapped:
        kinds.append("name_order_swap")
    else:
        kinds.extend(k for k in (first, last) if k and k not in kinds)
    for field, kind in (
        ("dob", _dob_kind(request.get("dob", ""), master.get("dob", ""))),
        ("ssn", _ssn_kind(ssn, digits(master.get("ssn", "")), holders, master["person_id"])),
    ):
        if kind and field not in never_sent:
            kinds.append(kind)
    if (
        request.get("address_line", "") == ""
        and master.get("address_line", "")
        and "address_line" not in never_sent
    ):
        kinds.append("address_missing")
    comparable_dob = request.get("dob", "") and master.get("dob", "")
    if not (ssn or request.get("a_number", "") or comparable_dob):
        kinds.append("name_only")
    return "+".join(kinds) if kinds else "clean"


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[Row]) -> int:
    cols = list(columns)
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in cols})
            n += 1
    return n


def write_dataset(
    out: Path,
    master: list[dict[str, str]],
    requests: list[dict[str, str]],
    truth_person: Mapping[str, str],
    origin: Mapping[str, str],
    cases: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Write master.csv, requests.csv and truth.csv; derive each request's case.

    ``truth_person`` maps request_id to the true person_id (missing or empty: absent);
    ``origin`` maps request_id to a name origin (missing: ``unknown``); ``cases`` names the
    case of rows the builder knows better than the fields say (an absent twin, not ``absent``).
    """
    out.mkdir(parents=True, exist_ok=True)
    by_id = {m["person_id"]: m for m in master}
    holders = {digits(m["ssn"]): m["person_id"] for m in master if digits(m.get("ssn", ""))}
    never_sent = frozenset(
        f for f in ("ssn", "dob", "address_line") if not any(r.get(f, "") for r in requests)
    )
    truth = []
    for req in requests:
        rid = req["request_id"]
        pid = truth_person.get(rid, "")
        person = by_id.get(pid) if pid else None
        truth.append(
            {
                "request_id": rid,
                "person_id": pid if person is not None else "",
                "case": (cases or {}).get(rid) or case_of(req, person, holders, never_sent),
                "origin": origin.get(rid) or UNKNOWN,
            }
        )
    write_csv(out / "master.csv", MASTER_COLUMNS, master)
    write_csv(out / "requests.csv", REQUEST_COLUMNS, requests)
    write_csv(out / "truth.csv", TRUTH_COLUMNS, truth)
    present = sum(1 for t in truth if t["person_id"])
    return {"master": len(master), "requests": len(requests), "present": present}
