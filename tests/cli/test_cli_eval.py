"""The CLI's eval command: table and JSON output, and one-line errors with documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from matchgate.cli.main import EXIT_INPUT, app

runner = CliRunner()

TRUTH = "request_id,person_id,case,origin\nR1,P1,clean,anglo\nR2,,absent,korean\n"
RESULTS = "request_id,decision,person_id,score\nR1,match,P1,0.99\nR2,match,P5,0.97\n"


def files(tmp_path: Path, results: str = RESULTS) -> list[str]:
    (tmp_path / "t.csv").write_text(TRUTH)
    (tmp_path / "r.csv").write_text(results)
    return ["eval", "--truth", str(tmp_path / "t.csv"), "--results", str(tmp_path / "r.csv")]


def test_json_output_carries_the_rates(tmp_path: Path) -> None:
    result = runner.invoke(app, [*files(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["overall"]["precision"] == 0.5
    assert data["overall"]["false_match_rate"] == 1.0
    assert data["by_origin"]["korean"]["wrong_matches"] == 1


def test_table_output_names_the_groups(tmp_path: Path) -> None:
    result = runner.invoke(app, files(tmp_path))
    assert result.exit_code == 0, result.output
    for word in ("overall", "by discrepancy kind", "by name origin", "korean", "absent"):
        assert word in result.stdout


def test_bad_input_is_one_line_with_exit_code_and_no_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, files(tmp_path, "request_id,decision,person_id\nR1,match,P1\n"))
    assert result.exit_code == EXIT_INPUT
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "t.csv" in lines[0]
    assert "row 2" in lines[0]
    assert "E_MISSING_RESULT" in lines[0]
    assert "Traceback" not in result.output
