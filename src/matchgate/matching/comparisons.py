"""Field comparisons of the Fellegi-Sunter model: levels as SQL over standardized columns.

A :class:`Comparison` sorts a candidate pair into the first of its levels whose SQL condition
holds (``-1`` when its ``missing`` condition holds: a field unknown on either side). The SQL reads
the request's columns with the suffix ``_l`` and the master person's with ``_r``, as Splink writes
them, so the very same text is a Splink comparison level (:func:`splink_settings`), runs in
DuckDB at match time, and can run on Spark (functions used: ``jaro_winkler_similarity``,
``levenshtein``, ``damerau_levenshtein``, ``list_has_any``, ``list_contains``, ``list_has_all``,
``list_sort``, ``starts_with``, date parts; Splink's dialects translate them).

Each level has

* ``m``: the share of *true* pairs at this level (how often the same person looks like this);
* ``u``: the share of *random* pairs at this level (how often two different people do);

and contributes ``log2(m / u)`` bits of evidence. The values written here are *priors*: the
starting point of Splink's EM training and the fallback :data:`PRIOR_MODEL`. The shipped model
(:mod:`matchgate.matching.model`) holds the trained values. Exact name levels are term-frequency
adjusted: their ``u`` is replaced by the name's frequency in the master, so SMITH counts for less
than ZBIGNIEWSKA.

Column meanings (both sides): ``first``/``middle``/``last`` standardized names, ``*_c`` compact
forms, ``last_tokens`` the parts of a compound surname, ``*_vk`` every spelling-variant key and
``*_dk`` the dictionary ones (nicknames, romanization families), ``other_lasts`` and
``other_firsts`` earlier names (master only; empty on the request side), ``ssn``, ``a_number``
(integers), ``dob`` (date), ``zip``, ``addr`` (standardized address line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CLOSE = 0.92
"""Jaro-Winkler similarity from which two names are a close spelling."""
SOMEWHAT = 0.80
"""Jaro-Winkler similarity from which two names are somewhat alike."""
MIN_EDIT_LENGTH = 4
"""Names shorter than this are not called close for being one edit apart (LI vs LU)."""


@dataclass(frozen=True)
class Level:
    """One level of a comparison (see the module docstring)."""

    label: str
    sql: str
    m: float
    u: float
    reason: str
    tf_column: str | None = None
    fixed: bool = False
    """m and u stay as written here (training does not move them)."""


@dataclass(frozen=True)
class Comparison:
    """A field comparison: its levels in order; ``missing`` is the SQL for "cannot compare"."""

    name: str
    missing: str
    levels: tuple[Level, ...]
    description: str = ""

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

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(lvl.label for lvl in self.levels)


def _digits(col: str) -> str:
    return f"lpad(CAST({col} AS VARCHAR), 9, '0')"


def _date_digits(col: str) -> str:
    return f"strftime({col}, '%Y%m%d')"


def _one_edit(a: str, b: str, *, or_none: bool = False) -> str:
    """The Damerau-Levenshtein distance of ``a`` and ``b`` is 1 (at most 1: ``or_none``).

    Written so that the costly distance is seldom computed (it cost DuckDB about eight times the
    Levenshtein distance): it is never above the Levenshtein distance nor below half of it (a
    transposition is two Levenshtein edits), so it is asked only where that one is 1 or 2."""
    low = 0 if or_none else 1
    return (
        f"(levenshtein({a}, {b}) BETWEEN {low} AND 2 "
        f"AND damerau_levenshtein({a}, {b}) {'<=' if or_none else '='} 1)"
    )


def _two_edits(a: str, b: str) -> str:
    """The Damerau-Levenshtein distance of ``a`` and ``b`` is 2 (the Levenshtein distance is then
    2 to 4: see :func:`_one_edit`)."""
    return f"(levenshtein({a}, {b}) BETWEEN 2 AND 4 AND damerau_levenshtein({a}, {b}) = 2)"


def _close(a: str, b: str) -> str:
    return (
        f"(jaro_winkler_similarity({a}, {b}) >= {CLOSE} OR "
        f"(least(length({a}), length({b})) >= {MIN_EDIT_LENGTH} "
        f"AND {_one_edit(a, b, or_none=True)}))"
    )


def address_key(zip_sql: str, line_sql: str) -> str:
    """SQL of the key the address level ``earlier`` compares (a request's address with a
    person's earlier ones, :mod:`matchgate.matching.address_history`): the ZIP code, a space,
    the standardized address line without its spaces."""
    return f"{zip_sql} || ' ' || replace({line_sql}, ' ', '')"


def _somewhat(a: str, b: str) -> str:
    return f"jaro_winkler_similarity({a}, {b}) >= {SOMEWHAT}"


def _has_any(a: str, b: str) -> str:
    return f"list_has_any(coalesce({a}, []), coalesce({b}, []))"


def _loosely(name_l: str, vk_l: str, name_r: str, vk_r: str, tokens_r: str | None) -> str:
    """``name_l`` agrees with ``name_r`` exactly, as a variant, closely or (when ``tokens_r`` is
    given) as one part of a compound name: used for names written in the other field."""
    parts = [f"{name_l} = {name_r}", _has_any(vk_l, vk_r), _close(name_l, name_r)]
    if tokens_r is not None:
        parts.append(f"list_contains({tokens_r}, {name_l})")
    return "(" + " OR ".join(parts) + ")"


SWAPPED = (
    "(last_c_l <> last_c_r AND first_c_l <> first_c_r AND "
    + _loosely("first_c_l", "first_vk_l", "last_c_r", "last_vk_r", "last_tokens_r")
    + " AND "
    + _loosely("last_c_l", "last_vk_l", "first_c_r", "first_vk_r", None)
    + ")"
)
"""Given and family names written the other way round (each agreeing loosely). The same
condition is a level of both name comparisons; the surname level carries its weight and the
first-name level is fixed at zero bits (m = u) so the swap is not counted twice."""

SSN = Comparison(
    "ssn",
    "ssn_l IS NULL OR ssn_r IS NULL",
    (
        Level("exact", "ssn_l = ssn_r", 0.95, 1e-6, "SSN agrees"),
        Level(
            "one_edit",
            _one_edit(_digits("ssn_l"), _digits("ssn_r")),
            0.03,
            1e-5,
            "SSN differs by one digit or two swapped digits",
        ),
        Level(
            "two_edits",
            _two_edits(_digits("ssn_l"), _digits("ssn_r")),
            0.005,
            1e-4,
            "SSN differs in two digits",
        ),
        Level("different", "TRUE", 0.015, 0.9999, "SSN differs"),
    ),
    "Social Security number",
)

A_NUMBER = Comparison(
    "a_number",
    "a_number_l IS NULL OR a_number_r IS NULL",
    (
        Level("exact", "a_number_l = a_number_r", 0.95, 1e-6, "A-number agrees"),
        Level(
            "one_edit",
            _one_edit(_digits("a_number_l"), _digits("a_number_r")),
            0.03,
            1e-5,
            "A-number differs by one digit or two swapped digits",
        ),
        Level("different", "TRUE", 0.02, 0.99999, "A-number differs"),
    ),
    "alien registration number",
)

SURNAME = Comparison(
    "surname",
    "last_l IS NULL OR last_r IS NULL",
    (
        Level("exact", "last_c_l = last_c_r", 0.80, 0.002, "surname agrees", "last_c"),
        Level(
            "reordered",
            "len(last_tokens_l) > 1 AND list_sort(last_tokens_l) = list_sort(last_tokens_r)",
            0.02,
            1e-6,
            "surname agrees with the parts of a compound surname in another order",
        ),
        Level(
            "variant",
            _has_any("last_dk_l", "last_dk_r"),
            0.02,
            2e-4,
            "surname is another romanization of the same name",
        ),
        Level(
            "compound_part",
            "(list_has_all(last_tokens_l, last_tokens_r) OR list_has_all(last_tokens_r, "
            "last_tokens_l))",
            0.03,
            2e-4,
            "surname agrees after dropping part of a compound surname",
        ),
        Level(
            "earlier",
            "list_contains(other_lasts_r, last_c_l)",
            0.03,
            2e-4,
            "surname agrees with an earlier surname (maiden name or alias)",
        ),
        Level("close", _close("last_c_l", "last_c_r"), 0.04, 0.002, "surname is a close spelling"),
        Level(
            "phonetic",
            _has_any("last_vk_l", "last_vk_r"),
            0.01,
            0.003,
            "surname sounds alike (transliteration)",
        ),
        Level(
            "swapped",
            SWAPPED,
            0.02,
            1e-5,
            "given and family names are swapped",
        ),
        Level(
            "somewhat",
            _somewhat("last_c_l", "last_c_r"),
            0.01,
            0.03,
            "surname is only somewhat similar",
        ),
        Level("different", "TRUE", 0.02, 0.96, "surname differs"),
    ),
    "surname (family name)",
)

FIRST_NAME = Comparison(
    "first_name",
    "first_l IS NULL OR first_r IS NULL",
    (
        Level("exact", "first_c_l = first_c_r", 0.80, 0.005, "first name agrees", "first_c"),
        Level(
            "nickname",
            _has_any("first_dk_l", "first_dk_r"),
            0.03,
            0.001,
            "first name is a nickname or another spelling of the other",
        ),
        Level(
            "close", _close("first_c_l", "first_c_r"), 0.04, 0.003, "first name is a close spelling"
        ),
        Level(
            "phonetic",
            _has_any("first_vk_l", "first_vk_r"),
            0.01,
            0.004,
            "first name sounds alike (transliteration)",
        ),
        Level(
            "initial",
            "(starts_with(first_c_l, first_c_r) OR starts_with(first_c_r, first_c_l)) "
            "AND least(length(first_c_l), length(first_c_r)) <> 2",  # "JO" is too short to tell
            0.02,
            0.003,
            "first name is an initial or short form",
        ),
        Level(
            "earlier",
            "list_contains(other_firsts_r, first_c_l)",
            0.01,
            0.001,
            "first name agrees with an earlier first name (alias)",
        ),
        Level(
            "middle",
            "(first_c_l = middle_c_r OR middle_c_l = first_c_r)",
            0.01,
            0.001,
            "first name agrees with the middle name",
        ),
        Level(
            "swapped",
            SWAPPED,
            0.02,
            0.02,
            "given and family names are swapped",
            fixed=True,
        ),
        Level(
            "somewhat",
            _somewhat("first_c_l", "first_c_r"),
            0.015,
            0.03,
            "first name is only somewhat similar",
        ),
        Level("different", "TRUE", 0.035, 0.95, "first name differs"),
    ),
    "first (given) name",
)

MIDDLE_NAME = Comparison(
    "middle_name",
    "middle_l IS NULL OR middle_r IS NULL",
    (
        Level(
            "exact",
            "middle_c_l = middle_c_r AND length(middle_c_l) > 1",
            0.6,
            0.02,
            "middle name agrees",
        ),
        Level(
            "initial", "left(middle_l, 1) = left(middle_r, 1)", 0.3, 0.07, "middle initial agrees"
        ),
        Level("different", "TRUE", 0.1, 0.91, "middle name differs"),
    ),
    "middle name or initial",
)

DOB = Comparison(
    "dob",
    "dob_l IS NULL OR dob_r IS NULL",
    (
        Level("exact", "dob_l = dob_r", 0.90, 3.2e-5, "date of birth agrees"),
        Level(
            "swapped",
            "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) AND day(dob_l) = month(dob_r)",
            0.01,
            3.2e-5,
            "date of birth has day and month swapped",
        ),
        Level(
            "january_first",
            "year(dob_l) = year(dob_r) AND month(dob_l) = 1 AND day(dob_l) = 1",
            0.02,
            1e-4,
            "date of birth given as January 1 of the right year (a common placeholder)",
        ),
        Level(
            "year_off",
            "month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r) "
            "AND abs(year(dob_l) - year(dob_r)) IN (1, 10, 100)",
            0.02,
            5e-4,
            "date of birth has the year off by one or ten (or two year digits swapped)",
        ),
        Level(
            "generation",
            "month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r) "
            "AND abs(year(dob_l) - year(dob_r)) >= 13",
            0.0005,
            0.002,
            "date of birth is the same day of the year a generation apart (a parent or a child)",
        ),
        Level(
            "year_digits_swapped",
            "month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r) "
            "AND year(dob_l) % 100 = (year(dob_r) % 10) * 10 + (year(dob_r) % 100) // 10",
            0.005,
            1e-4,
            "date of birth has the last two digits of the year swapped",
        ),
        Level(
            "one_digit",
            _one_edit(_date_digits("dob_l"), _date_digits("dob_r")),
            0.02,
            0.003,
            "date of birth differs by one digit or two swapped digits (a keying error)",
        ),
        Level(
            "one_part",
            "(CAST(year(dob_l) = year(dob_r) AS INTEGER) + CAST(month(dob_l) = month(dob_r) "
            "AS INTEGER) + CAST(day(dob_l) = day(dob_r) AS INTEGER)) = 2",
            0.02,
            0.005,
            "date of birth differs in one of day, month or year",
        ),
        Level("different", "TRUE", 0.025, 0.995, "date of birth differs"),
    ),
    "date of birth",
)

ADDRESS = Comparison(
    "address",
    "(zip_l IS NULL OR zip_r IS NULL) AND (addr_l IS NULL OR addr_r IS NULL)",
    (
        Level(
            "line_and_zip",
            "replace(addr_l, ' ', '') = replace(addr_r, ' ', '') AND zip_l = zip_r",
            0.35,
            1e-5,
            "address line and ZIP code agree",
        ),
        Level(
            "line",
            "replace(addr_l, ' ', '') = replace(addr_r, ' ', '')",
            0.03,
            1e-4,
            "address line agrees (ZIP code does not)",
        ),
        Level(
            "line_close",
            "jaro_winkler_similarity(addr_l, addr_r) >= 0.92",
            0.05,
            5e-4,
            "address line is a close spelling",
        ),
        Level(
            "line_part",
            "(contains(addr_l, addr_r) OR contains(addr_r, addr_l))",
            0.02,
            5e-4,
            "address line agrees in part (house number or street)",
        ),
        Level(
            "earlier",
            f"list_contains(other_addrs_r, {address_key('zip_l', 'addr_l')})",
            0.03,
            1e-5,
            "address line and ZIP code agree with an earlier address",
        ),
        Level("zip", "zip_l = zip_r", 0.15, 0.002, "ZIP code agrees"),
        Level(
            "zip_close",
            _one_edit("zip_l", "zip_r"),
            0.03,
            0.004,
            "ZIP code differs by one digit or two swapped digits (a keying error or the next area)",
        ),
        Level(
            "zip_differs",
            "zip_l IS NOT NULL AND zip_r IS NOT NULL",
            0.4,
            0.99,
            "address and ZIP code differ",
        ),
        Level("different", "TRUE", 0.1, 0.99, "address line differs (ZIP code unknown)"),
    ),
    "address line and ZIP code",
)

COMPARISONS: tuple[Comparison, ...] = (
    SSN,
    A_NUMBER,
    SURNAME,
    FIRST_NAME,
    MIDDLE_NAME,
    DOB,
    ADDRESS,
)
"""In the order reasons are written."""

COSTLY_FUNCTIONS = ("levenshtein", "jaro_winkler_similarity")
"""String similarities computed once per pair when a comparison tests them more than once.
Damerau-Levenshtein is not one: computed for every pair it would undo :func:`_one_edit`, which
asks it only where the Levenshtein distance leaves the level open."""


_WHOLE_NAME = r"(?<!\w)"
"""Before a function name: not the tail of another one (``levenshtein`` in
``damerau_levenshtein``)."""


def _calls(sql: str, function: str) -> list[str]:
    """Every call of ``function`` in ``sql``, as written (balanced parentheses)."""
    found, start = [], 0
    calls = re.compile(_WHOLE_NAME + re.escape(function + "("))
    while (match := calls.search(sql, start)) is not None:
        at = match.start()
        depth, end = 0, at
        for end in range(at + len(function), len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        found.append(sql[at : end + 1])
        start = end + 1
    return found


def hoist_repeated_calls(sql: str, prefix: str) -> tuple[str, list[tuple[str, str]]]:
    """``sql`` (one comparison's level SQL) with each costly call it makes more than once
    replaced by a column ``<prefix><n>``, and those columns' ``(name, expression)``.

    The engine evaluates a CASE branch by branch, so a distance tested at two levels (the SSN's
    one and two keystrokes) is computed twice for most pairs: once per pair is 3 s less of a
    50,000 x 100M probe. Only repeats within one comparison are worth it: computing a call that
    two comparisons make in deep levels for every pair cost as much as it saved (measured)."""
    calls = [c for function in COSTLY_FUNCTIONS for c in _calls(sql, function)]
    repeated = sorted({c for c in calls if calls.count(c) > 1})
    columns = [(f"{prefix}{i}", call) for i, call in enumerate(repeated, start=1)]
    for name, call in columns:
        sql = re.sub(_WHOLE_NAME + re.escape(call), name, sql)
    return sql, columns


RECORD_COLUMNS: tuple[str, ...] = (
    "first",
    "middle",
    "last",
    "first_c",
    "middle_c",
    "last_c",
    "last_tokens",
    "other_lasts",
    "other_firsts",
    "other_addrs",
    "first_vk",
    "first_dk",
    "last_vk",
    "last_dk",
    "ssn",
    "a_number",
    "dob",
    "zip",
    "addr",
)
"""The columns the comparisons read, on both sides."""

MASTER_ONLY_COLUMNS: tuple[str, ...] = ("other_lasts", "other_firsts", "other_addrs")
"""Columns only a master record has; a request's are empty lists."""


def splink_settings(
    comparisons: tuple[Comparison, ...] = COMPARISONS, *, prior: float = 1e-5
) -> dict[str, Any]:
    """The comparisons as a Splink 5 settings dictionary (``link_only``, requests left)."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
        "comparisons": [
            {
                "output_column_name": c.name,
                "comparison_description": c.description,
                "comparison_levels": [
                    {"sql_condition": c.missing, "label_for_charts": "null", "is_null_level": True},
                    *(
                        {
                            "sql_condition": lvl.sql,
                            "label_for_charts": lvl.label,
                            "m_probability": lvl.m,
                            "u_probability": lvl.u,
                            **(
                                {"fix_m_probability": True, "fix_u_probability": True}
                                if lvl.fixed
                                else {}
                            ),
                            **(
                                {"tf_adjustment_column": lvl.tf_column, "tf_adjustment_weight": 1.0}
                                if lvl.tf_column
                                else {}
                            ),
                        }
                        for lvl in c.levels
                    ),
                ],
            }
            for c in comparisons
        ],
    }
