"""Planted values through every kind of file the intake refuses, then a scan of everything.

Each kind of malformed request file is submitted through the command line with names, SSNs and
dates of birth that appear nowhere else. Afterwards the whole workspace is scanned: every file's
bytes (the SQLite stores and their journals, sealed originals, job folders, the refusal counts),
every row of every table of the stores, everything the commands printed (stdout and stderr), and
every stored message as both agencies read it (``submissions list/show``, ``audit tail``). None of
the planted values may be found in clear, in any of the forms the files wrote them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.cli.test_cli_submit import World
from tests.submit.helpers import REFERENCE, agreement_variant, ssnvs_record

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.main import app as main_app
from matchgate.cli.shell import EXIT_INTERNAL
from matchgate.services.administration.agreements import add_agreement

FIRST, MIDDLE, LAST = "Quorinthea", "Vexaliah", "Brambleworth"
SSN, DOB = "538417296", "1943-07-19"
PLANTED = (FIRST, MIDDLE, LAST, SSN, "538-41-7296", DOB, "07191943", "19430719")
"""Every form of the planted person's values a file below writes (fixed-width dates included)."""
HEADER = "request_id,first_name,middle_name,last_name,ssn,a_number,dob,address_line,city,state,zip"
ROW = f"R1,{FIRST},{MIDDLE},{LAST},{SSN},,{DOB},,,,"
GOOD = "R2,Ann,,Lee,123456789,,1961-04-12,,,,"


def _text(name: str, text: str) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        path = root / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        path = root / name
        path.write_bytes(data)
        return path

    return make


def _parquet(name: str, table: Callable[[], pa.Table]) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        path = root / name
        pq.write_table(table(), path)
        return path

    return make


def _fw(**kw: str) -> str:
    return ssnvs_record(SSN, LAST[:13].upper(), FIRST[:10].upper(), MIDDLE[:7].upper(), **kw)


FW_DOB = "07191943"
KINDS: dict[str, Callable[[Path], Path]] = {
    # CSV
    "no header row": _text("noheader.csv", f"{ROW}\n{GOOD}\n"),
    "unknown column": _text(
        "unknown.csv", f"request_id,first_name,last_name,favourite_food\nR1,{FIRST},{LAST},{SSN}\n"
    ),
    "ragged row": _text("ragged.csv", f"{HEADER}\n{ROW},{FIRST},{SSN}\n{GOOD}\n"),
    "unclosed quote": _text("quote.csv", f'{HEADER}\nR1,"{FIRST},{MIDDLE},{LAST},{SSN},,{DOB}\n'),
    "bad encoding": _bytes(
        "latin1.csv", f"{HEADER}\n{ROW}\nR3,{FIRST}é,,{LAST},{SSN},,{DOB},,,,\n".encode("latin-1")
    ),
    "binary bytes": _bytes("binary.csv", f"{HEADER}\n{ROW}\n".encode() + b"\x00\x01\x02" * 50),
    "oversize line": _text(
        "long.csv", f"{HEADER}\nR1,{FIRST},,{LAST}{'x' * 70_000},{SSN},,{DOB}\n"
    ),
    "no request_id column": _text(
        "noid.csv", f"first_name,last_name,ssn,dob\n{FIRST},{LAST},{SSN},{DOB}\n"
    ),
    "empty request_id": _text("emptyid.csv", f"{HEADER}\n,{FIRST},,{LAST},{SSN},,{DOB},,,,\n"),
    "duplicate request_id": _text("dup.csv", f"{HEADER}\n{ROW}\n{ROW}\n"),
    "no name columns": _text("nonames.csv", f"request_id,ssn,dob\nR1,{SSN},{DOB}\n"),
    "header only": _text("headeronly.csv", f"{HEADER}\n"),
    "empty file": _text("empty.csv", ""),
    "wrong types (CSV)": _text(
        "types.csv", f"{HEADER}\nR1,{FIRST},{MIDDLE},{LAST},{SSN}{SSN},,{DOB}T99:99,,,,99999999\n"
    ),
    # JSON Lines
    "JSONL keys are values": _text(
        "keys.jsonl", json.dumps({"request_id": "R1", FIRST: LAST, SSN: DOB}) + "\n"
    ),
    "JSONL broken line": _text(
        "broken.jsonl", f'{{"request_id": "R1", "first_name": "{FIRST}", "ssn": "{SSN}"\n'
    ),
    "JSONL wrong types": _text(
        "types.jsonl",
        json.dumps(
            {"request_id": "R1", "first_name": [FIRST], "last_name": {"v": LAST}, "ssn": int(SSN)}
        )
        + "\n",
    ),
    # Parquet
    "Parquet names are values": _parquet(
        "names.parquet", lambda: pa.table({"request_id": ["R1"], FIRST: [LAST], SSN: [DOB]})
    ),
    "Parquet wrong types": _parquet(
        "types.parquet",
        lambda: pa.table(
            {
                "request_id": [1],
                "first_name": [[FIRST]],
                "last_name": [LAST],
                "ssn": [int(SSN)],
                "dob": [19430719],
            }
        ),
    ),
    "Parquet corrupt": _bytes("corrupt.parquet", b"PAR1" + f"{ROW}".encode() * 20 + b"PAR1"),
    # fixed width (SSNVS/EVS)
    "fixed width, short record": _text("short.txt", _fw(dob=FW_DOB)[:129] + "\n"),
    "fixed width, long record": _text("long.txt", _fw(dob=FW_DOB) + "X\n"),
    "fixed width, second record short": _text(
        "second.txt", _fw(dob=FW_DOB) + "\n" + _fw(dob=FW_DOB)[:100] + "\n"
    ),
    "fixed width, non-ASCII": _bytes(
        "accent.txt", (_fw(dob=FW_DOB)[:16] + "É" + _fw(dob=FW_DOB)[17:] + "\n").encode()
    ),
    "fixed width, layout error": _text(
        "layout.txt", _fw(dob=FW_DOB)[:60] + "ZZ" + _fw(dob=FW_DOB)[62:] + "\n"
    ),
}


ACCEPTED = sorted(
    ["header only", "fixed width, layout error", "wrong types (CSV)", "JSONL wrong types"]
)
"""Kinds the intake can still answer (row codes, or nothing to match): answered, not refused."""


def _seen(data: bytes) -> list[str]:
    lowered = data.lower()
    return [value for value in PLANTED if value.lower().encode() in lowered]


def _rows(database: Path) -> list[tuple[str, str]]:
    """Every value of every row of every table, as text, with where it was."""
    found: list[tuple[str, str]] = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):  # table names read from the db
                found.extend((f"{database.name}:{table}", str(value)) for value in row)
    return found


@pytest.fixture
def world(tmp_path: Path) -> World:
    """The submission world, its agreement at a version that takes a file per kind a month."""
    made = World(tmp_path)
    init_audit(audit_config(made.settings))
    roomy = agreement_variant(
        tmp_path / "docs", "reference-2025-08", REFERENCE, version=2, max_files_per_month=100
    )
    add_agreement(
        App(made.settings), roomy, caller=made.accounts.user("ssa-po2", "SSA", "privacy_officer")
    )
    return made


def test_no_planted_value_is_left_in_clear_anywhere(world: World) -> None:
    printed: list[tuple[str, str]] = []
    outcomes: dict[str, int] = {}
    inputs = world.root / "inputs"
    inputs.mkdir()
    for kind, make in KINDS.items():
        source = make(inputs)
        dry = world.submit(source, "--dry-run")
        printed.append((f"submit --dry-run: {kind}", dry.output))
        result = world.submit(source)
        assert "Traceback" not in result.output, (kind, result.output)
        assert result.exit_code != EXIT_INTERNAL, (kind, result.output)
        outcomes[kind] = result.exit_code
        printed.append((f"submit: {kind}", result.output))
    # most kinds are refused (exit 3); a file the intake can still answer is answered
    accepted = sorted(kind for kind, code in outcomes.items() if code == 0)
    assert accepted == ACCEPTED, outcomes
    listed = world.invoke("submissions", "list", "--json")
    assert listed.exit_code == 0, listed.output
    jobs = [item["job_id"] for item in json.loads(listed.stdout)]
    assert len(jobs) >= len(KINDS)
    for user in ("dhs-submitter", "dhs-po", "ssa-po"):  # the stored messages, as each party reads
        for args in (("submissions", "list"), ("submissions", "list", "--json")):
            shown = world.invoke(*args, user=user)
            printed.append((f"{' '.join(args)} ({user})", shown.output))
        for job in jobs:
            for extra in ((), ("--json",)):
                shown = world.invoke("submissions", "show", job, *extra, user=user)
                assert shown.exit_code == 0, shown.output
                printed.append((f"submissions show {job} {extra} ({user})", shown.output))
    audit = world.invoke("audit", "tail", "-n", "500", "--json", user="ssa-po", target=main_app)
    assert audit.exit_code == 0, audit.output
    printed.append(("audit tail", audit.output))

    leaks = [(where, _seen(text.encode())) for where, text in printed]
    files = [p for p in world.workspace.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in files)
    leaks += [(str(p.relative_to(world.root)), _seen(p.read_bytes())) for p in files]
    for database in (p for p in files if p.suffix == ".sqlite"):
        leaks += [(where, _seen(value.encode())) for where, value in _rows(database)]
    assert [(where, seen) for where, seen in leaks if seen] == []
