#!/usr/bin/env python3
"""Index once, probe many: load time, per-file match time and peak RSS by master size, and the
one-shot job against the reference Splink configuration, measured in the same run.

For each master size it generates (or reuses) a synthetic master (detail tables only below 10M
people, identity columns above) and a 50,000-row request file, then runs, each as its own
`matchgate` process with the peak RSS of its whole process tree sampled from /proc:

* ``master load`` into a fresh workspace (standardize, block keys, term frequencies);
* ``match`` without ``--master`` (probing the loaded snapshot) ``--probes`` times;
* with ``--one-shot SIZE``: ``match --master`` (load + match in one run) and the reference Splink
  script ``splink_default.py`` (from the shared bench folder; trains u and m on that master)
  on the same files, with accuracy for both from the truth file and the time ratio.

    .venv/bin/python bench/master_scale.py                    # 1M and 10M, one-shot 10M
    .venv/bin/python bench/master_scale.py --sizes 100000000 --one-shot 0 --keep  # manual 100M
    .venv/bin/python bench/master_scale.py --sizes 100000000 --one-shot 0 --probe-only
    .venv/bin/python bench/master_scale.py --sizes 1000000 --json out.json
    .venv/bin/python bench/master_scale.py --sizes 200000 --one-shot 0 --engine spark

Targets (issue 4): 50k x 1M probe <= 10 s; 50k x 100M probe <= 60 s and <= 8 GB; probe time
grows < 2x from 1M to 100M; load of 100M <= 20 min; one-shot 50k x 10M >= 5x faster than Splink.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from proctree import Measured, run

from matchgate.services.master.evaluate import evaluate_files

MATCHGATE = [sys.executable, "-m", "matchgate"]
SPLINK_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "splink_default.py"
DETAILS_BELOW = 10_000_000


def _check(step: str, measured: Measured) -> Measured:
    if measured.returncode != 0:
        raise SystemExit(f"{step} failed with exit code {measured.returncode}")
    return measured


def world(people: int, requests: int, seed: int, data_root: Path) -> tuple[Path, float | None]:
    data = data_root / f"scale-{people}x{requests}-s{seed}"
    stamp = data / "done.json"
    if stamp.is_file():
        return data, None
    details = "--details" if people < DETAILS_BELOW else "--no-details"
    measured = _check(
        "synth",
        run(
            [
                *MATCHGATE, "synth", "--people", str(people), "--requests", str(requests),
                "--seed", str(seed), details, "--out", str(data),
            ]
        ),
    )  # fmt: skip
    stamp.write_text(json.dumps({"people": people, "requests": requests, "seed": seed}))
    return data, round(measured.seconds, 1)


def accuracy(data: Path, output: Path) -> dict[str, Any]:
    overall = evaluate_files(data / "truth.csv", output).overall

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "matched": overall.matched,
        "precision": ratio(overall.correct_matches, overall.matched),
        "recall": ratio(overall.correct_without_name_only, overall.present_without_name_only),
        "review_rate": ratio(overall.possible, overall.rows),
        "false_match_rate": ratio(overall.absent_matched, overall.absent),
    }


def scale_run(people: int, args: argparse.Namespace) -> dict[str, Any]:
    data, synth_seconds = world(people, args.requests, args.seed, args.data)
    workspace = args.data / f"ws-{people}"
    ws = ["--workspace", str(workspace)]
    env = {**os.environ, "MATCHGATE_ENGINE": args.engine}
    load = None
    if not args.probe_only:
        shutil.rmtree(workspace, ignore_errors=True)
        load = _check(
            "master load",
            run([*MATCHGATE, *ws, "master", "load", str(data / "master.parquet")], env=env),
        )
    elif not (workspace / "master" / "CURRENT").is_file():
        raise SystemExit(f"--probe-only: no loaded master in {workspace}")
    output = workspace / "results.csv"
    probe = [*MATCHGATE, *ws, "match", "--requests", str(data / "requests.csv")]
    probes = [
        _check("match", run([*probe, "--output", str(output)], env=env)) for _ in range(args.probes)
    ]
    store_bytes = sum(p.stat().st_size for p in (workspace / "master").rglob("*") if p.is_file())
    result = {
        "engine": args.engine,
        "people": people,
        "requests": args.requests,
        "synth_seconds": synth_seconds,
        "load_seconds": round(load.seconds, 1) if load else None,
        "load_peak_rss_mib": load.peak_rss_mib if load else None,
        "store_mib": store_bytes >> 20,
        "probe_seconds": [round(p.seconds, 2) for p in probes],
        "probe_peak_rss_mib": max(p.peak_rss_mib for p in probes),
        **accuracy(data, output),
    }
    if not args.keep and not args.probe_only:
        shutil.rmtree(workspace, ignore_errors=True)
    return result


def one_shot(people: int, args: argparse.Namespace) -> dict[str, Any]:
    data, _ = world(people, args.requests, args.seed, args.data)
    workspace = args.data / f"ws-oneshot-{people}"
    shutil.rmtree(workspace, ignore_errors=True)
    ours_out, peer_out = workspace / "matchgate.csv", workspace / "splink.csv"
    workspace.mkdir(parents=True)
    ours = _check(
        "match --master",
        run(
            [
                *MATCHGATE, "--workspace", str(workspace), "match",
                "--master", str(data / "master.parquet"), "--requests", str(data / "requests.csv"),
                "--output", str(ours_out),
            ]
        ),
    )  # fmt: skip
    result: dict[str, Any] = {
        "people": people,
        "matchgate_seconds": round(ours.seconds, 1),
        "matchgate_peak_rss_mib": ours.peak_rss_mib,
        "matchgate": accuracy(data, ours_out),
    }
    if args.splink:
        peer = run(
            [sys.executable, str(SPLINK_DEFAULT), str(data / "master.parquet"),
             str(data / "requests.csv"), str(peer_out)]
        )  # fmt: skip
        result.update(
            splink_seconds=round(peer.seconds, 1),
            splink_peak_rss_mib=peer.peak_rss_mib,
            splink_exit=peer.returncode,
            splink=accuracy(data, peer_out) if peer.returncode == 0 else None,
            speedup=round(peer.seconds / ours.seconds, 1) if peer.returncode == 0 else None,
        )
    if not args.keep:
        shutil.rmtree(workspace, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="master sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--probes", type=int, default=2, help="match runs per loaded master")
    parser.add_argument("--one-shot", type=int, default=10_000_000, help="size; 0 to skip")
    parser.add_argument("--no-splink", dest="splink", action="store_false")
    parser.add_argument(
        "--engine", choices=("duckdb", "spark"), default="duckdb", help="for load and probes"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--data", type=Path, default=Path("workspace/bench"))
    parser.add_argument("--keep", action="store_true", help="keep workspaces and outputs")
    parser.add_argument(
        "--probe-only",
        action="store_true",
        help="probe the masters a --keep run (or matchgate master load) left, without reloading",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.data = args.data.resolve()

    scale = [scale_run(int(size), args) for size in args.sizes.split(",") if size]
    print(f"{'people':>12} {'load s':>8} {'load MiB':>9} {'store MiB':>10} {'probe s':>14} "
          f"{'probe MiB':>10} {'precision':>9} {'recall':>7} {'review':>7} {'FMR':>7}")  # fmt: skip
    for r in scale:
        probes = "/".join(f"{s:.1f}" for s in r["probe_seconds"])
        load_s = "-" if r["load_seconds"] is None else f"{r['load_seconds']:.1f}"
        load_mib = "-" if r["load_peak_rss_mib"] is None else f"{r['load_peak_rss_mib']:,}"
        print(
            f"{r['people']:>12,} {load_s:>8} {load_mib:>9} "
            f"{r['store_mib']:>10,} {probes:>14} {r['probe_peak_rss_mib']:>10,} "
            f"{r['precision']!s:>9} {r['recall']!s:>7} {r['review_rate']!s:>7} "
            f"{r['false_match_rate']!s:>7}"
        )
    shot = one_shot(args.one_shot, args) if args.one_shot else None
    if shot:
        print(
            f"one-shot {shot['people']:,} x {args.requests:,}: matchgate "
            f"{shot['matchgate_seconds']} s, {shot['matchgate_peak_rss_mib']:,} MiB, "
            f"{shot['matchgate']}"
        )
        if "splink_seconds" in shot:
            print(
                f"  splink_default {shot['splink_seconds']} s, {shot['splink_peak_rss_mib']:,} MiB "
                f"(exit {shot['splink_exit']}), {shot['splink']}; speedup {shot['speedup']}x"
            )
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "scale": scale,
        "one_shot": shot,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
