"""match_files: formats in and out, bad input (clear coded errors, no partial output), summary."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matchgate.app.jobs import file_digest
from matchgate.domain.errors import InputError
from matchgate.intake import Code
from matchgate.matching.file_em import parameters_id, parameters_label
from matchgate.matching.model import load_model
from matchgate.services.master.match import MatchSummary, match_files
from matchgate.settings import Settings

MASTER = (
    "person_id,ssn,first_name,middle_name,last_name,other_names,dob,a_number,zip\n"
    "P1,123-45-6789,Olive,,Tremont,,1961-04-12,,20500\n"
    "P2,234-56-7891,Bao,,Nguyễn,Bao Tran,1988-09-30,A01234567,94110\n"
    "P3,345-67-8912,Sean,Patrick,O'Malley,,1999-02-01,,60601\n"
)
REQUESTS = (
    "request_id,first_name,last_name,ssn,a_number,dob,zip,color\n"
    "a,Olive,Tremont,123456789,,1961-04-12,,red\n"
    "b,Bao,Nguyen,,1234567,1988-09-30,,\n"
    "c,Nobody,Atall,,,1950-01-01,,\n"
    "d,,,123456789,,,,\n"
    "e,Sean,OMalley,345-67-8912,Z99,1999-02-30,,\n"
)
PERSONAL = ("Olive", "Tremont", "OLIVE", "123456789", "123-45-6789", "1961-04-12", "Nguy")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws")


@pytest.fixture
def master(tmp_path: Path) -> Path:
    path = tmp_path / "master.csv"
    path.write_text(MASTER, encoding="utf-8")
    return path


@pytest.fixture
def requests(tmp_path: Path) -> Path:
    path = tmp_path / "requests.csv"
    path.write_text(REQUESTS, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def fails(
    master: Path, requests: Path, output: Path, settings: Settings, code: Code, named: Path
) -> InputError:
    with pytest.raises(InputError) as info:
        match_files(master, requests, output, settings=settings)
    error = info.value
    assert error.code == code
    message = str(error)
    assert str(named) in message
    assert "\n" not in message
    for value in PERSONAL:
        assert value not in message
    assert not output.exists()
    assert not list(output.parent.glob(f".{output.name}.*"))  # no partial temp file either
    return error


def test_csv_in_csv_out(master: Path, requests: Path, tmp_path: Path, settings: Settings) -> None:
    out = tmp_path / "out.csv"
    progress: list[str] = []
    summary = match_files(
        master, requests, out, settings=settings, progress=lambda s, d, t: progress.append(s)
    )
    rows = read_csv(out)
    assert [r["request_id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert list(rows[0])[:4] == ["request_id", "decision", "person_id", "score"]
    for column in ("reasons", "second_person_id", "second_score", "error_code", "warning_codes"):
        assert column in rows[0]
    for column in ("ssa_code", "located_ssn", "weights", "levels"):
        assert column in rows[0]
    by_id = {r["request_id"]: r for r in rows}
    assert (by_id["a"]["decision"], by_id["a"]["person_id"]) == ("match", "P1")
    assert (by_id["b"]["decision"], by_id["b"]["person_id"]) == ("match", "P2")  # A-number
    assert (by_id["c"]["decision"], by_id["c"]["person_id"], by_id["c"]["score"]) == (
        "no_match",
        "",
        "0",
    )
    assert by_id["d"]["decision"] == "no_match"
    assert by_id["d"]["error_code"] == "E_NAME_MISSING"
    assert by_id["e"]["decision"] == "match"  # invalid fields are unknown, the row is answered
    assert by_id["e"]["warning_codes"] == "W_ANUMBER_INVALID|W_DOB_INVALID"
    assert (
        summary
        == MatchSummary(
            output=out,
            rows=5,
            decisions={"match": 3, "possible": 0, "no_match": 2},
            error_rows=1,
            warning_rows=1,
            seconds=summary.seconds,
            candidates=summary.candidates,
            master_people=3,
            model_version=parameters_label(load_model()),  # the shipped model: a 5-row file
            master_snapshot=f"file:sha256:{file_digest(master)[:16]}",
            parameters_file=settings.workspace
            / "parameters"
            / f"{parameters_id(load_model())}.json",
        )
    )
    assert {r["master_snapshot"] for r in rows} == {summary.master_snapshot}
    assert {"read requests", "index master", "find candidates", "score", "write output"} <= set(
        progress
    )
    assert not any((settings.workspace / "tmp").iterdir())  # the run's DuckDB file is gone


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_parquet_and_jsonl_outputs(
    master: Path, requests: Path, tmp_path: Path, settings: Settings, suffix: str
) -> None:
    out = tmp_path / f"out{suffix}"
    match_files(master, requests, out, settings=settings)
    if suffix == ".parquet":
        rows = pq.read_table(out).to_pylist()
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["request_id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert rows[0]["decision"] == "match"
    assert isinstance(rows[0]["score"], float)


def test_output_without_extension_is_csv(
    master: Path, requests: Path, tmp_path: Path, settings: Settings
) -> None:
    out = tmp_path / "out"
    match_files(master, requests, out, settings=settings)
    assert read_csv(out)[0]["request_id"] == "a"


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_parquet_and_jsonl_requests(
    master: Path, requests: Path, tmp_path: Path, settings: Settings, fmt: str
) -> None:
    rows = read_csv(requests)
    path = tmp_path / f"requests.{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    csv_out, other_out = tmp_path / "a.csv", tmp_path / "b.csv"
    match_files(master, requests, csv_out, settings=settings)
    match_files(master, path, other_out, settings=settings)
    assert read_csv(other_out) == read_csv(csv_out)


def test_parquet_master_with_typed_columns_and_no_person_id(
    requests: Path, tmp_path: Path, settings: Settings
) -> None:
    master = tmp_path / "master.parquet"
    pq.write_table(
        pa.table(
            {
                "ssn": pa.array([123456789, 12345678], pa.int64()),
                "first_name": ["Olive", "Ida"],
                "last_name": ["Tremont", "Vance"],
                "dob": pa.array([dt.date(1961, 4, 12), dt.date(1970, 1, 1)], pa.date32()),
            }
        ),
        master,
    )
    out = tmp_path / "out.csv"
    match_files(master, requests, out, settings=settings)
    first = read_csv(out)[0]
    assert (first["decision"], first["person_id"]) == ("match", "123456789")


# Bad input: each names the file (and row), carries a stable code, leaves no output behind.


def test_missing_requests_file(master: Path, tmp_path: Path, settings: Settings) -> None:
    missing = tmp_path / "nope.csv"
    fails(master, missing, tmp_path / "out.csv", settings, Code.FILE_MISSING, missing)


def test_missing_master_file(requests: Path, tmp_path: Path, settings: Settings) -> None:
    missing = tmp_path / "nope.parquet"
    fails(missing, requests, tmp_path / "out.csv", settings, Code.FILE_MISSING, missing)


def test_missing_request_id_column(master: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("id,first_name,last_name\n1,Olive,Tremont\n", encoding="utf-8")
    fails(master, bad, tmp_path / "out.csv", settings, Code.REQUEST_ID_COLUMN_MISSING, bad)


def test_empty_request_id(master: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("request_id,first_name,last_name\n1,Ida,Vance\n,Olive,Tremont\n", "utf-8")
    error = fails(master, bad, tmp_path / "out.csv", settings, Code.REQUEST_ID_EMPTY, bad)
    assert "row 2" in str(error)


def test_duplicate_request_id(master: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text(
        "request_id,first_name,last_name\n7,Ida,Vance\n8,A,B\n7,Olive,Tremont\n", "utf-8"
    )
    error = fails(master, bad, tmp_path / "out.csv", settings, Code.REQUEST_ID_DUPLICATE, bad)
    assert "row 3" in str(error)
    assert "row 1" in str(error)


def test_requests_not_utf8(master: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "r.csv"
    bad.write_bytes(b"request_id,first_name,last_name\n1,Olive,Tremont\n2,Jos\xe9,Tremont\n")
    error = fails(master, bad, tmp_path / "out.csv", settings, Code.FILE_ENCODING, bad)
    assert "line 3" in str(error)


def test_master_not_utf8(requests: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "master.csv"
    bad.write_bytes(MASTER.encode() + b"P9,456-78-9123,Jos\xe9,,Tremont,,1961-04-12,,\n")
    fails(bad, requests, tmp_path / "out.csv", settings, Code.FILE_ENCODING, bad)


def test_no_name_column(master: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("request_id,ssn,dob\n1,123456789,1961-04-12\n", encoding="utf-8")
    fails(master, bad, tmp_path / "out.csv", settings, Code.NAME_COLUMNS_MISSING, bad)


def test_unknown_request_extension_is_sniffed(
    master: Path, tmp_path: Path, settings: Settings
) -> None:
    sniffed = tmp_path / "requests.dat"
    sniffed.write_text(REQUESTS, encoding="utf-8")
    out = tmp_path / "out.csv"
    match_files(master, sniffed, out, settings=settings)
    assert len(read_csv(out)) == 5


def test_unrecognizable_request_file(master: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "requests.xlsx"
    bad.write_bytes(b"PK\x03\x04 a zip archive, not a table")
    fails(master, bad, tmp_path / "out.csv", settings, Code.FILE_FORMAT, bad)


def test_unknown_output_extension(
    master: Path, requests: Path, tmp_path: Path, settings: Settings
) -> None:
    out = tmp_path / "out.xlsx"
    fails(master, requests, out, settings, Code.OUTPUT_FORMAT, out)


def test_output_must_not_overwrite_an_input(
    master: Path, requests: Path, settings: Settings
) -> None:
    before = requests.read_text(encoding="utf-8")
    with pytest.raises(InputError) as info:
        match_files(master, requests, requests, settings=settings)
    assert info.value.code == Code.OUTPUT_IS_INPUT
    assert requests.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("first_name,last_name,dob", "person_id or ssn"),
        ("person_id,last_name,dob", "first_name"),
        ("person_id,first_name,dob", "last_name"),
        ("ssn,first_name,last_name", "dob"),
    ],
)
def test_master_missing_required_columns(
    requests: Path, tmp_path: Path, settings: Settings, header: str, missing: str
) -> None:
    bad = tmp_path / "master.csv"
    bad.write_text(header + "\n" + ",".join(["x"] * len(header.split(","))) + "\n", "utf-8")
    error = fails(bad, requests, tmp_path / "out.csv", settings, Code.MASTER_COLUMNS_MISSING, bad)
    assert missing in str(error)


def test_failed_run_keeps_an_existing_output(
    master: Path, tmp_path: Path, settings: Settings
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous results\n", encoding="utf-8")
    bad = tmp_path / "r.csv"
    bad.write_text("request_id,first_name\n1,Ida\n1,Ida\n", encoding="utf-8")
    with pytest.raises(InputError):
        match_files(master, bad, out, settings=settings)
    assert out.read_text(encoding="utf-8") == "previous results\n"


def test_malformed_master_row(requests: Path, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "master.csv"
    bad.write_text(MASTER + "P9,456789123,Olive,,Tremont,,1961-04-12,,,extra,fields\n", "utf-8")
    fails(bad, requests, tmp_path / "out.csv", settings, Code.FILE_MALFORMED, bad)


def test_master_with_unknown_extension_is_sniffed(
    requests: Path, tmp_path: Path, settings: Settings
) -> None:
    master = tmp_path / "master.extract"
    master.write_text(MASTER, encoding="utf-8")
    out = tmp_path / "out.csv"
    match_files(master, requests, out, settings=settings)
    assert read_csv(out)[0]["person_id"] == "P1"


def test_header_only_request_file_gives_an_empty_output(
    master: Path, tmp_path: Path, settings: Settings
) -> None:
    empty = tmp_path / "r.csv"
    empty.write_text("request_id,first_name,last_name\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    summary = match_files(master, empty, out, settings=settings)
    table = pq.read_table(out)
    assert summary.rows == table.num_rows == 0
    assert table.column_names[:4] == ["request_id", "decision", "person_id", "score"]


def test_a_model_file_can_be_named(
    master: Path, requests: Path, tmp_path: Path, settings: Settings
) -> None:
    import json

    from matchgate.matching.comparisons import splink_settings

    model = splink_settings()
    model["matchgate"] = {"model_version": "custom-7"}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model))
    summary = match_files(master, requests, tmp_path / "out.csv", settings=settings, model=path)
    assert summary.model_version.startswith("custom-7@")
    assert summary.decisions["match"] == 3


@pytest.mark.slow
def test_retrain_on_the_files_themselves(
    master: Path, requests: Path, tmp_path: Path, settings: Settings
) -> None:
    summary = match_files(master, requests, tmp_path / "out.csv", settings=settings, retrain=True)
    assert summary.model_version.startswith("retrained@")
    assert summary.rows == 5
