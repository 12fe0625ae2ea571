"""The suite's datasets, their split, and how each is built.

The split is fixed: rules and thresholds are chosen on the ``development`` sets
(``matchgate synth`` seeds 1-3, FEBRL 1-3, their *census-style views*, and ``synth-households``:
absent twins and Juniors at home, :mod:`evalsuite.households`) and confirmed on the
``confirmation`` sets (pseudopeople, FEBRL4), which are never used to choose them.

A census-style view (``NAME-noid``) is a development set's requests with the SSN and A-number
removed, matched against the same master: the development sets carry an identifier on every row,
so rules for rows without one are chosen on these. A row left without a date of birth counts as
name-only there.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evalsuite.febrl import build_febrl
from evalsuite.households import build_households
from evalsuite.pseudo import NOISES, SOURCES, build_pseudopeople
from matchgate.eval.metrics import NAME_ONLY
from matchgate.master.details import DETAIL_TABLES

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

        synthesize(sizes.people, sizes.requests, seed, out)
        keep_only_addresses(out)
        with (out / "truth.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        present = sum(1 for r in rows if r["person_id"])
        return {"master": sizes.people, "requests": len(rows), "present": present}

    return build


def _febrl(name: str) -> Callable[[Path, Sizes], dict[str, int]]:
    def build(out: Path, sizes: Sizes) -> dict[str, int]:
        return build_febrl(name, out, limit=sizes.cap, holdout=sizes.holdout)

    return build


def keep_only_addresses(folder: Path) -> None:
    """Of the detail tables ``matchgate synth`` wrote in ``folder``, keep the one matching reads
    (``addresses``: earlier addresses; the same master and requests as without details)."""
    for path in folder.glob("*.parquet"):
        if path.stem in DETAIL_TABLES and path.stem != "addresses":
            path.unlink()


def master_file(data: Path) -> Path:
    """The master file of a dataset's folder (Parquet or CSV)."""
    return next(p for p in (data / "master.parquet", data / "master.csv") if p.is_file())


def materialize(dataset: Dataset, data: Path, sizes: Sizes, reuse: bool = False) -> dict[str, int]:
    """Make ``dataset``'s files in ``data`` with its counts in ``counts.json`` (with ``reuse``,
    keep ones already made); its counts."""
    counts_file = data / "counts.json"
    if reuse and counts_file.is_file() and (data / "truth.csv").is_file():
        counts: dict[str, int] = json.loads(counts_file.read_text(encoding="utf-8"))
        return counts
    if data.exists():
        shutil.rmtree(data)
    counts = dataset.build(data, sizes)
    counts_file.write_text(json.dumps(counts) + "\n", encoding="utf-8")
    return counts


def _no_identifier(base: Dataset) -> Callable[[Path, Sizes], dict[str, int]]:
    def build(out: Path, sizes: Sizes) -> dict[str, int]:
        source = out.parent / base.name
        counts = materialize(base, source, sizes, reuse=True)
        out.mkdir(parents=True)
        for kept in (master_file(source), source / "addresses.parquet"):
            if kept.is_file():
                shutil.copyfile(kept, out / kept.name)
        blank_dob: set[str] = set()
        with (source / "requests.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        for row in rows:
            row["ssn"] = ""
            row["a_number"] = ""
            if not row.get("dob", "").strip():
                blank_dob.add(row["request_id"])
        _write_csv(out / "requests.csv", fields, rows)
        with (source / "truth.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            truth_fields = list(reader.fieldnames or [])
            truth = list(reader)
        for row in truth:
            kinds = row["case"].split("+")
            if row["request_id"] in blank_dob and NAME_ONLY not in kinds:
                row["case"] = "+".join([*kinds, NAME_ONLY])
        _write_csv(out / "truth.csv", truth_fields, truth)
        return counts

    return build


def _write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _households(out: Path, sizes: Sizes) -> dict[str, int]:
    return build_households(out, sizes.people, sizes.requests)


def _pseudo(source: str, noise: str) -> Callable[[Path, Sizes], dict[str, int]]:
    def build(out: Path, sizes: Sizes) -> dict[str, int]:
        return build_pseudopeople(source, noise, out, limit=sizes.cap, holdout=sizes.holdout)

    return build


_BASES = (
    *(Dataset(f"synth-s{seed}", DEVELOPMENT, _synth(seed)) for seed in (1, 2, 3)),
    *(Dataset(name, DEVELOPMENT, _febrl(name)) for name in ("febrl1", "febrl2", "febrl3")),
)
DATASETS: tuple[Dataset, ...] = (
    *_BASES,
    *(Dataset(f"{base.name}-noid", DEVELOPMENT, _no_identifier(base)) for base in _BASES),
    Dataset("synth-households", DEVELOPMENT, _households),
    *(
        Dataset(f"pp-{source}-{noise}", CONFIRMATION, _pseudo(source, noise))
        for source in SOURCES
        for noise in NOISES
    ),
    Dataset("febrl4", CONFIRMATION, _febrl("febrl4")),
)


def select(only: str | None) -> list[Dataset]:
    """Datasets named by the comma-separated ``only`` words: a word that is a dataset's name
    names that one (``synth-s1``, not its view ``synth-s1-noid``), any other word the datasets
    whose names start with it (``febrl``, ``pp-w2``); ``development`` or ``confirmation`` a
    whole split."""
    if not only:
        return list(DATASETS)
    words = [w.strip() for w in only.split(",") if w.strip()]
    names = {d.name for d in DATASETS}

    def named(d: Dataset, w: str) -> bool:
        if w in (DEVELOPMENT, CONFIRMATION):
            return d.split == w
        return d.name == w if w in names else d.name.startswith(w)

    chosen = [d for d in DATASETS if any(named(d, w) for w in words)]
    if not chosen:
        names = ", ".join(d.name for d in DATASETS)
        raise ValueError(f"--only {only!r} names no dataset; the datasets are {names}")
    return chosen
