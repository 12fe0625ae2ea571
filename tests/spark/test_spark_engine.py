"""The Spark engine: the Engine interface, DuckDB's SQL semantics, functions equal to DuckDB's."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'matchgate[spark]')")

from matchgate.engines.base import EngineError
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.standardize.sql import PYTHON_FUNCTIONS, macro_statements


def test_tables_parameters_insert_drop_and_describe(spark_engine: Any) -> None:
    spark_engine.register(
        "people",
        pa.table(
            {
                "id": pa.array([3, 1, 2], pa.int32()),
                "name": ["ANA", None, "BO"],
                "born": pa.array([dt.date(1990, 1, 2), None, dt.date(1980, 5, 6)], pa.date32()),
                "keys": pa.array([["A", "B"], None, []], pa.list_(pa.string())),
            }
        ),
    )
    spark_engine.execute(
        "CREATE OR REPLACE TEMP TABLE named AS SELECT id, name FROM people WHERE id <> $1", [1]
    )
    assert spark_engine.query("SELECT id FROM named ORDER BY id")["id"].to_pylist() == [2, 3]
    spark_engine.execute("CREATE OR REPLACE TEMP TABLE acc (rid INTEGER, pid BIGINT, via INTEGER)")
    spark_engine.execute("INSERT INTO acc SELECT id, id * 10, 1 FROM people")
    spark_engine.execute("INSERT INTO acc SELECT id, id * 10, 4 FROM people WHERE id = ?", [2])
    rows = spark_engine.query(
        "SELECT rid, bit_or(via) AS via FROM acc GROUP BY rid ORDER BY rid"
    ).to_pylist()
    assert rows == [{"rid": 1, "via": 1}, {"rid": 2, "via": 5}, {"rid": 3, "via": 1}]
    described = spark_engine.query("DESCRIBE SELECT * FROM people").to_pylist()
    assert [d["column_type"] for d in described] == ["INTEGER", "VARCHAR", "DATE", "ARRAY<STRING>"]
    spark_engine.execute("DROP TABLE acc")
    with pytest.raises(EngineError):
        spark_engine.query("SELECT * FROM acc")


def test_delete_removes_the_rows_duckdb_removes(spark_engine: Any) -> None:
    people = pa.table({"pid": [1, 2, 3, 4, 5], "v": [10, None, 30, 40, 50]})
    gone = pa.table({"pid": [4]})
    statements = [
        "DELETE FROM t WHERE v > 20 AND v < 35",  # a NULL condition (pid 2) keeps the row
        "DELETE FROM t WHERE pid IN (SELECT pid FROM gone)",
    ]
    duck = DuckDBEngine()
    try:
        kept = []
        for engine in (duck, spark_engine):
            engine.register("src", people)
            engine.register("gone", gone)
            engine.execute("CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM src")
            for statement in statements:
                engine.execute(statement)
            kept.append(engine.query("SELECT pid FROM t ORDER BY pid")["pid"].to_pylist())
    finally:
        duck.close()
    assert kept[0] == [1, 2, 5]
    assert kept[1] == kept[0]
    with pytest.raises(EngineError):
        spark_engine.execute("DELETE FROM t")


def test_rowid_follows_the_table_order(spark_engine: Any) -> None:
    spark_engine.register("src", pa.table({"v": list(range(500))}))
    spark_engine.execute(
        "CREATE OR REPLACE TEMP TABLE ordered AS SELECT v FROM src ORDER BY v DESC"
    )
    got = spark_engine.query("SELECT rowid AS r, v FROM ordered ORDER BY r")["v"].to_pylist()
    assert got == list(range(499, -1, -1))


def test_csv_file_relation_reads_text_columns(spark_engine: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('person_id,ssn,first_name\nP1,012345678,"Ann, Jr"\nP2,,Bo\n', encoding="utf-8")
    relation = spark_engine.file_relation(path)
    described = spark_engine.query(f"DESCRIBE SELECT * FROM {relation}")
    assert set(described["column_type"].to_pylist()) == {"VARCHAR"}
    rows = spark_engine.query(f"SELECT * FROM {relation} ORDER BY person_id").to_pylist()
    assert rows[0] == {"person_id": "P1", "ssn": "012345678", "first_name": "Ann, Jr"}
    assert rows[1]["ssn"] is None


def test_a_failure_quotes_no_value(spark_engine: Any) -> None:
    spark_engine.register("secrets", pa.table({"ssn": ["123-45-6789"]}))
    with pytest.raises(EngineError) as caught:
        spark_engine.query("SELECT CAST(ssn AS INTEGER) + no_such_column FROM secrets")
    assert "123-45-6789" not in str(caught.value)
    with pytest.raises(EngineError) as caught:
        spark_engine.query("SELECT CAST(ssn AS INTEGER) AS n FROM secrets")
    assert "123-45-6789" not in str(caught.value)


LIST_SEMANTICS = """
    SELECT i,
           list_concat(a, b) AS concat,
           len(a) AS size,
           list_has_any(a, b) AS overlap,
           list_has_all(a, b) AS has_all,
           list_contains(a, 'X') AS has_x,
           list_sort(a) = list_sort(b) AS same_sorted,
           list_extract(string_split(s, ' '), -1) AS last_word,
           replace(substr(s, strpos(s, ' ') + 1), ' ', '') AS rest,
           list_distinct(list_concat(a, b)) AS distinct_all,
           strftime(d, '%m-%d') AS md,
           year(d) % 100 = (year(d) % 10) * 10 + (year(d) % 100) // 10 AS y,
           starts_with(s, 'AB') AS sw, contains(s, 'B C') AS ct, left(s, 2) AS l2,
           lpad(CAST(n AS VARCHAR), 9, '0') AS padded
    FROM lists ORDER BY i
"""


def test_duckdb_list_and_string_semantics(spark_engine: Any) -> None:
    table = pa.table(
        {
            "i": list(range(6)),
            "a": pa.array([["X", "Y"], None, [], ["B", "A"], ["X"], None], pa.list_(pa.string())),
            "b": pa.array([["Y"], ["Z"], [], ["A", "B"], None, None], pa.list_(pa.string())),
            "s": ["AB C D", "AB", "X Y", None, "A B C", "Q"],
            "d": pa.array([dt.date(1991, 3, 4), dt.date(2019, 12, 31), None] * 2, pa.date32()),
            "n": pa.array([12345, None, 1, 123456789, 7, 0], pa.int32()),
        }
    )
    duck = DuckDBEngine(None)
    try:
        duck.register("lists", table)
        expected = duck.query(LIST_SEMANTICS).to_pylist()
    finally:
        duck.close()
    spark_engine.register("lists", table)
    got = spark_engine.query(LIST_SEMANTICS).to_pylist()
    for want, have in zip(expected, got, strict=True):
        want["distinct_all"] = sorted(want["distinct_all"] or [])
        have["distinct_all"] = sorted(have["distinct_all"] or [])
        assert have == want


def _strings(count: int) -> list[str | None]:
    rnd = random.Random(5)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdeéñøß'-.0123456789"
    made: list[str | None] = [
        "".join(rnd.choice(letters) for _ in range(rnd.randrange(0, 18))) for _ in range(count)
    ]
    return [None, "", "  ", "García-López Jr", "O\u2019Brien", "123-45-6789", "A1234567", *made]


def test_standardizers_and_similarities_equal_duckdb(spark_engine: Any) -> None:
    values = _strings(1500)
    others = list(reversed(values))
    table = pa.table({"i": range(len(values)), "s": values, "t": others})
    calls = [f"{name}(s) AS {name}" for name in sorted(PYTHON_FUNCTIONS)]
    calls += [
        "jaro_winkler_similarity(mg_name(s), mg_name(t)) AS jw",
        "jaro_winkler_similarity(s, t) AS jw_raw",
        "damerau_levenshtein(s, t) AS dl",
        "levenshtein(s, t) AS lev",
        "list_transform(string_split(s, ' '), lambda x: mg_name(x)) AS names_each",
    ]
    sql = f"SELECT i, {', '.join(calls)} FROM strings ORDER BY i"
    duck = DuckDBEngine(None)
    try:
        for statement in macro_statements():
            duck.execute(statement)
        duck.register("strings", table)
        expected = duck.query(sql)
    finally:
        duck.close()
    spark_engine.register("strings", table)
    got = spark_engine.query(sql)
    for column in expected.column_names:
        want, have = expected[column].to_pylist(), got[column].to_pylist()
        if column == "mg_surname_keys":
            want, have = [sorted(k) for k in want], [sorted(k) for k in have]
        assert have == want, column
