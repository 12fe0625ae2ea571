"""The SQL half of standardization: macros that mirror the Python functions exactly.

The master file (up to hundreds of millions of rows) is standardized inside the engine, requests
in Python; matching compares the two, so both halves must agree character for character. They
share their constants (letter map, patterns, suffixes, particles) with the Python half, and a test
runs both over a corpus of difficult names and every code point.

The macros use DuckDB's function names (``strip_accents``, ``regexp_replace``, ``list_filter``);
an engine for another database provides its own spelling of :func:`macro_statements`.
Call :func:`macro_statements` once per connection, then use the ``mg_*`` macros in queries.

:data:`PYTHON_FUNCTIONS` is the same set as Python functions with the macros' exact semantics
(NULL in, NULL out; the same empty results): an engine that can run Python on its workers (Spark)
registers those, so its standardization is the request side's code itself. A test runs both
spellings over the same corpus.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from matchgate.standardize.charmap import common_map, generated_map
from matchgate.standardize.dates import DATE_PATTERN
from matchgate.standardize.identifiers import (
    ADDRESS_NON_ALNUM_PATTERN,
    ADDRESS_WORDS,
    ANUMBER_MAX_DIGITS,
    ANUMBER_MIN_DIGITS,
    PLACEHOLDER_SSN_PATTERN,
    SEPARATORS_PATTERN,
    SSN_DIGITS,
    ZIP_DIGITS,
    ZIP_MIN_DIGITS,
    parse_a_number,
    parse_ssn,
    standardize_address,
    standardize_zip,
)
from matchgate.standardize.names import (
    JOINING_PATTERN,
    KEY_LENGTH,
    MIN_TOKEN_KEY_LENGTH,
    NON_LETTERS_PATTERN,
    PARTICLES,
    SUFFIX_PATTERN,
    fold,
    name_key,
    spelled_name,
    standardize_name,
    surname_keys,
)
from matchgate.standardize.placeholders import PLACEHOLDER_NAMES


def literal(text: str) -> str:
    """A SQL string literal (for constants built into macros, never for data)."""
    return "'" + text.replace("'", "''") + "'"


def _char_class(chars: str) -> str:
    """An RE2 character class matching any of ``chars``."""
    return "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in chars) + "]"


def _apply_map(expr: str, mapping: dict[str, str]) -> str:
    """SQL applying ``mapping`` to ``expr``: one ``translate`` for single characters and
    deletions, a ``replace`` per multi-character replacement."""
    single = {k: v for k, v in mapping.items() if len(v) == 1}
    deleted = "".join(k for k, v in mapping.items() if not v)
    sources = literal("".join(single) + deleted)
    out = f"translate({expr}, {sources}, {literal(''.join(single.values()))})"
    for key, value in mapping.items():
        if len(value) > 1:
            out = f"replace({out}, {literal(key)}, {literal(value)})"
    return out


def _map_macro(name: str, mapping: dict[str, str]) -> str:
    # translate() costs time in proportion to its character list on every row, so the map is
    # applied only to the rare strings holding one of its characters (RE2 checks that quickly).
    keys = "".join(mapping)
    return (
        f"CREATE OR REPLACE TEMP MACRO {name}(s) AS CASE WHEN regexp_matches(s, "
        f"{literal(_char_class(keys))}) THEN {_apply_map('s', mapping)} ELSE s END"
    )


def macro_statements() -> list[str]:
    """``CREATE MACRO`` statements defining the ``mg_*`` standardization macros."""
    particles = ", ".join(literal(p) for p in PARTICLES)
    placeholders = ", ".join(literal(p) for p in sorted(PLACEHOLDER_NAMES))
    address_words = " ".join(
        f"WHEN w = {literal(k)} THEN {literal(v)}" for k, v in ADDRESS_WORDS.items()
    )
    return [
        _map_macro("mg_map_common", common_map()),
        _map_macro("mg_map_generated", generated_map()),
        # ASCII text (nearly every name) skips the maps and accent stripping: strlen counts bytes.
        "CREATE OR REPLACE TEMP MACRO mg_fold(s) AS upper(CASE WHEN strlen(s) = length(s) THEN s "
        "ELSE strip_accents(mg_map_generated(mg_map_common(s))) END)",
        "CREATE OR REPLACE TEMP MACRO mg_spelled(s) AS nullif(regexp_replace(trim(regexp_replace("
        f"regexp_replace(mg_fold(s), {literal(JOINING_PATTERN)}, '', 'g'), "
        f"{literal(NON_LETTERS_PATTERN)}, ' ', 'g')), {literal(SUFFIX_PATTERN)}, ''), '')",
        # A placeholder (standardize/placeholders.py) is no name: NULL, as in Python.
        "CREATE OR REPLACE TEMP MACRO mg_name(s) AS CASE WHEN mg_spelled(s) IN "
        f"({placeholders}) THEN NULL ELSE mg_spelled(s) END",
        "CREATE OR REPLACE TEMP MACRO mg_compact(s) AS replace(s, ' ', '')",
        f"CREATE OR REPLACE TEMP MACRO mg_key(s) AS left(replace(s, ' ', ''), {KEY_LENGTH})",
        "CREATE OR REPLACE TEMP MACRO mg_surname_keys(s) AS CASE WHEN s IS NULL THEN []::VARCHAR[] "
        "WHEN NOT contains(s, ' ') THEN [mg_key(s)] "
        "ELSE list_distinct(list_concat([mg_key(s)], list_transform(list_filter("
        f"string_split(s, ' '), lambda t: length(t) >= {MIN_TOKEN_KEY_LENGTH} "
        f"AND NOT list_contains([{particles}], t)), lambda t: left(t, {KEY_LENGTH})))) END",
        "CREATE OR REPLACE TEMP MACRO mg_digits(s) AS "
        f"regexp_replace(s, {literal(SEPARATORS_PATTERN)}, '', 'g')",
        "CREATE OR REPLACE TEMP MACRO mg_ssn(s) AS CASE WHEN regexp_full_match(mg_digits(s), "
        f"'[0-9]{{{SSN_DIGITS}}}') AND NOT regexp_full_match(mg_digits(s), "
        f"{literal(PLACEHOLDER_SSN_PATTERN)}) THEN CAST(mg_digits(s) AS INTEGER) END",
        "CREATE OR REPLACE TEMP MACRO mg_a_number(s) AS CASE WHEN regexp_full_match("
        f"mg_digits(s), '[Aa]?[0-9]{{{ANUMBER_MIN_DIGITS},{ANUMBER_MAX_DIGITS}}}') "
        "THEN nullif(CAST(ltrim(mg_digits(s), 'Aa') AS INTEGER), 0) END",
        "CREATE OR REPLACE TEMP MACRO mg_zip_digits(s) AS regexp_replace(s, '[^0-9]', '', 'g')",
        "CREATE OR REPLACE TEMP MACRO mg_zip(s) AS CASE "
        f"WHEN length(mg_zip_digits(s)) >= {ZIP_DIGITS} THEN left(mg_zip_digits(s), {ZIP_DIGITS}) "
        f"WHEN length(mg_zip_digits(s)) >= {ZIP_MIN_DIGITS} "
        f"THEN lpad(mg_zip_digits(s), {ZIP_DIGITS}, '0') END",
        "CREATE OR REPLACE TEMP MACRO mg_address(s) AS nullif(array_to_string(list_transform("
        f"string_split(trim(regexp_replace(mg_fold(s), {literal(ADDRESS_NON_ALNUM_PATTERN)}, ' ', "
        f"'g')), ' '), lambda w: CASE {address_words} ELSE w END), ' '), '')",
        f"CREATE OR REPLACE TEMP MACRO mg_date(s) AS CASE WHEN regexp_full_match(trim(s), "
        f"{literal(DATE_PATTERN)}) THEN try_cast(trim(s) AS DATE) END",
    ]


_SEPARATORS = re.compile(SEPARATORS_PATTERN)
_DATE = re.compile(DATE_PATTERN)


def _name(s: str) -> str | None:
    return standardize_name(s) or None


def _spelled(s: str) -> str | None:
    return spelled_name(s) or None


def _key(s: str) -> str:
    return name_key(s)


def _surname_keys(s: str) -> list[str]:
    # The macro keys a one-word name (even "") by itself; longer ones as surname_keys does.
    return surname_keys(s) if " " in s else [name_key(s)]


def _digits(s: str) -> str:
    return _SEPARATORS.sub("", s)


def _ssn(s: str) -> int | None:
    return parse_ssn(s).value


def _a_number(s: str) -> int | None:
    return parse_a_number(s).value


def _zip(s: str) -> str | None:
    return standardize_zip(s) or None


def _address(s: str) -> str | None:
    return standardize_address(fold(s)) or None


def _date(s: str) -> dt.date | None:
    # SQL trim() removes spaces only; try_cast yields NULL for an impossible calendar date.
    text = s.strip(" ")
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return None


@dataclass(frozen=True)
class PythonFunction:
    """A macro's Python spelling: called on non-NULL text only (NULL in gives NULL out, or the
    empty list for a list), returning ``returns`` (``text``, ``integer``, ``date`` or
    ``text list``)."""

    function: Callable[[str], object]
    returns: str


PYTHON_FUNCTIONS: dict[str, PythonFunction] = {
    "mg_name": PythonFunction(_name, "text"),
    "mg_spelled": PythonFunction(_spelled, "text"),
    "mg_compact": PythonFunction(lambda s: s.replace(" ", ""), "text"),
    "mg_key": PythonFunction(_key, "text"),
    "mg_surname_keys": PythonFunction(_surname_keys, "text list"),
    "mg_digits": PythonFunction(_digits, "text"),
    "mg_ssn": PythonFunction(_ssn, "integer"),
    "mg_a_number": PythonFunction(_a_number, "integer"),
    "mg_zip": PythonFunction(_zip, "text"),
    "mg_address": PythonFunction(_address, "text"),
    "mg_date": PythonFunction(_date, "date"),
}
"""The ``mg_*`` macros used outside this module, as Python functions (see the module docstring)."""
