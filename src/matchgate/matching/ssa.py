"""SSA verification codes (data contract, section 4) for request rows that carry an SSN.

SSNVS/EVS answer a different question from matching: *does this SSN belong to this name (and
date of birth)?* The code is worked out from the request's SSN and the master person holding it
(the *owner*, a candidate found by the exact-SSN block), with the matcher's name comparison:

====  =============================================================================
code  when
====  =============================================================================
(blank)  the SSN is on file and the owner's name agrees; the date of birth agrees or was
         not given
``1``    the SSN is not on file (never issued: an unissuable number, even when a master record
         holds it too, or no holder)
``3``    the owner's name agrees but the date of birth does not
``5``    the owner's name does not agree (date of birth not checked)
``6``    the SSN could not be verified for another reason: the row is unusable (no name),
         or more than one master record holds the SSN
``*``    the SSN did not verify (codes 1 or 5), but the matcher found this person, with
         another (issuable) SSN, by a ``match`` decision, and that person's name and date of
         birth verify against the claim; that SSN is the ``located_ssn``
====  =============================================================================

"Name agrees" is the one SSA name-verification rule of
:mod:`matchgate.standardize.name_verification`, which the fallback for match outputs without
``ssa_code`` (:mod:`matchgate.master.verification`) uses too: what the fixed-width layout loses
(truncation at 13/10 characters, spaces, hyphens, apostrophes) and no more: not the matcher's
tolerance (nicknames, romanizations, close spellings, swaps), which serves *finding* a person,
not *verifying* that an SSN is theirs. A name missing on either side (or a placeholder such as
``FNU``, standardized to none) is not compared: the code follows the other fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.domain.decision import Decision
from matchgate.matching.decide import Decisions
from matchgate.matching.model import Ints, ScoredPairs
from matchgate.standardize.identifiers import format_ssn, ssn_is_issuable
from matchgate.standardize.name_verification import names_verify

SSN_INVALID_WARNING = "W_SSN_INVALID"
DOB_OK = ("exact",)
Names = Mapping[int, tuple[str | None, str | None]]
"""Standardized (first name, surname) of master persons, by internal pid."""


@dataclass(frozen=True)
class SsaCodes:
    """One code per request row (``""`` when the row carries no SSN; the blank code is
    :data:`BLANK`) and the located SSN for ``*`` (else ``""``)."""

    code: list[str]
    located_ssn: list[str]


BLANK = "blank"
"""The blank verification code (SSN, name and DOB agree), spelled out in CSV output so that it is
not confused with "no code" (a row without an SSN); the fixed-width writer prints a space."""


def owner_pids(pairs: ScoredPairs) -> Ints:
    """The persons holding a request's SSN exactly (whose names :func:`ssa_codes` needs)."""
    if not len(pairs):
        return np.zeros(0, dtype=np.int64)
    result: Ints = pairs.pid[pairs.has_level("ssn", ("exact",))]
    return result


def ssa_codes(
    requests: pa.Table,
    pairs: ScoredPairs,
    decisions: Decisions,
    master_ssn: Ints,
    master_names: Names,
) -> SsaCodes:
    """The code of every request row; ``master_ssn[i]`` is the SSN of pair ``i``'s person (or
    -1), used for the located SSN; ``master_names`` the names of :func:`owner_pids` and of each
    row's best candidate."""
    rows = requests.num_rows
    given = requests["ssn"].to_numpy(zero_copy_only=False)
    warnings = requests["warning_codes"].to_pylist()
    errors = pc.is_valid(requests["error_code"]).to_numpy(zero_copy_only=False)
    firsts = requests["first"].to_pylist()
    lasts = requests["last"].to_pylist()
    owners: dict[int, list[int]] = {}
    dob_blank = dob_ok = np.zeros(len(pairs), dtype=bool)

    def name_ok(row: int, pair: int) -> bool:
        first, last = master_names.get(int(pairs.pid[pair]), (None, None))
        return bool(names_verify(firsts[row], lasts[row], first, last))

    if len(pairs):
        dob_blank = pairs.missing("dob")
        dob_ok = pairs.has_level("dob", DOB_OK)
        exact = pairs.has_level("ssn", ("exact",))
        for index in np.flatnonzero(exact).tolist():
            owners.setdefault(int(pairs.rid[index]), []).append(int(index))
    codes: list[str] = []
    located: list[str] = []
    for row in range(rows):
        has_ssn = given[row] is not None and not (
            isinstance(given[row], float) and np.isnan(given[row])
        )
        invalid = SSN_INVALID_WARNING in (warnings[row] or "")
        if not has_ssn and not invalid:
            codes.append("")
            located.append("")
            continue
        if errors[row]:
            codes.append("6")
            located.append("")
            continue
        # A never-issued number has no holder at the SSA, whoever else in the master holds it.
        mine = [] if invalid else owners.get(row, [])
        if len(mine) > 1:
            codes.append("6")
            located.append("")
            continue
        code = "1"
        if mine:
            i = mine[0]
            dob_agrees = dob_blank[i] or dob_ok[i]
            code = "5" if not name_ok(row, i) else (BLANK if dob_agrees else "3")
        best = int(decisions.best[row])
        if (
            code in ("1", "5")
            and decisions.decision[row] is Decision.MATCH
            and best >= 0
            and master_ssn[best] >= 0
            and ssn_is_issuable(format_ssn(int(master_ssn[best])))
            and (not mine or best != mine[0])
            and name_ok(row, best)
            and (dob_blank[best] or dob_ok[best])
        ):
            codes.append("*")
            located.append(format_ssn(int(master_ssn[best])))
            continue
        codes.append(code)
        located.append("")
    return SsaCodes(codes, located)
