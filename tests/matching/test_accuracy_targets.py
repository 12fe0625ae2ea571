"""Issue 3's accuracy targets on one held-out 200k x 10k world (the multi-seed comparison with
Splink and FEBRL4 is bench/accuracy.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchgate.services.master.evaluate import evaluate_files
from matchgate.services.master.match import match_files
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


@pytest.mark.slow
def test_targets_on_a_held_out_world(tmp_path: Path) -> None:
    data = tmp_path / "world"
    synthesize(200_000, 10_000, 11, data, details=False)
    out = tmp_path / "out.csv"
    match_files(
        data / "master.parquet",
        data / "requests.csv",
        out,
        settings=Settings(workspace=tmp_path / "ws"),
    )
    result = evaluate_files(data / "truth.csv", out)
    overall = result.overall
    recall = overall.recall_without_name_only
    assert overall.precision is not None
    assert overall.precision >= 0.999
    assert overall.false_match_rate is not None
    assert overall.false_match_rate <= 0.001
    assert overall.review_rate is not None
    assert overall.review_rate <= 0.03
    assert recall is not None
    assert recall >= 0.98
    for origin, metrics in result.by_origin.items():
        assert metrics.recall_without_name_only is not None
        assert recall - metrics.recall_without_name_only <= 0.02, origin
