"""Scoring candidate pairs with a Fellegi-Sunter model trained by Splink.

The model is a Splink 5 model file (JSON, as ``linker.misc.save_model_to_json`` writes it) with
one extra top-level key, ``matchgate``, holding its version and how it was trained. The shipped
model is :data:`DEFAULT_MODEL` (``models/person-v1.json`` in this package), trained by
``python -m matchgate.services.master.train_model`` (see ``docs/matching.md``).

:class:`FellegiSunterModel` scores the candidate table ``cand`` in the engine: each comparison's
level is computed in SQL (the model's own ``sql_condition`` text, which must equal the code's
comparisons, else :class:`ModelMismatch`), and the match weight in numpy:

    weight = prior + sum over comparisons of log2(m / u) at the pair's level

where exact name levels use the name's frequency in *this* master instead of ``u`` (term
frequencies are refreshed from the master on every run, shrunk toward ``u`` by a pseudo-count so
a tiny master does not swing them), and the prior is the chance that one given master person is
the one sought: :data:`PRESENT_SHARE` over the master's size (also refreshed per run).

Each pair keeps its per-comparison weights, which the decision explains and the waterfall draws.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from matchgate.domain.errors import MatchgateError
from matchgate.engines.base import Engine
from matchgate.matching.comparisons import (
    COMPARISONS,
    MASTER_ONLY_COLUMNS,
    RECORD_COLUMNS,
    Comparison,
    hoist_repeated_calls,
)
from matchgate.matching.master_index import (
    CANDIDATE_ROWS,
    EARLIER_ADDRESSES,
    TERM_FREQUENCY_PREFIX,
    MasterStats,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

DEFAULT_MODEL = "person-v1.json"
"""The model file shipped in ``matchgate/matching/models``."""

TERM_FREQUENCY_PSEUDO_COUNT = 10_000
"""Names' term frequencies are shrunk toward each level's ``u`` as if this many extra master
rows had that ``u``: stable on a 10-row test master, nearly the raw frequency on millions."""

PRESENT_SHARE = 0.85
"""Prior share of requested people who are in the master; the prior that one candidate is the
person is this over the master's size."""


class ModelMismatch(MatchgateError):
    """The model file does not fit the code's comparisons (retrain it)."""


@dataclass(frozen=True)
class LevelParameters:
    m: float
    u: float
    tf_column: str | None


@dataclass(frozen=True)
class ModelFile:
    """A loaded model: per comparison, per level (code order), m, u and TF column."""

    version: str
    parameters: dict[str, tuple[LevelParameters, ...]]
    metadata: dict[str, Any]


def load_model(
    path: Path | None = None, comparisons: tuple[Comparison, ...] = COMPARISONS
) -> ModelFile:
    """Read a Splink model file and check it against ``comparisons``."""
    if path is None:
        text = resources.files("matchgate.matching").joinpath("models", DEFAULT_MODEL).read_text()
    else:
        text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    return model_from_settings(data, comparisons)


def model_from_settings(data: dict[str, Any], comparisons: tuple[Comparison, ...]) -> ModelFile:
    """The parameters of a Splink settings dictionary, checked against ``comparisons``."""
    by_name = {c["output_column_name"]: c for c in data.get("comparisons", [])}
    params: dict[str, tuple[LevelParameters, ...]] = {}
    for spec in comparisons:
        found = by_name.get(spec.name)
        if found is None:
            raise ModelMismatch(f"the model has no comparison {spec.name!r}")
        levels = [lvl for lvl in found["comparison_levels"] if not lvl.get("is_null_level")]
        if [lvl["sql_condition"] for lvl in levels] != [lvl.sql for lvl in spec.levels]:
            raise ModelMismatch(
                f"the model's {spec.name!r} levels differ from the code's: retrain the model"
            )
        out = []
        for code_level, lvl in zip(spec.levels, levels, strict=True):
            m = lvl.get("m_probability", code_level.m)
            u = lvl.get("u_probability", code_level.u)
            if isinstance(m, int | float) and m < PROBABILITY_FLOOR:
                m = code_level.m  # EM (almost) never saw it among matches: the prior stands
            out.append(
                LevelParameters(
                    m=_probability(m, code_level.m),
                    u=_probability(u, code_level.u),
                    tf_column=lvl.get("tf_adjustment_column"),
                )
            )
        params[spec.name] = tuple(out)
    meta = dict(data.get("matchgate", {}))
    return ModelFile(str(meta.get("model_version", "unversioned")), params, meta)


PROBABILITY_FLOOR = 1e-4
"""Smallest m or u used. A trained m below it means EM (almost) never saw the level among the
training population's matches (a ZIP-less address, a two-digit SSN error): such a level keeps the
code's prior m, since rare in training is not impossible elsewhere, and one unseen level must not
outweigh every other field."""


def _probability(value: object, fallback: float) -> float:
    """A probability from the file (at least :data:`PROBABILITY_FLOOR`, unless the prior is
    smaller); a level Splink never observed keeps the prior."""
    if isinstance(value, int | float) and 0 < float(value) <= 1:
        return max(float(value), min(PROBABILITY_FLOOR, fallback))
    return fallback


def prior_model(comparisons: tuple[Comparison, ...] = COMPARISONS) -> ModelFile:
    """The comparisons' own prior m and u values as a model (used before training)."""
    return ModelFile(
        "priors",
        {
            c.name: tuple(LevelParameters(lvl.m, lvl.u, lvl.tf_column) for lvl in c.levels)
            for c in comparisons
        },
        {},
    )


@dataclass(frozen=True)
class ComparedPairs:
    """Candidate pairs with their comparison levels (-1: cannot compare), not yet weighed, and
    the master count of the request's value (and of the person's) of each term-frequency
    column."""

    rid: Ints
    pid: Ints
    via: Ints
    levels: dict[str, Ints]
    tf_counts: dict[str, Floats]
    master_tf_counts: dict[str, Floats] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredPairs:
    """Scored candidate pairs, one per (request row ``rid``, master person ``pid``)."""

    rid: Ints
    pid: Ints
    via: Ints
    prior: float
    weight: Floats
    levels: dict[str, Ints]
    bits: dict[str, Floats]
    comparisons: tuple[Comparison, ...]
    parameters: ModelFile | None = None
    """The m and u the weights were computed with (None: a scorer that does not say)."""
    tf_counts: dict[str, Floats] = field(default_factory=dict)
    """Master counts of the request's value of each term-frequency column (as compared)."""
    master_tf_counts: dict[str, Floats] = field(default_factory=dict)
    """Master counts of the person's value of each term-frequency column."""
    people: int = 0
    """People in the master the counts are of."""

    def __len__(self) -> int:
        return len(self.rid)

    def take(self, indices: Ints) -> ScoredPairs:
        """The pairs at ``indices``, in that order."""
        return ScoredPairs(
            rid=self.rid[indices],
            pid=self.pid[indices],
            via=self.via[indices],
            prior=self.prior,
            weight=self.weight[indices],
            levels={k: v[indices] for k, v in self.levels.items()},
            bits={k: v[indices] for k, v in self.bits.items()},
            comparisons=self.comparisons,
            parameters=self.parameters,
            tf_counts={k: v[indices] for k, v in self.tf_counts.items()},
            master_tf_counts={k: v[indices] for k, v in self.master_tf_counts.items()},
            people=self.people,
        )

    @property
    def probability(self) -> Floats:
        return probability(self.weight)

    def has_level(self, comparison: str, labels: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        """Whether each pair's ``comparison`` level is one of ``labels``."""
        spec = next(c for c in self.comparisons if c.name == comparison)
        # A lookup by level index (the trailing False answers -1, missing): one pass over the
        # pairs, where np.isin sorts them (5 s of a 50,000 x 100M probe's 5M pairs).
        table = np.zeros(len(spec.levels) + 1, dtype=np.bool_)
        table[[spec.level(label) for label in labels]] = True
        found: npt.NDArray[np.bool_] = table[self.levels[comparison]]
        return found

    def missing(self, comparison: str) -> npt.NDArray[np.bool_]:
        """Whether the field could not be compared (unknown on either side)."""
        result: npt.NDArray[np.bool_] = self.levels[comparison] < 0
        return result

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

    def explanations(self, indices: Ints) -> tuple[list[str], list[str]]:
        """For each pair of ``indices``, two compact JSON objects: the prior and each compared
        field's match weight (bits, 3 decimals), and each compared field's level label (the
        output's ``weights`` and ``levels``). Gathered column by column: per pair and field,
        numpy's scalar access cost more than the JSON (50,000 pairs: 0.94 s, 0.62 s)."""
        prior = _json_number(round(self.prior, 3))
        weights: list[list[str]] = [[f'"prior":{prior}'] for _ in range(len(indices))]
        labels: list[list[str]] = [[] for _ in range(len(indices))]
        for spec in self.comparisons:
            key = json.dumps(spec.name)
            named = [f"{key}:{json.dumps(level.label)}" for level in spec.levels]
            levels = self.levels[spec.name][indices].tolist()
            bits = self.bits[spec.name][indices].tolist()
            for row, (level, bit) in enumerate(zip(levels, bits, strict=True)):
                if level >= 0:
                    weights[row].append(f"{key}:{_json_number(round(bit, 3))}")
                    labels[row].append(named[level])
        return (
            ["{" + ",".join(parts) + "}" for parts in weights],
            ["{" + ",".join(parts) + "}" for parts in labels],
        )

    def level_labels(self, index: int) -> dict[str, str]:
        """Each compared field's level label for pair ``index``."""
        out = {}
        for spec in self.comparisons:
            level = int(self.levels[spec.name][index])
            if level >= 0:
                out[spec.name] = spec.levels[level].label
        return out


def _json_number(value: float) -> str:
    """``value`` as :func:`json.dumps` writes it (``repr`` for a finite float)."""
    return float.__repr__(value) if math.isfinite(value) else json.dumps(value)


def probability(weight: Floats) -> Floats:
    """Match probability from a match weight in bits."""
    result: Floats = 1.0 / (1.0 + np.exp2(-np.clip(weight, -60.0, 60.0)))
    return result


class PairScorer(Protocol):
    """Anything that scores the candidate table ``cand`` against ``req`` and the candidates'
    master rows (``mcand``, :data:`~matchgate.matching.master_index.CANDIDATE_ROWS`)."""

    def score(self, engine: Engine, master: MasterStats) -> ScoredPairs: ...

    def tf_columns(self) -> list[str]:
        """Columns of ``m`` whose whole-master value counts the scoring reads."""
        ...


def pair_columns_sql(earlier: str | None = None) -> str:
    """Both sides' comparison columns, suffixed ``_l`` (request) and ``_r`` (master); with
    ``earlier``, the alias of :data:`EARLIER_ADDRESSES` joined on the pair, a person's earlier
    addresses come from it."""
    master = {"other_addrs": f"coalesce({earlier}.other_addrs, r.other_addrs)"} if earlier else {}
    return ", ".join(
        f"{'CAST([] AS VARCHAR[])' if c in MASTER_ONLY_COLUMNS else 'l.' + c} AS {c}_l, "
        f"{master.get(c, 'r.' + c)} AS {c}_r"
        for c in RECORD_COLUMNS
    )


class FellegiSunterModel:
    """Fellegi-Sunter scoring with a model file's m and u (see the module docstring)."""

    def __init__(
        self, model: ModelFile | None = None, comparisons: tuple[Comparison, ...] = COMPARISONS
    ) -> None:
        self.comparisons = comparisons
        self.model = model if model is not None else load_model(None, comparisons)

    @property
    def version(self) -> str:
        return self.model.version

    def prior_bits(self, master: MasterStats) -> float:
        """log2 prior odds that a given candidate is the person sought."""
        share = PRESENT_SHARE / max(master.people, 1)
        return math.log2(share / (1.0 - share)) if share < 1 else 0.0

    def tf_columns(self) -> list[str]:
        return sorted(
            {
                p.tf_column
                for levels in self.model.parameters.values()
                for p in levels
                if p.tf_column
            }
        )

    def _query(self) -> str:
        hoisted = [hoist_repeated_calls(c.gamma_sql(), f"s_{c.name}_") for c in self.comparisons]
        gammas = ",\n".join(
            f"{sql} AS g_{c.name}" for (sql, _), c in zip(hoisted, self.comparisons, strict=True)
        )
        similarities = "".join(f", {call} AS {name}" for _, cols in hoisted for name, call in cols)
        tf_joins = " ".join(
            f"LEFT JOIN tf_{col} ON tf_{col}.v = p.{col}_l "
            f"LEFT JOIN tf_{col} AS tfm_{col} ON tfm_{col}.v = p.{col}_r"
            for col in self.tf_columns()
        )
        tf_cols = "".join(
            f", coalesce(tf_{col}.n, 0) AS tf_{col}, coalesce(tfm_{col}.n, 0) AS tfm_{col}"
            for col in self.tf_columns()
        )
        return f"""
            WITH pairs AS (
                SELECT c.rid, c.pid, c.via, {pair_columns_sql(earlier="e")}
                FROM cand c JOIN req l ON l.row = c.rid JOIN {CANDIDATE_ROWS} r ON r.pid = c.pid
                LEFT JOIN {EARLIER_ADDRESSES} e ON e.pid = c.pid
            ), p AS (SELECT *{similarities} FROM pairs)
            SELECT p.rid, p.pid, p.via, {gammas} {tf_cols}
            FROM p {tf_joins}
        """  # noqa: S608

    def score(self, engine: Engine, master: MasterStats) -> ScoredPairs:
        return self.weigh(self.compare(engine, master), self.model, master)

    def compare(self, engine: Engine, master: MasterStats) -> ComparedPairs:
        """Every candidate pair's comparison levels, and the master counts of both sides' names
        (term frequencies)."""
        # Column names come from the model file's comparisons, checked against the code's.
        for col in self.tf_columns():
            wanted = (
                f"SELECT DISTINCT {col} AS v FROM req WHERE {col} IS NOT NULL UNION "  # noqa: S608
                f"SELECT DISTINCT {col} FROM {CANDIDATE_ROWS} WHERE {col} IS NOT NULL"
            )
            if col in master.term_frequencies:  # stored with the master: no scan of ``m``
                counts = (
                    f"SELECT v, n FROM {TERM_FREQUENCY_PREFIX}{col} SEMI JOIN ({wanted}) USING (v)"  # noqa: S608
                )
            else:
                counts = (
                    f"SELECT {col} AS v, count(*) AS n FROM m "  # noqa: S608
                    f"SEMI JOIN ({wanted}) w ON w.v = m.{col} GROUP BY {col}"
                )
            engine.execute(f"CREATE OR REPLACE TEMP TABLE tf_{col} AS {counts}")
        rows = engine.query(self._query())
        return ComparedPairs(
            rid=rows["rid"].to_numpy().astype(np.int64),
            pid=rows["pid"].to_numpy().astype(np.int64),
            via=rows["via"].to_numpy().astype(np.int64),
            levels={
                spec.name: rows[f"g_{spec.name}"].to_numpy().astype(np.int64)
                for spec in self.comparisons
            },
            tf_counts={
                col: rows[f"tf_{col}"].to_numpy().astype(np.float64) for col in self.tf_columns()
            },
            master_tf_counts={
                col: rows[f"tfm_{col}"].to_numpy().astype(np.float64) for col in self.tf_columns()
            },
        )

    def weigh(self, pairs: ComparedPairs, model: ModelFile, master: MasterStats) -> ScoredPairs:
        """Match weights of compared pairs with ``model``'s m and u."""
        prior = self.prior_bits(master)
        weight = np.full(len(pairs.rid), prior)
        bits: dict[str, Floats] = {}
        for spec in self.comparisons:
            gamma = pairs.levels[spec.name]
            contribution = self._bits(model.parameters[spec.name], gamma, pairs.tf_counts, master)
            weight += contribution
            bits[spec.name] = contribution
        return ScoredPairs(
            rid=pairs.rid,
            pid=pairs.pid,
            via=pairs.via,
            prior=prior,
            weight=weight,
            levels=pairs.levels,
            bits=bits,
            comparisons=self.comparisons,
            parameters=model,
            tf_counts=pairs.tf_counts,
            master_tf_counts=pairs.master_tf_counts,
            people=master.people,
        )

    @staticmethod
    def _bits(
        params: tuple[LevelParameters, ...],
        gamma: Ints,
        tf_counts: dict[str, Floats],
        master: MasterStats,
    ) -> Floats:
        table = np.array([math.log2(p.m / p.u) for p in params] + [0.0])
        contribution: Floats = table[gamma]  # gamma -1 (missing) picks the trailing 0.0
        for i, p in enumerate(params):
            if not p.tf_column:
                continue
            counts = tf_counts[p.tf_column]
            k = TERM_FREQUENCY_PSEUDO_COUNT
            u = (counts + k * p.u) / (master.people + k)
            contribution = np.where(gamma == i, np.log2(p.m / u), contribution)
        return contribution
