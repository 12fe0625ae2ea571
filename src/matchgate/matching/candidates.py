"""Candidate pairs: which master people are worth scoring against each request.

Every block looks its request keys up in a sorted master index on disk
(:mod:`matchgate.matching.key_index`, binary search), so the cost grows with the request file,
not the master. Name blocks are capped: a key shared by more
than :data:`BLOCK_CAP` master names (a very common surname and a common birthday, say) is
skipped for that block rather than flooding scoring; other blocks still reach the person. Each
request keeps every SSN and A-number candidate and at most :data:`MAX_NAME_CANDIDATES` others
(those found by more blocks, then those of smaller blocks, first).

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

The master indexes (:data:`MASTER_INDEXES`) are written from the tables ``m``, ``mkeys_l``,
``mkeys_f`` and ``mkeys_lf`` (:mod:`matchgate.matching.master_index`) when the master is indexed;
a probe reads ``req`` (the standardized requests, registered by the caller) and the index files.
The result is the table ``cand(rid, pid, via)``.
"""

# ruff: noqa: S608  (SQL here is assembled from this module's constants; values are bound)

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine
from matchgate.matching.key_index import Probe, probe, write_index
from matchgate.matching.ssn_variants import ssn_variants

BLOCK_CAP = 200
"""Largest block (master names sharing one key) still joined; larger ones are skipped."""

RARE_NAME_CAP = 10
"""Largest block of the name-only block for requests that have a date of birth: it is there
for a date of birth mistyped beyond the other blocks' reach, which only pays for rare names."""

MAX_NAME_CANDIDATES = 150
"""Most name-block candidates kept per request: those found by more blocks first, then those of
smaller blocks (a key few master people share says more). At 50,000 x 100M, 150 instead of 300
scores 18% fewer pairs and keeps all but 4 of the 41,458 true pairs the blocks find."""


@dataclass(frozen=True)
class Block:
    """One way of finding candidates: request keys (``probe``: SQL over ``req`` yielding
    ``rid`` and the 64-bit key ``h``) looked up in one master index (``index``)."""

    name: str
    bit: int
    index: str
    probe: str
    cap: int | None = BLOCK_CAP
    """Largest key block kept (None: every person sharing the key, for identifiers)."""


def _h(*typed: str) -> str:
    """The 64-bit key of a tuple of typed values: the same expression on both sides."""
    return "hash(" + ", ".join(typed) + ")"


_KD = _h("CAST(key AS VARCHAR)", "CAST(dob AS DATE)")
_LF = _h("CAST(lkey AS VARCHAR)", "CAST(fkey AS VARCHAR)")
_LFY = _h("CAST(lkey AS VARCHAR)", "CAST(fkey AS VARCHAR)", "CAST(byear AS INTEGER)")
_LFD = _h("CAST(lkey AS VARCHAR)", "CAST(fkey AS VARCHAR)", "CAST(md AS VARCHAR)")


@dataclass(frozen=True)
class MasterIndex:
    """Entries ``(h, pid)`` of one master index: the 64-bit ``key`` of each row of ``table``
    whose ``present`` columns are all known."""

    table: str
    key: str
    present: tuple[str, ...]

    @property
    def sql(self) -> str:
        known = " AND ".join(f"{c} IS NOT NULL" for c in self.present)
        return f"SELECT {self.key} AS h, pid FROM {self.table} WHERE {known}"


MASTER_INDEXES: dict[str, MasterIndex] = {
    "ssn": MasterIndex("m", "CAST(ssn AS UBIGINT)", ("ssn",)),
    "a_number": MasterIndex("m", "CAST(a_number AS UBIGINT)", ("a_number",)),
    "surname_dob": MasterIndex("mkeys_l", _KD, ("key", "dob")),
    "first_dob": MasterIndex("mkeys_f", _KD, ("key", "dob")),
    "names_year": MasterIndex("mkeys_lf", _LFY, ("lkey", "fkey", "byear")),
    "names": MasterIndex("mkeys_lf", _LF, ("lkey", "fkey")),
    "names_day": MasterIndex("mkeys_lf", _LFD, ("lkey", "fkey", "md")),
}
"""Each master index, from the tables of :mod:`matchgate.matching.master_index` (written sorted
by :func:`build_indexes`). No DISTINCT: ``mkeys_lf`` holds one row per person and surname key,
and a person has one first-name key and one date of birth, so its ``(h, pid)`` are distinct
already (a test keeps it so)."""


def _keys(source: str, key: str, columns: str) -> str:
    """Distinct ``(rid, h)`` of ``source`` (yielding ``rid`` and the key's ``columns``, none of
    them NULL: a missing value never meets anything)."""
    present = " AND ".join(f"{c} IS NOT NULL" for c in columns.split(", "))
    return f"SELECT DISTINCT rid, {key} AS h FROM ({source}) WHERE {present}"


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
_NAME_KEYS_DOB = (
    f"SELECT row AS rid, unnest({_ANY_NAME_KEYS}) AS key, dob FROM req "
    f"WHERE {_USABLE} AND dob IS NOT NULL"
)

SSN_BITS = 1 | 2
IDENTIFIER_BITS = 1 | 2 | 4
SSN_ONE_EDIT = "ssn_one_edit"

BLOCKS: tuple[Block, ...] = (
    Block(
        "ssn",
        1,
        "ssn",
        "SELECT row AS rid, CAST(ssn AS UBIGINT) AS h FROM req "
        f"WHERE ssn IS NOT NULL AND {_USABLE}",
        cap=None,
    ),
    Block(SSN_ONE_EDIT, 2, "ssn", "", cap=None),  # probes: ssn_variants, computed in numpy
    Block(
        "a_number",
        4,
        "a_number",
        "SELECT row AS rid, CAST(a_number AS UBIGINT) AS h FROM req "
        f"WHERE a_number IS NOT NULL AND {_USABLE}",
        cap=None,
    ),
    Block("surname_dob", 8, "surname_dob", _keys(_NAME_KEYS_DOB, _KD, "key, dob")),
    Block("first_dob", 16, "first_dob", _keys(_NAME_KEYS_DOB, _KD, "key, dob")),
    Block(
        "surname_first_year",
        32,
        "names_year",
        _keys(
            f"SELECT rid, lkey, fkey, year(dob) AS byear FROM ({_PREFIX_PAIRS}) "
            "WHERE dob IS NOT NULL",
            _LFY,
            "lkey, fkey, byear",
        ),
    ),
    Block(
        "surname_dob_swapped",
        64,
        "surname_dob",
        _keys(
            f"SELECT row AS rid, unnest({_SURNAME_KEYS}) AS key, dob_swapped AS dob FROM req "
            f"WHERE {_USABLE} AND dob_swapped IS NOT NULL",
            _KD,
            "key, dob",
        ),
    ),
    Block(
        "surname_first",
        128,
        "names",
        _keys(
            f"SELECT rid, lkey, fkey FROM ({_PREFIX_PAIRS}) WHERE dob IS NULL", _LF, "lkey, fkey"
        ),
    ),
    Block(
        "surname_first_rare",
        512,
        "names",
        _keys(
            f"SELECT rid, lkey, fkey FROM ({_PREFIX_PAIRS}) WHERE dob IS NOT NULL",
            _LF,
            "lkey, fkey",
        ),
        cap=RARE_NAME_CAP,
    ),
    Block(
        "surname_first_day",
        256,
        "names_day",
        _keys(
            f"SELECT rid, lkey, fkey, strftime(dob, '%m-%d') AS md FROM ({_PREFIX_PAIRS}) "
            "WHERE dob IS NOT NULL",
            _LFD,
            "lkey, fkey, md",
        ),
    ),
)

BLOCK_NAMES = {block.bit: block.name for block in BLOCKS}


def build_indexes(engine: Engine, folder: Path, progress: Progress = NO_PROGRESS) -> None:
    """Write every master index into ``folder`` (see :mod:`matchgate.matching.key_index`)."""
    for done, (name, index) in enumerate(MASTER_INDEXES.items(), start=1):
        sql = index.sql
        count = engine.query(f"SELECT count(*) AS n FROM ({sql})")["n"][0].as_py()
        write_index(
            folder, name, int(count), engine.stream(f"SELECT h, pid FROM ({sql}) ORDER BY h, pid")
        )
        progress("key indexes", done, len(MASTER_INDEXES))


WANTED_PREFIX = "want_"


def wanted_keys(engine: Engine) -> dict[str, str]:
    """Create ``want_<index>``: the distinct keys the registered ``req`` looks up in each name
    index; return, per key table, the SQL condition keeping its rows that hold one of them.

    This lets a one-shot job key only what its requests can meet. Every entry of a looked-up
    key is kept, so a block's size, and its cap, are those of the whole master.
    """
    conditions: dict[str, list[str]] = {}
    for name, index in MASTER_INDEXES.items():
        probes = [b.probe for b in BLOCKS if b.index == name and b.probe]
        if index.table == "m" or not probes:
            continue
        union = " UNION ALL ".join(f"SELECT h FROM ({p})" for p in probes)
        engine.execute(
            f"CREATE OR REPLACE TEMP TABLE {WANTED_PREFIX}{name} AS "
            f"SELECT DISTINCT h FROM ({union})"
        )
        conditions.setdefault(index.table, []).append(
            f"{index.key} IN (SELECT h FROM {WANTED_PREFIX}{name})"
        )
    return {table: " OR ".join(keep) for table, keep in conditions.items()}


def drop_wanted_keys(engine: Engine) -> None:
    for name in MASTER_INDEXES:
        engine.execute(f"DROP TABLE IF EXISTS {WANTED_PREFIX}{name}")


def find_candidates(
    engine: Engine, requests: pa.Table, indexes: Path | None, progress: Progress = NO_PROGRESS
) -> int:
    """Create ``cand(rid, pid, via)`` for the registered ``req`` table; return its size.

    With ``indexes`` (a folder written by :func:`build_indexes`) each block's request keys are
    binary-searched in the sorted index files; without, each block is a join of the same request
    keys onto the same master entries inside the engine (:data:`MASTER_INDEXES` as SQL), for an
    engine whose master lives elsewhere (a cluster). Both find the same pairs.
    """
    variant_rid, variant_key = _ssn_variants(requests)
    if indexes is None:
        engine.register("ssn_var", pa.table({"rid": variant_rid, "h": variant_key}))
        engine.execute(
            "CREATE OR REPLACE TEMP TABLE cand_raw "
            "(rid INTEGER, pid BIGINT, via INTEGER, size BIGINT)"
        )
    found: list[tuple[Probe, int]] = []
    try:
        for done, block in enumerate(BLOCKS, start=1):
            if indexes is None:
                engine.execute(
                    f"INSERT INTO cand_raw SELECT rid, pid, {block.bit}, size FROM ({_join(block)})"
                )
            else:
                if block.name == SSN_ONE_EDIT:
                    rid, key = variant_rid, variant_key
                else:
                    probes = engine.query(block.probe)
                    rid = probes["rid"].to_numpy().astype(np.int64)
                    key = probes["h"].to_numpy().astype(np.uint64)
                found.append((probe(indexes, block.index, rid, key, block.cap), block.bit))
            progress("find candidates", done, len(BLOCKS))
        if indexes is not None:
            engine.register(
                "cand_raw",
                pa.table(
                    {
                        "rid": np.concatenate([f.rid for f, _ in found]).astype(np.int32),
                        "pid": np.concatenate([f.pid for f, _ in found]),
                        "via": np.concatenate(
                            [np.full(len(f.rid), bit, np.int32) for f, bit in found]
                        ),
                        "size": np.concatenate([f.size for f, _ in found]),
                    }
                ),
            )
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE cand AS
            SELECT rid, pid, via FROM (
                SELECT rid, pid, via,
                       row_number() OVER (
                           PARTITION BY rid ORDER BY bit_count(via) DESC, size, pid
                       ) AS rank
                FROM (
                    SELECT rid, pid, bit_or(via) AS via, min(size) AS size
                    FROM cand_raw GROUP BY rid, pid
                )
            ) WHERE via & {IDENTIFIER_BITS} <> 0 OR rank <= $1
            """,
            [MAX_NAME_CANDIDATES],
        )
    finally:
        if indexes is None:
            engine.unregister("ssn_var")
            engine.execute("DROP TABLE IF EXISTS cand_raw")
        else:
            engine.unregister("cand_raw")
    count = engine.query("SELECT count(*) AS n FROM cand")["n"][0].as_py()
    return int(count)


def _join(block: Block) -> str:
    """A block as a join inside the engine: its request keys onto its master entries, keeping
    keys shared by at most the block's cap."""
    probes = "SELECT rid, h FROM ssn_var" if block.name == SSN_ONE_EDIT else block.probe
    entries = MASTER_INDEXES[block.index].sql
    capped = "" if block.cap is None else f"WHERE s.n <= {int(block.cap)}"
    return f"""
        WITH q AS ({probes}), k AS ({entries}),
        s AS (SELECT h, count(*) AS n FROM k SEMI JOIN (SELECT DISTINCT h FROM q) USING (h)
              GROUP BY h)
        SELECT q.rid, k.pid, s.n AS size FROM q JOIN s USING (h) JOIN k USING (h) {capped}
    """


def _ssn_variants(requests: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Request rows and the one-edit variants of every usable request SSN."""
    usable = requests.filter(
        pc.and_(pc.is_valid(requests["ssn"]), pc.is_null(requests["error_code"]))
    )
    rows = usable["row"].to_numpy().astype(np.int32)
    ssns = usable["ssn"].to_numpy().astype(np.int64)
    variant_rows, variants = ssn_variants(rows, ssns)
    return np.asarray(variant_rows, np.int64), np.asarray(variants).astype(np.uint64)
