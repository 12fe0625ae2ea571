"""Per-file estimation of the m probabilities: evidence from the file being matched, bounded.

How a requesting agency's records are corrupted differs from agency to agency, so the shipped
model's m probabilities (how often each comparison level occurs among true matches, learned on
the synthetic generator) are re-estimated on the job's own blocked candidate pairs by
expectation maximisation, without labels, seeded from the shipped model. ``u`` (how often a
level occurs between two random people) and the prior stay those of the master, as without
estimation, so the E step is the scorer's own probability: a pair's chance of being a match
given its levels does not depend on which blocks found it.

The requester controls this file, so the estimate is bounded (:class:`FileEm`):

* below :attr:`FileEm.min_rows` usable request rows the shipped model is used as is (a single
  verification, a small batch: too few pairs to learn from, and too easy to craft);
* each level's m stays within a factor :attr:`FileEm.max_factor` of the shipped value (so its
  weight moves by at most log2 of that, in bits), after renormalising the comparison's levels to
  the shipped total (:func:`bounded`);
* EM reads about :attr:`FileEm.sample_pairs` candidate pairs at most, a seeded sample of the
  pairs in (request, person) order, so a run is repeatable and costs little on a large file.

Levels marked ``fixed`` in the comparisons keep their m. The result is a
:class:`~matchgate.matching.model.ModelFile` with the shipped version and an ``adapted`` block in
its metadata; :func:`parameters_id` names any parameters, and :func:`model_settings` writes them
as a model file that ``--model`` reads back to the same id and the same decisions (a model file
written so, the parameters some run used, is never estimated again).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from matchgate.engines.base import Engine
from matchgate.matching.comparisons import COMPARISONS, Comparison, splink_settings
from matchgate.matching.master_index import MasterStats
from matchgate.matching.model import (
    PROBABILITY_FLOOR,
    TERM_FREQUENCY_PSEUDO_COUNT,
    FellegiSunterModel,
    Floats,
    Ints,
    LevelParameters,
    ModelFile,
    ScoredPairs,
    probability,
)

ADAPTED_KEY = "adapted"
"""Metadata key of a model whose m were estimated on a file."""
SAVED_KEY = "parameters_id"
"""Metadata key of a model file saved from a run (:func:`model_settings`): used as is."""


@dataclass(frozen=True)
class FileEm:
    """Bounds of per-file estimation (module docstring; the figures in docs/matching.md)."""

    min_rows: int = 1_000
    """Usable request rows below which the shipped model is used as is."""
    max_factor: float = 2.0
    """Each level's m stays within this factor of the shipped m (1 bit of weight)."""
    sample_pairs: int = 100_000
    """Candidate pairs EM reads (about as many, drawn at random, when there are more)."""
    iterations: int = 10
    tolerance: float = 1e-5
    """EM stops when no m moves by more than this."""
    pseudo_count: float = 10.0
    """Pairs' worth of the shipped m added to every estimate (a level no pair shows keeps it)."""
    seed: int = 0


def parameters_id(model: ModelFile) -> str:
    """A digest of the model's version and every level's m and u (16 hex digits)."""
    body = {
        "model_version": model.version,
        "parameters": {
            name: [[p.m, p.u, p.tf_column] for p in levels]
            for name, levels in sorted(model.parameters.items())
        },
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def parameters_label(model: ModelFile) -> str:
    """``<version>@<parameters id>``: what a job, its summary and its package name."""
    return f"{model.version}@{parameters_id(model)}"


def model_settings(
    model: ModelFile, comparisons: tuple[Comparison, ...] = COMPARISONS
) -> dict[str, Any]:
    """The parameters as a Splink model file (the comparisons' settings with these m and u)."""
    settings = splink_settings(comparisons)
    for spec in settings["comparisons"]:
        levels = [lvl for lvl in spec["comparison_levels"] if not lvl.get("is_null_level")]
        for lvl, params in zip(levels, model.parameters[spec["output_column_name"]], strict=True):
            lvl["m_probability"] = params.m
            lvl["u_probability"] = params.u
    settings["matchgate"] = {
        **model.metadata,
        "model_version": model.version,
        SAVED_KEY: parameters_id(model),
    }
    return settings


def bounded(estimate: Floats, shipped: Floats, fixed: np.ndarray, factor: float) -> Floats:
    """``estimate`` moved into the bound: each level within ``factor`` of ``shipped`` (never below
    the probability floor unless the shipped m is), fixed levels equal to it, the levels summing
    to the shipped total. Solved exactly: the scale t with sum(clip(t * estimate)) equal to the
    total is found by bisection (the clipped sum grows with t)."""
    low = np.maximum(shipped / factor, np.minimum(shipped, PROBABILITY_FLOOR))
    high = np.minimum(shipped * factor, 1.0)
    low = np.where(fixed, shipped, low)
    high = np.where(fixed, shipped, high)
    free = np.where(fixed, 0.0, estimate)
    total = float(shipped.sum())

    def clipped(t: float) -> Floats:
        result: Floats = np.clip(free * t, low, high)
        return result

    lo, hi = 0.0, 1.0
    while clipped(hi).sum() < total and hi < 1e12:
        hi *= 2.0
    for _ in range(100):
        mid = (lo + hi) / 2.0
        if clipped(mid).sum() < total:
            lo = mid
        else:
            hi = mid
    return clipped(hi)


def _sample(rid: Ints, pid: Ints, cap: int, seed: int) -> Ints:
    """Indices of about ``cap`` pairs (each kept with probability cap / pairs, by a seeded
    draw over (request, person) order), so the same pairs are read whatever order the engine
    returned them in."""
    order = np.lexsort((pid, rid))
    if len(order) <= cap:
        return order
    keep = np.random.default_rng(seed).random(len(order)) < cap / len(order)
    result: Ints = order[keep]
    return result


def estimate_on_file(
    model: ModelFile,
    comparisons: tuple[Comparison, ...],
    *,
    rid: Ints,
    pid: Ints,
    levels: dict[str, Ints],
    tf_counts: dict[str, Floats],
    people: int,
    prior: float,
    usable_rows: int,
    settings: FileEm,
) -> ModelFile:
    """``model`` with m re-estimated on this file's candidate pairs, within the bounds of
    ``settings``; ``model`` itself when the file is too small, or when ``model`` is the
    parameters a run used (saved by :func:`model_settings`, or estimated already)."""
    used_before = ADAPTED_KEY in model.metadata or SAVED_KEY in model.metadata
    if used_before or usable_rows < settings.min_rows or not len(rid):
        return model
    sample = _sample(rid, pid, settings.sample_pairs, settings.seed)
    gamma = {c.name: levels[c.name][sample] for c in comparisons}
    # log2 u of each sampled pair at its level (term-frequency adjusted, as the scorer does).
    log_u: dict[str, Floats] = {}
    for spec in comparisons:
        params = model.parameters[spec.name]
        g = gamma[spec.name]
        table = np.array([math.log2(p.u) for p in params] + [0.0])
        value: Floats = table[g]
        for i, p in enumerate(params):
            if p.tf_column:
                counts = tf_counts[p.tf_column][sample]
                k = TERM_FREQUENCY_PSEUDO_COUNT
                value = np.where(g == i, np.log2((counts + k * p.u) / (people + k)), value)
        log_u[spec.name] = value
    shipped = {c.name: np.array([p.m for p in model.parameters[c.name]]) for c in comparisons}
    fixed = {c.name: np.array([lvl.fixed for lvl in c.levels]) for c in comparisons}
    m = dict(shipped)
    iterations = 0
    for iterations in range(1, settings.iterations + 1):  # noqa: B007 (reported below)
        weight = np.full(len(sample), prior)
        for spec in comparisons:
            g = gamma[spec.name]
            log_m = np.r_[np.log2(m[spec.name]), 0.0]
            weight += np.where(g >= 0, log_m[g] - log_u[spec.name], 0.0)
        posterior = probability(weight)
        moved = 0.0
        new_m = {}
        for spec in comparisons:
            g = gamma[spec.name]
            seen = g >= 0
            found = np.bincount(g[seen], weights=posterior[seen], minlength=len(spec.levels))
            base = shipped[spec.name] / shipped[spec.name].sum()
            estimate = (found + settings.pseudo_count * base) / (
                found.sum() + settings.pseudo_count
            )
            new_m[spec.name] = bounded(
                estimate, shipped[spec.name], fixed[spec.name], settings.max_factor
            )
            moved = max(moved, float(np.abs(new_m[spec.name] - m[spec.name]).max()))
        m = new_m
        if moved < settings.tolerance:
            break
    parameters = {
        name: tuple(
            LevelParameters(float(value), p.u, p.tf_column)
            for value, p in zip(m[name], levels_, strict=True)
        )
        for name, levels_ in model.parameters.items()
    }
    metadata = {
        **model.metadata,
        ADAPTED_KEY: {
            "seeded_from": parameters_label(model),
            "usable_rows": usable_rows,
            "pairs": len(rid),
            "sampled_pairs": len(sample),
            "iterations": iterations,
            "max_factor": settings.max_factor,
        },
    }
    return ModelFile(model.version, parameters, metadata)


class FileAdaptedModel(FellegiSunterModel):
    """The Fellegi-Sunter scorer whose m are re-estimated on each file it scores (within the
    bounds of ``settings``); the parameters used travel with the scored pairs."""

    def __init__(
        self,
        model: ModelFile | None = None,
        comparisons: tuple[Comparison, ...] = COMPARISONS,
        settings: FileEm | None = None,
    ) -> None:
        super().__init__(model, comparisons)
        self.settings = settings or FileEm()

    def score(self, engine: Engine, master: MasterStats) -> ScoredPairs:
        pairs = self.compare(engine, master)
        usable = engine.query("SELECT count(*) AS n FROM req WHERE error_code IS NULL")
        used = estimate_on_file(
            self.model,
            self.comparisons,
            rid=pairs.rid,
            pid=pairs.pid,
            levels=pairs.levels,
            tf_counts=pairs.tf_counts,
            people=master.people,
            prior=self.prior_bits(master),
            usable_rows=int(usable["n"][0].as_py()),
            settings=self.settings,
        )
        return self.weigh(pairs, used, master)
