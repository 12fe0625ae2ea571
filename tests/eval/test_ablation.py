"""The suite's ablation mode grades the rows a switched-off rule changes against the truth."""

from __future__ import annotations

from evalsuite.ablation import ABLATED, changes, outcome

from matchgate.matching.decide import RULES

TRUTH = {"R1": "P1", "R2": "", "R3": "P3"}


def row(rid: str, decision: str, person: str = "") -> dict[str, str]:
    return {"request_id": rid, "decision": decision, "person_id": person}


def test_outcome_names_what_a_decision_amounts_to() -> None:
    assert outcome(row("R1", "match", "P1"), TRUTH) == "correct match"
    assert outcome(row("R2", "match", "P1"), TRUTH) == "wrong match"
    assert outcome(row("R1", "possible", "P1"), TRUTH) == "review (right)"
    assert outcome(row("R1", "possible", "P9"), TRUTH) == "review (other)"
    assert outcome(row("R1", "no_match"), TRUTH) == "no match (present)"
    assert outcome(row("R2", "no_match"), TRUTH) == "no match (absent)"


def test_changes_counts_only_rows_whose_decision_or_person_moves() -> None:
    base = [row("R1", "possible", "P1"), row("R2", "no_match"), row("R3", "match", "P3")]
    variant = [row("R1", "match", "P1"), row("R2", "match", "P1"), row("R3", "match", "P3")]
    assert changes(base, variant, TRUTH) == {
        "no match (absent) -> wrong match": 1,
        "review (right) -> correct match": 1,
    }


def test_every_default_rule_is_ablated() -> None:
    assert set(ABLATED) == set(RULES) - {"names_and_dob_only"}
