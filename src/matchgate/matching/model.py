"""Scoring candidate pairs: the seam a trained model (Splink) replaces.

A :class:`PairScorer` turns the candidate table ``cand`` into :class:`ScoredPairs`: one row per
(request, master person) with a match weight in bits (log2 odds, prior included) and the level of
each comparison, which the decision policy and the reasons read. :class:`HandSetModel` is the
first implementation: Fellegi-Sunter with the hand-set parameters of
:mod:`matchgate.matching.comparisons`, levels computed in SQL by the engine, weights summed in
numpy. A person with earlier names is scored against each name; the best-scoring name counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from matchgate.engines.base import Engine
from matchgate.matching.comparisons import (
    COMPARISONS,
    NICKNAME_TABLE,
    PRESENT_SHARE,
    TERM_FREQUENCY_PSEUDO_COUNT,
    Comparison,
)
from matchgate.matching.master_index import MasterStats
from matchgate.standardize.nicknames import nickname_pairs

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ScoredPairs:
    """Scored candidate pairs, one per (request row ``rid``, master person ``pid``)."""

    rid: Ints
    pid: Ints
    weight: Floats
    variant: Ints
    levels: dict[str, Ints]
    comparisons: tuple[Comparison, ...]

    def __len__(self) -> int:
        return len(self.rid)

    @property
    def probability(self) -> Floats:
        return probability(self.weight)

    def has_level(self, comparison: str, labels: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        """Whether each pair's ``comparison`` level is one of ``labels``."""
        spec = next(c for c in self.comparisons if c.name == comparison)
        wanted = [spec.level(label) for label in labels]
        return np.isin(self.levels[comparison], wanted)

    def reasons(self, index: int) -> list[str]:
        """Plain-language evidence for pair ``index``, one phrase per compared field."""
        phrases: list[str] = []
        for spec in self.comparisons:
            level = int(self.levels[spec.name][index])
            if level >= 0:
                phrase = spec.levels[level].reason
                if phrase not in phrases:
                    phrases.append(phrase)
        return phrases


def probability(weight: Floats) -> Floats:
    """Match probability from a match weight in bits."""
    result: Floats = 1.0 / (1.0 + np.exp2(-np.clip(weight, -60.0, 60.0)))
    return result


class PairScorer(Protocol):
    """Anything that scores the candidate table ``cand`` against ``req``, ``m`` and ``mnames``."""

    def score(self, engine: Engine, master: MasterStats) -> ScoredPairs: ...


class HandSetModel:
    """Fellegi-Sunter with hand-set m and u (:mod:`matchgate.matching.comparisons`)."""

    def __init__(self, comparisons: tuple[Comparison, ...] = COMPARISONS) -> None:
        self.comparisons = comparisons

    def prior_bits(self, master: MasterStats) -> float:
        """log2 prior odds that a given candidate is the person sought."""
        share = PRESENT_SHARE / max(master.people, 1)
        return math.log2(share / (1.0 - share)) if share < 1 else 0.0

    def _query(self) -> str:
        gammas = ",\n".join(f"{c.gamma_sql()} AS g_{c.name}" for c in self.comparisons)
        return f"""
            SELECT c.rid, c.pid, n.vno, {gammas},
                   coalesce(tl.n, 0) AS tf_surname, coalesce(tf.n, 0) AS tf_first_name
            FROM cand c
            JOIN req r ON r.row = c.rid
            JOIN m ON m.rowid = c.pid
            JOIN mnames n ON n.pid = c.pid
            LEFT JOIN tf_last tl ON tl.last = r.last
            LEFT JOIN tf_first tf ON tf.first = r.first
        """  # noqa: S608

    def score(self, engine: Engine, master: MasterStats) -> ScoredPairs:
        a, b = zip(*nickname_pairs(), strict=True)
        engine.register(NICKNAME_TABLE, pa.table({"a": a, "b": b}))
        for column, table in (("last", "tf_last"), ("first", "tf_first")):
            engine.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE {table} AS
                SELECT {column}, count(*) AS n FROM m
                SEMI JOIN (SELECT DISTINCT {column} FROM req WHERE {column} IS NOT NULL)
                    USING ({column})
                GROUP BY {column}
                """  # noqa: S608
            )
        rows = engine.query(self._query())
        weight = np.full(rows.num_rows, self.prior_bits(master))
        levels: dict[str, Ints] = {}
        for spec in self.comparisons:
            gamma = rows[f"g_{spec.name}"].to_numpy().astype(np.int64)
            weight += self._bits(spec, gamma, rows, master)
            levels[spec.name] = gamma
        rid = rows["rid"].to_numpy().astype(np.int64)
        pid = rows["pid"].to_numpy().astype(np.int64)
        variant = rows["vno"].to_numpy().astype(np.int64)
        # Keep each person's best-scoring name variant.
        order = np.lexsort((-weight, pid, rid))
        rid, pid = rid[order], pid[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (rid[1:] != rid[:-1]) | (pid[1:] != pid[:-1])
        keep = order[first]
        return ScoredPairs(
            rid=rid[first],
            pid=pid[first],
            weight=weight[keep],
            variant=variant[keep],
            levels={k: v[keep] for k, v in levels.items()},
            comparisons=self.comparisons,
        )

    @staticmethod
    def _bits(spec: Comparison, gamma: Ints, rows: pa.Table, master: MasterStats) -> Floats:
        table = np.array([math.log2(lvl.m / lvl.u) for lvl in spec.levels] + [0.0])
        contribution: Floats = table[gamma]  # gamma -1 (missing) picks the trailing 0.0
        for i, lvl in enumerate(spec.levels):
            if not lvl.term_frequency:
                continue
            counts = rows[f"tf_{spec.name}"].to_numpy().astype(np.float64)
            k = TERM_FREQUENCY_PSEUDO_COUNT
            u = (counts + k * lvl.u) / (master.people + k)
            hit = gamma == i
            contribution = np.where(hit, np.log2(lvl.m / u), contribution)
        return contribution
