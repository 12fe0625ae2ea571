"""From scored pairs to one decision per request row.

The model's probability says how likely the best candidate is the person; the rules below say
when that is enough to *act*. A wrong match discloses one person's records to an agency looking
for someone else, so ``match`` needs all of:

* a probability of at least :attr:`Policy.match_probability`;
* a lead of at least :attr:`Policy.margin_bits` over the runner-up (the best is that many times
  more likely than the next person), so near-ties go to review;
* no conflicting identifier or date of birth: a request SSN more than one keystroke from the
  person's, or a date of birth that differs in a way no common error explains (a day-month swap,
  a January 1 placeholder, a year off by one or ten), is how another person looks;
* names that agree, how strictly depending on what else agrees:

  - *identified* (SSN or A-number equal or one keystroke off): the first name agrees in any
    explained way (exactly, as a nickname or other spelling, closely, by sound, as an initial,
    as the middle name, or written in the surname field), or is only somewhat similar while the
    date of birth agrees; the surname agrees in any explained way (exactly, compound parts
    reordered or dropped, another romanization, an earlier surname, closely, by sound, written in
    the first-name field), or differs while SSN, first name and date of birth agree exactly (a
    marriage not yet recorded). A one-keystroke SSN needs the date of birth to agree too;
  - *not identified*: the date of birth agrees exactly, the first name agrees exactly (or as an
    earlier first name, or swapped with the surname; a nickname goes to review: ROSA and ROSE are
    one name to a dictionary and two people to a family), the surname agrees without a spelling
    difference (exactly, reordered, part of a compound, another romanization, an earlier surname
    or swapped), the middle names do not conflict, and the ZIP code, when both sides have one,
    agrees. A close spelling with the same surname and birthday is how a relative or a look-alike
    appears;
  - *a name alone* (no SSN, A-number or date of birth): only exact names at the same address
    line and ZIP, clearly ahead of anyone else.

Review is for what a person can settle: a near tie, a strong candidate with one unexplained
disagreement, a close spelling of the first name with everything else agreeing. These are
*not* sent to review but answered ``no_match``, because the evidence itself says "another person":

* the SSN belongs to a master person whose first name and date of birth both disagree (a
  borrowed SSN; the SSA code says the name did not match);
* no identifier agrees and the first name, or the date of birth, agrees only loosely or not at
  all (the look-alike pattern: same surname and birthday, a similar given name);
* the request's SSN conflicts with the best candidate's and nothing else identifies them;
* a name-only request short of the rule above.

Finally, one master person is matched at most once per file: when several rows would match the
same person, the strongest keeps ``match`` (the first in file order on a tie) and the others
become ``possible``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchgate.domain.decision import Decision
from matchgate.matching.model import Floats, Ints, ScoredPairs, probability

NO_PERSON = -1
Mask = npt.NDArray[np.bool_]

IDENTIFIER_AGREES = ("exact", "one_edit")
SSN_CONFLICTS = ("two_edits", "different")
FIRST_NAME_LOOSE = (
    "exact",
    "nickname",
    "close",
    "phonetic",
    "initial",
    "earlier",
    "middle",
    "swapped",
)
FIRST_NAME_STRICT = ("exact", "swapped", "earlier")
SURNAME_LOOSE = (
    "exact",
    "reordered",
    "variant",
    "compound_part",
    "earlier",
    "close",
    "phonetic",
    "swapped",
)
SURNAME_STRICT = ("exact", "reordered", "variant", "compound_part", "earlier", "swapped")
DOB_EXPLAINED = ("exact", "swapped", "january_first", "year_off", "year_digits_swapped")
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
    best: Ints
    """Index into the scored pairs of each row's best candidate (-1: none)."""
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
NOTE_ADDRESS_CONFLICT = "no SSN or A-number agrees and the address differs"
NOTE_MIDDLE_CONFLICT = "no SSN or A-number agrees and the middle name differs"
NOTE_ONE_EDIT_DOB = "the SSN is one keystroke off and the date of birth does not agree"
NOTE_NAME_ONLY = "only a name was given and it is not unique and certain at this address"
NOTE_BORROWED = "the SSN belongs to a person whose first name and date of birth disagree"
NOTE_LOOKALIKE = "no SSN or A-number agrees and the first name or date of birth agrees only loosely"
NOTE_WEAK = "evidence too weak to act on"
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
    checks = match_checks(pairs)
    refusals = refusal_checks(pairs)
    for row in range(rows):
        i = int(best_index[row])
        if i < 0:
            notes[row].append(NOTE_NO_CANDIDATE)
            continue
        failed = [note for note, ok in checks if not ok[i]]
        if lead[row] < policy.margin_bits:
            failed.insert(0, NOTE_RUNNER_UP)
        refused = [note for note, hit in refusals if hit[i]]
        if score[row] >= policy.match_probability and not failed:
            decision[row] = Decision.MATCH
        elif refused:
            notes[row].extend(refused)
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
        reasons.append("; ".join(phrases + notes[row]))
    for row in range(rows):
        if decision[row] is Decision.NO_MATCH:  # name no one for a no_match
            pid[row] = second_pid[row] = NO_PERSON
            second_score[row] = 0.0
    return Decisions(decision, best_index, pid, score, second_pid, second_score, reasons)


def _identified(pairs: ScoredPairs) -> Mask:
    level = pairs.has_level
    result: Mask = level("ssn", IDENTIFIER_AGREES) | level("a_number", IDENTIFIER_AGREES)
    return result


def _name_only(pairs: ScoredPairs) -> Mask:
    result: Mask = pairs.missing("ssn") & pairs.missing("a_number") & pairs.missing("dob")
    return result


def match_checks(pairs: ScoredPairs) -> list[tuple[str, Mask]]:
    """The non-probability conditions for ``match``, each with the note shown when it fails."""
    if not len(pairs):
        return []
    level = pairs.has_level
    identified = _identified(pairs)
    ssn_one_edit = level("ssn", ("one_edit",)) & ~level("a_number", ("exact",))
    dob_exact = level("dob", ("exact",))
    dob_missing = pairs.missing("dob")
    first_loose = level("first_name", FIRST_NAME_LOOSE) | (
        level("first_name", ("somewhat",)) & level("dob", DOB_AGREES)
    )
    unrecorded_marriage = level("ssn", ("exact",)) & level("first_name", ("exact",)) & dob_exact
    surname_loose = level("surname", SURNAME_LOOSE) | unrecorded_marriage
    name_only = _name_only(pairs)
    name_only_strong = (
        level("first_name", ("exact",))
        & level("surname", ("exact",))
        & level("address", ("line_and_zip",))
        & ~level("middle_name", ("different",))
    )
    return [
        (NOTE_SSN_CONFLICT, ~level("ssn", SSN_CONFLICTS)),
        (NOTE_DOB_CONFLICT, dob_missing | level("dob", DOB_EXPLAINED)),
        (NOTE_ONE_EDIT_DOB, ~ssn_one_edit | level("dob", DOB_EXPLAINED)),
        (
            NOTE_FIRST_NAME,
            np.where(identified, first_loose, level("first_name", FIRST_NAME_STRICT)),
        ),
        (NOTE_SURNAME, np.where(identified, surname_loose, level("surname", SURNAME_STRICT))),
        (NOTE_UNCONFIRMED, identified | dob_exact | name_only),
        (NOTE_MIDDLE_CONFLICT, identified | ~level("middle_name", ("different",))),
        (NOTE_ADDRESS_CONFLICT, identified | ~level("address", ("different",))),
        (NOTE_NAME_ONLY, ~name_only | name_only_strong),
    ]


def refusal_checks(pairs: ScoredPairs) -> list[tuple[str, Mask]]:
    """Patterns answered ``no_match`` whatever the probability (see the module docstring)."""
    if not len(pairs):
        return []
    level = pairs.has_level
    identified = _identified(pairs)
    first_bad = level("first_name", ("different", "somewhat"))
    dob_bad = level("dob", ("different", "one_part"))
    borrowed = level("ssn", ("exact",)) & first_bad & (dob_bad | pairs.missing("dob"))
    lookalike = ~identified & (
        ~level("first_name", (*FIRST_NAME_STRICT, "nickname", "close"))
        | ~(level("dob", DOB_EXPLAINED) | pairs.missing("dob"))
    )
    ssn_conflict = level("ssn", ("different",)) & ~level("a_number", IDENTIFIER_AGREES)
    return [
        (NOTE_BORROWED, borrowed),
        (NOTE_SSN_CONFLICT, ssn_conflict),
        (NOTE_LOOKALIKE, lookalike & ~ssn_conflict),
        (NOTE_NAME_ONLY, _name_only(pairs)),
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
