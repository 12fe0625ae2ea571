"""Match a standardized request table against the standardized master, inside one engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.engines.base import Engine
from matchgate.matching.address_history import attach_earlier_addresses
from matchgate.matching.candidates import (
    build_indexes,
    drop_wanted_keys,
    find_candidates,
    wanted_keys,
)
from matchgate.matching.decide import NO_PERSON, Decisions, Policy, decide
from matchgate.matching.file_em import parameters_label
from matchgate.matching.master_index import (
    CANDIDATE_ROWS,
    AppliedChanges,
    MasterStats,
    apply_changes,
    build_master,
    build_master_for,
    build_term_frequencies,
    fetch_candidate_rows,
    finish_master,
)
from matchgate.matching.model import FellegiSunterModel, ModelFile, PairScorer, ScoredPairs
from matchgate.matching.ssa import Names, owner_pids, ssa_codes

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
    "ssa_code",
    "located_ssn",
    "weights",
    "levels",
)
"""Columns of the match output, in order (data contract, section 3). ``weights`` is a JSON
object of the best candidate's match weight per compared field, in bits, with the ``prior``
(their sum is the candidate's total weight; :mod:`matchgate.matching.explain` draws it as a
waterfall); ``levels`` a JSON object of each compared field's level label."""

UNUSABLE_REASON = "request not usable (see error_code)"
SCORE_DECIMALS = 6


@dataclass(frozen=True)
class MatchResult:
    """The match output table (:data:`OUTPUT_COLUMNS`, request order) and run figures."""

    table: pa.Table
    candidates: int
    master_people: int
    model_version: str = ""
    """The model's version and the id of the parameters used (``person-v1@<16 hex>``)."""
    parameters: ModelFile | None = None
    """The m and u the scores were computed with (a per-file estimate, when one was made)."""


def index_master(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    indexes: Path | None,
    progress: Progress,
) -> MasterStats:
    """Build the standardized master and its blocking keys in ``engine``, and the sorted key
    indexes a probe reads in the folder ``indexes`` (None: no index files; the blocks then run
    as joins inside the engine, for an engine whose master lives on a cluster)."""
    progress("index master", 0, None)
    people = build_master(engine, relation, columns)
    progress("index master", people, people)
    if indexes is not None:
        build_indexes(engine, indexes, progress)
    return MasterStats(people=people, indexes=indexes)


def index_master_for(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    requests: pa.Table,
    progress: Progress,
) -> MasterStats:
    """Index the master for the one request file ``requests`` (a one-shot job): only the keys
    its blocks look up, and, once :func:`match_requests` has found the candidates, only their
    standardized rows (:func:`~matchgate.matching.master_index.build_master_for`). The
    decisions are those of :func:`index_master`."""
    progress("index master", 0, None)
    engine.register("req", requests)
    try:
        keep = wanted_keys(engine)
        people = build_master_for(engine, relation, columns, keep)
    finally:
        drop_wanted_keys(engine)
        engine.unregister("req")
    progress("index master", people, people)
    return MasterStats(people=people, indexes=None, deferred=True)


def store_master(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    indexes: Path | None,
    progress: Progress,
    scorer: FellegiSunterModel | None = None,
) -> MasterStats:
    """Build the standardized master, its blocking keys (and key indexes in the folder
    ``indexes``, when given) and the term-frequency tables the model reads, to be kept (a
    loaded master store)."""
    stats = index_master(engine, relation, columns, indexes, progress)
    return replace(stats, term_frequencies=_term_frequencies(engine, scorer, progress))


def update_stored_master(
    engine: Engine,
    relation: str,
    columns: Mapping[str, tuple[str, str]],
    indexes: Path | None,
    progress: Progress,
    scorer: FellegiSunterModel | None = None,
) -> tuple[MasterStats, AppliedChanges]:
    """Apply a change file to a stored master, rewrite its indexes (into the new snapshot's
    folder ``indexes``, when given) and refresh its term frequencies."""
    progress("apply changes", 0, None)
    applied = apply_changes(engine, relation, columns)
    progress("apply changes", applied.added + applied.replaced, applied.added + applied.replaced)
    if indexes is not None:
        build_indexes(engine, indexes, progress)
    terms = _term_frequencies(engine, scorer, progress)
    return MasterStats(applied.people, indexes, terms), applied


def _term_frequencies(
    engine: Engine, scorer: FellegiSunterModel | None, progress: Progress
) -> tuple[str, ...]:
    columns = tuple((scorer or FellegiSunterModel()).tf_columns())
    progress("term frequencies", 0, len(columns))
    build_term_frequencies(engine, columns)
    progress("term frequencies", len(columns), len(columns))
    return columns


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
        candidates = find_candidates(engine, requests, master.indexes, progress)
        model = scorer or FellegiSunterModel()
        if master.deferred:
            tf_columns = tuple(model.tf_columns())
            finish_master(engine, tf_columns)
            master = replace(master, deferred=False, term_frequencies=tf_columns)
        else:
            fetch_candidate_rows(engine)
        attach_earlier_addresses(engine, master.earlier_addresses)
        progress("score", 0, candidates)
        pairs = model.score(engine, master)
        progress("score", candidates, candidates)
        decisions = decide(requests.num_rows, pairs, policy or Policy())
        table = _output(engine, requests, pairs, decisions)
    finally:
        engine.unregister("req")
    used = pairs.parameters
    version = parameters_label(used) if used is not None else getattr(model, "version", "")
    return MatchResult(table, candidates, master.people, str(version), used)


def _people(engine: Engine, pids: np.ndarray) -> tuple[dict[int, str], dict[int, int], Names]:
    """person_id, SSN (-1 when none) and standardized (first name, surname) of each wanted
    internal pid."""
    wanted = np.unique(pids[pids != NO_PERSON])
    engine.register("wanted_pids", pa.table({"pid": wanted.astype(np.int64)}))
    try:
        found = engine.query(
            "SELECT w.pid, m.person_id, coalesce(m.ssn, -1) AS ssn, m.first, m.last "  # noqa: S608
            f"FROM wanted_pids w JOIN {CANDIDATE_ROWS} m ON m.pid = w.pid"
        )
    finally:
        engine.unregister("wanted_pids")
    pid_list = found["pid"].to_pylist()
    names = zip(found["first"].to_pylist(), found["last"].to_pylist(), strict=True)
    return (
        dict(zip(pid_list, found["person_id"].to_pylist(), strict=True)),
        dict(zip(pid_list, found["ssn"].to_pylist(), strict=True)),
        dict(zip(pid_list, names, strict=True)),
    )


def _explanations(pairs: ScoredPairs, decisions: Decisions) -> tuple[list[str], list[str]]:
    """The ``weights`` and ``levels`` JSON of each row's best candidate ("" for none)."""
    rows = np.flatnonzero(decisions.best >= 0)
    found = pairs.explanations(decisions.best[rows])
    weights, levels = [""] * len(decisions.best), [""] * len(decisions.best)
    for row, weight, level in zip(rows.tolist(), *found, strict=True):
        weights[row], levels[row] = weight, level
    return weights, levels


def _output(
    engine: Engine, requests: pa.Table, pairs: ScoredPairs, decisions: Decisions
) -> pa.Table:
    best_pids = pairs.pid[np.maximum(decisions.best, 0)] if len(pairs) else decisions.pid
    names, ssns, held_names = _people(
        engine,
        np.concatenate([decisions.pid, decisions.second_pid, best_pids, owner_pids(pairs)]),
    )
    master_ssn = np.full(len(pairs), -1, dtype=np.int64)
    for i in decisions.best.tolist():
        if i >= 0:
            master_ssn[i] = ssns.get(int(pairs.pid[i]), -1)
    codes = ssa_codes(requests, pairs, decisions, master_ssn, held_names)
    weights, levels = _explanations(pairs, decisions)
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
            "ssa_code": pa.array(codes.code, pa.string()),
            "located_ssn": pa.array(codes.located_ssn, pa.string()),
            "weights": pa.array(weights, pa.string()),
            "levels": pa.array(levels, pa.string()),
        }
    )
