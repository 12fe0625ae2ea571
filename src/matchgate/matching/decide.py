"""From scored pairs to one decision per request row.

``match`` needs all of:

* a probability of at least :attr:`Policy.match_probability`;
* a lead of at least :attr:`Policy.margin_bits` over the runner-up (the best is that many times
  more likely than the next person), so near-ties go to review;
* no conflicting SSN or date of birth: a request SSN that differs from the person's by more
  than one keystroke, or a date of birth that differs in more than one part (and is not a
  January 1 placeholder or a day-month swap), sends the row to review however well the rest
  agrees: a parent's SSN used by a child of the same name looks exactly like that;
* names that agree, how strictly depending on whether an identifier (SSN or A-number, equal or
  one keystroke off) agrees:

  - with an identifier: the first name agrees exactly, closely, as an initial, short form or
    nickname, swapped with the surname or as the middle name (or is only somewhat similar while
    the date of birth agrees); the surname agrees exactly, closely or as part of a compound
    surname, or differs while SSN, first name and date of birth agree exactly (a marriage not
    yet recorded). A first name that differs is a borrowed SSN or a twin, not a match;
  - without one: first name and surname agree exactly (or swapped, or as part of a compound
    surname), the date of birth agrees exactly and the ZIP code, when both sides have one, agrees
    too. A close spelling with the same surname and birthday is how a relative or a look-alike
    appears, and with names and a birthday as the only evidence any disagreement is a reason for
    a person to look, so these go to review.

Whatever falls short but has a probability of at least :attr:`Policy.possible_probability` is
``possible``; the rest ``no_match``. Finally, one master person is matched at most once per
file: when several rows would match the same person, the strongest keeps ``match`` (the first in
file order on a tie) and the others become ``possible``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchgate.domain.decision import Decision
from matchgate.matching.master_index import CURRENT_NAME
from matchgate.matching.model import Floats, Ints, ScoredPairs, probability

NO_PERSON = -1

IDENTIFIER_AGREES = ("exact", "one_edit")
SSN_CONFLICTS = ("two_edits", "different")
FIRST_NAME_STRICT = ("exact", "swapped")
FIRST_NAME_LOOSE = (
    *FIRST_NAME_STRICT,
    "swapped_close",
    "close",
    "initial",
    "nickname",
    "middle",
)
SURNAME_STRICT = ("exact", "swapped", "compound_part")
SURNAME_LOOSE = (*SURNAME_STRICT, "swapped_close", "close")
DOB_CONFLICTS = ("different",)
DOB_AGREES = ("exact", "swapped")


@dataclass(frozen=True)
class Policy:
    """Decision thresholds (probabilities are per candidate, from the model)."""

    match_probability: float = 0.99
    possible_probability: float = 0.5
    margin_bits: float = 6.64  # 100 times more likely than the runner-up


@dataclass(frozen=True)
class Decisions:
    """One entry per request row (index = the row's position in the request file)."""

    decision: list[Decision]
    pid: Ints
    score: Floats
    second_pid: Ints
    second_score: Floats
    reasons: list[str]


NOTE_RUNNER_UP = "another person scores nearly as well"
NOTE_SSN_CONFLICT = "the SSN given does not agree"
NOTE_DOB_CONFLICT = "the date of birth given does not agree"
NOTE_FIRST_NAME = "first name does not agree closely enough"
NOTE_SURNAME = "surname does not agree closely enough"
NOTE_UNCONFIRMED = "no SSN or A-number agrees and the date of birth does not agree exactly"
NOTE_ADDRESS_CONFLICT = "no SSN or A-number agrees and the ZIP code differs"
NOTE_WEAK = "evidence too weak to act on"
NOTE_EARLIER_NAME = "names compared with an earlier name"
NOTE_TAKEN = "another request in this file matches this person more strongly"
NOTE_NO_CANDIDATE = "no candidate found"


def _first_per_request(rid: Ints, weight: Floats) -> tuple[Ints, Ints, Ints]:
    """Order pairs by request then weight (descending); return the order, each request's first
    position in it, and the requests."""
    order = np.lexsort((-weight, rid))
    ordered = rid[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return order, starts, ordered[starts]


def decide(rows: int, pairs: ScoredPairs, policy: Policy = Policy()) -> Decisions:
    """Decide every request row; rows without candidates (or unusable) are ``no_match``."""
    pid = np.full(rows, NO_PERSON, dtype=np.int64)
    second_pid = np.full(rows, NO_PERSON, dtype=np.int64)
    score = np.zeros(rows)
    second_score = np.zeros(rows)
    best_index = np.full(rows, -1, dtype=np.int64)
    best_weight = np.full(rows, -np.inf)
    lead = np.full(rows, np.inf)
    if len(pairs):
        order, starts, requests = _first_per_request(pairs.rid, pairs.weight)
        best = order[starts]
        has_second = np.r_[starts[1:], len(order)] - starts > 1
        second = order[np.minimum(starts + 1, len(order) - 1)]
        best_index[requests] = best
        pid[requests] = pairs.pid[best]
        best_weight[requests] = pairs.weight[best]
        score[requests] = probability(pairs.weight[best])
        second_pid[requests] = np.where(has_second, pairs.pid[second], NO_PERSON)
        second_score[requests] = np.where(has_second, probability(pairs.weight[second]), 0.0)
        lead[requests] = np.where(has_second, pairs.weight[best] - pairs.weight[second], np.inf)

    notes: list[list[str]] = [[] for _ in range(rows)]
    decision = [Decision.NO_MATCH] * rows
    checks = _checks(pairs)
    for row in range(rows):
        i = int(best_index[row])
        if i < 0:
            notes[row].append(NOTE_NO_CANDIDATE)
            continue
        failed = [note for note, ok in checks if not ok[i]]
        if lead[row] < policy.margin_bits:
            failed.insert(0, NOTE_RUNNER_UP)
        if score[row] >= policy.match_probability and not failed:
            decision[row] = Decision.MATCH
        elif score[row] >= policy.possible_probability:
            decision[row] = Decision.POSSIBLE
            notes[row].extend(failed or [NOTE_WEAK])
        else:
            notes[row].append(NOTE_WEAK)

    _one_match_per_person(decision, pid, best_weight, notes)
    reasons = []
    for row in range(rows):
        i = int(best_index[row])
        phrases = pairs.reasons(i) if i >= 0 else []
        if i >= 0 and pairs.variant[i] != CURRENT_NAME:
            phrases.append(NOTE_EARLIER_NAME)
        reasons.append("; ".join(phrases + notes[row]))
    for row in range(rows):
        if decision[row] is Decision.NO_MATCH:  # name no one for a no_match
            pid[row] = second_pid[row] = NO_PERSON
            second_score[row] = 0.0
    return Decisions(decision, pid, score, second_pid, second_score, reasons)


def _checks(pairs: ScoredPairs) -> list[tuple[str, npt.NDArray[np.bool_]]]:
    """The non-probability conditions for ``match``, each with the note shown when it fails."""
    if not len(pairs):
        return []
    level = pairs.has_level
    identified = level("ssn", IDENTIFIER_AGREES) | level("a_number", IDENTIFIER_AGREES)
    dob_exact = level("dob", ("exact",))
    first_loose = level("first_name", FIRST_NAME_LOOSE) | (
        level("first_name", ("somewhat",)) & level("dob", DOB_AGREES)
    )
    unrecorded_marriage = level("ssn", ("exact",)) & level("first_name", ("exact",)) & dob_exact
    surname_loose = level("surname", SURNAME_LOOSE) | unrecorded_marriage
    return [
        (NOTE_SSN_CONFLICT, ~level("ssn", SSN_CONFLICTS)),
        (NOTE_DOB_CONFLICT, ~level("dob", DOB_CONFLICTS)),
        (
            NOTE_FIRST_NAME,
            np.where(identified, first_loose, level("first_name", FIRST_NAME_STRICT)),
        ),
        (NOTE_SURNAME, np.where(identified, surname_loose, level("surname", SURNAME_STRICT))),
        (NOTE_UNCONFIRMED, identified | dob_exact),
        (NOTE_ADDRESS_CONFLICT, identified | ~level("zip", ("different",))),
    ]


def _one_match_per_person(
    decision: list[Decision], pid: Ints, weight: Floats, notes: list[list[str]]
) -> None:
    # Weights, not probabilities, rank the rows: probabilities saturate at 1.0.
    matched = [row for row, d in enumerate(decision) if d is Decision.MATCH]
    keeper: dict[int, int] = {}
    for row in matched:
        person = int(pid[row])
        held = keeper.get(person)
        if held is None or weight[row] > weight[held]:
            keeper[person] = row
    for row in matched:
        if keeper[int(pid[row])] != row:
            decision[row] = Decision.POSSIBLE
            notes[row].append(NOTE_TAKEN)
