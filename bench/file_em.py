#!/usr/bin/env python3
"""Per-file estimation of m: what the bound does to accuracy, and what estimation costs in time.

Accuracy (``bounds``): on data folders the evaluation suite built (``WORK/data/<name>``, each
with master, requests.csv and truth.csv), matchgate runs with the shipped model as is and with
per-file estimation at each bound factor of ``--factors`` (a large factor is estimation without
a bound); each output is graded (precision, recall without name-only rows, review rate,
false-match rate, wrong matches), with how far the estimate moved m (the largest
|log2(m / shipped m)| over all levels, in bits) and how many decisions differ from the shipped
model's.

    .venv/bin/python bench/eval_suite.py --only synth,febrl1,febrl2,febrl3 --no-splink --work W
    .venv/bin/python bench/file_em.py bounds W/data --factors 1.5,2,4,1000

Speed (``speed``): match time (``MatchSummary.seconds``: from reading the request file to writing
the output) on one synthetic world, per-file estimation off and on, interleaved, ``--runs`` each;
the medians and their ratio.

    .venv/bin/python bench/file_em.py speed --size 1000000x50000 --runs 5
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from evalsuite.score import score

import matchgate.services.master.match as match_service
from matchgate.matching.file_em import FileAdaptedModel, FileEm
from matchgate.matching.model import load_model
from matchgate.services.master.match import match_files
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


def _master(data: Path) -> Path:
    return next(p for p in (data / "master.parquet", data / "master.csv") if p.is_file())


def _run(data: Path, out: Path, work: Path, factor: float | None) -> dict[str, Any]:
    """Match with the shipped model (``factor`` None) or per-file estimation at ``factor``."""

    class Bounded(FileAdaptedModel):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, settings=FileEm(max_factor=factor or 2.0), **kwargs)

    match_service.FileAdaptedModel = Bounded  # type: ignore[misc]
    settings = Settings(workspace=work, match_file_em=factor is not None)
    summary = match_files(_master(data), data / "requests.csv", out, settings=settings)
    moved = 0.0
    if summary.parameters_file is not None:
        shipped, used = load_model(), load_model(summary.parameters_file)
        moved = max(
            abs(math.log2(new.m / old.m))
            for name, levels in used.parameters.items()
            for new, old in zip(levels, shipped.parameters[name], strict=True)
        )
    return {"seconds": round(summary.seconds, 2), "moved_bits": round(moved, 3)}


def _decisions(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["request_id"]: (r["decision"], r["person_id"]) for r in csv.DictReader(fh)}


def bounds(root: Path, factors: list[float], work: Path) -> list[dict[str, Any]]:
    rows = []
    for data in sorted(p for p in root.iterdir() if (p / "truth.csv").is_file()):
        base_out = work / f"{data.name}-shipped.csv"
        entry = {"dataset": data.name, "runs": {}}
        for label, factor in [("shipped", None), *((f"x{f:g}", f) for f in factors)]:
            out = work / f"{data.name}-{label}.csv"
            info = _run(data, out, work / "workspace", factor)
            figures = score(data / "truth.csv", out)
            if factor is not None:
                before, after = _decisions(base_out), _decisions(out)
                info["changed"] = sum(1 for k, v in after.items() if before.get(k) != v)
            info.update(
                {
                    k: figures[k]
                    for k in (
                        "precision",
                        "recall_without_name_only",
                        "review_rate",
                        "false_match_rate",
                        "wrong_matches",
                    )
                }
            )
            entry["runs"][label] = info
            print(data.name, label, json.dumps(info), file=sys.stderr, flush=True)
        rows.append(entry)
    return rows


def _f(value: object, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{100 * value:.2f}%" if pct else f"{value:.4f}"
    return str(value)


def bounds_table(rows: list[dict[str, Any]]) -> str:
    labels = list(rows[0]["runs"]) if rows else []
    head = ["dataset", *(f"{label}: P / R / review / FMR (changed, moved)" for label in labels)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["dataset"]]
        for label in labels:
            i = r["runs"][label]
            extra = f" ({i['changed']}, {i['moved_bits']} bits)" if "changed" in i else ""
            cells.append(
                f"{_f(i['precision'])} / {_f(i['recall_without_name_only'])} / "
                f"{_f(i['review_rate'], True)} / {_f(i['false_match_rate'], True)}{extra}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def speed(size: str, runs: int, seed: int, root: Path) -> dict[str, Any]:
    people, requests = (int(x) for x in size.lower().split("x"))
    data = root / f"synth-{people}x{requests}-s{seed}"
    if not (data / "done.json").is_file():
        synthesize(people, requests, seed, data, details=False)
        (data / "done.json").write_text(json.dumps({"people": people, "requests": requests}))
    times: dict[str, list[float]] = {"shipped": [], "file_em": []}
    for i in range(runs):
        for label in ("shipped", "file_em") if i % 2 == 0 else ("file_em", "shipped"):
            started = time.perf_counter()
            summary = match_files(
                data / "master.parquet",
                data / "requests.csv",
                data / f"out-{label}.csv",
                settings=Settings(workspace=root / "workspace", match_file_em=label == "file_em"),
            )
            times[label].append(round(summary.seconds, 2))
            print(
                f"run {i + 1} {label}: {summary.seconds:.2f} s "
                f"(wall {time.perf_counter() - started:.2f} s) {summary.model_version}",
                file=sys.stderr,
                flush=True,
            )
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {
        "size": size,
        "runs": times,
        "median_seconds": medians,
        "ratio": round(medians["file_em"] / medians["shipped"], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("bounds", help="accuracy per bound factor on eval-suite data folders")
    b.add_argument("data", type=Path, help="WORK/data of an eval_suite.py run")
    b.add_argument("--factors", default="1.5,2,4,1000")
    b.add_argument("--work", type=Path, default=Path("workspace/file-em"))
    s = sub.add_parser("speed", help="match time with estimation off and on, interleaved")
    s.add_argument("--size", default="1000000x50000")
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--seed", type=int, default=2025)
    s.add_argument("--data", type=Path, default=Path("workspace/bench"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.mode == "bounds":
        args.work.mkdir(parents=True, exist_ok=True)
        factors = [float(f) for f in args.factors.split(",")]
        result: Any = bounds(args.data, factors, args.work)
        print(bounds_table(result))
    else:
        result = speed(args.size, args.runs, args.seed, args.data)
        print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
