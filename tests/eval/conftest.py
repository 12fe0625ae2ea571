"""The evaluation suite's builders live in bench/evalsuite (run as bench/eval_suite.py): import
them from there."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
