"""Use case: train the matcher's Fellegi-Sunter model with Splink and write the model file.

    matchgate synth --people 1000000 --requests 50000 --seed 7 --out /tmp/train
    python -m matchgate.services.master.train_model /tmp/train/master.parquet \\
        /tmp/train/requests.csv src/matchgate/matching/models/person-v1.json

No labels are read (the synthetic truth file is not used): Splink learns u by random sampling
and m by expectation maximisation (:mod:`matchgate.matching.training`). The model file is the
Splink model JSON plus a ``matchgate`` block with its version and how it was trained.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchgate.app.core import App
from matchgate.app.engines import run_engine
from matchgate.atomic import atomic_path
from matchgate.intake import inspect_master, read_requests
from matchgate.matching import index_master
from matchgate.matching.comparisons import COMPARISONS
from matchgate.matching.model import model_from_settings
from matchgate.matching.training import (
    EM_BLOCKS,
    EM_MAX_PAIRS,
    MASTER_TABLE,
    MODEL_VERSION_PREFIX,
    REQUEST_TABLE,
    U_MAX_PAIRS,
    initial_settings,
    model_metadata,
    training_table_statements,
)
from matchgate.settings import Settings


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    version: str
    seconds: float
    settings: dict[str, Any]


def train_model(
    app: App,
    master: Path,
    requests: Path,
    output: Path | None,
    *,
    version: str = f"{MODEL_VERSION_PREFIX}-v1",
    seed: int = 1,
) -> TrainedModel:
    """Train on ``master`` and ``requests`` and write the model to ``output`` (when given)."""
    from splink import Linker, block_on

    started = time.perf_counter()
    batch = read_requests(requests, today=app.today())
    with run_engine(app.settings) as (engine, run_dir):
        source = inspect_master(engine, master)
        stats = index_master(
            engine, source.relation, source.columns, run_dir / "indexes", lambda *_: None
        )
        engine.register("req", batch.table)
        for statement in training_table_statements():
            engine.execute(statement)
        db = engine.splink_api()
        left = db.register(REQUEST_TABLE, dataset_display_name="requests")
        right = db.register(MASTER_TABLE, dataset_display_name="master")
        linker = Linker([left, right], initial_settings())
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
        for columns in EM_BLOCKS:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*columns),
                estimate_without_term_frequencies=True,
                max_pairs=EM_MAX_PAIRS,
            )
        model: dict[str, Any] = linker.misc.save_model_to_json()
        engine.unregister("req")
    seconds = time.perf_counter() - started
    model["matchgate"] = model_metadata(
        version=version,
        master_people=stats.people,
        requests=batch.rows,
        trained_on=f"{master.name} + {requests.name}",
        seconds=seconds,
    )
    model_from_settings(model, COMPARISONS)  # fails early on a malformed file
    if output is not None:
        with atomic_path(output) as tmp:
            tmp.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    return TrainedModel(output or Path(), version, seconds, model)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("master", type=Path)
    parser.add_argument("requests", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--version", default=f"{MODEL_VERSION_PREFIX}-v1")
    parser.add_argument("--workspace", type=Path, default=Path("workspace"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    done = train_model(
        App(Settings.from_env(workspace=args.workspace)),
        args.master,
        args.requests,
        args.output,
        version=args.version,
    )
    print(f"wrote {done.path} ({done.version}) in {done.seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
