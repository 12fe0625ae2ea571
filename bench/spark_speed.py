#!/usr/bin/env python3
"""How fast the Spark engine indexes and matches, and how much memory the whole process tree
(Python driver, JVM, Python UDF workers) takes, beside DuckDB on the same files.

For each size PEOPLExREQUESTS it generates (or reuses) a synthetic world, runs `match_files` once
per engine (the one-shot `--master` job: index the master, then match), times the stages from the
progress reports, samples the resident memory of this process and all its descendants every
0.2 s, and checks that the two engines wrote the same decisions. Prints a table and JSON.

    .venv/bin/python bench/spark_speed.py --sizes 200000x10000
    .venv/bin/python bench/spark_speed.py --sizes 20000x1000 --engines spark --json out.json

Needs the Spark extra (`pip install '.[spark]'`) and Java 17+. Spark runs as MATCHGATE_SPARK_MASTER
says (default local[2]).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
from pathlib import Path

import psutil
import pyarrow.csv as pacsv

from matchgate.services.master.match import match_files
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


class TreeMemory:
    """Peak resident memory of this process and every descendant (the JVM, UDF workers)."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def world(people: int, requests: int, seed: int, root: Path) -> Path:
    data = root / f"synth-{people}x{requests}-s{seed}"
    if not (data / "done.json").is_file():
        synthesize(people, requests, seed, data, details=False)
        (data / "done.json").write_text(json.dumps({"people": people, "requests": requests}))
    return data


def run_one(engine: str, data: Path, workspace: Path) -> dict:
    stages: dict[str, float] = {}
    clock = {"stage": "start engine", "at": time.perf_counter()}

    def progress(stage: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        previous = str(clock["stage"])
        stages[previous] = stages.get(previous, 0.0) + (now - float(clock["at"]))
        clock.update(stage=stage, at=now)

    settings = Settings.from_env(workspace=workspace / engine, engine=engine)
    output = data / f"results-{engine}.csv"
    started = time.perf_counter()
    with TreeMemory() as memory:
        summary = match_files(
            data / "master.parquet", data / "requests.csv", output, settings=settings,
            progress=progress,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    index = stages.get("index master", 0.0)
    matching = sum(v for k, v in stages.items() if k not in ("index master", "start engine"))
    return {
        "engine": engine,
        "seconds": round(seconds, 1),
        "index_seconds": round(index, 1),
        "match_seconds": round(matching, 1),
        "stage_seconds": {k: round(v, 1) for k, v in stages.items()},
        "peak_rss_mb": round(memory.peak / 2**20),
        "candidates": summary.candidates,
        "decisions": summary.decisions,
        "output": str(output),
    }


def same_decisions(a: Path, b: Path) -> bool:
    left, right = pacsv.read_csv(a), pacsv.read_csv(b)
    keep = [c for c in left.column_names if c not in ("score", "second_score")]
    if not left.select(keep).equals(right.select(keep)):
        return False
    for column in ("score", "second_score"):
        for x, y in zip(left[column].to_pylist(), right[column].to_pylist(), strict=True):
            if abs(x - y) > 1e-9:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200000x10000", help="PEOPLExREQUESTS, comma-separated")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--data", type=Path, default=Path("workspace/bench"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = []
    for size in args.sizes.split(","):
        people, requests = (int(x) for x in size.lower().split("x"))
        data = world(people, requests, args.seed, args.data)
        runs = [run_one(e, data, args.data / "workspace") for e in args.engines.split(",")]
        for run in runs:
            run.update(people=people, requests=requests)
        if len(runs) == 2:
            equal = same_decisions(Path(runs[0]["output"]), Path(runs[1]["output"]))
            for run in runs:
                run["same_decisions"] = equal
        results.extend(runs)
    print(
        f"{'engine':>7} {'people':>10} {'requests':>8} {'total s':>8} {'index s':>8} "
        f"{'match s':>8} {'peak MB':>8} {'same':>5}"
    )
    for r in results:
        print(
            f"{r['engine']:>7} {r['people']:>10,} {r['requests']:>8,} {r['seconds']:>8} "
            f"{r['index_seconds']:>8} {r['match_seconds']:>8} {r['peak_rss_mb']:>8} "
            f"{r.get('same_decisions', '-')!s:>5}"
        )
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "spark_master": Settings.from_env().spark_master,
        "results": results,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
