"""The functions matchgate's SQL calls that Spark lacks, as Arrow UDFs with DuckDB's results.

* ``jaro_winkler_similarity``, ``levenshtein`` and ``damerau_levenshtein``: DuckDB's own
  algorithms (rapidfuzz's, on UTF-8 bytes), bit for bit (Spark's ``levenshtein`` counts
  characters). DuckDB's Jaro-Winkler adds the prefix bonus with a fused
  multiply-add (``fma(prefix * 0.1, 1 - jaro, jaro)``, one rounding), which plain floating point
  misses by one unit in the last place often enough to move a pair across a threshold, so the
  bonus is rounded exactly here (per distinct value, with fractions).
* the ``mg_*`` standardizers: :data:`matchgate.standardize.sql.PYTHON_FUNCTIONS`, the request
  side's own Python code.

Tests compare each with DuckDB over many strings. The array functions are plain Python on
Arrow arrays: the workers call them on batches of candidate pairs or master rows.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Jaro, Levenshtein

from matchgate.standardize.sql import PYTHON_FUNCTIONS

PREFIX_WEIGHT = 0.1
MAX_PREFIX = 4
BOOST_THRESHOLD = 0.7

ARROW_TYPES = {
    "text": pa.string(),
    "integer": pa.int32(),
    "date": pa.date32(),
    "text list": pa.list_(pa.string()),
}
SPARK_TYPES = {"text": "string", "integer": "int", "date": "date", "text list": "array<string>"}


def _pairs(a: pa.Array, b: pa.Array) -> tuple[npt.NDArray[np.bool_], list[bytes], list[bytes]]:
    """Rows where both sides are present, and those rows' UTF-8 bytes."""
    valid = np.asarray(pc.and_(a.is_valid(), b.is_valid()), dtype=bool)
    left = [s.encode() for s in a.filter(pa.array(valid)).to_pylist()]
    right = [s.encode() for s in b.filter(pa.array(valid)).to_pylist()]
    return valid, left, right


def _common_prefix(left: list[bytes], right: list[bytes]) -> npt.NDArray[np.float64]:
    out = np.zeros(len(left))
    for i, (x, y) in enumerate(zip(left, right, strict=True)):
        limit = min(len(x), len(y), MAX_PREFIX)
        n = 0
        while n < limit and x[n] == y[n]:
            n += 1
        out[i] = n
    return out


Floats = npt.NDArray[np.float64]


def _fused_boost(prefix: Floats, jaro: Floats) -> Floats:
    """``fma(prefix * 0.1, 1 - jaro, jaro)`` rounded once, as DuckDB's compiled code does."""
    keys = np.stack([prefix, jaro], axis=1)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    values = np.array(
        [
            float(Fraction(p * PREFIX_WEIGHT) * Fraction(1.0 - j) + Fraction(j))
            for p, j in unique.tolist()
        ]
    )
    result: npt.NDArray[np.float64] = values[inverse.reshape(-1)]
    return result


def jaro_winkler_similarity(a: pa.Array, b: pa.Array) -> pa.Array:
    """DuckDB's ``jaro_winkler_similarity``: 0 when either string is empty; NULL in, NULL out."""
    valid, left, right = _pairs(a, b)
    jaro = process.cpdist(left, right, scorer=Jaro.similarity, workers=1, dtype=np.float64)
    jaro = np.asarray(jaro, dtype=np.float64).reshape(-1)
    empty = np.array([not x or not y for x, y in zip(left, right, strict=True)], dtype=bool)
    jaro = np.where(empty, 0.0, jaro)
    boosted = jaro > BOOST_THRESHOLD
    result = jaro.copy()
    if boosted.any():
        prefix = _common_prefix(
            [x for x, k in zip(left, boosted, strict=True) if k],
            [y for y, k in zip(right, boosted, strict=True) if k],
        )
        result[boosted] = _fused_boost(prefix, jaro[boosted])
    out = np.zeros(len(a))
    out[valid] = result
    return pa.array(out, pa.float64(), mask=~valid)


def damerau_levenshtein(a: pa.Array, b: pa.Array) -> pa.Array:
    """DuckDB's ``damerau_levenshtein`` (unrestricted, on UTF-8 bytes); NULL in, NULL out."""
    return _distance(a, b, DamerauLevenshtein.distance)


def levenshtein(a: pa.Array, b: pa.Array) -> pa.Array:
    """DuckDB's ``levenshtein`` (on UTF-8 bytes); NULL in, NULL out."""
    return _distance(a, b, Levenshtein.distance)


def _distance(a: pa.Array, b: pa.Array, scorer: Callable[..., int]) -> pa.Array:
    valid, left, right = _pairs(a, b)
    distance = process.cpdist(left, right, scorer=scorer, workers=1, dtype=np.int64)
    out = np.zeros(len(a), dtype=np.int64)
    out[valid] = np.asarray(distance, dtype=np.int64).reshape(-1)
    return pa.array(out, pa.int64(), mask=~valid)


def standardizer(name: str) -> Callable[[pa.Array], pa.Array]:
    """The Arrow function of the macro ``name`` (from its Python spelling)."""
    spec = PYTHON_FUNCTIONS[name]
    kind = ARROW_TYPES[spec.returns]
    empty: object = [] if spec.returns == "text list" else None
    function = spec.function

    def apply(values: pa.Array) -> pa.Array:
        return pa.array(
            [empty if v is None else function(v) for v in values.to_pylist()], type=kind
        )

    apply.__name__ = name
    return apply


from matchgate.engines.spark_sql import EACH  # noqa: E402  (one spelling of the suffix)


def each(name: str) -> Callable[[pa.Array], pa.Array]:
    """The list form of the macro ``name``: applied to every element; a NULL list stays NULL."""
    spec = PYTHON_FUNCTIONS[name]
    kind = ARROW_TYPES[spec.returns]
    function = spec.function

    def apply(values: pa.Array) -> pa.Array:
        return pa.array(
            [
                None if items is None else [None if v is None else function(v) for v in items]
                for items in values.to_pylist()
            ],
            type=pa.list_(kind),
        )

    apply.__name__ = name + EACH
    return apply


SIMILARITY_FUNCTIONS: dict[str, tuple[Callable[[pa.Array, pa.Array], pa.Array], str]] = {
    "mg_jaro_winkler_similarity": (jaro_winkler_similarity, "double"),
    "mg_damerau_levenshtein": (damerau_levenshtein, "bigint"),
    "mg_levenshtein": (levenshtein, "bigint"),
}
"""DuckDB built-ins the comparisons use, under the names the translation gives them (Spark 4 has
a ``jaro_winkler_similarity`` of its own, without DuckDB's 0.7 threshold for the prefix bonus),
with their Spark result types."""
