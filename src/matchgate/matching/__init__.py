"""Candidates, scoring, decisions and explanations, engine-agnostic (SQL run by an engine).

:func:`index_master` standardizes the master inside the engine (:func:`index_master_for`: for
one request file only); :func:`match_requests` answers a
standardized request table against it. Scoring sits behind :class:`PairScorer`; the shipped
scorer is :class:`FellegiSunterModel` with the Splink-trained model file.
"""

from matchgate.matching.decide import Policy
from matchgate.matching.model import FellegiSunterModel, PairScorer, ScoredPairs, load_model
from matchgate.matching.pipeline import (
    OUTPUT_COLUMNS,
    MatchResult,
    index_master,
    index_master_for,
    match_requests,
    store_master,
    update_stored_master,
)

__all__ = [
    "OUTPUT_COLUMNS",
    "FellegiSunterModel",
    "MatchResult",
    "PairScorer",
    "Policy",
    "ScoredPairs",
    "index_master",
    "index_master_for",
    "load_model",
    "match_requests",
    "store_master",
    "update_stored_master",
]
