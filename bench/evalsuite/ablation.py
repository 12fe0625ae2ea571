"""Each decision rule's measured cost and benefit: matchgate once per dataset, then the same scored
pairs decided again with one rule of ``matching/decide.py`` switched off at a time
(``decide(..., off={rule})``, :data:`matchgate.matching.decide.RULES`).

For each rule: the rows whose decision changes, by what they become (a correct match, a wrong
match, review, no match), and the dataset's P / R / review / FMR with the rule off. A rule whose
removal changes nothing on any dataset buys nothing the probability and the lead over the
runner-up do not already give.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

import matchgate.matching.pipeline as pipeline
from evalsuite.score import score
from matchgate.matching.decide import RULES, Decisions, Policy, decide
from matchgate.services.master.match import match_files
from matchgate.settings import Settings

ABLATED = tuple(r for r in RULES if r != "names_and_dob_only")
"""``names_and_dob_only`` is off by default (:attr:`Policy.confirm_names_and_birthday`)."""
DEFAULT = Policy()
COLUMNS = ("request_id", "decision", "person_id", "score", "second_person_id", "second_score")


@contextmanager
def _variants(tables: dict[str, pa.Table]) -> Iterator[None]:
    """While active, every ``match_requests`` also decides its pairs with each rule off and
    stores the output table of each variant in ``tables`` (key: rule)."""
    real_decide: Callable[..., Decisions] = pipeline.decide
    real_output = pipeline._output
    seen: dict[str, Any] = {}

    def recording_decide(rows: int, pairs: Any, policy: Policy = DEFAULT) -> Decisions:
        seen.update(rows=rows, policy=policy)
        return real_decide(rows, pairs, policy)

    def output(engine: Any, requests: pa.Table, pairs: Any, decisions: Decisions) -> pa.Table:
        for rule in ABLATED:
            variant = decide(seen["rows"], pairs, seen["policy"], off=frozenset({rule}))
            tables[rule] = real_output(engine, requests, pairs, variant).select(list(COLUMNS))
        return real_output(engine, requests, pairs, decisions)

    pipeline.decide = recording_decide  # type: ignore[assignment]
    pipeline._output = output
    try:
        yield
    finally:
        pipeline.decide = real_decide
        pipeline._output = real_output


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def outcome(row: dict[str, str], truth: dict[str, str]) -> str:
    """What a row's decision amounts to against the truth: a correct or wrong match, a review
    naming the right person or not, a no-match for a present person (missed) or an absent one."""
    decision, true = row["decision"], truth.get(row["request_id"], "")
    if decision == "match":
        return "correct match" if row["person_id"] == true else "wrong match"
    if decision == "possible":
        return "review (right)" if row["person_id"] == true else "review (other)"
    return "no match (present)" if true else "no match (absent)"


def changes(
    base: list[dict[str, str]], variant: list[dict[str, str]], truth: dict[str, str]
) -> dict[str, int]:
    """Rows whose decision or person differs, counted by what they became (and were)."""
    became: Counter[str] = Counter()
    for old, new in zip(base, variant, strict=True):
        if (old["decision"], old["person_id"]) != (new["decision"], new["person_id"]):
            became[f"{outcome(old, truth)} -> {outcome(new, truth)}"] += 1
    return dict(sorted(became.items()))


def ablate(data: Path, work: Path, name: str) -> dict[str, Any]:
    """Matchgate on ``data`` (master, requests.csv, truth.csv), and every rule off in turn."""
    master = next(p for p in (data / "master.parquet", data / "master.csv") if p.is_file())
    out_dir = work / "ablation" / name
    out_dir.mkdir(parents=True, exist_ok=True)
    base_out = out_dir / "all-rules.csv"
    tables: dict[str, pa.Table] = {}
    with _variants(tables):
        match_files(
            master, data / "requests.csv", base_out, settings=Settings(workspace=work / "workspace")
        )
    truth_path = data / "truth.csv"
    truth = {r["request_id"]: r["person_id"] for r in _rows(truth_path)}
    base = _rows(base_out)
    result: dict[str, Any] = {"dataset": name, "all_rules": _figures(truth_path, base_out)}
    rules: dict[str, Any] = {}
    for rule, table in tables.items():
        out = out_dir / f"off-{rule}.csv"
        pacsv.write_csv(table, out)
        rules[rule] = {
            "changed": changes(base, _rows(out), truth),
            "figures": _figures(truth_path, out),
        }
    result["rules"] = rules
    return result


def _figures(truth: Path, out: Path) -> dict[str, Any]:
    s = score(truth, out)
    keys = ("precision", "recall_without_name_only", "review_rate", "false_match_rate")
    return {k: s[k] for k in (*keys, "wrong_matches", "rows")}


def ablation_table(results: list[dict[str, Any]]) -> str:
    """Per rule, per dataset: the rows whose decision changes with the rule off."""
    lines = [
        "| rule off | dataset | rows changed: before -> after | P / R / review / FMR with it off |",
        "|---|---|---|---|",
    ]
    for rule in ABLATED:
        for r in results:
            entry = r["rules"].get(rule)
            if entry is None or not entry["changed"]:
                continue
            changed = "; ".join(f"{k}: {v}" for k, v in entry["changed"].items())
            f = entry["figures"]
            lines.append(f"| {rule} | {r['dataset']} | {changed} | {_quad(f)} |")
        if not any(r["rules"].get(rule, {}).get("changed") for r in results):
            lines.append(f"| {rule} | every dataset | none | - |")
    return "\n".join(lines)


def _quad(f: dict[str, Any]) -> str:
    def fmt(v: Any, pct: bool = False) -> str:
        if v is None:
            return "-"
        return f"{100 * v:.2f}%" if pct else f"{v:.4f}"

    return " / ".join(
        (
            fmt(f["precision"]),
            fmt(f["recall_without_name_only"]),
            fmt(f["review_rate"], True),
            fmt(f["false_match_rate"], True),
        )
    )
