"""The Spark engine's string similarities equal DuckDB's, bit for bit (no Spark needed here)."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa

from matchgate.engines.spark_functions import (
    damerau_levenshtein,
    jaro_winkler_similarity,
    levenshtein,
)


def _pairs() -> tuple[list[str | None], list[str | None]]:
    rnd = random.Random(11)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ "
    left: list[str | None] = []
    right: list[str | None] = []
    for _ in range(60_000):
        width = rnd.choice([3, 4, 8, 27])
        a = "".join(rnd.choice(alphabet[:width]) for _ in range(rnd.randrange(0, 14)))
        if rnd.random() < 0.5:
            b = "".join(rnd.choice(alphabet[:width]) for _ in range(rnd.randrange(0, 14)))
        else:  # a near miss: one letter changed at the end
            b = a[:-1] + rnd.choice("AB") if a else "A"
        left.append(a)
        right.append(b)
    left += ["", "", "ÉCOLE", "MARTHA", None, "DIXON", "AB" * 40, "A", "A", "WHITBROOK"]
    right += ["", "X", "ECOLE", "MARHTA", "DUANE", None, "BA" * 41, "A", "B", "WHITMAN"]
    return left, right


def test_similarities_equal_duckdb() -> None:
    left, right = _pairs()
    table = pa.table({"a": pa.array(left, pa.string()), "b": pa.array(right, pa.string())})
    con = duckdb.connect()
    con.register("pairs", table)
    expected = con.sql(
        "SELECT jaro_winkler_similarity(a, b) AS j, damerau_levenshtein(a, b) AS d, "
        "levenshtein(a, b) AS l FROM pairs"
    ).to_arrow_table()
    a, b = table["a"].combine_chunks(), table["b"].combine_chunks()
    got_j = jaro_winkler_similarity(a, b)
    got_d = damerau_levenshtein(a, b)
    # Exact equality: a value one unit in the last place off can cross a level's threshold.
    assert got_j.equals(expected["j"].combine_chunks())
    assert got_d.equals(expected["d"].combine_chunks().cast(pa.int64()))
    assert levenshtein(a, b).equals(expected["l"].combine_chunks().cast(pa.int64()))
    assert got_j[-1].as_py() < 0.7  # no prefix bonus below Jaro 0.7 (Spark's own function adds it)
