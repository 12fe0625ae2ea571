#!/usr/bin/env python3
"""How fast `matchgate match` runs, and how accurate it is, on synthetic worlds.

For each size PEOPLExREQUESTS it generates (or reuses) a synthetic master, request file and truth
with `matchgate.services.master.synth.synthesize`, runs `match_files` as `matchgate match`
does, times each stage, grades the output against the truth and prints a table and JSON.

    .venv/bin/python bench/match_speed.py                          # 200000x5000 and 1000000x50000
    .venv/bin/python bench/match_speed.py --sizes 200000x5000 --json out.json

Targets: 200,000 people x 5,000 requests in under 60 s; 1,000,000 x 50,000 well under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from matchgate.services.master.evaluate import evaluate_files
from matchgate.services.master.match import match_files
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings

DEFAULT_SIZES = "200000x5000,1000000x50000"


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def run_one(people: int, requests: int, seed: int, data_root: Path, workspace: Path) -> dict:
    data = data_root / f"synth-{people}x{requests}-s{seed}"
    stamp = data / "done.json"
    generated = None
    if not stamp.is_file():
        started = time.perf_counter()
        synthesize(people, requests, seed, data, details=False)
        generated = round(time.perf_counter() - started, 2)
        stamp.write_text(json.dumps({"people": people, "requests": requests, "seed": seed}))
    stages: dict[str, float] = {}
    clock = {"stage": "start", "at": time.perf_counter()}

    def progress(stage: str, done: int, total: int | None) -> None:
        # Time since the previous report belongs to the stage that was running then.
        now = time.perf_counter()
        previous = str(clock["stage"])
        stages[previous] = stages.get(previous, 0.0) + (now - float(clock["at"]))
        clock.update(stage=stage, at=now)

    output = data / "results.csv"
    summary = match_files(
        data / "master.parquet",
        data / "requests.csv",
        output,
        settings=Settings(workspace=workspace),
        progress=progress,
    )
    overall = evaluate_files(data / "truth.csv", output).overall
    return {
        "people": people,
        "requests": requests,
        "seed": seed,
        "generate_seconds": generated,
        "match_seconds": round(summary.seconds, 2),
        "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
        "candidates": summary.candidates,
        "decisions": summary.decisions,
        "precision": _ratio(overall.correct_matches, overall.matched),
        "recall": _ratio(overall.present_matched_correctly, overall.present),
        "recall_without_name_only": _ratio(
            overall.correct_without_name_only, overall.present_without_name_only
        ),
        "review_rate": _ratio(overall.possible, overall.rows),
        "false_match_rate": _ratio(overall.absent_matched, overall.absent),
        "wrong_matches": overall.wrong_matches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="PEOPLExREQUESTS, comma-separated")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--data", type=Path, default=Path("workspace/bench"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = []
    for size in args.sizes.split(","):
        people, requests = (int(x) for x in size.lower().split("x"))
        results.append(run_one(people, requests, args.seed, args.data, args.data / "workspace"))
    header = (
        f"{'people':>11} {'requests':>9} {'seconds':>8} {'cands':>8} {'match':>7} "
        f"{'possible':>8} {'precision':>9} {'recall':>7} {'recall*':>7} {'review':>7} {'FMR':>7}"
    )
    print(header)
    for r in results:
        d = r["decisions"]
        print(
            f"{r['people']:>11,} {r['requests']:>9,} {r['match_seconds']:>8.2f} "
            f"{r['candidates']:>8,} {d['match']:>7,} {d['possible']:>8,} {r['precision']:>9} "
            f"{r['recall']:>7} {r['recall_without_name_only']:>7} {r['review_rate']:>7} "
            f"{r['false_match_rate']:>7}"
        )
    print("recall* = recall without name_only rows; FMR = share of absent people decided match")
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": results,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
