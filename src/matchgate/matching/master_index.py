"""Build the standardized master inside the engine: three tables, never rows in Python.

* ``m``: one row per master person (its ``rowid`` is the person's internal ``pid``): person_id,
  SSN and A-number as integers, date of birth, standardized current name, ZIP.
* ``mnames``: every name a person is known by: the current name (``vno`` 0) and each of
  ``other_names`` read two ways, "FIRST [MIDDLE...] LAST" (``vno`` 1) and "FIRST COMPOUND
  SURNAME" (``vno`` 2), so a maiden name or an alias can be compared like the current name.
* ``mkeys``: blocking keys per name: surname key(s), first-name key, date and year of birth.

Column names and types come from the caller (intake checked that the required ones exist); Parquet
and JSON columns keep their types, so each is cast to text before the ``mg_*`` macros
(:mod:`matchgate.standardize.sql`) standardize it exactly as the requests were in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matchgate.engines.base import Engine
from matchgate.standardize.identifiers import SSN_DIGITS
from matchgate.standardize.sql import macro_statements

OTHER_NAMES_SEPARATOR = "|"
CURRENT_NAME = 0
OTHER_NAME = 1
OTHER_NAME_COMPOUND = 2


@dataclass(frozen=True)
class MasterStats:
    """What scoring needs to know about the master as a whole."""

    people: int


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_expr(columns: Mapping[str, tuple[str, str]], column: str) -> str:
    """SQL for ``column`` as text (NULL when the file lacks it), whatever its stored type."""
    if column not in columns:
        return "CAST(NULL AS VARCHAR)"
    name, kind = columns[column]
    ref = _quote(name)
    kind = kind.upper()
    if kind == "VARCHAR":
        return ref
    if column == "ssn" and kind in {"BIGINT", "INTEGER", "UBIGINT", "UINTEGER", "HUGEINT"}:
        return f"lpad(CAST({ref} AS VARCHAR), {SSN_DIGITS}, '0')"
    if kind.startswith("TIMESTAMP"):
        return f"CAST(CAST({ref} AS DATE) AS VARCHAR)"
    return f"CAST({ref} AS VARCHAR)"


def build_master(
    engine: Engine, relation: str, columns: Mapping[str, tuple[str, str]]
) -> MasterStats:
    """Create ``m``, ``mnames`` and ``mkeys`` from the master file read by ``relation``."""
    for statement in macro_statements():
        engine.execute(statement)

    def t(column: str) -> str:
        return text_expr(columns, column)

    # Where person_id is absent or empty the SSN serves; a row with neither cannot be named in
    # an answer, so it is left out.
    person_id = f"coalesce(nullif(trim({t('person_id')}), ''), nullif(mg_digits({t('ssn')}), ''))"
    # The relation is SQL built by the engine from a quoted path; column names are quoted.
    engine.execute(
        f"""
        CREATE OR REPLACE TABLE m AS
        SELECT * FROM (SELECT {person_id} AS person_id,
               mg_ssn({t("ssn")}) AS ssn,
               mg_a_number({t("a_number")}) AS a_number,
               mg_date({t("dob")}) AS dob,
               mg_name({t("first_name")}) AS first,
               mg_name({t("middle_name")}) AS middle,
               mg_name({t("last_name")}) AS last,
               mg_zip({t("zip")}) AS zip,
               nullif(trim({t("other_names")}), '') AS other_names
        FROM {relation}) WHERE person_id IS NOT NULL
        """  # noqa: S608
    )
    # Earlier names are split and standardized once, then read two ways.
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE m_other AS
        SELECT pid, dob, string_split(name, ' ') AS toks
        FROM (
            SELECT rowid AS pid, dob,
                   mg_name(unnest(string_split(other_names, '{OTHER_NAMES_SEPARATOR}'))) AS name
            FROM m WHERE other_names IS NOT NULL
        ) WHERE name IS NOT NULL
        """  # noqa: S608
    )
    engine.execute(
        f"""
        CREATE OR REPLACE TABLE mnames AS
        SELECT rowid AS pid, {CURRENT_NAME} AS vno, first, middle, last, dob FROM m
        WHERE first IS NOT NULL OR last IS NOT NULL
        UNION ALL
        SELECT pid, {OTHER_NAME}, toks[1], nullif(array_to_string(toks[2:-2], ' '), ''),
               toks[-1], dob
        FROM m_other
        UNION ALL
        SELECT pid, {OTHER_NAME_COMPOUND}, toks[1], NULL, array_to_string(toks[2:], ' '), dob
        FROM m_other WHERE len(toks) > 2
        """  # noqa: S608
    )
    engine.execute("DROP TABLE m_other")
    engine.execute(
        """
        CREATE OR REPLACE TABLE mkeys AS
        SELECT DISTINCT pid, lkey, fkey, dob, year(dob) AS byear
        FROM (
            SELECT pid, unnest(mg_surname_keys(last)) AS lkey, mg_key(first) AS fkey, dob
            FROM mnames
        )
        """
    )
    people = engine.query("SELECT count(*) AS n FROM m")["n"][0].as_py()
    return MasterStats(people=int(people))
