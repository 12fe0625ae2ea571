"""The ``source/`` copy of an updated snapshot: the parent's copy of the master file with the
change file's people upserted, and its detail tables carried over.

A change row replaces the stored person with the same ``person_id`` (the SSN where there is
none) or adds a new one, as the index update does. The change format carries master columns
only, so detail tables are the parent's, except that a changed person whose row has an address
gains an ``addresses`` row (``as_of`` the update's day, source ``master update``): the address
category discloses from that table when there is one, newest first. Everything is written as
Parquet, all text, through the engine's SQL (never read whole into Python).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from matchgate.engines.base import Engine
from matchgate.master.details import DETAIL_TABLES, detail_file

UPDATE_SOURCE = "master update"
"""The ``source`` of an addresses row an update adds."""
_ADDRESS = DETAIL_TABLES["addresses"]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _literal(path: Path) -> str:
    return _text(str(path))


def _columns(engine: Engine, relation: str) -> list[str]:
    # The relation is built by the engine from a quoted path.
    described = engine.query(f"DESCRIBE SELECT * FROM {relation}")  # noqa: S608
    return [str(name) for name in described.column("column_name").to_pylist()]


def _as_text(columns: list[str], present: list[str]) -> str:
    have = set(present)
    return ", ".join(
        f"CAST({_quoted(c) if c in have else 'NULL'} AS VARCHAR) AS {_quoted(c)}" for c in columns
    )


def _key(alias: str, columns: list[str]) -> str:
    """A person's key: person_id, or the SSN (digits only) where there is none."""
    ssn = (
        f"regexp_replace(CAST({alias}.ssn AS VARCHAR), '[^0-9]', '', 'g')"
        if "ssn" in columns
        else "NULL"
    )
    pid = (
        f"NULLIF(TRIM(CAST({alias}.person_id AS VARCHAR)), '')"
        if "person_id" in columns
        else "NULL"
    )
    return f"COALESCE({pid}, {ssn})"


def write_updated_source(
    engine: Engine, parent: Path, changes: Path, target: Path, *, day: str
) -> str:
    """Write the updated copy of the master ``parent`` (detail tables beside it) with the
    change file ``changes`` applied into the folder ``target``; the new master file's name."""
    old = engine.file_relation(parent)
    new = engine.file_relation(changes)
    old_columns, new_columns = _columns(engine, old), _columns(engine, new)
    columns = old_columns + [c for c in new_columns if c not in old_columns]
    name = "master.parquet"
    changed = _as_text(columns, new_columns)
    # Relations are built by the engine from quoted paths; column names are quoted.
    engine.execute(f"CREATE TEMP TABLE mg_changes AS SELECT {changed} FROM {new}")  # noqa: S608
    key = _key("c", columns)
    engine.execute(
        f"COPY (SELECT {_as_text(columns, old_columns)} FROM {old} AS o "  # noqa: S608
        f"WHERE {_key('o', old_columns)} IS NULL OR {_key('o', old_columns)} NOT IN "
        f"(SELECT {key} FROM mg_changes AS c WHERE {key} IS NOT NULL) "
        f"UNION ALL SELECT * FROM mg_changes) TO {_literal(target / name)} (FORMAT parquet)"
    )
    for table in DETAIL_TABLES:
        found = detail_file(parent.parent, table)
        if found is None:
            continue
        if table == "addresses" and "address_line" in columns:
            _add_addresses(engine, found, target / "addresses.parquet", columns, day)
        else:
            shutil.copyfile(found, target / found.name)
    engine.execute("DROP TABLE mg_changes")
    return name


def _add_addresses(engine: Engine, found: Path, target: Path, columns: list[str], day: str) -> None:
    relation = engine.file_relation(found)
    present = _columns(engine, relation)
    kept = ["person_id", *_ADDRESS, "as_of", "source"]
    extra = [c for c in present if c not in kept]
    wanted = kept + extra
    values = ", ".join(
        f"CAST({_quoted(c) if c in columns else 'NULL'} AS VARCHAR)" for c in _ADDRESS
    )
    engine.execute(
        f"COPY (SELECT {_as_text(wanted, present)} FROM {relation} UNION ALL "  # noqa: S608
        f"SELECT {_key('c', columns)}, {values}, {_text(day)}, {_text(UPDATE_SOURCE)}"
        + ", NULL"
        * len(extra)
        + " FROM mg_changes AS c WHERE NULLIF(TRIM(c.address_line), '') IS NOT NULL) "
        f"TO {_literal(target)} (FORMAT parquet)"
    )
