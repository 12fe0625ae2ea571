"""Grade a match output against ground truth."""

from __future__ import annotations

from pathlib import Path

from matchgate.eval.files import read_graded
from matchgate.eval.metrics import Evaluation, evaluate


def evaluate_files(truth: Path, results: Path) -> Evaluation:
    """Precision, recall, review and false-match rates: overall, by kind and by origin."""
    return evaluate(read_graded(truth, results))
