"""Scoring one output with the project's evaluator, Splink at equal precision, calibration."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from matchgate.services.master.evaluate import evaluate_files

CALIBRATION_BINS = (0.0, 0.5, 0.9, 0.99, 0.999, 1.0000001)
_EQUAL = re.compile(
    r"recall (?P<recall>[0-9.]+) \(threshold weight (?P<weight>[^,]+), "
    r"precision (?P<precision>[0-9.]+), false_match_rate (?P<fmr>[0-9.]+)\)"
)


def score(truth: Path, output: Path) -> dict[str, Any]:
    """The evaluator's figures (data contract 3b): overall, by kind, by origin."""
    evaluation = evaluate_files(truth, output)
    overall = evaluation.overall
    recall = overall.recall_without_name_only
    gaps = {
        origin: recall - m.recall_without_name_only
        for origin, m in evaluation.by_origin.items()
        if recall is not None and m.recall_without_name_only is not None and m.present >= 20
    }
    worst = max(gaps, key=lambda k: gaps[k]) if gaps else None
    return {
        "precision": overall.precision,
        "recall": overall.recall,
        "recall_without_name_only": recall,
        "review_rate": overall.review_rate,
        "false_match_rate": overall.false_match_rate,
        "f1": overall.f1,
        "wrong_matches": overall.wrong_matches,
        "rows": overall.rows,
        "present": overall.present,
        "absent": overall.absent,
        "worst_origin": worst,
        "origin_gap": gaps[worst] if worst else None,
        "detail": evaluation.to_dict(),
    }


def equal_precision(
    script: Path, truth: Path, output: Path, precision: float = 0.999, max_fmr: float = 0.001
) -> dict[str, Any]:
    """Run the shared ``equal_precision.py`` on a Splink output and parse its one line.

    Recall there leaves out ``name_only`` rows, as ``recall_without_name_only`` does here.
    """
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            str(truth),
            str(output),
            "--precision",
            str(precision),
            "--max-fmr",
            str(max_fmr),
            "--recall-excludes",
            "name_only",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    found = _EQUAL.search(done.stdout)
    if not found:
        raise RuntimeError(f"equal_precision.py said {done.stdout!r}")
    weight = found["weight"].strip()
    return {
        "recall": float(found["recall"]),
        "threshold_weight": None if weight == "None" else float(weight),
        "precision": float(found["precision"]),
        "false_match_rate": float(found["fmr"]),
    }


def calibration_bin(p: float) -> int | None:
    """The index in :data:`CALIBRATION_BINS` of the bin holding probability ``p``."""
    for i in range(len(CALIBRATION_BINS) - 1):
        if CALIBRATION_BINS[i] <= p < CALIBRATION_BINS[i + 1]:
            return i
    return None


def calibration(truth: Path, output: Path) -> list[dict[str, Any]]:
    """Rows naming a person (``match`` or ``possible``), binned by ``score``: the mean score
    (predicted precision) against the share naming the true person (observed precision), with
    the bin's rows, how many of them are ``match`` and the observed precision of those.

    A ``no_match`` names no one, so its score cannot be graded and is left out."""
    with truth.open(encoding="utf-8", newline="") as fh:
        true = {r["request_id"]: r["person_id"] for r in csv.DictReader(fh)}
    bins: list[list[float]] = [[] for _ in CALIBRATION_BINS[:-1]]
    hits = [0 for _ in bins]
    matches = [0 for _ in bins]
    match_hits = [0 for _ in bins]
    with output.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["decision"] not in {"match", "possible"} or not row.get("person_id"):
                continue
            try:
                p = float(row["score"])
            except (KeyError, ValueError):
                continue
            i = calibration_bin(p)
            if i is None:
                continue
            right = row["person_id"] == true.get(row["request_id"])
            bins[i].append(p)
            hits[i] += right
            if row["decision"] == "match":
                matches[i] += 1
                match_hits[i] += right
    return [
        {
            "bin": f"[{CALIBRATION_BINS[i]}, "
            + ("1]" if i == len(bins) - 1 else f"{CALIBRATION_BINS[i + 1]})"),
            "rows": len(b),
            "predicted": sum(b) / len(b),
            "observed": hits[i] / len(b),
            "matches": matches[i],
            "match_observed": match_hits[i] / matches[i] if matches[i] else None,
        }
        for i, b in enumerate(bins)
        if b
    ]
