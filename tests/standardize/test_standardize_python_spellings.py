"""Each ``mg_*`` macro's Python spelling (what the Spark engine runs) equals the macro in DuckDB."""

# ruff: noqa: RUF001  (look-alike letters are the point of this module)

from __future__ import annotations

import itertools
import random
import unicodedata

import pyarrow as pa
import pytest

from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.standardize.sql import PYTHON_FUNCTIONS

TRICKY_NAMES = [
    "Nguyễn", "Nguye\u0302\u0303n", "Đặng Thị Ánh", "O'Brien", "O’Brien", "D`Angelo",
    "García-López", "De La Cruz", "de la cruz jr.", "Smith, Jr", "Smith III", "Jr",
    "Łukasz Wałęsa", "Straße", "STRAẞE", "Øyvind Ødegård", "Þórunn Guðmundsdóttir", "İsmail Işık",
    "Ĳsselmeer", "ǅemal", "ﬁnn", "Ｊｏｈｎ", "St. John-Smythe", "  Mary   Ann  ", "Дмитрий", "王",
    "---", "123", "Van Der Berg", "Dos Santos Silva", "Al Bin Rashid", "Le Van Thi",
]  # fmt: skip

IDENTIFIERS = [
    "123456789", "123-45-6789", " 123 45 6789", "000123456", "666000000", "912345678",
    "123001234", "123450000", "12345678", "A12345678", "a1234567", "A-123-456-789", "1234567",
    "0000000", "A0000000", "AA1234567", "20500-1234", "205", "", " ", "x", "1980-02-29",
    "1981-02-29", "1980-1-2", "02/01/1980", " 1980-01-02 ", "\t1980-01-02", "1869-12-31",
    "2999-01-01", "１２３４５６７８９", "123４56789",
]  # fmt: skip
ADDRESSES = [
    "123 North Main Street, Apt. 4", "4 Saint-Élise  avenue", "PO Box 77", "  ",
    "1600 Pennsylvania Avenue NW", "12½ Straße Court", "Ünit 3, 5 First Road", "",
]  # fmt: skip


def _corpus() -> list[str | None]:
    rnd = random.Random(3)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abc'-.ÉéñØß "
    made = ["".join(rnd.choice(letters) for _ in range(rnd.randrange(0, 16))) for _ in range(2000)]
    rare = [chr(c) for c in range(0x20, 0x2500) if unicodedata.category(chr(c)) not in ("Cn", "Cs")]
    names = [n.upper() for n in TRICKY_NAMES] + [f"{a} {b}" for a, b in itertools.pairwise(made)]
    return [None, *TRICKY_NAMES, *IDENTIFIERS, *ADDRESSES, *made, *rare, *names]


@pytest.mark.parametrize("name", sorted(PYTHON_FUNCTIONS))
def test_python_spelling_equals_the_macro(engine: DuckDBEngine, name: str) -> None:
    values = _corpus()
    engine.register("spelling_in", pa.table({"i": range(len(values)), "s": values}))
    try:
        sql = engine.query(f"SELECT {name}(s) AS v FROM spelling_in ORDER BY i")["v"].to_pylist()
    finally:
        engine.unregister("spelling_in")
    spec = PYTHON_FUNCTIONS[name]
    empty: object = [] if spec.returns == "text list" else None
    for raw, from_sql in zip(values, sql, strict=True):
        got = empty if raw is None else spec.function(raw)
        want = from_sql
        if spec.returns == "text list":
            got, want = sorted(got), sorted(from_sql)  # type: ignore[call-overload]
        assert got == want, [hex(ord(c)) for c in raw or ""]
