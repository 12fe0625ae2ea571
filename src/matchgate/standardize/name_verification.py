"""The one SSA name-verification rule: does the name claimed with an SSN agree with its holder's?

SSNVS/EVS (data contract, section 4) answer whether an SSN belongs to a named person. Both paths
that answer it use this rule and no other: ``matchgate match`` (:mod:`matchgate.matching.ssa`,
the ``ssa_code`` column, and so ``match --format ssnvs`` and submissions whose matcher writes that
column) and the fallback for a match output without ``ssa_code``
(:mod:`matchgate.master.verification`). docs/matching.md ("SSA verification codes") says why it
is this rule.

Names are compared after standardization (:func:`~matchgate.standardize.names.standardize_name`:
letters folded to A-Z, apostrophes and periods removed, generational suffixes dropped, a
placeholder such as ``FNU`` read as no name) and without spaces. A claimed name agrees with the
recorded one when

* it is the recorded name (``MARIA JOSE`` = ``Maria-José``, ``OMALLEY`` = ``O'Malley``,
  ``DELACRUZ`` = ``De La Cruz``), or
* it is what the fixed-width layout keeps of a longer recorded name: the recorded name is at
  least as long as the field (13 characters for the last name, 10 for the first), and the claim
  is a prefix of it no shorter than the letters of the recorded name's first 13 (10) characters,
  less one for an apostrophe or period the layout kept and standardization removed
  (``CHRISTOPHE`` for ``Christopher``, ``DE LA CRUZ GA`` for ``De La Cruz Garcia``).

Nothing else agrees: not a nickname (``BILL`` for ``William``), not another romanization, not a
close spelling, not a dropped second surname, not given and family names swapped, not an
earlier name. A verification says "this SSN is this person's": a tolerance that lets a relative's
or a namesake's first name through verifies a borrowed SSN, and nobody reviews a verified
answer, while a name that does not agree (code 5) becomes a case a person settles.

Unknown is not different: a name missing on either side (empty, or a placeholder) is not
compared; the names that are known on both sides must all agree, and at least one must be
compared. A claim without any usable name cannot be verified (code 6).
"""

from __future__ import annotations

from matchgate.standardize.names import compact

LAST_NAME_WIDTH = 13
"""Characters of the last-name field of the fixed-width layout."""
FIRST_NAME_WIDTH = 10
"""Characters of the first-name field of the fixed-width layout."""
CUT_SLACK = 1
"""Letters a cut at the field's width may lose beyond what the standardized name shows (an
apostrophe or period among the characters kept, which standardization removes)."""


def name_verifies(claim: str, record: str, width: int) -> bool:
    """Whether the standardized name ``claim`` agrees with the standardized ``record`` under
    the rule (both non-empty; see the module docstring)."""
    said, held = compact(claim), compact(record)
    if not said or not held:
        return False
    if said == held:
        return True
    if len(record) < width or not held.startswith(said):
        return False
    return len(said) >= len(compact(record[:width])) - CUT_SLACK


def names_verify(
    claim_first: str | None,
    claim_last: str | None,
    record_first: str | None,
    record_last: str | None,
) -> bool | None:
    """Whether a claim's names agree with a record's (standardized; ``""`` or None when missing).

    None when the claim has no usable name (code 6); else True when every name known on both
    sides agrees and at least one is compared."""
    if not claim_first and not claim_last:
        return None
    compared = []
    if claim_last and record_last:
        compared.append(name_verifies(claim_last, record_last, LAST_NAME_WIDTH))
    if claim_first and record_first:
        compared.append(name_verifies(claim_first, record_first, FIRST_NAME_WIDTH))
    return bool(compared) and all(compared)
