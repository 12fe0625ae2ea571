"""Earlier addresses of the candidates, from the master's ``addresses`` detail table.

A request that gives the address a person lived at before (a requester's file is often older
than the master) contradicts the current address, and without an identifier such a row went to
review with the namesakes who live elsewhere. The disclosing agency knows its people's earlier
addresses: the detail table beside the master (data contract, section 1). Once the candidates
are known the engine joins their rows of it (nothing is read into Python) and keys them as the
master's own address is standardized; the address level ``earlier`` asks whether the request's
address line and ZIP code are among a person's keys (``other_addrs``).
"""

from __future__ import annotations

from matchgate.engines.base import Engine
from matchgate.matching.comparisons import address_key
from matchgate.matching.master_index import CANDIDATE_ROWS, EARLIER_ADDRESSES
from matchgate.standardize.sql import macro_statements

_ROWS = "mearlier_rows"
_NEARBY = "mearlier_nearby"


def attach_earlier_addresses(engine: Engine, addresses: str | None) -> None:
    """Create :data:`EARLIER_ADDRESSES` (``pid``, ``other_addrs``) for the candidates of
    :data:`CANDIDATE_ROWS` from ``addresses``, SQL selecting person_id, address_line and zip as
    text (empty when the master has no such table)."""
    if addresses is None:
        engine.execute(
            f"CREATE OR REPLACE TEMP TABLE {EARLIER_ADDRESSES} AS "
            "SELECT CAST(NULL AS BIGINT) AS pid, CAST([] AS VARCHAR[]) AS other_addrs WHERE FALSE"
        )
        return
    for statement in macro_statements():
        engine.execute(statement)
    # The candidates' rows, then only those in a ZIP code a request paired with the person
    # gives (no other row can be the request's address), then their keys: in one statement the
    # engine standardized every row of the table before joining (10 s, not 1, at 2M rows).
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_ROWS} AS
        SELECT c.pid, a.zip, a.address_line FROM ({addresses}) a
        JOIN (SELECT DISTINCT pid, person_id FROM {CANDIDATE_ROWS}) c ON c.person_id = a.person_id
        """  # noqa: S608
    )
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_NEARBY} AS
        SELECT DISTINCT r.pid, r.zip, r.address_line
        FROM (SELECT pid, mg_zip(zip) AS zip, address_line FROM {_ROWS}) r
        JOIN (
            SELECT DISTINCT k.pid, l.zip FROM cand k JOIN req l ON l.row = k.rid
            WHERE l.zip IS NOT NULL AND l.addr IS NOT NULL
        ) w ON w.pid = r.pid AND w.zip = r.zip
        """  # noqa: S608
    )
    key = address_key("zip", "mg_address(address_line)")
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {EARLIER_ADDRESSES} AS
        SELECT pid, array_agg(DISTINCT key) AS other_addrs FROM (
            SELECT pid, {key} AS key
            FROM {_NEARBY}
        ) k
        WHERE key IS NOT NULL
        GROUP BY pid
        """  # noqa: S608
    )
    engine.execute(f"DROP TABLE {_ROWS}")
    engine.execute(f"DROP TABLE {_NEARBY}")
