"""Placeholder names ("unknown is not different"): one documented list, read as no name by the
Python standardizer (requests) and the SQL one (master) alike, and reported on the request row."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import pyarrow as pa

from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import read_requests
from matchgate.standardize.names import name_placeholder, spelled_name, standardize_name
from matchgate.standardize.placeholders import PLACEHOLDER_NAMES
from matchgate.standardize.sql import PYTHON_FUNCTIONS

WRITTEN = [
    "FNU",
    "f.n.u.",
    "Lnu",
    "NMN",
    "n/a",
    "N / A",
    "Baby Girl",
    "baby-boy",
    "BABYGIRL",
    "Infant",
    "UNKNOWN",
    "unknown jr",
    "Mother",
    "XXX",
    "test",
]
NAMES = [
    "Na",  # a Korean surname, not N/A
    "Son",  # a Vietnamese given name and a Korean surname
    "Child",  # an English surname
    "Baby Jane",  # a placeholder word inside a name is a name
    "Unknown Smith",
    "Fnuala",
    "X",
    "B",
    "Nmn Lee",
]


def _sql(engine: DuckDBEngine, values: list[str]) -> list[str | None]:
    engine.register("names_in", pa.table({"i": range(len(values)), "s": values}))
    try:
        out = engine.query("SELECT mg_name(s) AS n FROM names_in ORDER BY i")["n"].to_pylist()
    finally:
        engine.unregister("names_in")
    return [None if v is None else str(v) for v in out]


def test_every_listed_placeholder_is_no_name_in_python_and_sql(engine: DuckDBEngine) -> None:
    listed = sorted(PLACEHOLDER_NAMES)
    assert all(spelled_name(p) == p for p in listed), "the list holds standardized forms"
    values = listed + [p.lower() for p in listed] + WRITTEN
    assert _sql(engine, values) == [None] * len(values)
    assert [standardize_name(v) for v in values] == [""] * len(values)
    assert [PYTHON_FUNCTIONS["mg_name"].function(v) for v in values] == [None] * len(values)
    assert all(name_placeholder(v) for v in values)


def test_real_names_and_initials_stay_names(engine: DuckDBEngine) -> None:
    letters = list(string.ascii_uppercase) + list(string.ascii_lowercase)
    values = NAMES + letters
    python = [standardize_name(v) for v in values]
    assert _sql(engine, values) == python
    assert all(python), "a single letter is an initial, never a placeholder"
    assert not any(name_placeholder(v) for v in values)
    assert all(len(p) > 1 for p in PLACEHOLDER_NAMES)


def test_placeholder_warns_on_the_request_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "request_id,first_name,middle_name,last_name,ssn,dob\n"
        "1,FNU,Q,Okafor,123-45-6789,\n"
        "2,Baby Girl,,Lee,,2026-11-30\n"
        "3,Ann,NMN,Lee,,1990-02-30\n"
        "4,FNU,,LNU,,\n"
        "5,A,B,Lee,,\n",
        encoding="utf-8",
    )
    rows = read_requests(path, today=dt.date(2026, 12, 7)).table.to_pylist()
    assert [r["warning_codes"] for r in rows] == [
        "W_NAME_PLACEHOLDER",
        "W_NAME_PLACEHOLDER",
        "W_DOB_INVALID|W_NAME_PLACEHOLDER",
        "W_NAME_PLACEHOLDER",
        "",
    ]
    assert [(r["first"], r["middle"], r["last"]) for r in rows] == [
        (None, "Q", "OKAFOR"),
        (None, None, "LEE"),
        ("ANN", None, "LEE"),
        (None, None, None),
        ("A", "B", "LEE"),
    ]
    # No usable name at all: the row cannot be matched.
    assert [r["error_code"] for r in rows] == [None, None, None, "E_NAME_MISSING", None]
