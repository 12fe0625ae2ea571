"""The evidence the decision rules read from a scored pair: which comparison levels count as
agreeing, and the two *overrides* that let a pair with one uncertain or conflicting field match
(:func:`corroborated`, :func:`without_identifier`). The rules themselves, and why, are in
:mod:`matchgate.matching.decide`."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchgate.matching.model import Floats, ScoredPairs

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
DOB_EXPLAINED = (
    "exact",
    "swapped",
    "january_first",
    "year_off",
    "year_digits_swapped",
    "one_digit",
)
DOB_AGREES = ("exact", "swapped")
DOB_CONFLICTS = ("different", "one_part", "generation")
"""Birthdays that describe another person: different, differing in two of day, month and year,
or the same day of the year a generation apart (a father and a Junior born on his birthday:
1962-05-03 and 1992-05-03 are one digit apart, but no keying error)."""


ESTABLISHED_NAME_COUNT = 5
ESTABLISHED_NAME_SHARE = 1e-5
"""A first name held by at least this many people of the master, and this share of it, is
*established*: a name parents give, not a spelling a keying slip produces (one in 100,000 people
of a national master; 5 of a small one, where a typo's spelling may be held by one or two)."""


def distinct_first_name(pairs: ScoredPairs) -> Mask:
    """First names that differ by a close spelling or by sound where both spellings are
    established first names of the master (:data:`ESTABLISHED_NAME_COUNT`): MARY and MARK, DONG
    and LONG, YOUNG-HO and YOUNG-HEE. Two names, as a twin's is to her sister's; a keying slip,
    on either record, seldom lands on another name in use. Without an identifier such a pair is
    not corroborated (``docs/matching.md``: what it costs, mostly one name spelled in two
    languages, sent to review)."""
    asked, held = _name_counts(pairs, "first_c")
    result: Mask = (
        pairs.has_level("first_name", ("close", "phonetic"))
        & _established(asked, pairs.people)
        & _established(held, pairs.people)
    )
    return result


def _name_counts(pairs: ScoredPairs, column: str) -> tuple[Floats, Floats]:
    """Master counts of the request's and of the person's value of ``column`` (0 where the
    scorer counted none: a scorer that does not say makes neither rule apply)."""
    none = np.zeros(len(pairs))
    return pairs.tf_counts.get(column, none), pairs.master_tf_counts.get(column, none)


def _established(counts: Floats, people: int) -> Mask:
    result: Mask = counts >= max(ESTABLISHED_NAME_COUNT, ESTABLISHED_NAME_SHARE * people)
    return result


UNHELD_NAME_SHARE = 1e-6
"""A spelling held by fewer than this share of the master (and by no one in a master of under
a million) is nobody's name: a keying slip."""


def misspelt(pairs: ScoredPairs, comparison: str, column: str) -> Mask:
    """Names that differ by a close spelling or by sound where the request's spelling is held by
    (almost) no one in the master and the person's is an established name: BENJSMIN for
    BENJAMIN. A twin or a look-alike has a name of their own; this is the person's, mistyped."""
    asked, held = _name_counts(pairs, column)
    result: Mask = (
        pairs.has_level(comparison, ("close", "phonetic"))
        & (asked < max(1.0, UNHELD_NAME_SHARE * pairs.people))
        & _established(held, pairs.people)
    )
    return result


def identified(pairs: ScoredPairs) -> Mask:
    level = pairs.has_level
    result: Mask = level("ssn", IDENTIFIER_AGREES) | level("a_number", IDENTIFIER_AGREES)
    return result


def unheld_ssn(pairs: ScoredPairs, among: ScoredPairs) -> Mask:
    """Pairs whose request SSN conflicts with the person's and is on nobody's record: no
    candidate of the request (``among``: all of them; every holder of the SSN or of one a
    keystroke away is one) holds it or one a keystroke away. A number no one holds is a keying or
    clerical error, weak evidence against; one that someone else holds is strong evidence
    against."""
    held = np.unique(among.rid[among.has_level("ssn", IDENTIFIER_AGREES)])
    result: Mask = pairs.has_level("ssn", SSN_CONFLICTS) & ~np.isin(pairs.rid, held)
    return result


def relative_using_ssn(pairs: ScoredPairs) -> Mask:
    """The SSN agrees, but only what a household shares confirms it: no date of birth agrees,
    the first name is unknown or agrees only loosely (by sound, as an initial, as the middle
    name), and the middle name differs. A relative who uses a household member's SSN on a wage
    or tax record looks like this."""
    level = pairs.has_level
    result: Mask = (
        level("ssn", IDENTIFIER_AGREES)
        & ~level("dob", DOB_EXPLAINED)
        & (pairs.missing("first_name") | level("first_name", ("phonetic", "initial", "middle")))
        & level("middle_name", ("different",))
    )
    return result


def name_only(pairs: ScoredPairs) -> Mask:
    result: Mask = pairs.missing("ssn") & pairs.missing("a_number") & pairs.missing("dob")
    return result


CORROBORATION_NEEDED = 4
"""Corroboration points (see :func:`corroboration`) that let a pair with conflicting fields
match."""


STRONG_CORROBORATION = 5
"""Points that let a pair with two conflicting fields match when the SSN (equal or one keystroke
off) and the date of birth agree exactly (both names replaced, the address or ZIP code
confirming)."""


def corroboration(pairs: ScoredPairs) -> npt.NDArray[np.int64]:
    """Points per pair: 2 for each independent identifier that agrees exactly (SSN, A-number,
    date of birth, full address line), 1 for a near agreement of those (SSN or A-number one
    keystroke off, an explained date-of-birth error, an address line spelled closely or agreeing
    in part, the ZIP code alone) and 1 for each name that agrees."""
    level = pairs.has_level
    points = np.zeros(len(pairs), dtype=np.int64)
    for mask, value in (
        (level("ssn", ("exact",)), 2),
        (level("ssn", ("one_edit",)), 1),
        (level("a_number", ("exact",)), 2),
        (level("a_number", ("one_edit",)), 1),
        (level("dob", ("exact",)), 2),
        (level("dob", DOB_EXPLAINED[1:]), 1),
        (level("address", ("line_and_zip", "line")), 2),
        (level("address", ("line_close", "line_part", "earlier", "zip")), 1),
        (level("first_name", ("exact", "nickname", "close", "swapped", "earlier")), 1),
        (level("surname", (*SURNAME_STRICT, "close")), 1),
    ):
        points += np.where(mask, value, 0)
    return points


def conflicts(pairs: ScoredPairs) -> dict[str, Mask]:
    level = pairs.has_level
    return {
        "ssn": level("ssn", SSN_CONFLICTS),
        "first_name": level("first_name", ("different", "somewhat")),
        "surname": level("surname", ("different", "somewhat")),
        "dob": level("dob", DOB_CONFLICTS),
    }


def corroborated(
    pairs: ScoredPairs,
    among: ScoredPairs | None = None,
    *,
    household: bool = True,
    established: bool = True,
) -> Mask:
    """Pairs whose agreeing fields outweigh their conflicting ones (see the module docstring);
    ``among`` holds every candidate of their requests (default: ``pairs`` themselves);
    ``established=False`` lets a first name in use of its own corroborate (measurement only).

    Needed: at most one conflicting field of SSN, first name, surname and date of birth; an
    *anchor* (SSN or A-number equal or one keystroke off; both names agreeing, exactly, closely,
    as a nickname or swapped, with the address line agreeing, the date of birth not conflicting
    and one of them exactly equal), :data:`CORROBORATION_NEEDED` points. Two conflicting fields
    need the SSN (equal or one keystroke off) with the date of birth exactly and
    :data:`STRONG_CORROBORATION` points, or with the first name exactly and the address line
    (exactly or closely); or the first name, the date of birth and the address line exactly.
    Always: no other candidate of the same request that agrees
    on a field this pair conflicts on (a twin, a parent or the owner of the SSN given is the
    person that field describes). A pair with a conflicting field must not also have a
    conflicting address (a ZIP code one keystroke off with another address line conflicts), and
    one whose SSN conflicts needs an address that agrees."""
    level = pairs.has_level
    dob_ok = pairs.missing("dob") | level("dob", DOB_EXPLAINED)
    names = level("first_name", ("exact", "nickname", "close")) & level(
        "surname", ("exact", "close")
    )
    names_or_swapped = names | level("surname", ("swapped",))
    dob_exact = level("dob", ("exact",))
    has_id = identified(pairs)
    anchor = has_id | (
        names_or_swapped
        & dob_ok
        & (
            (
                level("address", ("line_and_zip", "line", "line_close"))
                & (dob_exact | level("address", ("line_and_zip", "line")))
            )
            | (level("address", ("line_part",)) & dob_exact)
        )
    )
    conflicting = conflicts(pairs)
    any_conflict = np.logical_or.reduce(list(conflicting.values()))
    address_agrees = level("address", ("line_and_zip", "line", "line_close", "line_part", "zip"))
    conflict_count = np.sum(np.stack(list(conflicting.values())), axis=0)
    points = corroboration(pairs)
    result: Mask = (
        (
            anchor
            & (
                ((points >= CORROBORATION_NEEDED) & (conflict_count <= 1))
                | (
                    (conflict_count <= 2)
                    & level("ssn", IDENTIFIER_AGREES)
                    & (
                        (dob_exact & (points >= STRONG_CORROBORATION))
                        # A surname changed (marriage) and a mistyped birthday: the SSN, the first
                        # name and the address line (exactly or closely) still agree. Someone else
                        # using the SSN at that address (a relative) shares the surname, not the
                        # first name.
                        | (
                            level("first_name", ("exact",))
                            & level("address", ("line_and_zip", "line", "line_close"))
                        )
                    )
                )
            )
            | (
                # A surname changed (marriage) and a wrong SSN on one record: the first name, the
                # whole birthday and the address line agree. A relative at that address shares the
                # surname, not the first name and birthday.
                (conflict_count <= 2)
                & level("first_name", ("exact",))
                & dob_exact
                & level("address", ("line_and_zip", "line"))
            )
        )
        # With a conflicting field the address may not conflict as well (a ZIP code one
        # keystroke off with another address line is the next area, not a typo: a twin living
        # nearby), and a conflicting SSN needs the address to agree (a namesake with a birthday
        # in common has an SSN of their own and lives elsewhere).
        & ~(any_conflict & level("address", ("zip_close", "zip_differs")))
        & ~(conflicting["ssn"] & ~address_agrees)
        # Without an identifier, a middle name that differs is another person (a twin whose
        # given name is spelled like her sister's), as it is for the census-style rules.
        & ~(~has_id & level("middle_name", ("different",)))
        # ... and so is a first name spelled like the person's that is a name in use of its own.
        & ~(~has_id & established & distinct_first_name(pairs))
    )
    if not result.any() or not household:
        return result
    everyone = pairs if among is None else among
    other = everyone.has_level
    names_agree = other("first_name", FIRST_NAME_STRICT) & other("surname", SURNAME_STRICT)
    # A household look-alike: the same names and either the birthday or the address (a twin, a
    # parent, a sibling), not merely a namesake elsewhere.
    kin = other("dob", ("exact",)) | other("address", ("line_and_zip", "line", "zip"))
    explains = {
        "ssn": other("ssn", ("exact",)),
        "first_name": names_agree & kin,
        "surname": names_agree & kin,
        "dob": other("dob", ("exact",)) & names_agree,
    }
    for field, conflicted in conflicting.items():
        # A request with a candidate that agrees on the field takes corroboration away from
        # every candidate that conflicts on it.
        rids = np.unique(everyone.rid[explains[field]])
        result &= ~(conflicted & np.isin(pairs.rid, rids))
    return result


DOB_KEYING_ERRORS = ("swapped", "january_first", "year_off", "year_digits_swapped", "one_digit")
"""Date-of-birth levels a keying error explains that cannot make a parent of a child: day and
month swapped, January 1 of the same year, the year off by 1, 10 or 100, the year's last two
digits swapped or one digit mistyped. A birthday on the same day of the year 13 or more years
apart (1962-05-03 and 1992-05-03, one digit apart: a Senior and his Junior) is the level
``generation``, checked before these two, so what they still hold is a slip of the keyboard."""


def without_identifier(
    pairs: ScoredPairs, unheld: Mask | None = None, *, established: bool = True
) -> Mask:
    """Rows with no SSN or A-number to compare (census-style: names, birthday, address) where one
    field is unknown or carries a keying error and the rest pins the person down:

    * the first name missing on one side (unknown, not different), the surname agreeing without
      a spelling difference, the birthday exactly, and the address line (exactly or closely) or
      the middle name or initial;
    * both names exactly, the address line, and a birthday a keying error explains
      (:data:`DOB_KEYING_ERRORS`: day and month swapped, January 1 of the right year, the year
      off by one or ten, the year's digits swapped, one digit mistyped);
    * both names exactly, the middle name or initial, and a birthday a keying error explains
      (no address needed: the middle name stands in for it);
    * the first name as a nickname, a close spelling or by sound (a transliteration: DIPAK and
      DEEPAK, MUHAMMAD and MOHAMMED), the middle name or initial or the address line agreeing,
      the surname without a spelling difference and the birthday exactly (a close spelling or
      a nickname at the same address line is corroborated already; one by sound was refused as
      a look-alike, which fell on the names that are transliterated), unless the request's
      spelling is an established first name of its own (:func:`distinct_first_name`: a twin);
    * the first name exactly, the surname spelled closely (a typo), the birthday exactly, and
      the middle name or initial or the address line agreeing;
    * one name misspelt (:func:`misspelt`: a spelling nobody in the master holds, of an
      established name), the other agreeing without a spelling difference, the birthday exactly
      and the address near (the line closely or in part, or the ZIP code alone): a twin or a
      look-alike in the same ZIP code has a name of their own, not a slip of the keyboard.

    Each also needs no conflicting middle name or address, and, like every ``match``, the
    probability and the lead over the runner-up: a twin or parent in the master who agrees on
    the uncertain field outscores the pair and makes it a near tie.

    ``unheld``: pairs whose SSN is on nobody's record (:func:`unheld_ssn`), compared as unknown;
    ``established=False`` lets a first name in use of its own through (measurement only)."""
    level = pairs.has_level
    no_ssn = pairs.missing("ssn") if unheld is None else pairs.missing("ssn") | unheld
    no_identifier = no_ssn & (pairs.missing("a_number") | level("a_number", ("exact",)))
    surname = level("surname", SURNAME_STRICT)
    line = level("address", ("line_and_zip", "line"))
    middle = level("middle_name", ("exact", "initial"))
    calm = ~level("middle_name", ("different",)) & ~level(
        "address", ("zip_close", "zip_differs", "different")
    )
    first_unknown = (
        pairs.missing("first_name")
        & surname
        & level("dob", ("exact",))
        & (line | level("address", ("line_close",)) | middle)
    )
    dob_keyed = (
        level("first_name", ("exact",))
        & level("surname", ("exact",))
        & line
        & level("dob", DOB_KEYING_ERRORS)
    )
    dob_keyed_middle = (
        level("first_name", ("exact",))
        & level("surname", ("exact",))
        & middle
        & level("dob", DOB_KEYING_ERRORS)
    )
    first_keyed = (
        level("first_name", ("nickname", "close", "phonetic"))
        & ~(established & distinct_first_name(pairs))
        & (middle | line)
        & surname
        & level("dob", ("exact",))
    )
    surname_keyed = (
        level("first_name", ("exact",))
        & level("surname", ("close",))
        & level("dob", ("exact",))
        & (middle | line)
    )
    nearby = level("address", ("line_and_zip", "line", "line_close", "line_part", "earlier", "zip"))
    first_misspelt = (
        misspelt(pairs, "first_name", "first_c") & surname & level("dob", ("exact",)) & nearby
    )
    surname_misspelt = (
        misspelt(pairs, "surname", "last_c")
        & level("first_name", ("exact",))
        & level("dob", ("exact",))
        & nearby
    )
    result: Mask = (
        no_identifier
        & calm
        & (
            first_unknown
            | dob_keyed
            | dob_keyed_middle
            | first_keyed
            | surname_keyed
            | first_misspelt
            | surname_misspelt
        )
    )
    return result
