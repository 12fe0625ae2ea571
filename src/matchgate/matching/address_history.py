"""Earlier addresses of the candidates, from the master's ``addresses`` detail table.

A request that gives the address a person lived at before (a requester's file is often older
than the master) contradicts the current address, and without an identifier such a row went to
review with the namesakes who live elsewhere. The disclosing agency knows its people's earlier
addresses: the detail table beside the master (data contract, section 1). Only the candidates'
rows are read, after the blocks, and only to compare: the scorer's ``other_addrs`` of a person
is the list of their addresses (ZIP code and address line, standardized as the master's own),
and the address level ``earlier`` asks whether the request's is among them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyarrow as pa

from matchgate.engines.base import Engine
from matchgate.matching.master_index import CANDIDATE_ROWS, EARLIER_ADDRESSES
from matchgate.standardize.sql import macro_statements

_ROWS = "mearlier_rows"


def address_key(zip_sql: str, line_sql: str) -> str:
    """SQL of the key the level ``earlier`` compares: ZIP code, a space, the line unspaced."""
    return f"{zip_sql} || ' ' || replace({line_sql}, ' ', '')"


def attach_earlier_addresses(
    engine: Engine, addresses: Callable[[Iterable[str]], pa.Table] | None
) -> None:
    """Create :data:`EARLIER_ADDRESSES` for the candidates of :data:`CANDIDATE_ROWS` from the
    ``addresses`` rows of the people asked for (empty when the master has no such table)."""
    empty = (
        f"CREATE OR REPLACE TEMP TABLE {EARLIER_ADDRESSES} AS "
        "SELECT CAST(NULL AS BIGINT) AS pid, CAST([] AS VARCHAR[]) AS other_addrs WHERE FALSE"
    )
    if addresses is None:
        engine.execute(empty)
        return
    ids = engine.query(f"SELECT DISTINCT person_id FROM {CANDIDATE_ROWS}")  # noqa: S608
    rows = addresses(ids["person_id"].to_pylist())
    if not rows.num_rows:
        engine.execute(empty)
        return
    for statement in macro_statements():
        engine.execute(statement)
    key = address_key("mg_zip(d.zip)", "mg_address(d.address_line)")
    engine.register(_ROWS, rows.select(["person_id", "address_line", "zip"]))
    try:
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {EARLIER_ADDRESSES} AS
            SELECT c.pid, array_agg(DISTINCT k.key) AS other_addrs
            FROM (SELECT d.person_id, {key} AS key FROM {_ROWS} d) k
            JOIN {CANDIDATE_ROWS} c ON c.person_id = k.person_id
            WHERE k.key IS NOT NULL
            GROUP BY c.pid
            """  # noqa: S608
        )
    finally:
        engine.unregister(_ROWS)
