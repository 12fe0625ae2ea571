"""Use case: match a request file against a master file and write the match output.

The master is read and standardized by DuckDB into a per-run database file under the workspace
(memory-capped, spilling to a per-run temp folder), both removed afterwards; requests are read
into Python. The output is written all-or-nothing, in the format its extension names.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from matchgate.atomic import atomic_path
from matchgate.domain.decision import Decision
from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine, EngineError
from matchgate.engines.duckdb_engine import DuckDBEngine
from matchgate.intake import Code, inspect_master, master_input_error, read_requests
from matchgate.matching import FellegiSunterModel, index_master, load_model, match_requests
from matchgate.matching.comparisons import COMPARISONS
from matchgate.matching.model import model_from_settings
from matchgate.services.jobs import file_digest, tracked_job
from matchgate.settings import Settings

OUTPUT_FORMATS = {"": "csv", ".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}
"""Output extension -> format; no extension means CSV."""


@dataclass(frozen=True)
class MatchSummary:
    """What a match run produced."""

    output: Path
    rows: int
    decisions: dict[str, int]
    error_rows: int
    warning_rows: int
    seconds: float
    candidates: int = 0
    master_people: int = 0
    model_version: str = ""


def match_files(
    master: Path,
    requests: Path,
    output: Path,
    *,
    settings: Settings,
    progress: Progress = NO_PROGRESS,
    model: Path | None = None,
    retrain: bool = False,
) -> MatchSummary:
    """Match ``requests`` against ``master`` and write ``output`` (one row per request row).

    The model is the shipped one (``matching/models/person-v1.json``), the file ``model`` names,
    or, with ``retrain``, one trained by Splink on these two files first (unsupervised; see
    :mod:`matchgate.services.train_model`), which takes minutes rather than seconds.

    The run is recorded as a job in the operational store: the request file's digest, the master
    file's name and size, the decision counts, and how it ended.
    """
    fmt = _output_format(output, inputs=(master, requests))
    inputs = {
        "master": master.name,
        "master_bytes": master.stat().st_size if master.is_file() else None,
        "requests": requests.name,
        "requests_sha256": file_digest(requests) if requests.is_file() else None,
    }
    with tracked_job(settings, "match", inputs) as job:
        scorer = _scorer(master, requests, settings, model, retrain)
        summary = _match(master, requests, output, fmt, settings, progress, scorer)
        job.outputs["model"] = summary.model_version
        job.outputs["output"] = str(output)
        job.counts.update(summary.decisions, rows=summary.rows, errors=summary.error_rows)
    return summary


def _match(
    master: Path,
    requests: Path,
    output: Path,
    fmt: str,
    settings: Settings,
    progress: Progress,
    scorer: FellegiSunterModel | None = None,
) -> MatchSummary:
    started = time.perf_counter()
    today = settings.today()
    progress("read requests", 0, None)
    batch = read_requests(requests, today=today)
    progress("read requests", batch.rows, batch.rows)
    with _engine(settings) as engine:
        source = inspect_master(engine, master)
        try:
            stats = index_master(engine, source.relation, source.columns, progress)
        except EngineError as exc:
            raise master_input_error(master, exc) from None
        result = match_requests(engine, stats, batch.table, scorer=scorer, progress=progress)
    progress("write output", 0, result.table.num_rows)
    with atomic_path(output) as tmp:
        _write(result.table, tmp, fmt)
    progress("write output", result.table.num_rows, result.table.num_rows)
    counts = Counter(result.table["decision"].to_pylist())
    return MatchSummary(
        output=output,
        rows=result.table.num_rows,
        decisions={d.value: counts.get(d.value, 0) for d in Decision},
        error_rows=sum(1 for code in result.table["error_code"].to_pylist() if code),
        warning_rows=sum(1 for codes in result.table["warning_codes"].to_pylist() if codes),
        seconds=time.perf_counter() - started,
        candidates=result.candidates,
        master_people=result.master_people,
        model_version=result.model_version,
    )


def _scorer(
    master: Path, requests: Path, settings: Settings, model: Path | None, retrain: bool
) -> FellegiSunterModel | None:
    if retrain:
        from matchgate.services.train_model import train_model

        trained = train_model(master, requests, None, settings=settings, version="retrained")
        return FellegiSunterModel(model_from_settings(trained.settings, COMPARISONS))
    if model is not None:
        try:
            return FellegiSunterModel(load_model(model))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
            # ValueError covers malformed JSON; the message never quotes the file's content.
            raise InputError(
                "cannot read the model file: it must be a Splink model JSON file "
                "written by `python -m matchgate.services.train_model`",
                path=str(model),
                code="E_MODEL_FILE",
            ) from None
    return None


def _output_format(output: Path, *, inputs: tuple[Path, ...]) -> str:
    fmt = OUTPUT_FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot write {output.suffix!r}: name the output .csv, .parquet or .jsonl",
            path=str(output),
            code=Code.OUTPUT_FORMAT,
        )
    resolved = output.resolve()
    if any(resolved == path.resolve() for path in inputs):
        raise InputError(
            "the output would overwrite an input file", path=str(output), code=Code.OUTPUT_IS_INPUT
        )
    return fmt


ENGINES = ("duckdb", "spark")


def _spark_engine(settings: Settings, run_dir: Path) -> Engine:
    try:
        from matchgate.engines.spark_engine import SparkEngine
    except ImportError:
        raise ConfigurationError(
            "MATCHGATE_ENGINE=spark needs PySpark: pip install 'matchgate[spark]'"
        ) from None
    return SparkEngine(
        master=settings.spark_master,
        driver_memory=settings.spark_driver_memory,
        shuffle_partitions=settings.spark_shuffle_partitions,
        local_dir=run_dir / "spark",
    )


@contextlib.contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    """The engine the settings name: DuckDB (see :func:`duckdb_engine`) or Spark (its scratch
    folder under the workspace, removed afterwards)."""
    if settings.engine not in ENGINES:
        raise ConfigurationError(
            f"MATCHGATE_ENGINE must be one of {', '.join(ENGINES)}, not {settings.engine!r}"
        )
    if settings.engine == "duckdb":
        with duckdb_engine(settings) as duck:
            yield duck
        return
    run_dir = settings.workspace / "tmp" / f"match-{uuid.uuid4().hex[:12]}"
    engine = _spark_engine(settings, run_dir)
    try:
        yield engine
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


@contextlib.contextmanager
def duckdb_engine(settings: Settings) -> Iterator[DuckDBEngine]:
    """A DuckDB engine on a per-run file under the workspace, removed with its spill folder
    (also what Splink training runs on, whatever the engine setting)."""
    run_dir = settings.workspace / "tmp" / f"match-{uuid.uuid4().hex[:12]}"
    engine = DuckDBEngine(
        run_dir / "match.duckdb",
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_directory=run_dir / "spill",
    )
    try:
        yield engine
    finally:
        engine.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for record in table.to_pylist():
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        pacsv.write_csv(table, path)
