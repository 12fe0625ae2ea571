"""The CLI end to end on a small synthetic world, and its one-line errors for bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.cli.main import EXIT_CONFIG, EXIT_INPUT, app

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    result = runner.invoke(
        app,
        ["synth", "--people", "3000", "--requests", "300", "--seed", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


def test_synth_match_eval_round_trip(world: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "--workspace", str(tmp_path / "ws"),
            "match",
            "--master", str(world / "master.parquet"),
            "--requests", str(world / "requests.csv"),
            "--output", str(output),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (world / "requests.csv").open() as f:
        wanted = [row["request_id"] for row in csv.DictReader(f)]
    with output.open() as f:
        rows = list(csv.DictReader(f))
    assert [row["request_id"] for row in rows] == wanted
    assert {"request_id", "decision", "person_id", "score"} <= set(rows[0])
    graded = runner.invoke(
        app, ["eval", "--truth", str(world / "truth.csv"), "--results", str(output), "--json"]
    )
    assert graded.exit_code == 0, graded.output
    overall = json.loads(graded.stdout)["overall"]
    assert overall["rows"] == 300
    # A real matcher on clean-ish synthetic data: far from a coin toss, and no wrong matches here.
    assert overall["recall"] > 0.8
    assert overall["precision"] > 0.99
    assert (tmp_path / "ws" / "matchgate.sqlite").is_file()


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        (None, "E_FILE_MISSING", "requests.csv"),
        ("first_name,last_name\nA,B\n", "E_REQUEST_ID_COLUMN_MISSING", "request_id"),
        ("request_id,first_name,last_name\nR1,A,B\nR1,C,D\n", "E_REQUEST_ID_DUPLICATE", "row 2"),
        (b"request_id,first_name,last_name\nR1,Jos\xe9,B\n", "E_FILE_ENCODING", "requests.csv"),
    ],
)
def test_bad_requests_give_one_line_an_exit_code_and_no_output(
    world: Path, tmp_path: Path, content: str | bytes | None, code: str, where: str
) -> None:
    requests = tmp_path / "requests.csv"
    if isinstance(content, bytes):
        requests.write_bytes(content)
    elif content is not None:
        requests.write_text(content)
    output = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "--workspace", str(tmp_path / "ws"),
            "match",
            "--master", str(world / "master.parquet"),
            "--requests", str(requests),
            "--output", str(output),
        ],
    )  # fmt: skip
    assert result.exit_code == EXIT_INPUT, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert code in lines[0]
    assert where in lines[0]
    assert "Traceback" not in result.output
    assert not output.exists()
    assert list(tmp_path.glob("*.part")) == []
    assert "Jos" not in result.output  # the personal value itself never appears


def test_synth_refuses_bad_arguments_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--people", "0", "--out", str(tmp_path / "o")])
    assert result.exit_code == EXIT_INPUT
    assert "Traceback" not in result.output
    file_in_the_way = tmp_path / "file"
    file_in_the_way.write_text("x")
    result = runner.invoke(
        app, ["synth", "--people", "100", "--requests", "10", "--out", str(file_in_the_way)]
    )
    assert result.exit_code == EXIT_CONFIG
    assert file_in_the_way.read_text() == "x"


def test_workspace_option_does_not_leak_into_the_next_command(world: Path, tmp_path: Path) -> None:
    from matchgate.cli import shell

    result = runner.invoke(
        app,
        [
            "--workspace", str(tmp_path / "ws1"),
            "eval", "--truth", str(world / "truth.csv"), "--results", str(world / "truth.csv"),
        ],
    )  # fmt: skip
    assert result.exit_code == EXIT_INPUT  # truth is not a result file; the point is what follows
    assert shell.settings().workspace != tmp_path / "ws1"


@pytest.mark.parametrize("content", [None, "not json", '{"comparisons": 3}'])
def test_unusable_model_file_is_a_one_line_input_error(
    world: Path, tmp_path: Path, content: str | None
) -> None:
    model = tmp_path / "model.json"
    if content is not None:
        model.write_text(content)
    result = runner.invoke(
        app,
        [
            "--workspace", str(tmp_path / "ws"),
            "match",
            "--master", str(world / "master.parquet"),
            "--requests", str(world / "requests.csv"),
            "--output", str(tmp_path / "out.csv"),
            "--model", str(model),
        ],
    )  # fmt: skip
    assert result.exit_code == EXIT_INPUT, result.output
    assert "model.json" in result.stderr
    assert not (tmp_path / "out.csv").exists()
