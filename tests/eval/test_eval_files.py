"""Reading truth and result files: pairing rows and refusing files that cannot be graded."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matchgate.domain.errors import InputError
from matchgate.eval.files import read_graded

TRUTH = "request_id,person_id,case,origin\nR1,P1,clean,anglo\nR2,,absent,korean\n"
RESULTS = "request_id,decision,person_id,score\nR2,no_match,,0.1\nR1,match,P1,0.99\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_pairs_rows_by_request_id_in_any_order(tmp_path: Path) -> None:
    graded = read_graded(write(tmp_path / "t.csv", TRUTH), write(tmp_path / "r.csv", RESULTS))
    by_id = {row.request_id: row for row in graded}
    assert by_id["R1"].person == "P1"
    assert by_id["R1"].present
    assert not by_id["R2"].present
    assert by_id["R2"].origin == "korean"


def test_reads_parquet_and_jsonl_results(tmp_path: Path) -> None:
    truth = write(tmp_path / "t.csv", TRUTH)
    rows = [
        {"request_id": "R1", "decision": "match", "person_id": "P1", "score": 0.99},
        {"request_id": "R2", "decision": "no_match", "person_id": None, "score": 0.0},
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "r.parquet")
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    for name in ("r.parquet", "r.jsonl"):
        graded = {r.request_id: r for r in read_graded(truth, tmp_path / name)}
        assert graded["R1"].person == "P1"
        assert graded["R2"].person == ""


@pytest.mark.parametrize(
    ("results", "code", "where"),
    [
        ("request_id,decision,person_id\nR1,match,P1\n", "E_MISSING_RESULT", "row 2"),
        (RESULTS + "R3,match,P3,0.9\n", "E_UNKNOWN_ID", "row 3"),
        (RESULTS + "R1,match,P1,0.9\n", "E_DUPLICATE_ID", "row 3"),
        ("request_id,decision,person_id\nR1,maybe,P1\nR2,no_match,\n", "E_BAD_DECISION", "row 1"),
        ("request_id,person_id\nR1,P1\n", "E_MISSING_COLUMN", "decision"),
    ],
)
def test_ungradeable_results_are_refused_with_code_and_place(
    tmp_path: Path, results: str, code: str, where: str
) -> None:
    with pytest.raises(InputError) as info:
        read_graded(write(tmp_path / "t.csv", TRUTH), write(tmp_path / "r.csv", results))
    assert info.value.code == code
    assert where in str(info.value)


def test_missing_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    truth = write(tmp_path / "t.csv", TRUTH)
    with pytest.raises(InputError, match="file not found"):
        read_graded(truth, tmp_path / "nope.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("request_id,decision,person_id\nR1,match,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_graded(truth, bad)
    assert info.value.code == "E_ENCODING"
