"""Build the standardized master inside the engine: tables, never rows in Python.

* ``m``: one row per master person, keyed by the person's internal ``pid``: person_id,
  SSN and A-number as integers, date of birth, standardized current name (with compact forms,
  surname tokens and spelling-variant keys), earlier surnames (``other_lasts``, from
  ``other_names``), earlier first names (``other_firsts``), ZIP code and address line. These
  are the columns the comparisons (:mod:`matchgate.matching.comparisons`) read, the same as the
  request side's.
* ``mkeys_l`` / ``mkeys_f``: blocking keys of every surname / first name a person is known by,
  with the date of birth: the first letters of the name (and of each part of a compound
  surname) and the name's variant keys (:mod:`matchgate.standardize.variants`).
* ``mkeys_lf``: surname and first-name prefix keys together, with year and month-day of birth.

Work that depends on a name alone is done once per *distinct* value and joined back: a
10M-person master of the synthetic world holds about 340,000 distinct surnames, 3,700 first
names and 1.5 million distinct ``other_names`` values. Names are standardized by the ``mg_name``
macro per distinct raw value; the spelling-variant keys are computed in Python per distinct
standardized name (one implementation of the rules, no SQL copy to keep equal), the blocking keys
per distinct name in SQL. Per row remain the joins, the identifiers, dates and addresses. At 10M
people the statements building these tables took 116 s with every name standardized and keyed
per row, 66 s this way (the same tables, bit for bit).

:func:`build_master` builds these tables whole (a loaded master store). :func:`build_master_for`
serves one request file (a one-shot job): the key tables keep only the keys its blocks look up,
``m`` stands for the raw rows until :func:`finish_master` standardizes just the candidates.

Column names and types come from the caller (intake checked that the required ones exist); Parquet
and JSON columns keep their types, so each is cast to text before the ``mg_*`` macros
(:mod:`matchgate.standardize.sql`) standardize it exactly as the requests were in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from matchgate.collector import collector_paused
from matchgate.engines.base import Engine
from matchgate.standardize.identifiers import SSN_DIGITS
from matchgate.standardize.sql import macro_statements
from matchgate.standardize.variants import dictionary_keys, variant_keys

OTHER_NAMES_SEPARATOR = "|"
VARIANT_TABLE = "name_variants"
NAME_TABLE = "m_name_of"
KEY_TABLE = "m_name_keys"
OTHER_TABLE = "m_other_names"
"""Distinct raw ``other_names`` values and the earlier surnames and first names they hold."""
"""Distinct raw names of the master file and their standardized forms (while indexing)."""


@dataclass(frozen=True)
class MasterStats:
    """What scoring needs to know about the master as a whole.

    ``term_frequencies`` names the columns whose whole-master value counts are stored as
    ``mtf_<column>(v, n)`` (a loaded master store keeps them; a one-shot run counts only the
    values its requests hold).
    """

    people: int
    indexes: Path | None
    """Folder of the sorted key indexes (:mod:`matchgate.matching.key_index`); None: blocks are
    joins inside the engine."""
    term_frequencies: tuple[str, ...] = ()
    earlier_addresses: str | None = None
    """SQL selecting the master's ``addresses`` detail table (person_id, address_line, zip, as
    text); None when the master has none."""
    deferred: bool = False
    """Indexed for one request file (:func:`build_master_for`): the candidates are standardized
    by :func:`finish_master` once found."""


TERM_FREQUENCY_PREFIX = "mtf_"
CANDIDATE_ROWS = "mcand"
EARLIER_ADDRESSES = "mearlier"
"""The candidates' earlier addresses (``pid``, ``other_addrs``: :mod:`.address_history`)."""
"""The standardized rows of the candidates found (``m``'s columns): what scoring reads, so that
the whole master is read once per file, not once per use."""


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


def variant_table(names: list[str]) -> pa.Table:
    """``(name, vk, dk)``: every variant key and the dictionary keys of each standardized name."""
    vks = [list(variant_keys(name)) for name in names]
    return pa.table(
        {
            "name": pa.array(names, pa.string()),
            "vk": pa.array(vks, pa.list_(pa.string())),
            "dk": pa.array([list(dictionary_keys(tuple(k))) for k in vks], pa.list_(pa.string())),
        }
    )


def _other_lasts(names: str) -> str:
    """SQL for the surnames of a list of earlier names "FIRST [MIDDLE...] LAST": the last word,
    and for a three-word name also the two-word compound after the first name."""
    return f"""list_distinct(list_concat(
        list_transform({names}, lambda x: list_extract(string_split(x, ' '), -1)),
        list_transform(list_filter({names}, lambda x: len(string_split(x, ' ')) > 2),
            lambda x: replace(substr(x, strpos(x, ' ') + 1), ' ', ''))))"""


RAW_TABLE = "m_raw"
NAMED_TABLE = "m_named"
"""Each person's pid, date of birth and standardized names, while a one-shot job keys them."""
RAW_VIEW = "m"
"""While a master is indexed for one request file, ``m`` is this view of the raw rows (their
identifiers serve the SSN and A-number blocks) until :func:`finish_master` replaces it."""


def build_master(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    *,
    first_pid: int = 0,
    prefix: str = "",
) -> int:
    """Create ``m`` and the blocking-key tables (:data:`INDEX_TABLES`, each name preceded by
    ``prefix``) from the master file read by ``relation``; return the number of people.

    Internal pids are numbered from ``first_pid`` in file order (an update numbers its new rows
    after the store's last pid, so a pid is never reused).
    """
    people = _read_raw(engine, relation, columns)
    _name_tables(engine)
    numbered = f"SELECT w.rowid + {int(first_pid)} AS pid, w.* FROM {RAW_TABLE} w"  # noqa: S608
    _standardize(engine, f"{prefix}m", numbered)
    people_sql = f"SELECT pid, dob, first, last, other_lasts FROM {prefix}m"  # noqa: S608
    _key_tables(engine, people_sql, {}, prefix=prefix)
    _drop_working(engine)
    return people


def build_master_for(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    keep: Mapping[str, str],
) -> int:
    """Index the master file read by ``relation`` for one request file only; return the number
    of people.

    The key tables hold only the rows satisfying ``keep`` (key table -> SQL condition: the keys
    the requests look up, :func:`matchgate.matching.candidates.wanted_keys`), and ``m`` is a view
    of the raw rows: only the candidates are standardized, by :func:`finish_master`, after the
    blocks. Address lines, ZIP codes, compact names and variant lists are then worked out for a
    few hundred thousand people instead of every person of the master.
    """
    people = _read_raw(engine, relation, columns, temporary=True)
    # The three key tables read every person's standardized names: joined onto the raw rows
    # once, not once per key table (10M people: 1.9 s once, about 5 s saved), while the
    # variant keys of the earlier surnames are worked out.
    named = f"""
        CREATE OR REPLACE TEMP TABLE {NAMED_TABLE} AS
        SELECT r.rowid AS pid, r.dob, nf.name AS first, nl.name AS last,
               coalesce(o.other_lasts, []) AS other_lasts
        FROM {RAW_TABLE} r
        LEFT JOIN {NAME_TABLE} nf ON nf.raw = r.first_raw
        LEFT JOIN {NAME_TABLE} nl ON nl.raw = r.last_raw
        LEFT JOIN {OTHER_TABLE} o ON o.raw = r.other_raw
        """  # noqa: S608
    _name_tables(engine, temporary=True, meanwhile=named)
    engine.execute(f"CREATE TEMP VIEW {RAW_VIEW} AS SELECT rowid AS pid, * FROM {RAW_TABLE}")  # noqa: S608
    _key_tables(engine, f"SELECT * FROM {NAMED_TABLE}", keep, temporary=True)  # noqa: S608
    engine.execute(f"DROP TABLE {NAMED_TABLE}")
    return people


LEAN_TERM_FREQUENCIES = {
    "first": ("first_raw", "name"),
    "middle": ("middle_raw", "name"),
    "last": ("last_raw", "name"),
    "first_c": ("first_raw", "replace(name, ' ', '')"),
    "middle_c": ("middle_raw", "replace(name, ' ', '')"),
    "last_c": ("last_raw", "replace(name, ' ', '')"),
}
"""Term-frequency columns :func:`finish_master` can count over the whole master from its raw
names: column -> (raw name column, SQL of the column from the standardized ``name``)."""


def finish_master(engine: Engine, tf_columns: tuple[str, ...]) -> None:
    """After the blocks of a master indexed by :func:`build_master_for`: standardize the
    candidates of ``cand`` (:data:`CANDIDATE_ROWS`; the view ``m`` is dropped), and store the
    whole master's value counts of each of ``tf_columns`` (see :data:`LEAN_TERM_FREQUENCIES`),
    as a loaded store keeps them."""
    for column in tf_columns:
        raw, expr = LEAN_TERM_FREQUENCIES[column]
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {TERM_FREQUENCY_PREFIX}{column} AS
            SELECT v, CAST(sum(c) AS BIGINT) AS n FROM (
                SELECT {expr} AS v, c FROM (
                    SELECT {raw} AS raw, count(*) AS c FROM {RAW_TABLE} GROUP BY {raw}
                ) JOIN {NAME_TABLE} USING (raw)
            ) WHERE v IS NOT NULL
            GROUP BY v
            """  # noqa: S608
        )
    engine.execute(f"DROP VIEW {RAW_VIEW}")
    _standardize(
        engine,
        CANDIDATE_ROWS,
        f"SELECT r.rowid AS pid, r.* FROM {RAW_TABLE} r "  # noqa: S608
        "WHERE r.rowid IN (SELECT DISTINCT pid FROM cand)",
        temporary=True,
    )
    _drop_working(engine)


def fetch_candidate_rows(engine: Engine) -> None:
    """Create :data:`CANDIDATE_ROWS` from ``m`` (a master indexed whole) for the pids of ``cand``.

    A semi-join: the engine filters ``m``'s scan by the candidate pids before reading its other
    columns, instead of carrying every row of the master into a join."""
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {CANDIDATE_ROWS} AS "  # noqa: S608
        "SELECT * FROM m SEMI JOIN (SELECT DISTINCT pid FROM cand) c USING (pid)"
    )


def _create(temporary: bool) -> str:
    """A one-shot job's working tables are TEMP (see :func:`_read_raw`)."""
    return "CREATE OR REPLACE TEMP TABLE" if temporary else "CREATE OR REPLACE TABLE"


def _read_raw(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    *,
    temporary: bool = False,
) -> int:
    """Create ``m_raw``: one row per person, identifiers and dates standardized, the rest raw
    (a ``temporary`` table: in memory, spilling to disk past the engine's memory limit)."""
    for statement in macro_statements():
        engine.execute(statement)

    def t(column: str) -> str:
        return text_expr(columns, column)

    # A stored master's working tables are ordinary tables of the engine's database file, not
    # TEMP ones: a temporary table lives in memory and spills uncompressed (tens of GB at 100M
    # people). A one-shot job's is TEMP: writing it compressed took half its time (10M people:
    # 11 s against 6 s).
    # Where person_id is absent or empty the SSN serves; a row with neither cannot be named in
    # an answer, so it is left out. Names are carried raw here and standardized once per
    # distinct value (a master of 10M people holds a few hundred thousand distinct names).
    person_id = f"coalesce(nullif(trim({t('person_id')}), ''), nullif(mg_digits({t('ssn')}), ''))"
    other = f"nullif(trim({t('other_names')}), '')"
    # The relation is SQL built by the engine from a quoted path; column names are quoted.
    engine.execute(
        f"""
        {_create(temporary)} {RAW_TABLE} AS
        SELECT * FROM (SELECT {person_id} AS person_id,
               mg_ssn({t("ssn")}) AS ssn,
               mg_a_number({t("a_number")}) AS a_number,
               mg_date({t("dob")}) AS dob,
               {t("first_name")} AS first_raw,
               {t("middle_name")} AS middle_raw,
               {t("last_name")} AS last_raw,
               {t("zip")} AS zip_raw,
               {t("address_line")} AS addr_raw,
               {other} AS other_raw
        FROM {relation}) WHERE person_id IS NOT NULL
        """  # noqa: S608
    )
    people = engine.query(f"SELECT count(*) AS n FROM {RAW_TABLE}")["n"][0].as_py()  # noqa: S608
    return int(people)


def _name_tables(engine: Engine, *, temporary: bool = False, meanwhile: str = "") -> None:
    """Standardize every distinct raw name (``m_name_of``) and earlier-names value
    (``m_other_names``) of ``m_raw``, and register their spelling-variant keys; the statement
    ``meanwhile`` (which must not read the variant keys) runs while the last of them are
    worked out in Python."""
    engine.execute(
        f"""
        {_create(temporary)} {NAME_TABLE} AS
        SELECT raw, mg_name(raw) AS name FROM (
            SELECT DISTINCT raw FROM (
                SELECT first_raw AS raw FROM {RAW_TABLE}
                UNION ALL SELECT middle_raw FROM {RAW_TABLE}
                UNION ALL SELECT last_raw FROM {RAW_TABLE}
            ) WHERE raw IS NOT NULL
        )
        """  # noqa: S608
    )
    # The spelling-variant keys (Python) of the current names are worked out in a thread while
    # the engine (which releases the GIL) standardizes the earlier names; then those of the
    # earlier surnames not seen already. At 10M people this saves about 3 s of a one-shot job.
    current = engine.query(
        f"SELECT DISTINCT name FROM {NAME_TABLE} WHERE name IS NOT NULL"  # noqa: S608
    )["name"].to_pylist()
    with collector_paused(), ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(variant_table, current)
        # Earlier names "FIRST [MIDDLE...] LAST": the last word is the surname; a three-word
        # name may also be FIRST + a two-word compound surname, so both readings are kept.
        engine.execute(
            f"""
            {_create(temporary)} {OTHER_TABLE} AS
            SELECT raw, {_other_lasts("names")} AS other_lasts,
                   list_distinct(list_transform(list_filter(names,
                       lambda x: len(string_split(x, ' ')) > 1),
                       lambda x: string_split(x, ' ')[1])) AS other_firsts
            FROM (
                SELECT raw,
                       list_filter(list_transform(string_split(raw, '{OTHER_NAMES_SEPARATOR}'),
                           lambda x: mg_name(x)), lambda x: x IS NOT NULL) AS names
                FROM (SELECT DISTINCT other_raw AS raw FROM {RAW_TABLE}
                      WHERE other_raw IS NOT NULL)
            )
            """  # noqa: S608
        )
        earlier = engine.query(
            f"""
            SELECT name FROM (SELECT unnest(other_lasts) AS name FROM {OTHER_TABLE})
            WHERE name IS NOT NULL
            EXCEPT SELECT name FROM {NAME_TABLE}
            """  # noqa: S608
        )["name"].to_pylist()
        later = pool.submit(variant_table, earlier)
        if meanwhile:
            engine.execute(meanwhile)
        variants = pa.concat_tables([first.result(), later.result()])
    engine.register(VARIANT_TABLE, variants)


def _standardize(engine: Engine, table: str, people: str, *, temporary: bool = False) -> None:
    """Create ``table``: the standardized people of ``people`` (SQL yielding ``pid`` and the
    columns of ``m_raw``), with the columns the comparisons read."""
    engine.execute(
        f"""
        {_create(temporary)} {table} AS
        SELECT n.pid, n.person_id, n.ssn, n.a_number, n.dob,
               n.first, n.middle, n.last, mg_zip(n.zip_raw) AS zip, mg_address(n.addr_raw) AS addr,
               replace(n.first, ' ', '') AS first_c,
               replace(n.middle, ' ', '') AS middle_c,
               replace(n.last, ' ', '') AS last_c,
               string_split(n.last, ' ') AS last_tokens,
               n.other_lasts, n.other_firsts, CAST([] AS VARCHAR[]) AS other_addrs,
               vf.vk AS first_vk, vf.dk AS first_dk, vl.vk AS last_vk, vl.dk AS last_dk
        FROM (
            SELECT r.pid, r.person_id, r.ssn, r.a_number, r.dob,
                   nf.name AS first, nm.name AS middle, nl.name AS last, r.zip_raw, r.addr_raw,
                   coalesce(o.other_lasts, []) AS other_lasts, o.other_firsts
            FROM ({people}) r
            LEFT JOIN {OTHER_TABLE} o ON o.raw = r.other_raw
            LEFT JOIN {NAME_TABLE} nf ON nf.raw = r.first_raw
            LEFT JOIN {NAME_TABLE} nm ON nm.raw = r.middle_raw
            LEFT JOIN {NAME_TABLE} nl ON nl.raw = r.last_raw
        ) n
        LEFT JOIN {VARIANT_TABLE} vf ON vf.name = n.first
        LEFT JOIN {VARIANT_TABLE} vl ON vl.name = n.last
        """  # noqa: S608
    )


def _key_tables(
    engine: Engine,
    people: str,
    keep: Mapping[str, str],
    *,
    temporary: bool = False,
    prefix: str = "",
) -> None:
    """Create ``mkeys_l``, ``mkeys_f`` and ``mkeys_lf`` (names preceded by ``prefix``) from
    ``people`` (SQL yielding pid, dob and the standardized first, last and other_lasts), each
    holding only its rows satisfying ``keep[table]`` when given."""

    def kept(table: str, word: str = "WHERE") -> str:
        return f"{word} ({keep[table]})" if table in keep else ""

    # Blocking keys depend on the name alone: computed once per distinct name, then joined.
    # A person known by one surname gets each of its keys once; only people with earlier
    # surnames need the DISTINCT (two of their surnames may share a key).
    engine.execute(
        f"""
        {_create(temporary)} {KEY_TABLE} AS
        SELECT name,
               list_filter(list_distinct(list_concat(mg_surname_keys(name), vk)),
                   lambda k: k IS NOT NULL) AS surname_keys,
               list_filter(list_distinct(list_concat([mg_key(name)], vk)),
                   lambda k: k IS NOT NULL) AS first_keys,
               mg_surname_keys(name) AS prefix_keys
        FROM {VARIANT_TABLE}
        """  # noqa: S608
    )
    by_surname = f"""
        SELECT s.pid, s.first, s.dob, s.other, k.surname_keys, k.prefix_keys
        FROM (SELECT pid, first, dob, len(other_lasts) > 0 AS other,
                     unnest(list_concat([last], other_lasts)) AS last FROM ({people})) s
        JOIN {KEY_TABLE} k ON k.name = s.last
        """  # noqa: S608
    engine.execute(
        f"""
        {_create(temporary)} {prefix}mkeys_l AS
        WITH s AS ({by_surname})
        , k AS (SELECT pid, unnest(surname_keys) AS key, dob, other FROM s)
        SELECT pid, key, dob FROM k WHERE NOT other {kept("mkeys_l", "AND")}
        UNION ALL
        SELECT DISTINCT pid, key, dob FROM k WHERE other {kept("mkeys_l", "AND")}
        """  # noqa: S608
    )
    engine.execute(
        f"""
        {_create(temporary)} {prefix}mkeys_f AS
        SELECT * FROM (
            SELECT p.pid, unnest(k.first_keys) AS key, p.dob
            FROM ({people}) p JOIN {KEY_TABLE} k ON k.name = p.first
        ) {kept("mkeys_f")}
        """  # noqa: S608
    )
    engine.execute(
        f"""
        {_create(temporary)} {prefix}mkeys_lf AS
        WITH s AS (
            SELECT pid, unnest(prefix_keys) AS lkey, mg_key(first) AS fkey, year(dob) AS byear,
                   strftime(dob, '%m-%d') AS md, other
            FROM ({by_surname}) WHERE first IS NOT NULL
        )
        SELECT pid, lkey, fkey, byear, md FROM s WHERE NOT other {kept("mkeys_lf", "AND")}
        UNION ALL
        SELECT DISTINCT pid, lkey, fkey, byear, md FROM s WHERE other {kept("mkeys_lf", "AND")}
        """  # noqa: S608
    )
    engine.execute(f"DROP TABLE {KEY_TABLE}")


def _drop_working(engine: Engine) -> None:
    for table in (RAW_TABLE, NAME_TABLE, OTHER_TABLE):
        engine.execute(f"DROP TABLE {table}")
    engine.unregister(VARIANT_TABLE)


def build_term_frequencies(engine: Engine, columns: tuple[str, ...]) -> None:
    """Store the whole master's value counts of each of ``columns`` of ``m``."""
    for column in columns:
        if not column.isidentifier():
            raise ValueError(f"not a column name: {column!r}")
        engine.execute(
            f"CREATE OR REPLACE TABLE {TERM_FREQUENCY_PREFIX}{column} AS "  # noqa: S608
            f"SELECT {column} AS v, count(*) AS n FROM m WHERE {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY v"
        )


INDEX_TABLES = ("m", "mkeys_l", "mkeys_f", "mkeys_lf")
"""The tables :func:`build_master` creates, each keyed by ``pid``."""
CHANGES_PREFIX = "chg_"
"""Prefix of the tables an update builds from its change file before merging them in."""


@dataclass(frozen=True)
class AppliedChanges:
    """What :func:`apply_changes` did to a stored master."""

    added: int
    replaced: int
    people: int


def apply_changes(
    engine: Engine, relation: str, columns: Mapping[str, tuple[str, str]]
) -> AppliedChanges:
    """Upsert the people of a change file (master columns) into the stored master, by person_id.

    A person already present is replaced whole (name change, death, naturalization, new address:
    the row holds the person as they now are); a new person_id is added. The changed rows are
    standardized and keyed exactly as a load does, into tables of their own under fresh pids,
    then merged in by plain DELETE and INSERT (which every engine runs).
    """
    last = engine.query("SELECT coalesce(max(pid), -1) AS p FROM m")["p"][0].as_py()
    c = CHANGES_PREFIX
    build_master(engine, relation, columns, first_pid=int(last) + 1, prefix=c)
    engine.execute(
        f"CREATE TEMP TABLE retired AS SELECT pid FROM m SEMI JOIN {c}m USING (person_id)"  # noqa: S608
    )
    replaced = engine.query("SELECT count(*) AS n FROM retired")["n"][0].as_py()
    incoming = engine.query(f"SELECT count(*) AS n FROM {c}m")["n"][0].as_py()  # noqa: S608
    for table in INDEX_TABLES:
        engine.execute(f"DELETE FROM {table} WHERE pid IN (SELECT pid FROM retired)")  # noqa: S608
        engine.execute(f"INSERT INTO {table} SELECT * FROM {c}{table}")  # noqa: S608
        engine.execute(f"DROP TABLE {c}{table}")
    engine.execute("DROP TABLE retired")
    people = engine.query("SELECT count(*) AS n FROM m")["n"][0].as_py()
    return AppliedChanges(
        added=int(incoming) - int(replaced), replaced=int(replaced), people=int(people)
    )
