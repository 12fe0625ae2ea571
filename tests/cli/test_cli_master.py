"""`matchgate master ...` and `match` without --master, through the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.cli.main import EXIT_CONFIG, EXIT_INPUT, app

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    args = ["synth", "--people", "2000", "--requests", "200", "--seed", "3", "--no-details"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_load_list_probe(world: Path, tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path / "ws")]
    output = tmp_path / "out.csv"
    probe = ["match", "--requests", str(world / "requests.csv"), "--output", str(output)]
    none = runner.invoke(app, [*ws, *probe])
    assert none.exit_code == EXIT_CONFIG
    assert "matchgate master load" in none.stderr
    assert runner.invoke(app, [*ws, "master", "list"]).stdout.startswith("no master loaded")

    loaded = runner.invoke(app, [*ws, "master", "load", str(world / "master.parquet")])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 2,000 people as snapshot" in loaded.output
    listed = runner.invoke(app, [*ws, "master", "list"])
    assert listed.stdout.startswith("* ")
    assert "load of master.parquet" in listed.stdout
    assert " duckdb " in listed.stdout  # the engine that loaded it (and alone can probe it)
    snapshot = listed.stdout.split()[1]

    matched = runner.invoke(app, [*ws, *probe])
    assert matched.exit_code == 0, matched.output
    assert f"against {snapshot}" in " ".join(matched.output.split())
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 200
    assert {r["master_snapshot"] for r in rows} == {snapshot}

    both = runner.invoke(app, [*ws, *probe, "--master", "x.csv", "--snapshot", snapshot])
    assert both.exit_code == 2


def test_bad_change_file_is_an_input_error_and_changes_nothing(world: Path, tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path / "ws")]
    assert runner.invoke(app, [*ws, "master", "load", str(world / "master.parquet")]).exit_code == 0
    before = runner.invoke(app, [*ws, "master", "list"]).stdout
    bad = tmp_path / "changes.csv"
    bad.write_bytes(b"person_id,first_name,last_name,dob\nP1,\xff\xfe,X,2000-01-01\n")
    result = runner.invoke(app, [*ws, "master", "update", str(bad)])
    assert result.exit_code == EXIT_INPUT
    assert "\xff" not in result.stderr
    assert runner.invoke(app, [*ws, "master", "list"]).stdout == before
