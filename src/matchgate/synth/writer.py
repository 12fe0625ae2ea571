"""Writing output files so that an interrupted run never leaves a partial file under its name.

Each file is written under a temporary name beside its target (:func:`matchgate.atomic.atomic_path`)
and moved into place only when the whole run succeeds.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from matchgate.atomic import atomic_path

ROW_GROUP_ROWS = 1_000_000
_COMPRESSION = "zstd"
_COMPRESSION_LEVEL = 1


def string_schema(columns: Sequence[str]) -> pa.Schema:
    return pa.schema([pa.field(c, pa.string()) for c in columns])


class ParquetSink:
    """Streams tables of one schema into a Parquet file that appears only on success."""

    def __init__(self, stack: ExitStack, target: Path, schema: pa.Schema) -> None:
        self.target = target
        self.schema = schema
        self.rows = 0
        tmp = stack.enter_context(atomic_path(target))
        self._writer = pq.ParquetWriter(
            tmp,
            schema,
            compression=_COMPRESSION,
            compression_level=_COMPRESSION_LEVEL,
        )
        stack.callback(self._writer.close)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.cast(self.schema), row_group_size=ROW_GROUP_ROWS)
            self.rows += table.num_rows


def write_csv(
    stack: ExitStack, target: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]
) -> None:
    """Write rows as UTF-8 CSV with a header (published when ``stack`` closes cleanly)."""
    tmp = stack.enter_context(atomic_path(target))
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
