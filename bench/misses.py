#!/usr/bin/env python3
"""Why matchgate misses the people it misses, and which matches are wrong, on one benchmark.

Runs matchgate in-process on a directory with ``master.*``, ``requests.csv`` and ``truth.csv``
(``--febrl`` builds FEBRL4 there first, as ``bench/accuracy.py`` does), keeps every scored pair,
and sorts each request whose true person was not matched into one cause:

* ``no_candidate``: no block found the true person;
* ``not_best``: the true person was scored, another candidate scored higher;
* ``refused``: the true person was best, a refusal rule answered ``no_match``;
* ``review``: the true person was best, short of ``match`` (a failed check, the margin, or
  the probability): decision ``possible``;
* ``weak``: the true person was best, probability below review;
* ``taken``: matched, then demoted because another row matched the same person.

Wrong matches (a ``match`` to someone else, or of an absent person) are listed too. With
``--show N`` the first N of each cause are printed with both records' fields and levels.

    .venv/bin/python bench/misses.py --febrl                       # FEBRL4
    .venv/bin/python bench/misses.py workspace/bench-data/synth-200000x10000-s1 --show 0
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import febrl_world

from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import inspect_master, read_requests
from matchgate.master.details import detail_source
from matchgate.matching import FellegiSunterModel, index_master, match_requests
from matchgate.matching.master_index import MasterStats
from matchgate.matching.model import ScoredPairs
from matchgate.settings import Settings

FIELDS = ("first_name", "middle_name", "last_name", "ssn", "a_number", "dob", "address_line", "zip")


class KeepingScorer(FellegiSunterModel):
    """The shipped scorer, keeping the scored pairs for inspection."""

    pairs: ScoredPairs | None = None

    def score(self, engine: Any, master: MasterStats) -> ScoredPairs:
        self.pairs = super().score(engine, master)
        return self.pairs


def _read_csv(path: Path, key: str) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {row[key]: row for row in csv.DictReader(fh)}


def analyse(data: Path, workspace: Path) -> dict[str, Any]:
    master_path = next(p for p in (data / "master.parquet", data / "master.csv") if p.is_file())
    settings = Settings(workspace=workspace)
    batch = read_requests(data / "requests.csv", today=settings.today())
    truth = _read_csv(data / "truth.csv", "request_id")
    workspace.mkdir(parents=True, exist_ok=True)
    engine = DuckDBEngine(workspace / f"misses-{time.time_ns()}.duckdb")
    try:
        source = inspect_master(engine, master_path)
        stats = index_master(engine, source.relation, source.columns, None, lambda *_: None)
        # Earlier addresses beside the master, as `matchgate match` reads them.
        stats = replace(stats, earlier_addresses=detail_source(engine, data, "addresses"))
        scorer = KeepingScorer()
        result = match_requests(engine, stats, batch.table, scorer=scorer)
        ids = engine.query("SELECT pid, person_id FROM m")
        pid_of = dict(zip(ids["person_id"].to_pylist(), ids["pid"].to_pylist(), strict=True))
        person_of = {v: k for k, v in pid_of.items()}
        raw_master = engine.query(f"SELECT * FROM {source.relation}").to_pylist()
    finally:
        engine.close()
    pairs = scorer.pairs
    assert pairs is not None
    masters = {str(r.get("person_id")): r for r in raw_master}
    requests = _read_csv(data / "requests.csv", "request_id")
    out = result.table.to_pylist()
    by_pair = {
        (int(r), int(p)): i for i, (r, p) in enumerate(zip(pairs.rid, pairs.pid, strict=True))
    }
    best_of: dict[int, int] = {}
    for i in np.lexsort((-pairs.weight, pairs.rid)).tolist():
        best_of.setdefault(int(pairs.rid[i]), i)

    causes: Counter[str] = Counter()
    cases: dict[str, list[dict[str, Any]]] = {}
    wrong: list[dict[str, Any]] = []
    for row, answer in enumerate(out):
        true_id = truth[answer["request_id"]]["person_id"]
        matched = answer["decision"] == "match"
        if matched and answer["person_id"] != true_id:
            wrong.append({"row": row, "answer": answer, "true": true_id})
            continue
        if not true_id or (matched and answer["person_id"] == true_id):
            continue
        true_pid = pid_of.get(true_id)
        i = by_pair.get((row, true_pid)) if true_pid is not None else None
        if i is None:
            cause = "no_candidate"
        elif best_of.get(row) != i:
            cause = "not_best"
        elif "another request in this file" in answer["reasons"]:
            cause = "taken"
        elif answer["decision"] == "possible":
            cause = "review"
        elif answer["score"] >= 0.5:
            cause = "refused"
        else:
            cause = "weak"
        causes[cause] += 1
        cases.setdefault(cause, []).append(
            {"row": row, "answer": answer, "true": true_id, "pair": i, "best": best_of.get(row)}
        )
    return {
        "causes": causes,
        "cases": cases,
        "wrong": wrong,
        "pairs": pairs,
        "requests": requests,
        "masters": masters,
        "person_of": person_of,
        "rows": len(out),
        "out": out,
    }


def _show(case: dict[str, Any], found: dict[str, Any]) -> None:
    pairs: ScoredPairs = found["pairs"]
    answer = case["answer"]
    req = found["requests"][answer["request_id"]]
    master = found["masters"].get(case["true"], {})
    print(f"--- {answer['request_id']} -> {case['true']}: {answer['decision']} {answer['score']}")
    for f in FIELDS:
        left, right = req.get(f, "") or "", str(master.get(f, "") or "")
        if left or right:
            print(f"    {f:13s} {left:32s} {right:32s} {'' if left == right else '<>'}")
    for label, i in (("true", case.get("pair")), ("best", case.get("best"))):
        if i is not None and (label == "true" or i != case.get("pair")):
            who = found["person_of"].get(int(pairs.pid[i]), "?")
            print(f"    {label} {who}: w={pairs.weight[i]:.1f} {json.dumps(pairs.level_labels(i))}")
    print(f"    reasons: {answer['reasons']}")


def dump(found: dict[str, Any], data: Path, path: Path) -> None:
    """One JSON line per request row: truth, decision, and the levels of the best candidate and
    of the true person's pair (to see which level patterns absent people reach)."""
    pairs: ScoredPairs = found["pairs"]
    truth = _read_csv(data / "truth.csv", "request_id")
    true_pair: dict[int, int] = {}
    best: dict[int, int] = {}
    for i in np.lexsort((-pairs.weight, pairs.rid)).tolist():
        best.setdefault(int(pairs.rid[i]), i)
    pid_of = {v: k for k, v in found["person_of"].items()}
    wanted = {
        row: pid_of.get(truth[a["request_id"]]["person_id"]) for row, a in enumerate(found["out"])
    }
    for i, (r, p) in enumerate(zip(pairs.rid.tolist(), pairs.pid.tolist(), strict=True)):
        if wanted.get(r) == p:
            true_pair[r] = i
    with path.open("w", encoding="utf-8") as fh:
        for row, answer in enumerate(found["out"]):
            t = truth[answer["request_id"]]
            b, tp = best.get(row), true_pair.get(row)
            fh.write(
                json.dumps(
                    {
                        "data": data.name,
                        "request_id": answer["request_id"],
                        "case": t.get("case", ""),
                        "present": bool(t["person_id"]),
                        "decision": answer["decision"],
                        "right": answer["person_id"] == t["person_id"],
                        "best_is_true": b is not None and b == tp,
                        "best": pairs.level_labels(b) if b is not None else None,
                        "best_w": float(pairs.weight[b]) if b is not None else None,
                        "true": pairs.level_labels(tp) if tp is not None else None,
                        "true_w": float(pairs.weight[tp]) if tp is not None else None,
                        "reasons": answer["reasons"],
                    }
                )
                + "\n"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, nargs="?", help="directory with master, requests, truth")
    parser.add_argument("--febrl", action="store_true", help="FEBRL4 (built under --root)")
    parser.add_argument("--root", type=Path, default=Path("workspace/bench-data"))
    parser.add_argument("--show", type=int, default=5, help="cases printed per cause")
    parser.add_argument("--cause", help="print only this cause")
    parser.add_argument("--dump", type=Path, help="write every row's best pair as JSON lines")
    args = parser.parse_args()
    if args.febrl:
        args.root.mkdir(parents=True, exist_ok=True)
        data = febrl_world(args.root)
    elif args.data:
        data = args.data
    else:
        parser.error("give a data directory or --febrl")
    found = analyse(data, args.root / "workspace")
    if args.dump:
        dump(found, data, args.dump)
    present = sum(1 for r in _read_csv(data / "truth.csv", "request_id").values() if r["person_id"])
    missed = sum(found["causes"].values())
    print(
        f"{found['rows']} requests, {present} present, {missed} missed, {len(found['wrong'])} wrong"
    )
    for cause, n in found["causes"].most_common():
        print(f"  {cause:13s} {n}")
    for cause, items in found["cases"].items():
        if args.cause and cause != args.cause:
            continue
        for case in items[: args.show]:
            print(f"[{cause}]", end=" ")
            _show(case, found)
    for case in found["wrong"][: args.show]:
        print("[wrong]", end=" ")
        _show(case, found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
