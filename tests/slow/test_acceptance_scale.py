"""Issue-2 acceptance at its stated size: 200,000 people, 5,000 requests, through the CLI.

Marked slow (run with ``./dev test -m slow``). It checks the output contract, not the time: speed
is measured by ``bench/match_speed.py``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.cli.main import app

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_match_at_200k_by_5k_answers_every_request_in_order(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = runner.invoke(
        app,
        ["synth", "--people", "200000", "--requests", "5000", "--seed", "11", "--out", str(data)],
    )
    assert made.exit_code == 0, made.output
    output = tmp_path / "out.csv"
    matched = runner.invoke(
        app,
        [
            "--workspace", str(tmp_path / "ws"),
            "match",
            "--master", str(data / "master.parquet"),
            "--requests", str(data / "requests.csv"),
            "--output", str(output),
        ],
    )  # fmt: skip
    assert matched.exit_code == 0, matched.output
    with (data / "requests.csv").open() as f:
        wanted = [row["request_id"] for row in csv.DictReader(f)]
    with output.open() as f:
        rows = list(csv.DictReader(f))
    assert len(wanted) == 5000
    assert [row["request_id"] for row in rows] == wanted
    for row in rows:
        assert row["decision"] in {"match", "possible", "no_match"}
        assert 0.0 <= float(row["score"]) <= 1.0
        assert (row["person_id"] == "") == (row["decision"] == "no_match")
    graded = runner.invoke(
        app, ["eval", "--truth", str(data / "truth.csv"), "--results", str(output), "--json"]
    )
    overall = json.loads(graded.stdout)["overall"]
    assert overall["precision"] >= 0.995
    assert overall["recall_without_name_only"] >= 0.9
    assert not list((tmp_path / "ws" / "tmp").glob("*")), "per-run DuckDB files were not removed"
