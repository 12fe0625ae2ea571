"""The API load benchmark (bench/api_load.py) in its smoke form: a tiny host prepared through
the command line, ``matchgate serve`` on loopback and a few seconds of locust. The load figures
themselves are measured by hand on an idle machine (docs/api.md, "Load"); this checks that the
instrument runs and counts: requests were made, none failed, a rate and a peak RSS came out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_load_run_reports_requests_and_no_errors(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "api_load.py"), "--quick", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text())
    [idle] = result["phases"]
    assert idle["phase"] == "idle"
    assert idle["requests"] > 0
    assert idle["errors"] == 0
    assert idle["rps"] > 0
    assert set(idle["by_request"]) == {"status", "package"}
    assert all(f["requests"] > 0 for f in idle["by_request"].values())
    assert idle["peak_rss_mib"] > 0
    assert result["server"]["worker_restarts"] == 0
    assert "idle" in done.stdout  # the table was printed
