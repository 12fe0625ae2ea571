"""The synthesize service: argument checks and its summary."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.services.master.synth import synthesize
from matchgate.synth.tables import RefTables


@pytest.mark.parametrize(
    ("people", "requests", "seed", "absent_share"),
    [
        (0, 10, 1, 0.15),
        (-5, 10, 1, 0.15),
        (100, 0, 1, 0.15),
        (100, 10, -1, 0.15),
        (100, 10, 1, -0.1),
        (100, 10, 1, 1.5),
        (100, 10, 1, math.nan),
        (100, 200, 1, 0.0),  # more present people requested than the master holds
        (10**12, 10, 1, 0.15),
    ],
)
def test_bad_arguments_are_refused_before_any_work(
    tmp_path: Path, people: int, requests: int, seed: int, absent_share: float
) -> None:
    out = tmp_path / "out"
    with pytest.raises(InputError):
        synthesize(people, requests, seed, out, absent_share=absent_share)
    assert not out.exists()


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(ConfigurationError):
        synthesize(100, 10, 1, target)


def test_all_requests_absent_is_allowed(tmp_path: Path, tables: RefTables) -> None:
    summary = synthesize(50, 200, 1, tmp_path, absent_share=1.0, details=False, tables=tables)
    assert (summary.present, summary.absent) == (0, 200)


def test_summary_names_what_was_written(tmp_path: Path, tables: RefTables) -> None:
    summary = synthesize(1_500, 120, 5, tmp_path / "w", tables=tables)
    assert summary.people == 1_500
    assert summary.requests == 120
    assert summary.present + summary.absent == 120
    assert summary.absent == round(0.15 * 120)
    assert summary.master == tmp_path / "w" / "master.parquet"
    assert all(p.is_file() for p in summary.files)
    assert len(summary.details) == 8
    assert summary.seconds > 0
