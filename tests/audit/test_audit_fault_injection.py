"""Acceptance (issue 6), CI subset: with the audit store failing at random points, nothing is
released without a durable entry, and nothing half-written makes verification fail.

The full run (>= 500 trials, and SIGKILLed child processes) is ``bench/audit_faults.py``; its
figures are in docs/audit.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "audit_faults.py"


@pytest.fixture(scope="module")
def faults() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_faults", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_faults"] = module
    spec.loader.exec_module(module)
    return module


def test_fifty_faulty_trials_release_nothing_without_a_durable_entry(
    faults: ModuleType, tmp_path: Path
) -> None:
    result = faults.run(50, seed=20, workdir=tmp_path)
    assert result["released_without_durable_entry"] == 0
    assert result["released_without_witness"] == 0
    assert result["verification_failures"] == 0
    assert result["final_verify_ok"]
    by_fault = result["by_fault"]
    assert sum(row["trials"] for row in by_fault.values()) == 50
    # The faults did bite: refusals happened, and the control trials released.
    assert sum(row["refused"] for row in by_fault.values()) > 10
    assert by_fault["none"]["released"] == by_fault["none"]["trials"]
    assert by_fault["store_down"]["released"] == 0
    assert by_fault["witness_full"]["trials"] > 0
    assert by_fault["witness_full"]["released"] == 0


@pytest.mark.postgres
def test_faulty_trials_on_postgres(faults: ModuleType, tmp_path: Path, store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("the SQLite variant runs above")
    result = faults.run(30, seed=21, workdir=tmp_path, url=store_url)
    assert result["released_without_durable_entry"] == 0
    assert result["released_without_witness"] == 0
    assert result["verification_failures"] == 0


def test_the_trials_catch_a_helper_that_releases_before_auditing(
    faults: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def release_first(sink: Any, events: Any, release: Any) -> Any:
        result = release()
        for event in events:
            sink.append(event)
        return result

    monkeypatch.setattr(faults, "release_after_audit", release_first)
    result = faults.run(40, seed=20, workdir=tmp_path)
    assert result["released_without_durable_entry"] > 0


def test_a_process_killed_mid_release_loses_no_released_entry(
    faults: ModuleType, tmp_path: Path
) -> None:
    result = faults.run_crashes(2, seed=5, workdir=tmp_path)
    assert result["released"] > 0
    assert result["released_without_durable_entry"] == 0
    assert result["released_without_witness"] == 0
    assert result["verification_failures"] == 0
