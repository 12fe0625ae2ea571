"""A master file that is not a master: ``master load`` and ``match --master`` refuse it cleanly.

Each kind is refused with exit 3 and one line that names the file and what is wrong, never the
engine's own text and never a value from the file.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.cli.main import EXIT_INPUT, app

runner = CliRunner()
PLANTED = ("Zebulonia", "Quixtravaganza", "987-65-4329", "1911-11-29")
"""Values that appear nowhere but in the garbage files."""
ENGINE_WORDS = ("Error", "DuckDB", "sniff", "magic", "Invalid Input", "Parser", "Binder")


def _five_columns(path: Path) -> Path:
    path = path / "made-up.csv"
    rows = ["colour,weight,height,planet,mood"]
    rows += [f"{PLANTED[0]},{PLANTED[1]},{PLANTED[2]},{PLANTED[3]},sunny"] * 3
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _request_file(path: Path) -> Path:
    path = path / "requests.csv"
    path.write_text(
        "request_id,first_name,last_name,dob,ssn\n"
        f"r1,{PLANTED[0]},{PLANTED[1]},{PLANTED[3]},{PLANTED[2]}\n",
        encoding="utf-8",
    )
    return path


def _no_header(path: Path) -> Path:
    path = path / "master.csv"
    path.write_text(f"p1,{PLANTED[0]},{PLANTED[1]},{PLANTED[3]},{PLANTED[2]}\n", encoding="utf-8")
    return path


def _random_csv(path: Path) -> Path:
    path = path / "master.csv"
    path.write_bytes(random.Random(7).randbytes(6000))
    return path


def _random_parquet(path: Path) -> Path:
    path = path / "master.parquet"
    path.write_bytes(b"PAR1" + random.Random(8).randbytes(6000))
    return path


def _ragged(path: Path) -> Path:
    path = path / "master.csv"
    path.write_text(
        "person_id,first_name,last_name,dob,ssn\n"
        f'p1,{PLANTED[0]},"{PLANTED[1]},{PLANTED[3]},{PLANTED[2]},x,y\np2,a\n',
        encoding="utf-8",
    )
    return path


KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "made-up 5-column CSV": (_five_columns, "lacks required column"),
    "request file": (_request_file, "this is a request file"),
    "headerless CSV": (_no_header, "lacks required column"),
    "random bytes (.csv)": (_random_csv, "not a readable master file"),
    "random bytes (.parquet)": (_random_parquet, "not a readable master file"),
    "ragged CSV": (_ragged, "not a readable master file"),
}


def _check(result_stderr: str, exit_code: int, path: Path, what: str) -> None:
    assert exit_code == EXIT_INPUT, result_stderr
    assert path.name in result_stderr
    assert what in result_stderr
    for value in PLANTED:
        assert value not in result_stderr
    for word in ENGINE_WORDS:
        assert word not in result_stderr, word


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_master_load_refuses_a_file_that_is_not_a_master(kind: str, tmp_path: Path) -> None:
    make, what = KINDS[kind]
    path = make(tmp_path)
    ws = ["--workspace", str(tmp_path / "ws")]
    result = runner.invoke(app, [*ws, "master", "load", str(path)])
    _check(result.stderr, result.exit_code, path, what)
    listed = runner.invoke(app, [*ws, "master", "list"])
    assert listed.stdout.startswith("no master loaded")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_match_refuses_a_master_that_is_not_a_master(kind: str, tmp_path: Path) -> None:
    make, what = KINDS[kind]
    folder = tmp_path / "m"
    folder.mkdir()
    path = make(folder)
    requests = tmp_path / "requests.csv"
    requests.write_text("request_id,first_name,last_name\nr1,Ann,Lee\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    args = ["match", "--master", str(path), "--requests", str(requests), "--output", str(output)]
    result = runner.invoke(app, ["--workspace", str(tmp_path / "ws"), *args])
    _check(result.stderr, result.exit_code, path, what)
    assert not output.exists()


def test_a_bad_record_past_the_engines_sample_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "master.csv"
    rows = [f"p{i},Ann,Lee,1970-01-01,{100_000_000 + i}" for i in range(30_000)]
    bad = f'p9,{PLANTED[0]},"{PLANTED[1]},{PLANTED[3]},{PLANTED[2]},x,y'
    path.write_text(
        "\n".join(["person_id,first_name,last_name,dob,ssn", *rows, bad, "p10,a"]) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--workspace", str(tmp_path / "ws"), "master", "load", str(path)])
    _check(result.stderr, result.exit_code, path, "line 30002: a record cannot be parsed")
