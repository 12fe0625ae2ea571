"""Through the command line: a file whose "header" is data (a CSV
without its header row, JSON Lines keys or Parquet column names that are values) is refused
without quoting it, in the terminal, in the stored submission (``submissions.message`` and the
report), in ``submissions show`` for both agencies, in the audit log and anywhere in the
workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.cli.test_cli_submit import World, one_line
from tests.submit.helpers import REQUESTS

from matchgate.app.audit import audit_config, init_audit
from matchgate.cli.main import app as main_app

FIRST, LAST, SSN, DOB = "Quillon", "Vantragosa", "512348867", "1947-11-23"
PLANTED = (FIRST, LAST, SSN, "512-34-8867", DOB)


@pytest.fixture
def world(tmp_path: Path) -> World:
    made = World(tmp_path)
    init_audit(audit_config(made.settings))
    return made


def assert_no_value(text: str | bytes, where: str) -> None:
    data = text.lower() if isinstance(text, bytes) else text.lower().encode()
    for value in PLANTED:
        assert value.lower().encode() not in data, (value, where)


def noheader(root: Path) -> Path:
    path = root / "noheader.csv"
    rows = REQUESTS.splitlines()[1:]
    path.write_text(f"R9,{FIRST},,{LAST},{SSN},,{DOB},,,,\n" + "\n".join(rows) + "\n")
    return path


def keys_are_values(root: Path) -> Path:
    path = root / "keys.jsonl"
    path.write_text(json.dumps({"request_id": "R1", FIRST: LAST, SSN: DOB}) + "\n")
    return path


def names_are_values(root: Path) -> Path:
    path = root / "names.parquet"
    pq.write_table(pa.table({"request_id": ["R1"], FIRST: [LAST], SSN: [DOB]}), path)
    return path


@pytest.mark.parametrize("make", [noheader, keys_are_values, names_are_values])
def test_a_file_whose_header_is_data_leaves_no_value_anywhere(world: World, make: object) -> None:
    assert callable(make)
    source = make(world.root)
    refused = world.submit(source, "--dry-run")
    line = one_line(refused, "E_FIELD_NOT_ALLOWED", 3)
    assert_no_value(refused.output, "terminal")
    assert source.name in line
    assert "column" in line or "key" in line  # named by position
    job = json.loads(world.invoke("submissions", "list", "--json").stdout)[0]["job_id"]
    for user in ("dhs-submitter", "dhs-po", "ssa-po"):  # both agencies
        shown = world.invoke("submissions", "show", job, "--json", user=user)
        assert shown.exit_code == 0, shown.output
        stored = json.loads(shown.stdout)
        assert stored["code"] == "E_FIELD_NOT_ALLOWED"
        assert stored["message"]
        assert_no_value(shown.stdout, f"submissions show --json ({user})")
        plain = world.invoke("submissions", "show", job, user=user)
        assert plain.exit_code == 0, plain.output
        assert_no_value(plain.stdout, f"submissions show ({user})")
    audit = world.invoke("audit", "tail", "-n", "50", "--json", user="ssa-po", target=main_app)
    assert audit.exit_code == 0, audit.output
    assert "submission.rejected" in audit.stdout
    assert_no_value(audit.output, "audit")
    for path in world.workspace.rglob("*"):  # the store, the audit log, every stored file
        if path.is_file():
            assert_no_value(path.read_bytes(), str(path))
