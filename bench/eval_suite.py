#!/usr/bin/env python3
"""The evaluation suite: matchgate and both reference Splink configurations on several
generators' data, made on the spot, graded by one scorer, Splink also at equal precision.

Datasets (bench/evalsuite/datasets.py), with the split fixed: rules and thresholds are chosen on
the development sets and confirmed on the confirmation sets.

- development: ``synth-s1..3`` (``matchgate synth`` seeds 1-3, 200,000 people x 5,000 requests by
  default), ``febrl1..3`` (originals as the master, one duplicate per original as the requests,
  10% of those originals held out as absent people);
- confirmation: ``pp-{census,w2,1040}-{default,2x}`` (pseudopeople's sample population: its SSA
  records as the master, 10% held out; requests from its census+ACS, W-2/1099 and 1040 files at
  default noise and with every column-noise probability doubled), ``febrl4`` (A as the master, B
  as the requests).

For each dataset: matchgate (``services.master.match.match_files``, as ``matchgate match`` does,
shipped
model), ``splink_default.py`` and ``splink_tuned.py`` from ../shared/bench on the same files,
each output graded by ``matchgate.services.master.evaluate`` (precision, recall, review rate,
false-match rate; by discrepancy kind and by name origin), each Splink output also at equal
precision (``equal_precision.py``: the lowest match weight keeping precision >= 0.999 and
false-match rate <= 0.1%), and calibration (score bins against observed precision).

    .venv/bin/python bench/eval_suite.py                      # everything, default sizes
    .venv/bin/python bench/eval_suite.py --quick --only febrl,synth-s1
    .venv/bin/python bench/eval_suite.py --no-splink --work /tmp/suite --json suite.json
    .venv/bin/python bench/eval_suite.py --ablation --reuse --only synth,febrl --work /tmp/suite

``--ablation`` measures each decision rule instead (bench/evalsuite/ablation.py): matchgate once
per dataset, then the same scored pairs decided with one rule switched off at a time. ``--reuse``
keeps data already built in WORK/data.

Recall in the table (R) leaves out ``name_only`` rows (no SSN, A-number or DOB to compare), for
every system alike. The table is printed as Markdown; the JSON (default WORK/eval-suite.json)
holds it all, with the by-kind and by-origin figures and the calibration bins.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

from evalsuite.ablation import ablate, ablation_table
from evalsuite.datasets import QUICK, Dataset, Sizes, master_file, materialize, select
from evalsuite.score import CALIBRATION_BINS, calibration, equal_precision, score

from matchgate.services.master.match import match_files
from matchgate.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PEERS = ROOT.parent / "shared" / "bench"
PEERS = {"splink_default": "splink_default.py", "splink_tuned": "splink_tuned.py"}
SHIPPED = "matchgate-shipped"
"""matchgate with the shipped model as is (no per-file estimation of m): ``--shipped-too``."""


def run_system(system: str, data: Path, out: Path, peers: Path, work: Path) -> float:
    started = time.perf_counter()
    if system in ("matchgate", SHIPPED):
        settings = Settings(workspace=work, match_file_em=system == "matchgate")
        match_files(master_file(data), data / "requests.csv", out, settings=settings)
    else:
        with (out.with_suffix(".log")).open("w") as log:
            subprocess.run(
                [
                    sys.executable,
                    str(peers / PEERS[system]),
                    str(master_file(data)),
                    str(data / "requests.csv"),
                    str(out),
                ],
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    return time.perf_counter() - started


def build(dataset: Dataset, sizes: Sizes, work: Path, reuse: bool = False) -> dict[str, int]:
    """Make ``dataset``'s files in WORK/data/NAME (with ``reuse``, keep ones already made)."""
    return materialize(dataset, work / "data" / dataset.name, sizes, reuse)


def evaluate_dataset(
    dataset: Dataset,
    sizes: Sizes,
    work: Path,
    peers: Path | None,
    shipped_too: bool = False,
    reuse: bool = False,
) -> dict[str, Any]:
    data = work / "data" / dataset.name
    started = time.perf_counter()
    counts = build(dataset, sizes, work, reuse)
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "split": dataset.split,
        **counts,
        "build_seconds": round(time.perf_counter() - started, 1),
        "systems": {},
    }
    truth = data / "truth.csv"
    systems = ["matchgate", *([SHIPPED] if shipped_too else []), *(PEERS if peers else ())]
    for system in systems:
        out = work / "outputs" / f"{dataset.name}-{system}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            seconds = run_system(system, data, out, peers or DEFAULT_PEERS, work / "workspace")
        except (subprocess.CalledProcessError, OSError) as exc:
            result["systems"][system] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"{dataset.name} {system}: failed ({exc})", file=sys.stderr, flush=True)
            continue
        figures = score(truth, out)
        figures["seconds"] = round(seconds, 1)
        figures["calibration"] = calibration(truth, out)
        if system in PEERS and peers:
            figures["equal_precision"] = equal_precision(peers / "equal_precision.py", truth, out)
        result["systems"][system] = figures
        print(
            f"{dataset.name:18s} {system:15s} P {_f(figures['precision'])} "
            f"R {_f(figures['recall_without_name_only'])} review {_f(figures['review_rate'])} "
            f"FMR {_f(figures['false_match_rate'])} {figures['seconds']} s",
            file=sys.stderr,
            flush=True,
        )
    return result


def _f(value: object, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{100 * value:.2f}%" if pct else f"{value:.4f}"
    return str(value)


def table(results: list[dict[str, Any]]) -> str:
    head = [
        "dataset",
        "split",
        "rows",
        "matchgate P / R / review / FMR",
        "Splink default P / R / FMR",
        "default R at equal P",
        "Splink tuned P / R / FMR",
        "tuned R at equal P",
    ]
    shipped = any(SHIPPED in r["systems"] for r in results)
    if shipped:
        head.insert(4, "shipped model P / R / review / FMR")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [r["dataset"], r["split"][:3] + ".", str(r["requests"])]
        for system in ("matchgate", SHIPPED) if shipped else ("matchgate",):
            mg = r["systems"].get(system, {})
            cells.append(
                " / ".join(
                    (
                        _f(mg.get("precision")),
                        _f(mg.get("recall_without_name_only")),
                        _f(mg.get("review_rate"), pct=True),
                        _f(mg.get("false_match_rate"), pct=True),
                    )
                )
                if "error" not in mg
                else "error"
            )
        for peer in PEERS:
            s = r["systems"].get(peer)
            if s is None or "error" in s:
                cells += ["error" if s else "-", "-"]
                continue
            cells.append(
                " / ".join(
                    (
                        _f(s["precision"]),
                        _f(s["recall_without_name_only"]),
                        _f(s["false_match_rate"], pct=True),
                    )
                )
            )
            cells.append(_f(s["equal_precision"]["recall"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _bin_labels() -> list[str]:
    last = len(CALIBRATION_BINS) - 2
    return [
        f"[{a}, " + ("1]" if i == last else f"{b})")
        for i, (a, b) in enumerate(pairwise(CALIBRATION_BINS))
    ]


def calibration_table(results: list[dict[str, Any]], system: str = "matchgate") -> str:
    """Per dataset, ``system``'s score bins: mean score -> observed precision (rows; matches)."""
    edges = [f"{a:g}-{min(b, 1):g}" for a, b in pairwise(CALIBRATION_BINS)]
    lines = [
        f"| dataset ({system} calibration: predicted -> observed precision (rows; matches)) | "
        + " | ".join(edges)
        + " |",
        "|---|" + "---|" * len(edges),
    ]
    for r in results:
        bins = {b["bin"]: b for b in r["systems"].get(system, {}).get("calibration", [])}
        cells = []
        for label in _bin_labels():
            b = bins.get(label)
            if b is None:
                cells.append("-")
                continue
            counts = f"{b['rows']}; {b.get('matches', '-')}"
            cells.append(f"{b['predicted']:.4f} -> {b['observed']:.4f} ({counts})")
        lines.append(f"| {r['dataset']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def breakdown_table(results: list[dict[str, Any]], system: str = "matchgate", top: int = 4) -> str:
    """Per dataset, ``system``'s worst origin and the kinds with the most present people missed."""
    lines = [
        f"| dataset | {system}: worst origin, R (gap) | most missed kinds: R (missed of present) |",
        "|---|---|---|",
    ]
    for r in results:
        s = r["systems"].get(system, {})
        if "detail" not in s:
            continue
        worst = s.get("worst_origin")
        origin = "-"
        if worst:
            recall = s["detail"]["by_origin"][worst]["recall_without_name_only"]
            origin = f"{worst}, {_f(recall)} ({_f(s['origin_gap'])})"
        missed = []
        for kind, m in s["detail"]["by_kind"].items():
            if m["present"] and m["recall"] is not None:
                lost = m["present"] - round(m["recall"] * m["present"])
                if lost:
                    missed.append((lost, kind, m))
        missed.sort(key=lambda x: (-x[0], x[1]))
        kinds = "; ".join(
            f"{kind} {_f(m['recall'])} ({lost} of {m['present']})" for lost, kind, m in missed[:top]
        )
        lines.append(f"| {r['dataset']} | {origin} | {kinds or '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        help="comma-separated dataset names, prefixes (febrl, pp-w2) or a split (development)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: 20k x 1k synth, 1k caps")
    parser.add_argument("--people", type=int, help="synth master size (default 200,000)")
    parser.add_argument("--requests", type=int, help="synth request rows (default 5,000)")
    parser.add_argument("--cap", type=int, help="cap on pseudopeople requests and FEBRL people")
    parser.add_argument("--work", type=Path, default=Path("workspace/eval-suite"))
    parser.add_argument("--json", type=Path, help="default: WORK/eval-suite.json")
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="reference scripts")
    parser.add_argument("--no-splink", action="store_true", help="matchgate only")
    parser.add_argument(
        "--shipped-too",
        action="store_true",
        help=f"also run matchgate without per-file estimation of m ({SHIPPED})",
    )
    parser.add_argument("--render", type=Path, help="print the tables of a saved JSON and stop")
    parser.add_argument(
        "--ablation", action="store_true", help="each decision rule switched off in turn"
    )
    parser.add_argument("--reuse", action="store_true", help="keep data already in WORK/data")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        print(f"{saved['date']}: {saved['command']}\n")
        if "ablation" in saved:
            print(ablation_table(saved["ablation"]))
            return 0
        for render in (table, breakdown_table, calibration_table):
            print(render(saved["results"]) + "\n")
        return 0

    base = QUICK if args.quick else Sizes()
    sizes = Sizes(
        people=args.people or base.people,
        requests=args.requests or base.requests,
        cap=args.cap or base.cap,
        holdout=base.holdout,
    )
    peers: Path | None = None
    if not args.no_splink:
        peers = args.peers.resolve()
        needed = [*PEERS.values(), "equal_precision.py"]
        missing = [s for s in needed if not (peers / s).is_file()]
        if missing:
            parser.error(f"reference scripts not found in {peers}: {', '.join(missing)}")
    try:
        datasets = select(args.only)
    except ValueError as exc:
        parser.error(str(exc))
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    out = args.json or args.work / "eval-suite.json"
    results: list[dict[str, Any]] = []
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "sizes": vars(sizes),
        "complete": False,
        "results": results,
    }
    if args.ablation:
        ablation: list[dict[str, Any]] = []
        report["ablation"] = ablation
        for dataset in datasets:
            build(dataset, sizes, args.work, args.reuse)
            ablation.append(ablate(args.work / "data" / dataset.name, args.work, dataset.name))
            ablation[-1]["split"] = dataset.split
            report.update(seconds=round(time.perf_counter() - started, 1))
            report["complete"] = len(ablation) == len(datasets)
            out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(ablation_table(ablation) + f"\n\nJSON: {out}")
        return 0
    for dataset in datasets:
        results.append(
            evaluate_dataset(dataset, sizes, args.work, peers, args.shipped_too, args.reuse)
        )
        report.update(seconds=round(time.perf_counter() - started, 1), table=table(results))
        report["complete"] = len(results) == len(datasets)
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")  # after each
    for render in (table, breakdown_table, calibration_table):
        print(render(results) + "\n")
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
