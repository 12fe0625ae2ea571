"""The suite's datasets, their split, and how each is built.

The split is fixed: rules and thresholds are chosen on the ``development`` sets
(``matchgate synth`` seeds 1-3, FEBRL 1-3) and confirmed on the ``confirmation`` sets
(pseudopeople, FEBRL4), which are never used to choose them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evalsuite.febrl import build_febrl
from evalsuite.pseudo import NOISES, SOURCES, build_pseudopeople

DEVELOPMENT = "development"
CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class Sizes:
    """How big to make each dataset: synth people and requests; a cap on other request files."""

    people: int = 200_000
    requests: int = 5_000
    cap: int | None = None  # pseudopeople requests, FEBRL people (None: all)
    holdout: float = 0.1


QUICK = Sizes(people=20_000, requests=1_000, cap=1_000)


@dataclass(frozen=True)
class Dataset:
    name: str
    split: str
    build: Callable[[Path, Sizes], dict[str, int]]


def _synth(seed: int) -> Callable[[Path, Sizes], dict[str, int]]:
    def build(out: Path, sizes: Sizes) -> dict[str, int]:
        from matchgate.services.master.synth import synthesize

        synthesize(sizes.people, sizes.requests, seed, out, details=False)
        with (out / "truth.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        present = sum(1 for r in rows if r["person_id"])
        return {"master": sizes.people, "requests": len(rows), "present": present}

    return build


def _febrl(name: str) -> Callable[[Path, Sizes], dict[str, int]]:
    def build(out: Path, sizes: Sizes) -> dict[str, int]:
        return build_febrl(name, out, limit=sizes.cap, holdout=sizes.holdout)

    return build


def _pseudo(source: str, noise: str) -> Callable[[Path, Sizes], dict[str, int]]:
    def build(out: Path, sizes: Sizes) -> dict[str, int]:
        return build_pseudopeople(source, noise, out, limit=sizes.cap, holdout=sizes.holdout)

    return build


DATASETS: tuple[Dataset, ...] = (
    *(Dataset(f"synth-s{seed}", DEVELOPMENT, _synth(seed)) for seed in (1, 2, 3)),
    *(Dataset(name, DEVELOPMENT, _febrl(name)) for name in ("febrl1", "febrl2", "febrl3")),
    *(
        Dataset(f"pp-{source}-{noise}", CONFIRMATION, _pseudo(source, noise))
        for source in SOURCES
        for noise in NOISES
    ),
    Dataset("febrl4", CONFIRMATION, _febrl("febrl4")),
)


def select(only: str | None) -> list[Dataset]:
    """Datasets whose name is, or starts with, one of the comma-separated ``only`` words."""
    if not only:
        return list(DATASETS)
    words = [w.strip() for w in only.split(",") if w.strip()]
    chosen = [d for d in DATASETS if any(d.name == w or d.name.startswith(w) for w in words)]
    if not chosen:
        names = ", ".join(d.name for d in DATASETS)
        raise ValueError(f"--only {only!r} names no dataset; the datasets are {names}")
    return chosen
