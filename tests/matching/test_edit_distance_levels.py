"""The edit-distance levels ask Damerau-Levenshtein only where Levenshtein leaves it open; they
must sort every pair as the plain distance would (the shipped model was trained on that)."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa

from matchgate.matching.comparisons import _one_edit, _two_edits


def _pairs() -> tuple[list[str], list[str]]:
    """Digit strings and names one or two edits apart (substitutions, transpositions, indels,
    rotations), and unrelated ones."""
    rnd = random.Random(3)
    left, right = [], []
    for _ in range(40_000):
        alphabet = rnd.choice(["0123456789", "ABCDE", "ÉAB"])
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 10)))
        b = list(a)
        for _ in range(rnd.randrange(0, 4)):
            op = rnd.randrange(5)
            at = rnd.randrange(len(b) + 1)
            if op == 0:
                b.insert(at, rnd.choice(alphabet))
            elif op == 1 and at < len(b):
                del b[at]
            elif op == 2 and at < len(b):
                b[at] = rnd.choice(alphabet)
            elif op == 3 and at + 1 < len(b):
                b[at], b[at + 1] = b[at + 1], b[at]
            elif op == 4 and b:
                b = b[1:] + b[:1]
        left.append(a)
        right.append("".join(b) if rnd.random() < 0.9 else "".join(rnd.sample(alphabet, 3)))
    return left, right


def test_guarded_levels_equal_the_plain_distance() -> None:
    left, right = _pairs()
    con = duckdb.connect()
    con.register("p", pa.table({"a": left, "b": right}))
    rows = con.sql(
        "SELECT damerau_levenshtein(a, b) AS d, "
        f"{_one_edit('a', 'b')} AS one, {_one_edit('a', 'b', or_none=True)} AS at_most_one, "
        f"{_two_edits('a', 'b')} AS two FROM p"
    ).fetchall()
    distances = [d for d, *_ in rows]
    assert {1, 2, 3} <= set(distances)  # the data reaches every case
    assert [one for _, one, _, _ in rows] == [d == 1 for d in distances]
    assert [low for _, _, low, _ in rows] == [d <= 1 for d in distances]
    assert [two for *_, two in rows] == [d == 2 for d in distances]
