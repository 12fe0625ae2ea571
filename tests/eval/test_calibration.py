"""The suite's calibration: rows naming a person, binned by predicted probability, against the
share that name the true person; ``no_match`` rows are left out (they name no one)."""

from __future__ import annotations

import csv
from pathlib import Path

from evalsuite.score import CALIBRATION_BINS, calibration, calibration_bin


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bin_edges_are_closed_below_and_the_top_bin_holds_one() -> None:
    assert CALIBRATION_BINS[:5] == (0.0, 0.5, 0.9, 0.99, 0.999)
    assert calibration_bin(0.0) == 0
    assert calibration_bin(0.4999) == 0
    assert calibration_bin(0.5) == 1
    assert calibration_bin(0.99) == 3
    assert calibration_bin(0.9989) == 3
    assert calibration_bin(0.999) == 4
    assert calibration_bin(1.0) == 4
    assert calibration_bin(1.5) is None


def test_calibration_counts_rows_matches_and_observed_precision(tmp_path: Path) -> None:
    truth = write(
        tmp_path / "truth.csv",
        [
            {"request_id": f"R{i}", "person_id": person}
            for i, person in enumerate(["P0", "P1", "P2", "P3", "", "P5"])
        ],
    )
    out = write(
        tmp_path / "out.csv",
        [
            {"request_id": "R0", "decision": "match", "person_id": "P0", "score": "0.9999"},
            {"request_id": "R1", "decision": "match", "person_id": "P9", "score": "0.9995"},
            {"request_id": "R2", "decision": "possible", "person_id": "P2", "score": "0.95"},
            {"request_id": "R3", "decision": "possible", "person_id": "P8", "score": "0.93"},
            {"request_id": "R4", "decision": "possible", "person_id": "P4", "score": "0.6"},
            {"request_id": "R5", "decision": "no_match", "person_id": "", "score": "0.999"},
        ],
    )
    bins = {b["bin"]: b for b in calibration(truth, out)}
    assert sorted(bins) == ["[0.5, 0.9)", "[0.9, 0.99)", "[0.999, 1]"]
    top = bins["[0.999, 1]"]
    assert (top["rows"], top["matches"], top["observed"], top["match_observed"]) == (2, 2, 0.5, 0.5)
    assert abs(top["predicted"] - 0.9997) < 1e-9
    middle = bins["[0.9, 0.99)"]
    assert (middle["rows"], middle["matches"], middle["observed"]) == (2, 0, 0.5)
    assert middle["match_observed"] is None
    low = bins["[0.5, 0.9)"]  # an absent person named: observed precision 0
    assert (low["rows"], low["observed"]) == (1, 0.0)
