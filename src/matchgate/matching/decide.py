"""From scored pairs to one decision per request row.

The model's probability says how likely the best candidate is the person; the rules below say
when that is enough to *act*. A wrong match discloses one person's records to an agency looking
for someone else, so ``match`` needs all of:

* a probability of at least :attr:`Policy.match_probability`;
* a lead of at least :attr:`Policy.margin_bits` over the runner-up (the best is that many times
  more likely than the next person), so near-ties go to review;
* no conflicting identifier or date of birth: a request SSN more than one keystroke from the
  person's, or a date of birth that differs in a way no common error explains (a day-month swap,
  a January 1 placeholder, a year off by one or ten), is how another person looks. An SSN on
  nobody's record (no candidate holds it or one a keystroke away: :func:`unheld_ssn`) is a
  keying error, not another person's number: it identifies no one, so the row is held to the
  rules for rows without an SSN, the address or middle name confirming names and birthday, and
  refused as a conflict where those would not match;
* not an SSN confirmed only by what a household shares (:func:`relative_using_ssn`: no date of
  birth agrees, the first name is unknown or agrees only loosely, the middle name differs): a
  relative using a household member's number on a wage or tax record (to review);
* a first name that agrees, how strictly depending on what else agrees:

  - *identified* (SSN or A-number equal or one keystroke off): in any explained way (exactly, as
    a nickname or other spelling, closely, by sound, as an initial, as the middle name, or
    written in the surname field), or only somewhat similar while the date of birth agrees;
  - *not identified*: no address that contradicts (another ZIP code: a namesake elsewhere,
    or a person who moved, for review), the date of birth agrees exactly (or with a keying error
    that cannot make a parent of a child, day and month swapped, January 1, a year off by one
    or ten, one digit mistyped, when both names agree exactly; the same day of the year a
    generation apart is a Junior, not a keying error), and the first name exactly (or as an
    earlier first name, or swapped with the surname; a nickname goes to review: ROSA and ROSE are
    one name to a dictionary and two people to a family); with
    :attr:`Policy.confirm_names_and_birthday`, the address or the middle name must also agree
    (two people with one name and one birthday are rare but, in a file of tens of thousands
    against millions, not absent);
  - *a name alone* (no SSN, A-number or date of birth): only exact names at the same address
    line and ZIP, clearly ahead of anyone else;
  - *no SSN to compare, one field uncertain* (census-style rows, :func:`without_identifier`):
    one field unknown or keyed wrong while the rest pins the person down; every check passes
    but the probability and the lead. A first name spelled like the person's that is itself a
    name in use in the master (:func:`~matchgate.matching.evidence.distinct_first_name`: MARY
    for MARK) is not "keyed wrong": it is a twin's name, and neither this nor corroboration
    forgives it (``established_name``).

The rest (a surname spelled another way, a middle name or address that differs, an SSN one
keystroke off without a birthday) the model weighs: the probability and the lead decide. Rules
that bought nothing beyond them on the evaluation suite's development sets were dropped
(``docs/matching.md``, each rule's cost and benefit).

Review is for what a person can settle: a near tie, a strong candidate with one unexplained
disagreement, a close spelling of the first name with everything else agreeing. These are
*not* sent to review but answered ``no_match``, because the evidence itself says "another person":

* the SSN belongs to a master person whose first name and date of birth both disagree (a
  borrowed SSN; the SSA code says the name did not match);
* no identifier agrees and the first name, or the date of birth, agrees only loosely or not at
  all (the look-alike pattern: same surname and birthday, a similar given name);
* no identifier agrees, the first name is only a nickname or close spelling, and the address is
  in another ZIP code with no middle name to confirm: surname and birthday are all that agree
  exactly (another person with a similar given name, not one who moved);
* the request's SSN conflicts with the best candidate's and nothing else identifies them;
* a name-only request short of the rule above.

One conflicting field (of SSN, first name, surname and date of birth) is forgiven when independent
identifiers corroborate strongly (:func:`corroborated`): an anchor (the SSN or A-number equal or one
keystroke off, or the names agreeing with the address line), at least :data:`CORROBORATION_NEEDED`
points, 2 for each independent identifier that agrees exactly (SSN, A-number, date of birth, address
line) and 1 for each name that agrees; no ZIP conflict on top; and no other candidate of the request
that agrees on the conflicting field. Two conflicting fields are forgiven with the SSN (equal or one
keystroke off) and either the birthday (:data:`STRONG_CORROBORATION` points) or the first name and
address line; or with the first name, the birthday and the address line. Records keyed with clerical
errors (FEBRL's corruptions: a first name replaced, a birth date mistyped, an SSN with several wrong
digits) look like this. A borrowed SSN (the SSN and at most the surname and address agree, first
name and birthday both differ), a look-alike (surname and birthday, no anchor), a relative (surname
and address, another first name and birthday) or an absent twin (surname, birthday and address, her
own SSN) never gathers it, and a twin, a parent or the SSN's owner in the master who agrees on the
conflicting field takes the corroboration away. What remains possible is the known limit written in
``docs/matching.md``: a person *absent* from the master who uses a present person's SSN and shares
the names, or the first name, birthday and address, with them.

Finally, one master person is matched at most once per file: when several rows would match the
same person, the strongest keeps ``match`` (the first in file order on a tie) and the others
become ``possible``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchgate.domain.decision import Decision
from matchgate.matching.evidence import (
    DOB_AGREES,
    DOB_CONFLICTS,
    DOB_EXPLAINED,
    DOB_KEYING_ERRORS,
    FIRST_NAME_LOOSE,
    FIRST_NAME_STRICT,
    IDENTIFIER_AGREES,
    SSN_CONFLICTS,
    corroborated,
    identified,
    name_only,
    relative_using_ssn,
    unheld_ssn,
    without_identifier,
)
from matchgate.matching.model import Floats, Ints, ScoredPairs, probability

NO_PERSON = -1
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Policy:
    """Decision thresholds (probabilities are per candidate, from the model)."""

    match_probability: float = 0.99
    possible_probability: float = 0.5
    margin_bits: float = 6.64  # 100 times more likely than the runner-up
    confirm_names_and_birthday: bool = False
    """Without an identifier, also require the address or the middle name to agree (names and
    birthday alone go to review). Off by default: on the benchmarks it turns about 0.3% of
    present people into reviews to avoid about 0.05% of absent look-alikes with the very same
    standardized name and birthday (docs/matching.md)."""


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
NOTE_UNCONFIRMED = "no SSN or A-number agrees and the date of birth does not agree exactly"
NOTE_ADDRESS_CONFLICT = "no SSN or A-number agrees and the address differs"
NOTE_NAMES_AND_DOB_ONLY = (
    "only the names and date of birth agree: neither address nor middle name confirms them"
)
NOTE_RELATIVE = (
    "only the surname confirms the SSN: the first name is unknown or agrees loosely and the "
    "middle name differs"
)
NOTE_NAME_ONLY = "only a name was given and it is not unique and certain at this address"
NOTE_BORROWED = "the SSN belongs to a person whose first name and date of birth disagree"
NOTE_LOOKALIKE = "no SSN or A-number agrees and the first name or date of birth agrees only loosely"
NOTE_LOOKALIKE_ELSEWHERE = (
    "no SSN or A-number agrees, the first name is only a variant and the address is elsewhere"
)
NOTE_WEAK = "evidence too weak to act on"
NOTE_TAKEN = "another request in this file matches this person more strongly"
NOTE_NO_CANDIDATE = "no candidate found"

RULES = (
    "runner_up",
    "ssn_conflict",
    "unheld_ssn",
    "relative_ssn",
    "dob_conflict",
    "first_name",
    "unconfirmed",
    "address_conflict",
    "names_and_dob_only",
    "name_only",
    "corroborated",
    "household",
    "established_name",
    "without_identifier",
    "refuse_borrowed",
    "refuse_ssn_conflict",
    "refuse_lookalike",
    "refuse_lookalike_elsewhere",
    "refuse_name_only",
    "one_per_person",
)
"""Every decision rule by name. ``decide(..., off=...)`` switches rules off one at a time so the
evaluation suite can measure what each buys (``bench/eval_suite.py --ablation``); it is not a
setting: matching always runs them all. Off means: a ``match`` check passes every pair, a
refusal refuses none, an override (``corroborated``, ``household``, ``without_identifier``)
forgives none (``household``: a look-alike candidate no longer takes corroboration away;
``established_name``: a first name in use of its own no longer does),
``unheld_ssn`` counts an SSN on nobody's record as a conflict like any other, and
``one_per_person`` lets several rows match one person."""


def _first_per_request(rid: Ints, weight: Floats, pid: Ints) -> tuple[Ints, Ints, Ints]:
    """Order pairs by request, then weight (descending), then person (a tie goes to the lower
    pid, whatever order the pairs came in); return the order, each request's first position in
    it, and the requests."""
    order = np.lexsort((pid, -weight, rid))
    ordered = rid[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return order, starts, ordered[starts]


def decide(
    rows: int,
    pairs: ScoredPairs,
    policy: Policy = Policy(),
    *,
    off: frozenset[str] = frozenset(),
) -> Decisions:
    """Decide every request row; rows without candidates (or unusable) are ``no_match``.

    ``off``: names from :data:`RULES` to switch off (measurement only)."""
    unknown = off - set(RULES)
    if unknown:
        raise ValueError(f"unknown decision rules: {sorted(unknown)}")
    pid = np.full(rows, NO_PERSON, dtype=np.int64)
    second_pid = np.full(rows, NO_PERSON, dtype=np.int64)
    score = np.zeros(rows)
    second_score = np.zeros(rows)
    best_index = np.full(rows, -1, dtype=np.int64)
    best_weight = np.full(rows, -np.inf)
    lead = np.full(rows, np.inf)
    if len(pairs):
        order, starts, requests = _first_per_request(pairs.rid, pairs.weight, pairs.pid)
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
    # The rules read each row's best pair (and, for corroboration, the row's other candidates).
    chosen = pairs.take(best_index[best_index >= 0])
    at = np.cumsum(best_index >= 0) - 1  # row -> its best pair's position in ``chosen``
    strong = np.zeros(len(chosen), dtype=np.bool_)
    unheld = np.zeros(len(chosen), dtype=np.bool_)
    if len(chosen) and "unheld_ssn" not in off:
        unheld = unheld_ssn(chosen, among=pairs)
    if len(chosen) and "corroborated" not in off:
        strong |= corroborated(
            chosen,
            among=pairs,
            household="household" not in off,
            established="established_name" not in off,
        )
    if len(chosen) and "without_identifier" not in off:
        strong |= without_identifier(chosen, unheld, established="established_name" not in off)
    checks = [
        (note, ok)
        for rule, note, ok in named_match_checks(
            chosen, confirm=policy.confirm_names_and_birthday, strong=strong, unheld=unheld
        )
        if rule not in off
    ]
    # An SSN on nobody's record is forgiven only where everything else would let the pair match.
    passes = np.logical_and.reduce([ok for _, ok in checks], initial=True)
    refusals = [
        (note, hit)
        for rule, note, hit in named_refusal_checks(chosen, strong=strong, forgiven=unheld & passes)
        if rule not in off
    ]
    for row in range(rows):
        if best_index[row] < 0:
            notes[row].append(NOTE_NO_CANDIDATE)
            continue
        i = int(at[row])
        failed = [note for note, ok in checks if not ok[i]]
        if lead[row] < policy.margin_bits and "runner_up" not in off:
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

    if "one_per_person" not in off:
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


def named_match_checks(
    pairs: ScoredPairs, *, strong: Mask, confirm: bool = False, unheld: Mask | None = None
) -> list[tuple[str, str, Mask]]:
    """The non-probability conditions for ``match``, each with its name from :data:`RULES` and
    the note shown when it fails.

    A pair passes them all, or is *corroborated* (``strong``: :func:`corroborated`): then every
    check counts as passed. ``unheld``: pairs whose SSN is on nobody's record
    (:func:`~matchgate.matching.evidence.unheld_ssn`): their SSN is no conflict, and since it
    identifies no one they are held to the rules for rows without one, with the address or the
    middle name confirming the names and birthday (the number given is still weak evidence
    against)."""
    if not len(pairs):
        return []
    level = pairs.has_level
    has_id = identified(pairs)
    if unheld is None:
        unheld = np.zeros(len(pairs), dtype=np.bool_)
    dob_missing = pairs.missing("dob")
    first_loose = (
        level("first_name", FIRST_NAME_LOOSE)
        | (level("first_name", ("somewhat",)) & level("dob", DOB_AGREES))
        | pairs.missing("first_name")
    )
    only_name = name_only(pairs)
    name_only_strong = (
        level("first_name", ("exact",))
        & level("surname", ("exact",))
        & level("address", ("line_and_zip",))
        & ~level("middle_name", ("different",))
    )
    checks = [
        ("ssn_conflict", NOTE_SSN_CONFLICT, ~level("ssn", SSN_CONFLICTS) | unheld),
        ("relative_ssn", NOTE_RELATIVE, ~relative_using_ssn(pairs)),
        ("dob_conflict", NOTE_DOB_CONFLICT, dob_missing | level("dob", DOB_EXPLAINED)),
        (
            "first_name",
            NOTE_FIRST_NAME,
            np.where(has_id, first_loose, level("first_name", FIRST_NAME_STRICT)),
        ),
        (
            "unconfirmed",
            NOTE_UNCONFIRMED,
            has_id
            | level("dob", ("exact",))
            | only_name
            | (
                level("dob", DOB_KEYING_ERRORS)
                & level("first_name", ("exact",))
                & level("surname", ("exact",))
            ),
        ),
        (
            "address_conflict",
            NOTE_ADDRESS_CONFLICT,
            has_id
            | ~level("address", ("zip_differs", "different"))
            | level("middle_name", ("exact", "initial")),
        ),
        (
            "names_and_dob_only",
            NOTE_NAMES_AND_DOB_ONLY,
            has_id
            | only_name
            | (np.full(len(pairs), not confirm) & ~unheld)
            | level("address", ("line_and_zip", "line", "line_close", "zip"))
            | level("middle_name", ("exact", "initial")),
        ),
        ("name_only", NOTE_NAME_ONLY, ~only_name | name_only_strong),
    ]
    return [(rule, note, ok | strong) for rule, note, ok in checks]


def named_refusal_checks(
    pairs: ScoredPairs, *, strong: Mask, forgiven: Mask | None = None
) -> list[tuple[str, str, Mask]]:
    """Patterns answered ``no_match`` whatever the probability (see the module docstring), each
    with its name from :data:`RULES`; ``strong``: :func:`corroborated`; ``forgiven``: pairs whose
    SSN is on nobody's record and that pass every match check (their SSN is not refused as a
    conflict)."""
    if not len(pairs):
        return []
    if forgiven is None:
        forgiven = np.zeros(len(pairs), dtype=np.bool_)
    level = pairs.has_level
    has_id = identified(pairs)
    first_bad = level("first_name", ("different", "somewhat"))
    dob_bad = level("dob", DOB_CONFLICTS)
    borrowed = level("ssn", ("exact",)) & first_bad & (dob_bad | pairs.missing("dob")) & ~strong
    lookalike = ~has_id & (
        ~level("first_name", (*FIRST_NAME_STRICT, "nickname", "close"))
        | ~(level("dob", DOB_EXPLAINED) | pairs.missing("dob"))
    )
    # A variant of the first name with an address in another ZIP code and no middle name to
    # confirm: surname and birthday are all that agree exactly, which is what another person
    # with a similar given name looks like (synth's absent look-alikes), not a person who moved.
    elsewhere = (
        ~has_id
        & level("first_name", ("nickname", "close"))
        & level("address", ("zip_differs", "different"))
        & ~level("middle_name", ("exact", "initial"))
    )
    ssn_conflict = (
        level("ssn", ("different",)) & ~level("a_number", IDENTIFIER_AGREES) & ~strong & ~forgiven
    )
    return [
        ("refuse_borrowed", NOTE_BORROWED, borrowed),
        ("refuse_ssn_conflict", NOTE_SSN_CONFLICT, ssn_conflict),
        ("refuse_lookalike", NOTE_LOOKALIKE, lookalike & ~ssn_conflict),
        (
            "refuse_lookalike_elsewhere",
            NOTE_LOOKALIKE_ELSEWHERE,
            elsewhere & ~lookalike & ~ssn_conflict,
        ),
        ("refuse_name_only", NOTE_NAME_ONLY, name_only(pairs)),
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
