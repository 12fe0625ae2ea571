"""The demo: a synthetic month's file against a synthetic master, matched and graded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from matchgate.app.core import App
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.eval.metrics import Evaluation
from matchgate.services.master.evaluate import evaluate_files
from matchgate.services.master.match import MatchSummary, match_files
from matchgate.services.master.synth import synthesize
from matchgate.storage.db import upgrade_schema


@dataclass(frozen=True)
class DemoResult:
    data_dir: Path
    results: Path
    match: MatchSummary
    evaluation: Evaluation
    reused_data: bool


def run_demo(
    app: App,
    *,
    people: int = 1_000_000,
    requests: int = 50_000,
    seed: int = 2025,
    fresh: bool = False,
    progress: Progress = NO_PROGRESS,
) -> DemoResult:
    """Generate (or reuse) the synthetic world in the workspace, match it, grade the result."""
    settings = app.settings
    upgrade_schema(settings.sqlite_url)
    data_dir = settings.workspace / "demo" / "data"
    stamp = data_dir / "demo.json"
    wanted = {"people": people, "requests": requests, "seed": seed}
    reuse = not fresh and stamp.is_file() and json.loads(stamp.read_text()) == wanted
    if not reuse:
        stamp.unlink(missing_ok=True)
        synthesize(people, requests, seed, data_dir, progress=progress)
        stamp.write_text(json.dumps(wanted))
    results = settings.workspace / "demo" / "results.csv"
    summary = match_files(
        data_dir / "master.parquet",
        data_dir / "requests.csv",
        results,
        settings=settings,
        progress=progress,
    )
    evaluation = evaluate_files(data_dir / "truth.csv", results)
    return DemoResult(data_dir, results, summary, evaluation, reuse)
