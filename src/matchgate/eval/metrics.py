"""Grading arithmetic: precision, recall, review rate, false-match rate, F1, by group.

Definitions (data contract 3b), for any group of truth rows:

- precision: of the rows decided ``match``, the share that name the true person (a ``match`` on
  an absent person is always wrong);
- recall: of the present people, the share decided ``match`` to the true person; also reported
  without ``name_only`` rows, which a name alone rarely identifies;
- review rate: share of rows decided ``possible``;
- false-match rate: of the absent people, the share decided ``match``;
- F1: harmonic mean of precision and recall.

A rate whose denominator is zero is ``None`` (not applicable), never a made-up 0 or 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NAME_ONLY = "name_only"


@dataclass(frozen=True)
class Graded:
    """One request row with its truth and the system's answer."""

    request_id: str
    true_person: str  # empty when the person is absent from the master
    kinds: tuple[str, ...]
    origin: str
    decision: str
    person: str

    @property
    def present(self) -> bool:
        return self.true_person != ""

    @property
    def name_only(self) -> bool:
        return NAME_ONLY in self.kinds


@dataclass(frozen=True)
class GroupMetrics:
    """Counts and rates for one group of rows."""

    rows: int
    present: int
    absent: int
    matched: int
    correct_matches: int
    wrong_matches: int
    possible: int
    present_matched_correctly: int
    present_without_name_only: int
    correct_without_name_only: int
    absent_matched: int

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct_matches, self.matched)

    @property
    def recall(self) -> float | None:
        return _ratio(self.present_matched_correctly, self.present)

    @property
    def recall_without_name_only(self) -> float | None:
        return _ratio(self.correct_without_name_only, self.present_without_name_only)

    @property
    def review_rate(self) -> float | None:
        return _ratio(self.possible, self.rows)

    @property
    def false_match_rate(self) -> float | None:
        return _ratio(self.absent_matched, self.absent)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "present": self.present,
            "absent": self.absent,
            "matched": self.matched,
            "wrong_matches": self.wrong_matches,
            "possible": self.possible,
            "precision": self.precision,
            "recall": self.recall,
            "recall_without_name_only": self.recall_without_name_only,
            "review_rate": self.review_rate,
            "false_match_rate": self.false_match_rate,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Evaluation:
    """Metrics overall, by discrepancy kind and by name origin."""

    overall: GroupMetrics
    by_kind: Mapping[str, GroupMetrics]
    by_origin: Mapping[str, GroupMetrics]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_kind": {k: m.to_dict() for k, m in sorted(self.by_kind.items())},
            "by_origin": {k: m.to_dict() for k, m in sorted(self.by_origin.items())},
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def group_metrics(rows: Iterable[Graded]) -> GroupMetrics:
    n = present = matched = correct = possible = recalled = 0
    present_nno = recalled_nno = absent_matched = 0
    for row in rows:
        n += 1
        is_match = row.decision == "match"
        right = is_match and row.present and row.person == row.true_person
        matched += is_match
        correct += right
        possible += row.decision == "possible"
        if row.present:
            present += 1
            recalled += right
            if not row.name_only:
                present_nno += 1
                recalled_nno += right
        else:
            absent_matched += is_match
    return GroupMetrics(
        rows=n,
        present=present,
        absent=n - present,
        matched=matched,
        correct_matches=correct,
        wrong_matches=matched - correct,
        possible=possible,
        present_matched_correctly=recalled,
        present_without_name_only=present_nno,
        correct_without_name_only=recalled_nno,
        absent_matched=absent_matched,
    )


def evaluate(rows: Iterable[Graded]) -> Evaluation:
    """Grade every row once overall, once per kind it carries, once under its origin."""
    materialized = list(rows)
    by_kind: dict[str, list[Graded]] = {}
    by_origin: dict[str, list[Graded]] = {}
    for row in materialized:
        for kind in row.kinds:
            by_kind.setdefault(kind, []).append(row)
        by_origin.setdefault(row.origin, []).append(row)
    return Evaluation(
        overall=group_metrics(materialized),
        by_kind={k: group_metrics(v) for k, v in by_kind.items()},
        by_origin={k: group_metrics(v) for k, v in by_origin.items()},
    )
