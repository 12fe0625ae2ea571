"""Match a standardized request table against the standardized master, inside one engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine
from matchgate.matching.candidates import find_candidates
from matchgate.matching.decide import NO_PERSON, Decisions, Policy, decide
from matchgate.matching.master_index import MasterStats, build_master
from matchgate.matching.model import HandSetModel, PairScorer

OUTPUT_COLUMNS = (
    "request_id",
    "decision",
    "person_id",
    "score",
    "second_person_id",
    "second_score",
    "reasons",
    "error_code",
    "warning_codes",
)
"""Columns of the match output, in order (data contract, section 3)."""

UNUSABLE_REASON = "request not usable (see error_code)"
SCORE_DECIMALS = 6


@dataclass(frozen=True)
class MatchResult:
    """The match output table (:data:`OUTPUT_COLUMNS`, request order) and run figures."""

    table: pa.Table
    candidates: int
    master_people: int


def index_master(
    engine: Engine, relation: str, columns: Mapping[str, tuple[str, str]], progress: Progress
) -> MasterStats:
    """Build the standardized master and its blocking keys in ``engine``."""
    progress("index master", 0, None)
    stats = build_master(engine, relation, columns)
    progress("index master", stats.people, stats.people)
    return stats


def match_requests(
    engine: Engine,
    master: MasterStats,
    requests: pa.Table,
    *,
    scorer: PairScorer | None = None,
    policy: Policy | None = None,
    progress: Progress = NO_PROGRESS,
) -> MatchResult:
    """Find, score and decide candidates for every row of ``requests`` (standardized, see
    :data:`matchgate.standardize.records.REQUEST_SCHEMA`) against the indexed master."""
    engine.register("req", requests)
    try:
        candidates = find_candidates(engine, requests, progress)
        progress("score", 0, candidates)
        pairs = (scorer or HandSetModel()).score(engine, master)
        progress("score", candidates, candidates)
        decisions = decide(requests.num_rows, pairs, policy or Policy())
        table = _output(engine, requests, decisions)
    finally:
        engine.unregister("req")
    return MatchResult(table, candidates, master.people)


def _person_ids(engine: Engine, pids: np.ndarray) -> dict[int, str]:
    wanted = np.unique(pids[pids != NO_PERSON])
    engine.register("wanted_pids", pa.table({"pid": wanted.astype(np.int64)}))
    try:
        found = engine.query(
            "SELECT w.pid, m.person_id FROM wanted_pids w JOIN m ON m.rowid = w.pid"
        )
    finally:
        engine.unregister("wanted_pids")
    return dict(zip(found["pid"].to_pylist(), found["person_id"].to_pylist(), strict=True))


def _output(engine: Engine, requests: pa.Table, decisions: Decisions) -> pa.Table:
    names = _person_ids(engine, np.concatenate([decisions.pid, decisions.second_pid]))
    unusable = pc.is_valid(requests["error_code"]).to_numpy(zero_copy_only=False)
    reasons = [
        UNUSABLE_REASON if bad else text
        for bad, text in zip(unusable, decisions.reasons, strict=True)
    ]
    return pa.table(
        {
            "request_id": requests["request_id"],
            "decision": pa.array([d.value for d in decisions.decision], pa.string()),
            "person_id": pa.array([names.get(int(p), "") for p in decisions.pid], pa.string()),
            "score": pa.array(np.round(decisions.score, SCORE_DECIMALS), pa.float64()),
            "second_person_id": pa.array(
                [names.get(int(p), "") for p in decisions.second_pid], pa.string()
            ),
            "second_score": pa.array(
                np.round(decisions.second_score, SCORE_DECIMALS), pa.float64()
            ),
            "reasons": pa.array(reasons, pa.string()),
            "error_code": pc.fill_null(requests["error_code"], ""),
            "warning_codes": requests["warning_codes"],
        }
    )
