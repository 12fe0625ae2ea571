"""Use case: match a request file against a master and write the match output.

The master is the workspace's loaded store (a snapshot opened read-only: index once, probe
many), or a master file read and standardized by DuckDB into a per-run database file under the
workspace (memory-capped, spilling to a per-run temp folder), both removed afterwards; requests
are read into Python. The output is written all-or-nothing, in the format its extension names.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from matchgate.app.core import App
from matchgate.app.engines import one_shot_engine
from matchgate.app.jobs import file_digest, tracked_job
from matchgate.atomic import atomic_path
from matchgate.domain.decision import Decision
from matchgate.domain.errors import InputError
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import EngineError
from matchgate.intake import Code, RequestBatch, inspect_master, master_input_error, read_requests
from matchgate.master.details import detail_source
from matchgate.matching import (
    FellegiSunterModel,
    MatchResult,
    index_master,
    index_master_for,
    load_model,
    match_requests,
)
from matchgate.matching.comparisons import COMPARISONS
from matchgate.matching.file_em import FileAdaptedModel, model_settings, parameters_id
from matchgate.matching.master_index import LEAN_TERM_FREQUENCIES
from matchgate.matching.model import ModelFile, model_from_settings
from matchgate.services.master.store import current_snapshot, open_snapshot
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
    master_snapshot: str = ""
    parameters_file: Path | None = None
    """The m and u used, as a model file ``--model`` accepts (the run's decisions again)."""


SNAPSHOT_COLUMN = "master_snapshot"
"""Output column naming the master the row was matched against: a snapshot id of the loaded
store, or ``file:sha256:<first 16 hex digits>`` of a master file matched one-shot."""


def match_files(
    master: Path | None,
    requests: Path,
    output: Path,
    *,
    settings: Settings,
    progress: Progress = NO_PROGRESS,
    model: Path | None = None,
    retrain: bool = False,
    snapshot: str | None = None,
) -> MatchSummary:
    """Match ``requests`` against a master and write ``output`` (one row per request row).

    The master is the file ``master`` (indexed for this run only), or, when it is None, the
    workspace's loaded master store: its current snapshot, or the one ``snapshot`` names
    (:mod:`matchgate.services.master.store`). Every output row names the master it was matched
    against.

    The model is the shipped one (``matching/models/person-v1.json``), the file ``model`` names,
    or, with ``retrain``, one trained by Splink on these two files first (unsupervised; see
    :mod:`matchgate.services.master.train_model`), which takes minutes rather than seconds.
    Unless ``settings.match_file_em`` is off (or the model was trained here), its m are
    re-estimated on this file within bounds (:mod:`matchgate.matching.file_em`). The
    parameters used are named in the summary's ``model_version`` (``<version>@<id>``) and saved
    as a model file (``summary.parameters_file``) that ``model`` reads back to the same run.

    The run is recorded as a job in the operational store: the request file's digest, the master,
    the model and parameters, the decision counts, and how it ended.

    It takes ``settings`` rather than an App so that the benchmarks, the evaluation suite and the
    submission's matcher call it as a plain function; it builds the App it needs inside.
    """
    app = App(settings)
    inputs_to_check = (requests,) if master is None else (master, requests)
    fmt = _output_format(output, inputs=inputs_to_check)
    if master is None:
        if retrain:
            raise InputError(
                "--retrain trains on a master file: pass --master FILE", code="E_RETRAIN_STORE"
            )
        stored = current_snapshot(app, snapshot)
        inputs: dict[str, object] = {"master_snapshot": stored.id}
    else:
        inputs = {
            "master": master.name,
            "master_bytes": master.stat().st_size if master.is_file() else None,
        }
    inputs["requests"] = requests.name
    inputs["requests_sha256"] = file_digest(requests) if requests.is_file() else None
    with tracked_job(settings, "match", inputs) as job:
        scorer = _scorer(app, master, requests, model, retrain)
        started = time.perf_counter()
        if master is None:
            batch = _read(requests, settings, progress)
            with open_snapshot(app, stored) as (engine, stats):
                result = match_requests(
                    engine, stats, batch.table, scorer=scorer, progress=progress
                )
            name = stored.id
        else:
            result, name = _match_one_shot(master, requests, settings, progress, scorer)
        summary = _write_result(result, output, fmt, name, progress, started)
        if result.parameters is not None:
            saved = _save_parameters(settings, result.parameters)
            summary = replace(summary, parameters_file=saved)
            job.outputs["parameters_file"] = str(saved)
        job.outputs["model"] = summary.model_version
        job.outputs["output"] = str(output)
        job.outputs["master_snapshot"] = name
        job.counts.update(summary.decisions, rows=summary.rows, errors=summary.error_rows)
    return summary


def _read(requests: Path, settings: Settings, progress: Progress) -> RequestBatch:
    progress("read requests", 0, None)
    batch = read_requests(requests, today=settings.today())
    progress("read requests", batch.rows, batch.rows)
    return batch


def _match_one_shot(
    master: Path,
    requests: Path,
    settings: Settings,
    progress: Progress,
    scorer: FellegiSunterModel | None,
) -> tuple[MatchResult, str]:
    table = _read(requests, settings, progress).table
    # The master file is named by its digest, read in a thread (hashing releases the GIL) while
    # the engine works (10M people: 0.5 s no longer at the end).
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(file_digest, master)
        result = _index_and_match(master, table, settings, progress, scorer)
        return result, f"file:sha256:{digest.result()[:16]}"


def _index_and_match(
    master: Path,
    requests: pa.Table,
    settings: Settings,
    progress: Progress,
    scorer: FellegiSunterModel | None,
) -> MatchResult:
    model = scorer or FellegiSunterModel()
    lean = set(model.tf_columns()) <= LEAN_TERM_FREQUENCIES.keys()
    with one_shot_engine(settings) as engine:
        source = inspect_master(engine, master)
        try:
            if lean:
                stats = index_master_for(
                    engine, source.relation, source.columns, requests, progress
                )
            else:
                stats = index_master(engine, source.relation, source.columns, None, progress)
        except EngineError as exc:
            raise master_input_error(master, exc) from None
        stats = replace(stats, earlier_addresses=detail_source(engine, master.parent, "addresses"))
        return match_requests(engine, stats, requests, scorer=model, progress=progress)


def _write_result(
    result: MatchResult, output: Path, fmt: str, snapshot: str, progress: Progress, started: float
) -> MatchSummary:
    table = result.table.append_column(
        SNAPSHOT_COLUMN, pa.array([snapshot] * result.table.num_rows, pa.string())
    )
    progress("write output", 0, table.num_rows)
    with atomic_path(output) as tmp:
        _write(table, tmp, fmt)
    progress("write output", table.num_rows, table.num_rows)
    counts = Counter(table["decision"].to_pylist())
    return MatchSummary(
        output=output,
        rows=table.num_rows,
        decisions={d.value: counts.get(d.value, 0) for d in Decision},
        error_rows=sum(1 for code in table["error_code"].to_pylist() if code),
        warning_rows=sum(1 for codes in table["warning_codes"].to_pylist() if codes),
        seconds=time.perf_counter() - started,
        candidates=result.candidates,
        master_people=result.master_people,
        model_version=result.model_version,
        master_snapshot=snapshot,
    )


def _scorer(
    app: App, master: Path | None, requests: Path, model: Path | None, retrain: bool
) -> FellegiSunterModel | None:
    if retrain and master is not None:
        from matchgate.services.master.train_model import train_model

        trained = train_model(app, master, requests, None, version="retrained")
        return FellegiSunterModel(model_from_settings(trained.settings, COMPARISONS))
    scorer = FileAdaptedModel if app.settings.match_file_em else FellegiSunterModel
    if model is None:
        return scorer()
    try:
        return scorer(load_model(model))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        # ValueError covers malformed JSON; the message never quotes the file's content.
        raise InputError(
            "cannot read the model file: it must be a Splink model JSON file "
            "written by `python -m matchgate.services.master.train_model`",
            path=str(model),
            code="E_MODEL_FILE",
        ) from None


PARAMETERS_FOLDER = "parameters"
"""Workspace folder of the parameters each match used, one model file per parameters id."""


def _save_parameters(settings: Settings, parameters: ModelFile) -> Path:
    """Write the parameters a match used as a model file named by their id (once per id)."""
    folder = settings.workspace / PARAMETERS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{parameters_id(parameters)}.json"
    if not path.is_file():
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(model_settings(parameters), indent=1), encoding="utf-8")
    return path


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


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for record in table.to_pylist():
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        pacsv.write_csv(table, path)
