"""The decision policy on hand-built scored pairs."""

from __future__ import annotations

import numpy as np

from matchgate.domain.decision import Decision
from matchgate.matching.comparisons import COMPARISONS
from matchgate.matching.decide import NO_PERSON, decide
from matchgate.matching.model import ScoredPairs

AGREE = {
    "ssn": "exact",
    "a_number": None,
    "surname": "exact",
    "first_name": "exact",
    "middle_name": None,
    "dob": "exact",
    "zip": None,
}


def pairs(rows: list[tuple[int, int, float, dict[str, str | None]]]) -> ScoredPairs:
    levels = {}
    for spec in COMPARISONS:
        values = []
        for _, _, _, overrides in rows:
            label = {**AGREE, **overrides}[spec.name]
            values.append(-1 if label is None else spec.level(label))
        levels[spec.name] = np.array(values, dtype=np.int64)
    return ScoredPairs(
        rid=np.array([r[0] for r in rows], dtype=np.int64),
        pid=np.array([r[1] for r in rows], dtype=np.int64),
        weight=np.array([r[2] for r in rows]),
        variant=np.zeros(len(rows), dtype=np.int64),
        levels=levels,
        comparisons=COMPARISONS,
    )


def test_clear_winner_matches_and_runner_up_is_reported() -> None:
    out = decide(1, pairs([(0, 10, 30.0, {}), (0, 11, 2.0, {"first_name": "different"})]))
    assert out.decision == [Decision.MATCH]
    assert (out.pid[0], out.second_pid[0]) == (10, 11)
    assert out.score[0] > 0.999


def test_near_tie_goes_to_review() -> None:
    out = decide(1, pairs([(0, 10, 20.0, {}), (0, 11, 18.0, {})]))
    assert out.decision == [Decision.POSSIBLE]
    assert "nearly as well" in out.reasons[0]


def test_borrowed_ssn_with_another_first_name_is_not_a_match() -> None:
    out = decide(1, pairs([(0, 10, 25.0, {"first_name": "different"})]))
    assert out.decision == [Decision.POSSIBLE]
    assert "first name does not agree" in out.reasons[0]


def test_without_identifier_close_names_are_reviewed() -> None:
    no_ssn = {"ssn": None, "first_name": "close"}
    out = decide(1, pairs([(0, 10, 25.0, no_ssn)]))
    assert out.decision == [Decision.POSSIBLE]


def test_weak_best_is_no_match_and_names_no_one() -> None:
    out = decide(2, pairs([(0, 10, -3.0, {"dob": "different"})]))
    assert out.decision == [Decision.NO_MATCH, Decision.NO_MATCH]
    assert out.pid.tolist() == [NO_PERSON, NO_PERSON]
    assert 0 < out.score[0] < 0.5
    assert out.score[1] == 0.0
    assert out.reasons[1] == "no candidate found"


def test_one_match_per_person_strongest_wins_first_on_tie() -> None:
    out = decide(3, pairs([(0, 10, 20.0, {}), (1, 10, 25.0, {}), (2, 10, 25.0, {})]))
    assert out.decision == [Decision.POSSIBLE, Decision.MATCH, Decision.POSSIBLE]
    assert "another request in this file" in out.reasons[0]
