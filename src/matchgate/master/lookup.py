"""Fetch master rows (data contract, section 1) for a set of people, as text, through an engine.

Used after matching, to answer for the people found: by ``person_id`` (the matched people) and
by SSN (the holders of the SSNs a fixed-width file claims). The master is scanned once per call
with the wanted ids joined in from a registered table, so no id is ever spliced into SQL text.
``person_id`` follows the matcher's rule: where it is absent or empty, the SSN's digits serve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyarrow as pa

from matchgate.domain.contract import MASTER_COLUMNS
from matchgate.engines.base import Engine

MASTER_FIELDS = MASTER_COLUMNS
"""The master columns read back, in this order; a column the file lacks reads as empty."""

_INTEGER_TYPES = {"BIGINT", "INTEGER", "UBIGINT", "UINTEGER", "HUGEINT", "SMALLINT"}
_WANTED_IDS = "mg_lookup_ids"
_WANTED_SSNS = "mg_lookup_ssns"


def quote_identifier(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_column(columns: Mapping[str, tuple[str, str]], column: str) -> str:
    """SQL for ``column`` as trimmed text, '' when absent or NULL, whatever its stored type.

    ``columns`` maps lower-cased names to (name in the file, engine type), as intake reports.
    """
    if column not in columns:
        return "''"
    name, kind = columns[column]
    ref = quote_identifier(name)
    kind = kind.upper()
    if kind == "VARCHAR":
        expr = ref
    elif column == "ssn" and kind in _INTEGER_TYPES:
        expr = f"lpad(CAST({ref} AS VARCHAR), 9, '0')"
    elif kind.startswith("TIMESTAMP") or kind == "DATE":
        expr = f"CAST(CAST({ref} AS DATE) AS VARCHAR)"
    else:
        expr = f"CAST({ref} AS VARCHAR)"
    return f"coalesce(trim({expr}), '')"


def _digits(expr: str) -> str:
    return f"regexp_replace({expr}, '[^0-9]', '', 'g')"


def master_rows(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    *,
    person_ids: Iterable[str] = (),
    ssns: Iterable[str] = (),
) -> pa.Table:
    """Rows (:data:`MASTER_FIELDS`, all text, SSN as 9 digits) whose person_id is one of
    ``person_ids`` or whose SSN is one of ``ssns`` (9 digits each)."""
    ids = sorted(set(person_ids))
    wanted_ssns = sorted({s for s in ssns if len(s) == 9 and s.isdigit()})
    ssn = _digits(text_column(columns, "ssn"))
    person_id = f"coalesce(nullif({text_column(columns, 'person_id')}, ''), nullif({ssn}, ''))"
    selected = [f"{person_id} AS person_id", f"{ssn} AS ssn"] + [
        f"{text_column(columns, name)} AS {name}" for name in MASTER_FIELDS[2:]
    ]
    engine.register(_WANTED_IDS, pa.table({"id": pa.array(ids, pa.string())}))
    engine.register(_WANTED_SSNS, pa.table({"ssn": pa.array(wanted_ssns, pa.string())}))
    try:
        # ``relation`` is built by the engine from a quoted path; column names are quoted.
        return engine.query(
            f"""
            SELECT * FROM (SELECT {", ".join(selected)} FROM {relation}) AS master
            WHERE person_id IN (SELECT id FROM {_WANTED_IDS})
               OR ssn IN (SELECT ssn FROM {_WANTED_SSNS})
            """  # noqa: S608
        )
    finally:
        engine.unregister(_WANTED_IDS)
        engine.unregister(_WANTED_SSNS)


def rows_by(table: pa.Table, key: str) -> dict[str, dict[str, str]]:
    """The rows of ``table`` as dicts keyed by column ``key`` (a later row wins on repeats)."""
    return {row[key]: row for row in table.to_pylist() if row[key]}
