"""Fetch detail-table rows (data contract, section 1) for a set of people, through an engine.

Detail tables sit beside the master file as ``<table>.parquet`` or ``<table>.csv``, keyed by
``person_id``, each row with ``as_of`` and ``source``. Only the tables asked for are read, and
only the rows of the people asked for: the caller asks for the tables whose category may be
disclosed, so nothing else is ever read into memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from matchgate.domain.errors import InputError
from matchgate.engines.base import Engine, EngineError
from matchgate.master.lookup import quote_identifier, text_column

DETAIL_TABLES: dict[str, tuple[str, ...]] = {
    "addresses": ("address_line", "city", "state", "zip"),
    "phones": ("phone",),
    "emails": ("email",),
    "bank_accounts": ("routing_number", "account_number", "account_type"),
    "relatives": ("relative_person_id", "relationship", "first_name", "last_name"),
    "ip_addresses": ("ip", "seen_at"),
    "earnings": ("tax_year", "employer_ein", "employer_name", "wages"),
    "appointments": ("office_code", "office_city", "office_state", "starts_at", "service"),
}
"""Each detail table and its value columns (besides person_id, as_of and source)."""

E_DETAIL_TABLE = "E_DETAIL_TABLE"
"""A detail table exists but cannot be read, or lacks its person_id column."""
_SUFFIXES = (".parquet", ".csv")
_WANTED = "mg_detail_ids"


def detail_file(folder: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``folder`` (Parquet preferred), or None when there is none."""
    if table not in DETAIL_TABLES:
        raise ValueError(f"unknown detail table {table!r}")
    for suffix in _SUFFIXES:
        path = folder / f"{table}{suffix}"
        if path.is_file():
            return path
    return None


def detail_source(engine: Engine, folder: Path, table: str) -> str | None:
    """SQL selecting ``table`` beside a master in ``folder`` as person_id (trimmed text) and the
    table's value columns as text, not trimmed (NULL or blank as stored: for a standardizing
    macro, which trims, to read), for the engine to join, never read into Python; None when
    there is no such table. Trimming every value of a 2M-row table before a join cost 0.7 s."""
    path = detail_file(folder, table)
    if path is None:
        return None
    relation, columns = _described(engine, path)

    def value(name: str) -> str:
        found = columns.get(name)
        if found is not None and found[1].upper() == "VARCHAR":
            return quote_identifier(found[0])
        return text_column(columns, name)

    selected = ", ".join(
        [f"{text_column(columns, 'person_id')} AS person_id"]
        + [f"{value(name)} AS {name}" for name in DETAIL_TABLES[table]]
    )
    return f"SELECT {selected} FROM {relation}"  # noqa: S608


def _described(engine: Engine, path: Path) -> tuple[str, dict[str, tuple[str, str]]]:
    """The engine's relation of the detail file ``path`` and its columns (lower-cased name ->
    (name in the file, engine type)); InputError when it cannot be read or has no person_id."""
    relation = engine.file_relation(path)
    try:
        # The relation is built by the engine from a quoted path.
        described = engine.query(f"DESCRIBE SELECT * FROM {relation}")  # noqa: S608
    except EngineError as exc:
        raise InputError(
            f"the detail table cannot be read ({exc.message})", path=str(path), code=E_DETAIL_TABLE
        ) from None
    columns = {
        str(name).strip().lower(): (str(name), str(kind))
        for name, kind in zip(
            described["column_name"].to_pylist(), described["column_type"].to_pylist(), strict=True
        )
    }
    if "person_id" not in columns:
        raise InputError(
            "the detail table has no person_id column", path=str(path), code=E_DETAIL_TABLE
        )
    return relation, columns


def detail_rows(engine: Engine, path: Path, table: str, person_ids: Iterable[str]) -> pa.Table:
    """Rows of detail ``table`` (in ``path``) for ``person_ids``: person_id, the table's value
    columns, as_of and source, all text; newest ``as_of`` first within a person."""
    relation, columns = _described(engine, path)
    names = ("person_id", *DETAIL_TABLES[table], "as_of", "source")
    selected = ", ".join(f"{text_column(columns, name)} AS {name}" for name in names)
    engine.register(_WANTED, pa.table({"id": pa.array(sorted(set(person_ids)), pa.string())}))
    try:
        return engine.query(
            f"""
            SELECT * FROM (SELECT {selected} FROM {relation}) AS detail
            WHERE person_id IN (SELECT id FROM {_WANTED})
            ORDER BY person_id, as_of DESC
            """  # noqa: S608
        )
    except EngineError as exc:
        raise InputError(
            f"the detail table cannot be read ({exc.message})", path=str(path), code=E_DETAIL_TABLE
        ) from None
    finally:
        engine.unregister(_WANTED)
