"""What training the model needs, engine-agnostic: the input tables and the training plan.

Training is unsupervised (no truth file is read): Splink estimates ``u`` by random sampling of
request x master pairs, then ``m`` by expectation maximisation on pairs blocked by one field at a
time, each round learning the fields it was not blocked on:

1. pairs sharing an SSN (learns names, date of birth, address; a borrowed SSN is a non-match
   EM has to explain);
2. pairs sharing a date of birth (learns SSN, A-number, names, address);
3. pairs sharing a surname (learns date of birth, SSN, first name).

:mod:`matchgate.services.master.train_model` runs the plan with Splink on an engine and writes
the model file; this module knows no database.
"""

# ruff: noqa: S608  (SQL here is assembled from this module's constants)

from __future__ import annotations

import datetime as dt
from typing import Any

from matchgate.matching.comparisons import (
    COMPARISONS,
    MASTER_ONLY_COLUMNS,
    RECORD_COLUMNS,
    splink_settings,
)

REQUEST_TABLE = "train_requests"
MASTER_TABLE = "train_master"
EM_BLOCKS: tuple[tuple[str, ...], ...] = (("ssn",), ("dob",), ("last_c",))
"""Blocking columns of the EM rounds, in order."""
U_MAX_PAIRS = 10_000_000
"""Random pairs sampled to estimate u."""
EM_MAX_PAIRS = 5_000_000
"""Blocked pairs sampled for each EM round (a common surname alone blocks millions)."""
MODEL_VERSION_PREFIX = "person"


def training_table_statements() -> list[str]:
    """SQL creating the two Splink input tables from ``req`` (usable rows) and ``m``."""
    request_columns = ", ".join(
        f"CAST([] AS VARCHAR[]) AS {c}" if c in MASTER_ONLY_COLUMNS else c for c in RECORD_COLUMNS
    )
    master_columns = ", ".join(RECORD_COLUMNS)
    return [
        f"CREATE OR REPLACE TABLE {REQUEST_TABLE} AS SELECT CAST(row AS BIGINT) AS unique_id, "
        f"{request_columns} FROM req WHERE error_code IS NULL",
        # Ordered by pid, so seeded sampling reads the same rows whatever order ``m`` was built in.
        f"CREATE OR REPLACE TABLE {MASTER_TABLE} AS SELECT CAST(pid AS BIGINT) AS unique_id, "
        f"{master_columns} FROM m ORDER BY pid",
    ]


def initial_settings() -> dict[str, Any]:
    """The Splink settings training starts from (the comparisons' priors)."""
    return splink_settings(COMPARISONS)


def model_metadata(
    *, version: str, master_people: int, requests: int, trained_on: str, seconds: float
) -> dict[str, Any]:
    """The ``matchgate`` block written into the model file."""
    return {
        "model_version": version,
        "trained": dt.date.today().isoformat(),
        "training_data": trained_on,
        "master_people": master_people,
        "request_rows": requests,
        "em_blocks": [list(b) for b in EM_BLOCKS],
        "u_max_pairs": U_MAX_PAIRS,
        "em_max_pairs": EM_MAX_PAIRS,
        "training_seconds": round(seconds, 1),
        "comparisons": [c.name for c in COMPARISONS],
        "note": (
            "Splink 5 Fellegi-Sunter model, trained without labels (u by random sampling, m by "
            "EM). At match time only term frequencies and the prior are refreshed from the "
            "master; see docs/matching.md."
        ),
    }
