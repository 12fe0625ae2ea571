"""Candidate pairs: which master people are worth scoring against each request.

Every block is an equality join from the (small) request side onto the master tables, so the
cost grows with the request file, not the master. Name blocks are capped: a key shared by more
than :data:`BLOCK_CAP` master names (a very common surname and a common birthday, say) is
skipped for that block rather than flooding scoring; other blocks still reach the person. Each
request keeps every SSN and A-number candidate and at most :data:`MAX_NAME_CANDIDATES` others.

Blocks (bit in the ``via`` mask: how a pair was found):

====  ======================  ===========================================================
bit   name                    join
====  ======================  ===========================================================
1     ssn                     SSN equal
2     ssn_one_edit            SSN one substitution or adjacent transposition away
4     a_number                A-number equal
8     surname_dob             a key of the surname (or of the first name, for swapped names)
                              and the date of birth, onto any surname the person had
16    first_dob               a key of the first name (or of the surname) and the date of birth
32    surname_first_year      surname and first-name prefix keys and year of birth
64    surname_dob_swapped     a surname key and the date of birth with day and month swapped
128   surname_first           surname and first-name prefix keys (either order), for requests
                              without a date of birth
512   surname_first_rare      the same for requests with a date of birth (a mistyped one), only
                              for keys shared by at most :data:`RARE_NAME_CAP` master names
256   surname_first_day       surname and first-name prefix keys and month and day of birth
                              (a wrong year)
====  ======================  ===========================================================

Keys of a name are its first letters (and those of each part of a compound surname) and its
spelling-variant keys (:mod:`matchgate.standardize.variants`): a transliterated or nicknamed
name meets the master spelling by equality.

The tables read: ``req`` (the standardized requests, registered by the caller), ``ssn_var``
(request SSN variants), ``m``, ``mkeys_l``, ``mkeys_f`` and ``mkeys_lf``
(:mod:`matchgate.matching.master_index`). The result is the table ``cand(rid, pid, via)``.
"""

# ruff: noqa: S608  (SQL here is assembled from this module's constants; values are bound)

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine
from matchgate.matching.ssn_variants import ssn_variants

BLOCK_CAP = 200
"""Largest block (master names sharing one key) still joined; larger ones are skipped."""

RARE_NAME_CAP = 10
"""Largest block of the name-only block for requests that have a date of birth: it is there
for a date of birth mistyped beyond the other blocks' reach, which only pays for rare names."""

MAX_NAME_CANDIDATES = 300
"""Most name-block candidates kept per request (those found by more blocks first)."""


@dataclass(frozen=True)
class Block:
    """One way of finding candidates."""

    name: str
    bit: int
    sql: str
    cap: int = 0
    """Largest key block joined (0: :data:`BLOCK_CAP`)."""


def _capped(source: str, keys: str, table: str) -> str:
    """Pairs from request keys (``source`` yields ``rid`` and the ``keys`` columns, named as in
    ``table``) onto ``table``, skipping keys shared by more than the cap (parameter ``$1``)."""
    return f"""
        WITH q AS (SELECT DISTINCT rid, {keys} FROM ({source})),
        sizes AS (
            SELECT {keys}, count(*) AS n
            FROM {table} SEMI JOIN (SELECT DISTINCT {keys} FROM q) USING ({keys})
            GROUP BY ALL
        )
        SELECT q.rid, k.pid FROM q JOIN sizes s USING ({keys}) JOIN {table} k USING ({keys})
        WHERE s.n <= $1
    """


_USABLE = "error_code IS NULL"
_SURNAME_KEYS = "list_concat(coalesce(last_keys, []), coalesce(last_vk, []))"
_FIRST_KEYS = (
    "list_concat(CASE WHEN first_key IS NULL THEN [] ELSE [first_key] END, coalesce(first_vk, []))"
)
_ANY_NAME_KEYS = f"list_distinct(list_concat({_SURNAME_KEYS}, {_FIRST_KEYS}))"
_PREFIX_PAIRS = """
    SELECT row AS rid, unnest(coalesce(last_keys, [])) AS lkey, first_key AS fkey, dob
    FROM req WHERE error_code IS NULL AND first_key IS NOT NULL
    UNION ALL
    SELECT row AS rid, left(first_c, 4) AS lkey, left(last_c, 4) AS fkey, dob
    FROM req WHERE error_code IS NULL AND first_c IS NOT NULL AND last_c IS NOT NULL
"""

SSN_BITS = 1 | 2
IDENTIFIER_BITS = 1 | 2 | 4

BLOCKS: tuple[Block, ...] = (
    Block(
        "ssn",
        1,
        f"SELECT r.row AS rid, m.pid FROM req r JOIN m ON m.ssn = r.ssn WHERE r.{_USABLE}",
    ),
    Block("ssn_one_edit", 2, "SELECT v.rid, m.pid FROM ssn_var v JOIN m ON m.ssn = v.ssn"),
    Block(
        "a_number",
        4,
        "SELECT r.row AS rid, m.pid FROM req r JOIN m ON m.a_number = r.a_number "
        f"WHERE r.{_USABLE}",
    ),
    Block(
        "surname_dob",
        8,
        _capped(
            f"SELECT row AS rid, unnest({_ANY_NAME_KEYS}) AS key, dob FROM req "
            f"WHERE {_USABLE} AND dob IS NOT NULL",
            "key, dob",
            "mkeys_l",
        ),
    ),
    Block(
        "first_dob",
        16,
        _capped(
            f"SELECT row AS rid, unnest({_ANY_NAME_KEYS}) AS key, dob FROM req "
            f"WHERE {_USABLE} AND dob IS NOT NULL",
            "key, dob",
            "mkeys_f",
        ),
    ),
    Block(
        "surname_first_year",
        32,
        _capped(
            f"SELECT rid, lkey, fkey, year(dob) AS byear FROM ({_PREFIX_PAIRS}) "
            "WHERE dob IS NOT NULL",
            "lkey, fkey, byear",
            "mkeys_lf",
        ),
    ),
    Block(
        "surname_dob_swapped",
        64,
        _capped(
            f"SELECT row AS rid, unnest({_SURNAME_KEYS}) AS key, dob_swapped AS dob FROM req "
            f"WHERE {_USABLE} AND dob_swapped IS NOT NULL",
            "key, dob",
            "mkeys_l",
        ),
    ),
    Block(
        "surname_first",
        128,
        _capped(
            f"SELECT rid, lkey, fkey FROM ({_PREFIX_PAIRS}) WHERE dob IS NULL",
            "lkey, fkey",
            "mkeys_lf",
        ),
    ),
    Block(
        "surname_first_rare",
        512,
        _capped(
            f"SELECT rid, lkey, fkey FROM ({_PREFIX_PAIRS}) WHERE dob IS NOT NULL",
            "lkey, fkey",
            "mkeys_lf",
        ),
        cap=RARE_NAME_CAP,
    ),
    Block(
        "surname_first_day",
        256,
        _capped(
            f"SELECT rid, lkey, fkey, strftime(dob, '%m-%d') AS md FROM ({_PREFIX_PAIRS}) "
            "WHERE dob IS NOT NULL",
            "lkey, fkey, md",
            "mkeys_lf",
        ),
    ),
)

BLOCK_NAMES = {block.bit: block.name for block in BLOCKS}


def register_ssn_variants(engine: Engine, requests: pa.Table) -> int:
    """Register ``ssn_var(rid, ssn)``: the one-edit variants of every usable request SSN."""
    usable = requests.filter(
        pc.and_(pc.is_valid(requests["ssn"]), pc.is_null(requests["error_code"]))
    )
    rows = usable["row"].to_numpy().astype(np.int32)
    ssns = usable["ssn"].to_numpy().astype(np.int64)
    variant_rows, variants = ssn_variants(rows, ssns)
    engine.register("ssn_var", pa.table({"rid": variant_rows, "ssn": variants}))
    return len(variants)


def find_candidates(engine: Engine, requests: pa.Table, progress: Progress = NO_PROGRESS) -> int:
    """Create ``cand(rid, pid, via)`` for the registered ``req`` table; return its size."""
    register_ssn_variants(engine, requests)
    engine.execute("CREATE OR REPLACE TEMP TABLE cand_raw (rid INTEGER, pid BIGINT, via INTEGER)")
    for done, block in enumerate(BLOCKS, start=1):
        params = [block.cap or BLOCK_CAP] if "$1" in block.sql else None
        engine.execute(
            f"INSERT INTO cand_raw SELECT rid, pid, {block.bit} FROM ({block.sql})",
            params,
        )
        progress("find candidates", done, len(BLOCKS))
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cand AS
        SELECT rid, pid, via FROM (
            SELECT rid, pid, via,
                   row_number() OVER (PARTITION BY rid ORDER BY bit_count(via) DESC, pid) AS rank
            FROM (SELECT rid, pid, bit_or(via) AS via FROM cand_raw GROUP BY rid, pid)
        ) WHERE via & {IDENTIFIER_BITS} <> 0 OR rank <= $1
        """,
        [MAX_NAME_CANDIDATES],
    )
    engine.execute("DROP TABLE cand_raw")
    engine.unregister("ssn_var")
    count = engine.query("SELECT count(*) AS n FROM cand")["n"][0].as_py()
    return int(count)
