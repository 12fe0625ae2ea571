#!/usr/bin/env python3
"""How fast `matchgate synth` generates, and with how much memory.

Runs each configuration in a fresh child process (so peak RSS is that run's own) and prints a
table and JSON:

    .venv/bin/python bench/synth_speed.py                      # 1M with details, 10M identity-only
    .venv/bin/python bench/synth_speed.py --runs 200000:d 2000000:i --json out.json

A run is PEOPLE:d (with detail tables) or PEOPLE:i (identity columns only). The 100M estimate is
the identity-only rate extrapolated linearly (generation is chunked, so time grows with people
and memory does not).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"details_1m_seconds": 120.0, "identity_100m_seconds": 1800.0}


def _one(people: int, requests: int, details: bool, out: Path) -> dict[str, object]:
    from matchgate.services.master.synth import synthesize

    started = time.perf_counter()
    summary = synthesize(people, requests, 2025, out, details=details)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in summary.files)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "people": people,
        "requests": requests,
        "details": details,
        "seconds": round(seconds, 2),
        "people_per_second": round(people / seconds),
        "peak_rss_mib": round(peak_kib / 1024),
        "bytes_written": size,
    }


def _spawn(people: int, requests: int, details: bool) -> dict[str, object]:
    out = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    try:
        cmd = [sys.executable, __file__, "--child", str(people), str(requests), str(int(details))]
        done = subprocess.run(
            cmd,
            check=True,
            capture_output=True,
            text=True,
            env=os.environ | {"SYNTH_BENCH_OUT": str(out)},
        )
        result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        return result
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", default=["1000000:d", "10000000:i"])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        people, requests, details = (int(v) for v in args.child)
        out = Path(os.environ["SYNTH_BENCH_OUT"])
        print(json.dumps(_one(people, requests, bool(details), out)))
        return
    results = []
    for spec in args.runs:
        people_text, _, mode = spec.partition(":")
        results.append(_spawn(int(people_text), args.requests, mode != "i"))
    row = "{:>12} {:>8} {:>9} {:>11} {:>9} {:>8}"
    print(row.format("people", "details", "seconds", "people/s", "peak MiB", "MB out"))
    for r in results:
        print(
            row.format(
                f"{r['people']:,}",
                "yes" if r["details"] else "no",
                f"{r['seconds']:.1f}",
                f"{r['people_per_second']:,}",
                f"{r['peak_rss_mib']:,}",
                f"{int(str(r['bytes_written'])) / 1e6:.0f}",
            )
        )
    report: dict[str, object] = {"runs": results, "targets": TARGETS}
    lean = [r for r in results if not r["details"]]
    if lean:
        rate = max(int(str(r["people_per_second"])) for r in lean)
        report["identity_100m_seconds_estimate"] = round(100_000_000 / rate)
        print(f"identity-only 100M estimate: {100_000_000 / rate / 60:.1f} min (target 30 min)")
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
