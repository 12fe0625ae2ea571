"""Spark engine: matchgate's SQL on a SparkSession (local threads, or a cluster).

The only module that imports pyspark (an optional extra: ``pip install matchgate[spark]``).
Statements arrive in DuckDB's dialect and are translated by :mod:`matchgate.engines.spark_sql`;
the functions Spark lacks (the ``mg_*`` standardizers and DuckDB's string similarities) are
Arrow UDFs from :mod:`matchgate.engines.spark_functions`, equal to DuckDB's by test.

Tables are Spark DataFrames materialized on the executors (``localCheckpoint``) and exposed as
temporary views: a table built from the master never passes through the driver. Only
:meth:`query` results (request-sized: candidate pairs, decisions) and the distinct names the
variant keys are computed for come back to Python.

DuckDB's ``rowid`` pseudo-column (a row's position in its table) is given to a table the first
time a statement reads it: ``monotonically_increasing_id()`` over the materialized table, which
increases in the table's row order (partitions in order, rows in order within each), so
orderings and tie-breaks by it agree with DuckDB's even though the values have gaps.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import pyarrow as pa
import pyspark
from py4j.protocol import Py4JError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from matchgate.engines.base import EngineError, EngineFailure
from matchgate.engines.capabilities import EngineCapabilities, SnapshotFormat, SnapshotVersions
from matchgate.engines.spark_functions import (
    SIMILARITY_FUNCTIONS,
    SPARK_TYPES,
    each,
    standardizer,
)
from matchgate.engines.spark_sql import EACH, Statement, UnsupportedSql, translate
from matchgate.standardize.sql import PYTHON_FUNCTIONS

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")

MACRO_HELPERS = frozenset({"mg_map_common", "mg_map_generated", "mg_fold", "mg_zip_digits"})
"""Macros used only inside other macros: the Python spellings do not need them."""

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
}
"""Spark type names as DuckDB spells them (``DESCRIBE`` answers in DuckDB's names)."""


def _raise_sanitized(exc: BaseException) -> NoReturn:
    """Re-raise a Spark failure as :class:`EngineError` without any value it may quote."""
    text = str(exc)
    first = next((line for line in text.splitlines() if line.strip()), type(exc).__name__)
    if "PATH_NOT_FOUND" in text or "FileNotFoundException" in text:
        failure = EngineFailure.MISSING_FILE
    elif "OutOfMemoryError" in text or "No space left" in text:
        failure = EngineFailure.RESOURCES
    elif "MALFORMED" in text or "FAILFAST" in text or "CSV" in text or "Parquet" in text:
        failure = EngineFailure.MALFORMED_FILE
    else:
        failure = EngineFailure.OTHER
    raise EngineError(_QUOTED.sub("'…'", first)[:500], failure=failure) from None


def _signed(table: pa.Table) -> pa.Table:
    """``table`` with unsigned integer columns as signed 64-bit ones (Spark has no unsigned)."""
    schema = pa.schema(
        [
            pa.field(f.name, pa.int64()) if pa.types.is_unsigned_integer(f.type) else f
            for f in table.schema
        ]
    )
    return table.cast(schema) if schema != table.schema else table


def spark_session(
    master: str = "local[2]",
    *,
    driver_memory: str = "2g",
    shuffle_partitions: int = 4,
    local_dir: Path | None = None,
    app_name: str = "matchgate",
) -> SparkSession:
    """A SparkSession for matchgate (reused if this process already has one).

    Under ``spark-submit`` the master and driver memory come from the command line, which wins
    over these values."""
    # The workers run the UDFs in this interpreter, which has matchgate installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    if local_dir is not None:
        local_dir.mkdir(parents=True, exist_ok=True)
        builder = builder.config("spark.local.dir", str(local_dir))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("FATAL")  # Spark's own error logs can quote rows
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        # PySpark logs every failed query with its plan (literals included) before raising.
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return session


def register_functions(session: SparkSession) -> None:
    """Register the ``mg_*`` standardizers and DuckDB's similarity functions in ``session``."""
    for name, spec in PYTHON_FUNCTIONS.items():
        session.udf.register(
            name,
            F.arrow_udf(  # type: ignore[attr-defined]
                standardizer(name), SPARK_TYPES[spec.returns]
            ),
        )
        kind = SPARK_TYPES[spec.returns]
        session.udf.register(
            name + EACH,
            F.arrow_udf(  # type: ignore[attr-defined]
                each(name), f"array<{kind}>"
            ),
        )
    for name, (function, kind) in SIMILARITY_FUNCTIONS.items():
        session.udf.register(
            name,
            F.arrow_udf(  # type: ignore[attr-defined]
                function, kind
            ),
        )


class SparkEngine:
    """An engine on its own Spark session (views and functions of its own, shared executors)."""

    name = "spark"
    label = "Spark"
    version = pyspark.__version__
    capabilities: ClassVar[EngineCapabilities] = EngineCapabilities(
        snapshot_format=SnapshotFormat.TABLE_FILES,  # the master never passes through the driver
        key_index_files=False,  # blocks are joins on the executors
        snapshot_versions=SnapshotVersions.ANY_RELEASE,  # plain Parquet
    )

    def __init__(
        self,
        session: SparkSession | None = None,
        *,
        master: str = "local[2]",
        driver_memory: str = "2g",
        shuffle_partitions: int = 4,
        local_dir: Path | None = None,
    ) -> None:
        # A session this process already runs (a test suite's, spark-submit's) outlives us.
        self._owns_session = session is None and SparkSession.getActiveSession() is None
        root = session or spark_session(
            master,
            driver_memory=driver_memory,
            shuffle_partitions=shuffle_partitions,
            local_dir=local_dir,
        )
        self._root = root
        self.spark = root.newSession()
        register_functions(self.spark)
        self._tables: dict[str, DataFrame] = {}
        self._files = 0

    # -- the Engine interface ------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        try:
            statement, args = translate(sql, params)
            self._run(statement, args)
        except (PySparkException, Py4JError, UnsupportedSql) as exc:
            _raise_sanitized(exc)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        try:
            statement, args = translate(sql, params)
            if statement.kind == "describe":
                return self._describe(statement, args)
            if statement.kind != "query":
                self._run(statement, args)
                return pa.table({})
            self._give_rowid(statement.uses_rowid)
            table: pa.Table = self.spark.sql(statement.sql, args=args or None).toArrow()
        except (PySparkException, Py4JError, UnsupportedSql) as exc:
            _raise_sanitized(exc)
        return table

    def stream(
        self, sql: str, params: Sequence[Any] | None = None, batch_rows: int = 1 << 20
    ) -> Iterator[pa.RecordBatch]:
        """The query's result in batches (collected on the driver first: the Spark path reads
        only request-sized results)."""
        yield from self.query(sql, params).to_batches(batch_rows)

    def register(self, name: str, table: pa.Table) -> None:
        table = _signed(table)
        frame = self.spark.createDataFrame(table) if table.num_rows else self._empty(table.schema)
        self._store(name, frame)

    def unregister(self, name: str) -> None:
        self._drop(name)

    def file_relation(self, path: Path, fmt: str | None = None) -> str:
        suffix = path.suffix.lower()
        reader = self.spark.read
        try:
            if fmt == "parquet" or (fmt is None and suffix in {".parquet", ".pq"}):
                frame = reader.parquet(str(path))
            elif fmt == "jsonl" or (fmt is None and suffix in {".jsonl", ".ndjson", ".json"}):
                frame = reader.option("mode", "FAILFAST").json(str(path))
            else:
                # The contract's CSV: RFC 4180, UTF-8, a header line, every column text.
                frame = (
                    reader.option("header", "true")
                    .option("inferSchema", "false")
                    .option("encoding", "UTF-8")
                    .option("sep", ",")
                    .option("quote", '"')
                    .option("escape", '"')
                    .option("mode", "FAILFAST")
                    .csv(str(path))
                )
        except (PySparkException, Py4JError) as exc:
            _raise_sanitized(exc)
        self._files += 1
        name = f"mg_file_{self._files}"
        frame.createOrReplaceTempView(name)  # read lazily: nothing is loaded here
        return name

    # -- the TableFiles interface --------------------------------------------------------------

    def save_table(self, name: str, folder: Path) -> None:
        frame = self._tables[name]
        if "rowid" in frame.columns:  # the engine's own numbering, given again when read
            frame = frame.drop("rowid")
        try:
            frame.write.mode("errorifexists").parquet(str(folder))
        except (PySparkException, Py4JError) as exc:
            _raise_sanitized(exc)

    def open_table(self, name: str, folder: Path) -> None:
        try:
            frame = self.spark.read.parquet(str(folder))
        except (PySparkException, Py4JError) as exc:
            _raise_sanitized(exc)
        self._store(name, frame)

    def close(self) -> None:
        for name in list(self._tables):
            self._drop(name)
        if self._owns_session:
            self._root.stop()

    # -- statements ----------------------------------------------------------------------------

    def _run(self, statement: Statement, args: list[Any]) -> None:
        if statement.kind in ("macro", "set"):
            # DuckDB's macros are this engine's registered functions (the helpers only serve the
            # macros themselves); DuckDB's settings do not apply.
            known = statement.table in PYTHON_FUNCTIONS or statement.table in MACRO_HELPERS
            if statement.kind == "macro" and not known:
                raise UnsupportedSql("a macro the Spark engine does not provide")
            return
        if statement.kind == "drop":
            self._drop(statement.table)
            return
        if statement.kind == "create_empty":
            schema = T.StructType(
                [T.StructField(n, T._parse_datatype_string(k)) for n, k in statement.columns]
            )
            self._store(statement.table, self.spark.createDataFrame([], schema))
            return
        self._give_rowid(statement.uses_rowid)
        if statement.kind == "delete":
            # DuckDB deletes the rows the condition holds for: those where it is NULL stay.
            kept = f"SELECT * FROM {statement.table} WHERE NOT (({statement.sql}) <=> true)"  # noqa: S608
            self._store(statement.table, self.spark.sql(kept, args=args or None), materialize=True)
            return
        frame = self.spark.sql(statement.sql, args=args or None)
        if statement.kind == "insert":
            old = self._tables[statement.table]
            frame = old.union(
                frame.toDF(*old.columns).select(
                    *[F.col(f.name).cast(f.dataType) for f in old.schema.fields]
                )
            )
        elif statement.kind not in ("create_as", "query"):
            raise UnsupportedSql(f"statement kind {statement.kind}")
        if statement.kind == "query":
            frame.collect()
            return
        self._store(statement.table, frame, materialize=True)

    def _describe(self, statement: Statement, args: list[Any]) -> pa.Table:
        self._give_rowid(statement.uses_rowid)
        schema = self.spark.sql(statement.sql, args=args or None).schema
        names = [f.name for f in schema.fields]
        kinds = [
            DUCKDB_TYPES.get(f.dataType.simpleString(), f.dataType.simpleString().upper())
            for f in schema.fields
        ]
        return pa.table({"column_name": names, "column_type": kinds})

    # -- tables --------------------------------------------------------------------------------

    def _store(self, name: str, frame: DataFrame, *, materialize: bool = False) -> None:
        if materialize:
            frame = frame.localCheckpoint(eager=True)
        self._drop(name)
        self._tables[name] = frame
        frame.createOrReplaceTempView(name)

    def _drop(self, name: str) -> None:
        frame = self._tables.pop(name, None)
        if frame is not None:
            frame.unpersist()
        self.spark.catalog.dropTempView(name)

    def _give_rowid(self, tables: Sequence[str]) -> None:
        for name in tables:
            frame = self._tables.get(name)
            if frame is None:
                raise UnsupportedSql("rowid of a table this engine did not create")
            if "rowid" not in frame.columns:
                numbered = frame.withColumn("rowid", F.monotonically_increasing_id())
                self._store(name, numbered, materialize=True)

    def _empty(self, schema: pa.Schema) -> DataFrame:
        one_row = pa.table({f.name: pa.array([None], f.type) for f in schema})
        return self.spark.createDataFrame(one_row).limit(0)

    def table_frame(self, name: str) -> DataFrame:
        """The DataFrame of a table this engine holds (for writing it out)."""
        return self._tables[name]
