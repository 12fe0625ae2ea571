"""matchgate's SQL (DuckDB's dialect) as Spark SQL statements, through sqlglot.

sqlglot translates most of it; this module fixes what its Spark output gets wrong for matchgate:

* ``list_concat`` skips a NULL list in DuckDB; Spark's ``concat`` returns NULL: each side is
  coalesced to an empty array;
* ``list_has_any`` becomes ``arrays_overlap``, ``list_has_all(a, b)`` "every element of b is in
  a";
* ``jaro_winkler_similarity``, ``levenshtein`` and ``damerau_levenshtein`` become
  ``mg_jaro_winkler_similarity``, ``mg_levenshtein`` and ``mg_damerau_levenshtein``, DuckDB's
  algorithms (Spark's own ``jaro_winkler_similarity`` gives other values, its ``levenshtein``
  counts characters where DuckDB counts bytes);
* ``hash(...)`` (DuckDB's 64-bit hash, for blocking keys) becomes ``xxhash64(...)``, 64 bits too
  (Spark's ``hash`` has 32: collisions would merge blocks); unsigned integer types become signed;
* ``list_extract`` becomes ``element_at`` (both 1-based, negative counting from the end);
* ``len()`` is the length of a *list* in matchgate's SQL (``length()`` that of a string), so it
  becomes ``size``;
* ``list_transform(xs, lambda x: mg_f(x))`` becomes ``mg_f__each(xs)``: Spark cannot call a
  Python function inside a lambda;
* negative list indexes and list slices (1-based in DuckDB, translated wrongly) are refused, so a
  new one fails loudly instead of reading the wrong element.

Statements are classified for the engine: a query, ``CREATE [TEMP] TABLE ... AS``, an empty
``CREATE TABLE (columns)``, ``INSERT INTO ... SELECT``, ``DELETE FROM ... WHERE``, ``DROP
TABLE``, ``CREATE MACRO`` (the engine provides the ``mg_*`` functions itself) and ``DESCRIBE
SELECT``. Parameters (``$1``,
``?``) stay parameters: Spark binds them (``spark.sql(text, args=[...])``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.spark import Spark
from sqlglot.helper import seq_get

from matchgate.standardize.sql import PYTHON_FUNCTIONS

EACH = "__each"
"""Suffix of a standardizer's list form (see :mod:`matchgate.engines.spark_functions`)."""


class UnsupportedSql(ValueError):
    """A construct this translation would get wrong."""


class MatchgateDuckDB(DuckDB):
    """DuckDB as matchgate writes it: ``len()`` is only ever a list's length."""

    class Parser(DuckDB.Parser):  # type: ignore[misc,valid-type]
        FUNCTIONS = {  # noqa: RUF012  (sqlglot's own convention)
            **DuckDB.Parser.FUNCTIONS,
            "LEN": lambda args: exp.ArraySize(this=seq_get(args, 0)),
        }


def _concat(self: Any, expression: exp.ArrayConcat) -> str:
    parts = [expression.this, *expression.expressions]
    return "CONCAT(" + ", ".join(f"COALESCE({self.sql(p)}, ARRAY())" for p in parts) + ")"


class SparkTarget(Spark):
    """Spark SQL with DuckDB's list semantics where matchgate relies on them."""

    class Generator(Spark.Generator):  # type: ignore[misc,valid-type]
        TRANSFORMS = {  # noqa: RUF012
            **Spark.Generator.TRANSFORMS,
            exp.ArrayOverlaps: lambda self, e: self.func("ARRAYS_OVERLAP", e.this, e.expression),
            exp.ArrayConcat: _concat,
            exp.JarowinklerSimilarity: lambda self, e: self.func(
                "MG_JARO_WINKLER_SIMILARITY", e.this, e.expression
            ),
        }


_UNSIGNED = {
    exp.DataType.Type.UBIGINT: "BIGINT",
    exp.DataType.Type.UINT: "BIGINT",
    exp.DataType.Type.USMALLINT: "INT",
    exp.DataType.Type.UTINYINT: "SMALLINT",
}
"""Spark has no unsigned integers: matchgate's UBIGINT values (SSNs, A-numbers, hashes) fit in
a signed BIGINT."""


def _name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return str(getattr(node, "sql_name", lambda: "")()).lower()


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Transform):
        # A Python UDF cannot run inside a lambda: map a list through the UDF's list form.
        body, params = node.expression.this, node.expression.expressions
        if (
            isinstance(body, exp.Anonymous)
            and str(body.this).lower() in PYTHON_FUNCTIONS
            and len(body.expressions) == 1
            and len(params) == 1
            and body.expressions[0].name == params[0].name
        ):
            return exp.Anonymous(this=str(body.this).lower() + EACH, expressions=[node.this])
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "list_has_all":
        outer, inner = node.expressions
        return sqlglot.parse_one(
            f"FORALL({inner.sql(dialect=SparkTarget)}, "
            f"_x -> ARRAY_CONTAINS({outer.sql(dialect=SparkTarget)}, _x))",
            dialect=SparkTarget,
        )
    if isinstance(node, exp.DataType) and node.this in _UNSIGNED:
        return exp.DataType.build(_UNSIGNED[node.this])
    if isinstance(node, exp.Anonymous | exp.Func) and _name(node) == "hash":
        return exp.Anonymous(this="XXHASH64", expressions=list(node.expressions or [node.this]))
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "damerau_levenshtein":
        return exp.Anonymous(this="MG_DAMERAU_LEVENSHTEIN", expressions=node.expressions)
    if isinstance(node, exp.Levenshtein):
        return exp.Anonymous(this="MG_LEVENSHTEIN", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "list_extract":
        # 1-based, negative from the end, in both (Spark's [] is 0-based).
        return exp.Anonymous(this="ELEMENT_AT", expressions=node.expressions)
    if isinstance(node, exp.Bracket):
        for index in node.expressions:
            if isinstance(index, exp.Slice | exp.Neg):
                raise UnsupportedSql("list slices and negative list indexes are not translated")
    return node


@dataclass(frozen=True)
class Statement:
    """One statement, classified for the engine; ``sql`` is Spark SQL (the query part)."""

    kind: str
    """``query``, ``create_as``, ``create_empty``, ``insert``, ``delete``, ``drop``, ``macro``,
    ``describe`` or ``set``."""
    sql: str = ""
    """Spark SQL: the query of a query, ``create_as`` or ``insert``; the condition of a
    ``delete``."""
    table: str = ""
    temporary: bool = False
    columns: tuple[tuple[str, str], ...] = ()
    uses_rowid: tuple[str, ...] = field(default=())
    """Tables whose ``rowid`` the statement reads."""


_DESCRIBE = re.compile(r"^\s*DESCRIBE\s+(SELECT\b.*)$", re.IGNORECASE | re.DOTALL)
_MACRO = re.compile(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?MACRO\s+(\w+)", re.IGNORECASE)


def _spark(node: exp.Expr) -> str:
    return node.transform(_rewrite).sql(dialect=SparkTarget)


def _rowid_tables(node: exp.Expr) -> tuple[str, ...]:
    """Tables whose ``rowid`` pseudo-column ``node`` reads (qualified, or the only table)."""
    uses = [c for c in node.find_all(exp.Column) if c.name.lower() == "rowid"]
    if not uses:
        return ()
    aliases = {t.alias_or_name: t.name for t in node.find_all(exp.Table)}
    found = set()
    for column in uses:
        if column.table:
            found.add(aliases.get(column.table, column.table))
        elif len(set(aliases.values())) == 1:
            found.update(aliases.values())
        else:
            raise UnsupportedSql("an unqualified rowid with several tables in scope")
    return tuple(sorted(found))


def _number_placeholders(node: exp.Expr, params: Sequence[Any] | None) -> list[Any]:
    """Replace ``$n`` / ``?`` by positional ``?`` markers; return the arguments in their order."""
    values = list(params or [])
    args: list[Any] = []
    counter = 0
    for placeholder in list(node.find_all(exp.Placeholder)):
        name = placeholder.name
        if name and name.isdigit():
            args.append(values[int(name) - 1])
        else:
            args.append(values[counter])
            counter += 1
        placeholder.replace(exp.Placeholder())
    return args


def translate(sql: str, params: Sequence[Any] | None = None) -> tuple[Statement, list[Any]]:
    """The Spark form of one matchgate statement, and its bound arguments in marker order."""
    described = _DESCRIBE.match(sql)
    if described:
        inner, args = translate(described.group(1), params)
        return Statement("describe", inner.sql, uses_rowid=inner.uses_rowid), args
    macro = _MACRO.match(sql)
    if macro:
        return Statement("macro", table=macro.group(3).lower()), []
    node = sqlglot.parse_one(sql, dialect=MatchgateDuckDB)
    args = _number_placeholders(node, params)
    query = node.expression if isinstance(node, exp.Create | exp.Insert) else node
    rowid = _rowid_tables(query) if isinstance(query, exp.Expr) else ()
    if isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
        target = node.this
        temporary = any(
            isinstance(p, exp.TemporaryProperty) for p in node.find_all(exp.TemporaryProperty)
        )
        if isinstance(target, exp.Schema):
            columns = tuple(
                (str(c.name), c.args["kind"].sql(dialect=SparkTarget))
                for c in target.expressions
                if isinstance(c, exp.ColumnDef)
            )
            return (
                Statement("create_empty", table=target.this.name, columns=columns, temporary=True),
                args,
            )
        return (
            Statement(
                "create_as", _spark(query), table=target.name, temporary=temporary, uses_rowid=rowid
            ),
            args,
        )
    if isinstance(node, exp.Insert):
        target = node.this
        name = target.this.name if isinstance(target, exp.Schema) else target.name
        return Statement("insert", _spark(node.expression), table=name, uses_rowid=rowid), args
    if isinstance(node, exp.Delete):
        where = node.args.get("where")
        if where is None:
            raise UnsupportedSql("DELETE without WHERE")
        rowid = _rowid_tables(where.this)
        return Statement("delete", _spark(where.this), table=node.this.name, uses_rowid=rowid), args
    if isinstance(node, exp.Drop):
        tables = node.args.get("tables") or [node.this]
        return Statement("drop", table=tables[0].name), args
    if isinstance(node, exp.Set):
        return Statement("set"), args
    return Statement("query", _spark(node), uses_rowid=rowid), args
