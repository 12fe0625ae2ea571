"""Field comparisons and their hand-set Fellegi-Sunter parameters.

Each :class:`Comparison` sorts a candidate pair into one of its levels (first SQL condition that
holds; ``-1`` when either side lacks the field). Each level has

* ``m``: the share of *true* pairs at this level (how often the same person looks like this);
* ``u``: the share of *random* pairs at this level (how often two different people do);

and contributes ``log2(m / u)`` bits of evidence. Exact name levels replace ``u`` by the name's
frequency in the master (term frequency), so SMITH counts for less than ZBIGNIEWSKA.

The numbers are priors, set by hand from how identity data goes wrong (typos, transposed digits,
swapped day and month, maiden names, borrowed SSNs) and from the arithmetic of random agreement
(1 in ~31,000 for a date of birth over an 85-year span; about 1 in 10^9 for a 9-digit number,
raised to 10^-6 for family SSNs, clerical reuse and non-uniform issuance). The m values of each
comparison sum to 1. The Splink issue replaces them with trained estimates.

SQL aliases: ``r`` is the request (``req``), ``m`` the master person, ``n`` the master name
variant (``mnames``) being compared.
"""

# ruff: noqa: S608  (SQL here is assembled from this module's constants; values are bound)

from __future__ import annotations

from dataclasses import dataclass

CLOSE = 0.92
"""Jaro-Winkler similarity from which two names are a close spelling."""
SOMEWHAT = 0.80
"""Jaro-Winkler similarity from which two names are somewhat alike."""
MIN_EDIT_LENGTH = 4
"""Names shorter than this are not called close for being one edit apart (LI vs LU)."""


@dataclass(frozen=True)
class Level:
    """One level of a comparison."""

    label: str
    sql: str
    m: float
    u: float
    reason: str
    term_frequency: bool = False


@dataclass(frozen=True)
class Comparison:
    """A field comparison: its levels in order; ``missing`` is the SQL for "cannot compare"."""

    name: str
    missing: str
    levels: tuple[Level, ...]

    def gamma_sql(self) -> str:
        """SQL giving the level index (``-1`` when the field is missing on either side)."""
        whens = " ".join(f"WHEN {lvl.sql} THEN {i}" for i, lvl in enumerate(self.levels[:-1]))
        last = len(self.levels) - 1
        return f"CASE WHEN {self.missing} THEN -1 {whens} ELSE {last} END"

    def level(self, label: str) -> int:
        """The index of the level called ``label``."""
        for i, lvl in enumerate(self.levels):
            if lvl.label == label:
                return i
        raise KeyError(label)


def _digits(col: str) -> str:
    return f"lpad(CAST({col} AS VARCHAR), 9, '0')"


def _close(a: str, b: str) -> str:
    return (
        f"(jaro_winkler_similarity({a}, {b}) >= {CLOSE} OR "
        f"(damerau_levenshtein({a}, {b}) <= 1 AND least(length({a}), length({b})) "
        f">= {MIN_EDIT_LENGTH}))"
    )


def _somewhat(a: str, b: str) -> str:
    return f"jaro_winkler_similarity({a}, {b}) >= {SOMEWHAT}"


RF, RL, RM = "mg_compact(r.first)", "mg_compact(r.last)", "mg_compact(r.middle)"
NF, NL, NM = "mg_compact(n.first)", "mg_compact(n.last)", "mg_compact(n.middle)"
_DIRECT_CLOSE = f"({_close(RF, NF)} AND {_close(RL, NL)})"
SWAPPED = f"({RL} = {NF} AND {RF} = {NL})"
SWAPPED_CLOSE = f"({_close(RL, NF)} AND {_close(RF, NL)} AND NOT {_DIRECT_CLOSE})"
NICKNAME_TABLE = "nick"
"""Table ``(a, b)`` of given names that are short forms of each other, registered by the model."""

SSN = Comparison(
    "ssn",
    "r.ssn IS NULL OR m.ssn IS NULL",
    (
        Level("exact", "r.ssn = m.ssn", 0.95, 1e-6, "SSN agrees"),
        Level(
            "one_edit",
            f"damerau_levenshtein({_digits('r.ssn')}, {_digits('m.ssn')}) = 1",
            0.03,
            1e-5,
            "SSN differs by one digit or two swapped digits",
        ),
        Level(
            "two_edits",
            f"damerau_levenshtein({_digits('r.ssn')}, {_digits('m.ssn')}) = 2",
            0.005,
            1e-4,
            "SSN differs in two digits",
        ),
        Level("different", "TRUE", 0.015, 0.9999, "SSN differs"),
    ),
)

A_NUMBER = Comparison(
    "a_number",
    "r.a_number IS NULL OR m.a_number IS NULL",
    (
        Level("exact", "r.a_number = m.a_number", 0.95, 1e-6, "A-number agrees"),
        Level(
            "one_edit",
            f"damerau_levenshtein({_digits('r.a_number')}, {_digits('m.a_number')}) = 1",
            0.03,
            1e-5,
            "A-number differs by one digit or two swapped digits",
        ),
        Level("different", "TRUE", 0.02, 0.99999, "A-number differs"),
    ),
)

SURNAME = Comparison(
    "surname",
    "r.last IS NULL OR n.last IS NULL",
    (
        Level("exact", f"{RL} = {NL}", 0.848, 0.002, "surname agrees", term_frequency=True),
        Level("swapped", SWAPPED, 0.005, 1e-5, "first and last names are swapped"),
        Level(
            "swapped_close",
            SWAPPED_CLOSE,
            0.002,
            2e-5,
            "first and last names are swapped, with spelling differences",
        ),
        Level(
            "compound_part",
            "(list_has_all(string_split(r.last, ' '), string_split(n.last, ' ')) "
            "OR list_has_all(string_split(n.last, ' '), string_split(r.last, ' ')))",
            0.04,
            2e-4,
            "surname agrees with part of a compound surname",
        ),
        Level("close", _close(RL, NL), 0.05, 0.002, "surname is a close spelling"),
        Level("somewhat", _somewhat(RL, NL), 0.02, 0.03, "surname is only somewhat similar"),
        Level("different", "TRUE", 0.035, 0.965, "surname differs"),
    ),
)

FIRST_NAME = Comparison(
    "first_name",
    "r.first IS NULL OR n.first IS NULL",
    (
        Level("exact", f"{RF} = {NF}", 0.828, 0.005, "first name agrees", term_frequency=True),
        Level("swapped", SWAPPED, 0.005, 1e-5, "first and last names are swapped"),
        Level(
            "swapped_close",
            SWAPPED_CLOSE,
            0.002,
            2e-5,
            "first and last names are swapped, with spelling differences",
        ),
        Level("close", _close(RF, NF), 0.05, 0.003, "first name is a close spelling"),
        Level(
            "initial",
            f"(starts_with({RF}, {NF}) OR starts_with({NF}, {RF})) "
            f"AND least(length({RF}), length({NF})) <> 2",  # "JO" is too short to tell
            0.03,
            0.003,
            "first name is an initial or short form",
        ),
        Level(
            "nickname",
            f"EXISTS (SELECT 1 FROM {NICKNAME_TABLE} k WHERE k.a = {RF} AND k.b = {NF})",
            0.03,
            0.002,
            "first name is a nickname of the other",
        ),
        Level(
            "middle",
            f"({RF} = {NM} OR {RM} = {NF})",
            0.01,
            0.001,
            "first name agrees with the middle name",
        ),
        Level("somewhat", _somewhat(RF, NF), 0.015, 0.03, "first name is only somewhat similar"),
        Level("different", "TRUE", 0.03, 0.958, "first name differs"),
    ),
)

MIDDLE_NAME = Comparison(
    "middle_name",
    "r.middle IS NULL OR n.middle IS NULL",
    (
        Level(
            "exact",
            f"{RM} = {NM} AND length({RM}) > 1",
            0.6,
            0.02,
            "middle name agrees",
        ),
        Level(
            "initial", "left(r.middle, 1) = left(n.middle, 1)", 0.3, 0.07, "middle initial agrees"
        ),
        Level("different", "TRUE", 0.1, 0.91, "middle name differs"),
    ),
)

DOB = Comparison(
    "dob",
    "r.dob IS NULL OR m.dob IS NULL",
    (
        Level("exact", "r.dob = m.dob", 0.90, 3.2e-5, "date of birth agrees"),
        Level(
            "swapped",
            "year(r.dob) = year(m.dob) AND month(r.dob) = day(m.dob) AND day(r.dob) = month(m.dob)",
            0.01,
            3.2e-5,
            "date of birth has day and month swapped",
        ),
        Level(
            "january_first",
            "year(r.dob) = year(m.dob) AND (strftime(r.dob, '%m-%d') = '01-01' "
            "OR strftime(m.dob, '%m-%d') = '01-01')",
            0.02,
            1e-4,
            "date of birth is January 1 of the same year (a common placeholder)",
        ),
        Level(
            "one_part",
            "(CAST(year(r.dob) = year(m.dob) AS INTEGER) + CAST(month(r.dob) = month(m.dob) "
            "AS INTEGER) + CAST(day(r.dob) = day(m.dob) AS INTEGER)) = 2",
            0.05,
            0.005,
            "date of birth differs in one of day, month or year",
        ),
        Level("different", "TRUE", 0.02, 0.995, "date of birth differs"),
    ),
)

ZIP = Comparison(
    "zip",
    "r.zip IS NULL OR m.zip IS NULL",
    (
        Level("exact", "r.zip = m.zip", 0.4, 0.002, "ZIP code agrees"),
        Level("different", "TRUE", 0.6, 0.998, "ZIP code differs"),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (SSN, A_NUMBER, SURNAME, FIRST_NAME, MIDDLE_NAME, DOB, ZIP)
"""In the order reasons are written."""

TERM_FREQUENCY_PSEUDO_COUNT = 10_000
"""Names' term frequencies are shrunk toward each level's ``u`` as if this many extra master
rows had that ``u``: stable on a 10-row test master, nearly the raw frequency on millions."""

PRESENT_SHARE = 0.9
"""Prior share of requested people who are in the master; the prior that one candidate is the
person is this over the master's size."""
