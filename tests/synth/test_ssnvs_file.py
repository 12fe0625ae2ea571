"""``matchgate ssnvs-file``: a CSV request file written as SSNVS/EVS fixed-width records that the
intake reads back field for field, and that ``match --format ssnvs`` answers."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from matchgate.cli.main import EXIT_INPUT, app
from matchgate.intake.ssnvs import DOB, FIRST_NAME, MIDDLE_NAME, USER_CONTROL, read_ssnvs
from matchgate.synth.ssnvs import record, records_of

runner = CliRunner()
CSV = (
    "request_id,first_name,middle_name,last_name,ssn,dob\n"
    "R1,Ana,Maria,De La Cruz Garcia-Villanueva,123-45-6789,1980-02-29\n"
    "R2,José,,Núñez,987654321,\n"
    "R3,Nobody,,Without,,1970-01-01\n"
    "R4,Noname,,,111223333,1970-01-01\n"
)


def test_records_are_130_characters_with_each_field_at_its_position() -> None:
    line = record("123456789", "O'Malley", "Christopher", "Q", "1999-12-31", control="req-7")
    assert len(line) == 130
    assert line[:15] == "123456789TPV214"
    assert line[15:28] == "O'MALLEY     "
    assert line[28:38] == "CHRISTOPHE"  # cut at the layout's 10
    assert line[45:53] == "12311999"
    assert line[89:103].rstrip() == "req-7"
    assert line[123:130] == "SYNT000"


def test_the_intake_reads_the_written_file_back(tmp_path: Path) -> None:
    requests = tmp_path / "requests.csv"
    requests.write_text(CSV, encoding="utf-8")
    out = tmp_path / "requests.txt"
    result = runner.invoke(app, ["ssnvs-file", str(requests), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 record(s)" in result.stdout
    assert "skipped 2 row(s)" in result.stdout
    read = read_ssnvs(out)
    assert read.layout_errors() == []
    columns = read.columns()
    assert columns["ssn"] == ["123456789", "987654321"]
    assert columns["last_name"] == ["DE LA CRUZ GA", "NUNEZ"]
    assert columns["first_name"] == ["ANA", "JOSE"]
    assert columns["dob"] == ["1980-02-29", ""]
    first, second = read.records
    assert first.field(MIDDLE_NAME).rstrip() == "MARIA"
    assert first.field(USER_CONTROL).rstrip() == "R1"
    assert second.field(DOB) == " " * 8
    assert second.field(FIRST_NAME).rstrip() == "JOSE"
    again = runner.invoke(app, ["ssnvs-file", str(requests), "--out", str(out)])
    assert again.exit_code == EXIT_INPUT  # never overwritten


def test_rows_that_cannot_be_records_are_counted_not_shown() -> None:
    made, skipped = records_of(
        [{"request_id": "a", "ssn": "12", "last_name": "Short"}, {"request_id": "b"}], "ABCD"
    )
    assert (made, skipped) == ([], 2)


def test_a_synthetic_file_round_trips_through_match(tmp_path: Path) -> None:
    world = tmp_path / "world"
    synth = ["synth", "--people", "1000", "--requests", "60", "--seed", "5", "--no-details"]
    assert runner.invoke(app, [*synth, "--out", str(world)]).exit_code == 0
    fixed = world / "requests.txt"
    made = runner.invoke(app, ["ssnvs-file", str(world / "requests.csv"), "--out", str(fixed)])
    assert made.exit_code == 0, made.output
    returns = tmp_path / "returns.txt"
    args = ["match", "--master", str(world / "master.parquet"), "--requests", str(fixed)]
    done = runner.invoke(
        app,
        ["--workspace", str(tmp_path / "ws"), *args, "--output", str(returns), "--format", "ssnvs"],
    )
    assert done.exit_code == 0, done.output
    submitted = fixed.read_text(encoding="ascii").splitlines()
    answered = returns.read_text(encoding="ascii").splitlines()
    assert len(answered) == len(submitted) > 0
    for sent, back in zip(submitted, answered, strict=True):
        assert back[83:97] == sent[89:103]  # the user control data (the request_id) is echoed
        assert back[97] in " 1356*"
