#!/usr/bin/env python3
"""What the per-request limit of name candidates buys: probe time and accuracy of one loaded
master store at several limits (``matchgate.matching.candidates.MAX_NAME_CANDIDATES``; the
default is the module's value), each probe in its own process (the time is that of
``match_files``, without the interpreter's start).

    .venv/bin/python bench/name_limit.py --workspace workspace/bench/ws-100000000 \\
        --data workspace/bench/scale-100000000x50000-s2025 --limits 150,100,50

The workspace is one ``bench/master_scale.py --keep`` left (or any ``matchgate master load``);
the data folder holds the request file and its truth file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from master_scale import accuracy

from matchgate.matching import candidates
from matchgate.services.master.match import match_files
from matchgate.settings import Settings


def probe(workspace: Path, data: Path, limit: int) -> dict[str, object]:
    """Probe with ``limit`` name candidates per request in this process; figures of the run."""
    candidates.MAX_NAME_CANDIDATES = limit
    settings = Settings.from_env(workspace=workspace)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "results.csv"
        started = time.perf_counter()
        match_files(None, data / "requests.csv", out, settings=settings)
        seconds = time.perf_counter() - started
        figures = accuracy(data, out)
    return {"limit": limit, "probe_seconds": round(seconds, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limits", default="150,100,50")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one limit
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(probe(args.workspace, args.data, args.one)))
        return
    heads = ("probe s", "matched", "precis.", "recall*", "review", "FMR")
    print(f"{'limit':>6} " + " ".join(f"{h:>8}" for h in heads))
    rows = []
    for limit in (int(x) for x in args.limits.split(",")):
        child = [sys.executable, __file__, "--workspace", str(args.workspace)]
        child += ["--data", str(args.data), "--one", str(limit)]
        done = subprocess.run(child, check=True, capture_output=True, text=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        cells = [row[k] for k in ("probe_seconds", "matched", "precision", "recall")]
        tail = [row["review_rate"], row["false_match_rate"]]
        print(f"{limit:>6} " + " ".join(f"{c!s:>8}" for c in cells + tail), flush=True)
    text = json.dumps({"limits": rows}, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
