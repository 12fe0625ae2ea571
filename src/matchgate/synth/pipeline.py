"""The whole run: stream the master in chunks, the detail tables beside it, then the requests.

Memory stays bounded by the chunk size: each chunk of :data:`CHUNK_ROWS` people is generated
from its own random stream (so the output does not depend on anything but the seed and the
counts), written as one Parquet row group, its detail rows written to their tables, and the few
rows the request file needs are kept (:class:`~matchgate.synth.requests.Capture`).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from matchgate.domain.contract import MASTER_COLUMNS, REQUEST_COLUMNS, TRUTH_COLUMNS
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.synth.chunk import DETAIL_COLUMNS, Chunk, detail_columns
from matchgate.synth.details import detail_tables
from matchgate.synth.population import generate_people, master_view
from matchgate.synth.requests import (
    Capture,
    build_requests,
    plan_requests,
)
from matchgate.synth.sampling import rng_for
from matchgate.synth.tables import RefTables, load_tables
from matchgate.synth.writer import ParquetSink, string_schema, write_csv

CHUNK_ROWS = 1_000_000
"""People per chunk and per master row group. Part of the output's definition: changing it
changes the files a seed gives."""

_STREAM_PEOPLE, _STREAM_DETAILS = 10, 11


@dataclass(frozen=True)
class GeneratedFiles:
    """Where a run wrote and what it holds."""

    master: Path
    details: dict[str, Path]
    requests: Path
    truth: Path
    people: int
    present: int
    absent: int


def _write_all(writes: list[tuple[ParquetSink, pa.Table]]) -> None:
    for sink, table in writes:
        sink.write(table)


def generate(
    people: int,
    requests: int,
    seed: int,
    out: Path,
    *,
    details: bool = True,
    absent_share: float = 0.15,
    progress: Progress = NO_PROGRESS,
    tables: RefTables | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> GeneratedFiles:
    """Write master.parquet, the detail tables, requests.csv and truth.csv into ``out``.

    Arguments are assumed valid (the service checks them). Detail tables left in ``out`` by an
    earlier run are removed when ``details`` is false, so the folder never mixes two runs.
    """
    tables = tables or load_tables()
    plan = plan_requests(people, requests, seed, absent_share)
    capture = Capture(plan.pool)
    out.mkdir(parents=True, exist_ok=True)
    master_path = out / "master.parquet"
    detail_paths = {name: out / f"{name}.parquet" for name in DETAIL_COLUMNS} if details else {}
    with ExitStack() as stack:
        master = ParquetSink(stack, master_path, string_schema(MASTER_COLUMNS))
        sinks = {
            name: ParquetSink(stack, path, string_schema(detail_columns(name)))
            for name, path in detail_paths.items()
        }
        # One writer thread encodes and compresses chunk k while chunk k+1 is generated; waiting
        # for it before handing over the next chunk keeps at most two chunks in memory.
        writer = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        pending: Future[None] | None = None
        done = 0
        for number, start in enumerate(range(0, people, chunk_rows)):
            index = np.arange(start, min(start + chunk_rows, people), dtype=np.int64)
            chunk = generate_people(
                tables,
                seed,
                rng_for(seed, _STREAM_PEOPLE, number),
                index,
                ssn_slots=index,
                a_number_slots=index,
            )
            capture.add(chunk, start)
            writes = [(master, master_view(chunk))]
            if details:
                rng = rng_for(seed, _STREAM_DETAILS, number)
                for name, rows in detail_tables(Chunk(chunk, tables, seed), rng):
                    writes.append((sinks[name], rows))
            if pending is not None:
                pending.result()
            pending = writer.submit(_write_all, writes)
            done += index.size
            progress("synth master", done, people)
        if pending is not None:
            pending.result()
        progress("synth requests", 0, requests)
        request_rows, truth_rows = build_requests(plan, capture.people(), tables, seed)
        write_csv(stack, out / "requests.csv", REQUEST_COLUMNS, request_rows)
        write_csv(stack, out / "truth.csv", TRUTH_COLUMNS, truth_rows)
        progress("synth requests", requests, requests)
    if not details:
        for name in DETAIL_COLUMNS:
            (out / f"{name}.parquet").unlink(missing_ok=True)
    return GeneratedFiles(
        master=master_path,
        details=detail_paths,
        requests=out / "requests.csv",
        truth=out / "truth.csv",
        people=people,
        present=plan.present,
        absent=plan.absent,
    )
