"""The evaluator's arithmetic on hand-made rows whose answers are worked out by hand."""

from __future__ import annotations

import pytest

from matchgate.eval.metrics import Graded, evaluate, group_metrics


def g(rid: str, true: str, case: str, decision: str, person: str, origin: str = "anglo") -> Graded:
    return Graded(rid, true, tuple(case.split("+")), origin, decision, person)


ROWS = [
    g("1", "P1", "clean", "match", "P1"),  # right
    g("2", "P2", "typo", "match", "P9"),  # wrong person
    g("3", "P3", "typo+name_only", "possible", "P3"),  # review
    g("4", "P4", "name_only", "no_match", ""),  # missed
    g("5", "", "absent", "match", "P7", "hispanic"),  # false match
    g("6", "", "absent_borrowed_ssn", "no_match", "", "hispanic"),
    g("7", "P8", "ssn_missing", "match", "P8", "hispanic"),  # right
]


def test_overall_rates_match_hand_computation() -> None:
    m = evaluate(ROWS).overall
    assert (m.rows, m.present, m.absent) == (7, 5, 2)
    assert m.matched == 4
    assert m.wrong_matches == 2
    assert m.precision == pytest.approx(2 / 4)
    assert m.recall == pytest.approx(2 / 5)
    # Without name-only rows, present people are 1, 2, 7; two were matched to the right person.
    assert m.recall_without_name_only == pytest.approx(2 / 3)
    assert m.review_rate == pytest.approx(1 / 7)
    assert m.false_match_rate == pytest.approx(1 / 2)
    assert m.f1 == pytest.approx(2 * 0.5 * 0.4 / 0.9)


def test_a_row_counts_under_each_of_its_kinds_and_its_origin() -> None:
    e = evaluate(ROWS)
    assert e.by_kind["typo"].rows == 2
    assert e.by_kind["typo"].precision == 0.0
    assert e.by_kind["name_only"].rows == 2
    assert e.by_kind["name_only"].recall_without_name_only is None
    assert e.by_origin["hispanic"].rows == 3
    assert e.by_origin["hispanic"].false_match_rate == pytest.approx(1 / 2)
    assert e.by_origin["anglo"].false_match_rate is None


def test_empty_denominators_are_not_applicable_rather_than_zero() -> None:
    m = group_metrics([g("1", "", "absent", "no_match", "")])
    assert m.precision is None
    assert m.recall is None
    assert m.f1 is None
    assert m.false_match_rate == 0.0


def test_to_dict_is_json_ready_and_complete() -> None:
    d = evaluate(ROWS).to_dict()
    assert set(d) == {"overall", "by_kind", "by_origin"}
    assert d["overall"]["precision"] == pytest.approx(0.5)
    assert set(d["by_kind"]) == {
        "clean",
        "typo",
        "name_only",
        "absent",
        "absent_borrowed_ssn",
        "ssn_missing",
    }
