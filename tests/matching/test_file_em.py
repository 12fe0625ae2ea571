"""Per-file estimation of m: the bound, the minimum file size, the parameters id, and an
adversarial file padded to shift m."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from conftest import MASTER_COLUMNS, REQUEST_COLUMNS, Row, read_output, write_csv
from matchgate.domain.errors import ConfigurationError
from matchgate.matching.comparisons import COMPARISONS
from matchgate.matching.file_em import (
    ADAPTED_KEY,
    FileEm,
    bounded,
    estimate_on_file,
    model_settings,
    parameters_id,
    parameters_label,
)
from matchgate.matching.model import (
    PROBABILITY_FLOOR,
    ModelFile,
    load_model,
    model_from_settings,
)
from matchgate.services.master.match import match_files
from matchgate.settings import Settings
from matchgate.storage.db import session
from matchgate.storage.models import Job

SHIPPED = load_model()


def test_bound_keeps_every_level_within_the_factor_and_the_total() -> None:
    shipped = np.array([0.85, 0.07, 1e-4, 0.08])
    fixed = np.array([False, False, False, False])
    for estimate in (
        np.array([0.01, 0.01, 0.97, 0.01]),  # everything on a level the shipped model finds rare
        np.array([1.0, 0.0, 0.0, 0.0]),
        np.array([0.25, 0.25, 0.25, 0.25]),
    ):
        for factor in (1.5, 2.0, 4.0):
            m = bounded(estimate, shipped, fixed, factor)
            assert m.sum() == pytest.approx(shipped.sum(), rel=1e-9)
            ratio = m / shipped
            assert (ratio <= factor * (1 + 1e-12)).all()
            assert (ratio >= 1 / factor * (1 - 1e-12)).all() or (
                m >= min(PROBABILITY_FLOOR, shipped.min())
            ).all()
            assert (m >= PROBABILITY_FLOOR * (1 - 1e-12)).all()


def test_bound_leaves_fixed_levels_and_an_agreeing_estimate_alone() -> None:
    shipped = np.array([0.6, 0.2, 0.2])
    m = bounded(np.array([0.1, 0.1, 0.8]), shipped, np.array([False, True, False]), 2.0)
    assert m[1] == 0.2
    assert m.sum() == pytest.approx(1.0)
    same = bounded(shipped, shipped, np.zeros(3, dtype=bool), 2.0)
    assert same == pytest.approx(shipped)


def _levels(rows: int, seed: int = 3) -> dict[str, np.ndarray]:
    """Random levels for ``rows`` pairs where every pair agrees on SSN but the first name is
    'different': what padding rows that borrow SSNs look like to EM."""
    rng = np.random.default_rng(seed)
    levels = {c.name: rng.integers(-1, len(c.levels), rows) for c in COMPARISONS}
    levels["ssn"] = np.zeros(rows, dtype=np.int64)
    levels["first_name"] = np.full(rows, COMPARISONS[3].level("different"), dtype=np.int64)
    return levels


def _estimate(rows: int, usable: int) -> ModelFile:
    levels = _levels(rows)
    return estimate_on_file(
        SHIPPED,
        COMPARISONS,
        rid=np.arange(rows, dtype=np.int64),
        pid=np.arange(rows, dtype=np.int64),
        levels=levels,
        tf_counts={"first_c": np.full(rows, 50.0), "last_c": np.full(rows, 50.0)},
        people=100_000,
        prior=math.log2(0.85 / 100_000),
        usable_rows=usable,
        settings=FileEm(),
    )


def test_every_estimated_m_stays_within_the_bound_of_the_shipped_model() -> None:
    adapted = _estimate(5_000, 5_000)
    assert adapted is not SHIPPED
    assert ADAPTED_KEY in adapted.metadata
    different = COMPARISONS[3].level("different")
    moved = (
        adapted.parameters["first_name"][different].m
        / SHIPPED.parameters["first_name"][different].m
    )
    assert moved == pytest.approx(FileEm().max_factor)  # pushed as far as the bound allows
    for name, levels in adapted.parameters.items():
        for new, old in zip(levels, SHIPPED.parameters[name], strict=True):
            assert new.u == old.u
            assert new.m <= old.m * FileEm().max_factor * (1 + 1e-9)
            assert new.m >= min(old.m / FileEm().max_factor, PROBABILITY_FLOOR) * (1 - 1e-9)
        total = sum(p.m for p in levels)
        assert total == pytest.approx(sum(p.m for p in SHIPPED.parameters[name]))


def test_below_the_minimum_size_or_once_adapted_the_model_is_used_as_is() -> None:
    assert _estimate(5_000, FileEm().min_rows - 1) is SHIPPED
    adapted = _estimate(5_000, 5_000)
    again = estimate_on_file(
        adapted,
        COMPARISONS,
        rid=np.arange(10, dtype=np.int64),
        pid=np.arange(10, dtype=np.int64),
        levels=_levels(10),
        tf_counts={"first_c": np.full(10, 5.0), "last_c": np.full(10, 5.0)},
        people=100,
        prior=-7.0,
        usable_rows=50_000,
        settings=FileEm(),
    )
    assert again is adapted


def test_the_estimate_reads_the_same_sample_whatever_order_the_pairs_came_in() -> None:
    rows = 3_000
    levels = _levels(rows)
    order = np.random.default_rng(1).permutation(rows)
    settings = FileEm(sample_pairs=1_000)
    common = {
        "tf_counts": {"first_c": np.full(rows, 50.0), "last_c": np.full(rows, 50.0)},
        "people": 100_000,
        "prior": -16.0,
        "usable_rows": rows,
        "settings": settings,
    }
    rid = np.arange(rows, dtype=np.int64) // 2
    pid = np.arange(rows, dtype=np.int64)
    first = estimate_on_file(SHIPPED, COMPARISONS, rid=rid, pid=pid, levels=levels, **common)  # type: ignore[arg-type]
    second = estimate_on_file(
        SHIPPED,
        COMPARISONS,
        rid=rid[order],
        pid=pid[order],
        levels={k: v[order] for k, v in levels.items()},
        **{**common, "tf_counts": {k: v[order] for k, v in common["tf_counts"].items()}},  # type: ignore[attr-defined, arg-type]
    )
    assert parameters_id(first) == parameters_id(second)


def test_parameters_survive_a_model_file_round_trip() -> None:
    adapted = _estimate(5_000, 5_000)
    reread = model_from_settings(json.loads(json.dumps(model_settings(adapted))), COMPARISONS)
    assert reread.parameters == adapted.parameters
    assert parameters_label(reread) == parameters_label(adapted)
    assert parameters_id(adapted) != parameters_id(SHIPPED)
    assert parameters_id(replace(SHIPPED, version="other")) != parameters_id(SHIPPED)


# --- whole runs -------------------------------------------------------------------------------

_FIRST = ["JAMES", "MARY", "ROBERT", "PATRICIA", "MICHAEL", "LINDA", "DAVID", "SUSAN", "MARIA"]
_FIRST += ["WEI", "AMIR", "FATIMA", "OLGA", "HIROSHI", "PRIYA", "KOFI", "LUCIA", "TOMAS"]
_LAST = ["SMITH", "JOHNSON", "BROWN", "GARCIA", "MILLER", "DAVIS", "LOPEZ", "WILSON", "CHEN"]
_LAST += ["KHAN", "NGUYEN", "KOWALSKI", "OKAFOR", "ROSSI", "SATO", "PATEL", "MENSAH", "SILVA"]


def _world(people: int, seed: int = 11) -> list[Row]:
    rnd = random.Random(seed)
    rows = []
    for i in range(people):
        rows.append(
            {
                "person_id": f"P{i:05d}",
                "ssn": f"{rnd.randrange(100_100_000, 499_999_999)}",
                "first_name": rnd.choice(_FIRST),
                "middle_name": rnd.choice(_FIRST)[0],
                "last_name": rnd.choice(_LAST) + rnd.choice(["", "S", "ER", "SON", "A", "O"]),
                "dob": f"{rnd.randrange(1930, 2010)}-{rnd.randrange(1, 13):02d}-"
                f"{rnd.randrange(1, 29):02d}",
                "address_line": f"{rnd.randrange(1, 9999)} {rnd.choice(_LAST)} ST",
                "zip": f"{rnd.randrange(10000, 99999)}",
            }
        )
    return rows


def _request(person: Row, rid: str, **changes: str) -> Row:
    row = {c: person.get(c, "") for c in REQUEST_COLUMNS if c != "request_id"}
    row.update(changes)
    return {"request_id": rid, **row}


TWINS = 60
"""World people (the first ones) with a twin in the master: same surname, birthday and
address, a first name one letter apart, an SSN of their own."""


def _with_twins(world: list[Row]) -> list[Row]:
    twins = []
    for i, p in enumerate(world[:TWINS]):
        first = p["first_name"]
        other = first[:-1] + ("Z" if first[-1] != "Z" else "X")
        twins.append(
            {
                **p,
                "person_id": f"W{i:05d}",
                "ssn": f"5{p['ssn'][1:]}",
                "first_name": other,
                "middle_name": "",
            }
        )
    return world + twins


def _targets(world: list[Row]) -> list[Row]:
    """Rows near the decision boundary: a twin's request without SSN (a near tie: the twin is
    one first-name letter away), and rows with one field that disagrees in some way."""
    rows = [_request(p, f"T{i}", ssn="") for i, p in enumerate(world[:TWINS])]
    for i, p in enumerate(world[TWINS:300], start=TWINS):
        kind = i % 6
        if kind == 0:  # no SSN, another first name (a look-alike)
            rows.append(_request(p, f"T{i}", ssn="", first_name="ZEBEDIAH"))
        elif kind == 1:  # no SSN, a close first name
            rows.append(_request(p, f"T{i}", ssn="", first_name=p["first_name"][:-1] + "Y"))
        elif kind == 2:  # no SSN, another birthday
            rows.append(_request(p, f"T{i}", ssn="", dob=p["dob"][:3] + "5" + p["dob"][4:]))
        elif kind == 3:  # SSN two digits off
            ssn = p["ssn"]
            rows.append(_request(p, f"T{i}", ssn=ssn[:3] + ssn[4] + ssn[3] + ssn[5:7] + "00"))
        elif kind == 4:  # no SSN, no address, names and birthday
            rows.append(_request(p, f"T{i}", ssn="", address_line="", zip=""))
        else:  # a borrowed SSN: the surname agrees, first name and birthday differ
            rows.append(_request(p, f"T{i}", first_name="ZEBEDIAH", dob="1999-12-31"))
    return rows


def _padding(world: list[Row], kind: str) -> list[Row]:
    """Rows of the other world people crafted to shift m: ``first_differs`` agrees on SSN,
    surname, birthday and address with another first name (teaching that first names differ
    among matches), ``all_agree`` agrees on everything (teaching that every field agrees)."""
    rows = []
    for i, p in enumerate(world[300:]):
        if kind == "first_differs":
            rows.append(_request(p, f"X{i}", first_name="ZEBEDIAH", middle_name=""))
        else:
            rows.append(_request(p, f"X{i}"))
    return rows


def _run(tmp: Path, world: list[Row], requests: list[Row], **settings: object) -> dict[str, Row]:
    tmp.mkdir(parents=True, exist_ok=True)
    master = write_csv(tmp / "master.csv", MASTER_COLUMNS, world)
    req = write_csv(tmp / "requests.csv", REQUEST_COLUMNS, requests)
    out = tmp / "out.csv"
    summary = match_files(
        master,
        req,
        out,
        settings=Settings(workspace=tmp / "ws", **settings),  # type: ignore[arg-type]
    )
    rows = {row["request_id"]: row for row in read_output(out)}
    rows["summary"] = {"model": summary.model_version, "parameters": str(summary.parameters_file)}
    return rows


@pytest.mark.parametrize("padding", ["first_differs", "all_agree"])
def test_padding_rows_do_not_carry_a_target_row_into_match(tmp_path: Path, padding: str) -> None:
    world = _world(2_600)
    master = _with_twins(world)
    targets = _targets(world)
    alone = _run(tmp_path / "alone", master, targets)  # 300 rows: below the minimum, shipped
    padded = _run(tmp_path / "padded", master, targets + _padding(world, padding))
    assert alone["summary"]["model"] == parameters_label(SHIPPED)
    # The targets sit at the boundary: twins are near ties, look-alikes and borrowed SSNs refused.
    decisions = Counter(alone[t["request_id"]]["decision"] for t in targets)
    assert decisions["possible"] >= TWINS // 2
    assert decisions["no_match"] >= 60
    # The padding moved m as far as the bound allows, and moved the targets' scores.
    used = load_model(Path(padded["summary"]["parameters"]))
    ratios = [
        new.m / old.m
        for name, levels in used.parameters.items()
        for new, old in zip(levels, SHIPPED.parameters[name], strict=True)
    ]
    assert max(ratios) == pytest.approx(FileEm().max_factor)
    assert min(ratios) == pytest.approx(1 / FileEm().max_factor)
    assert any(padded[t["request_id"]]["score"] != alone[t["request_id"]]["score"] for t in targets)
    crossed = [
        rid
        for rid in (t["request_id"] for t in targets)
        if padded[rid]["decision"] == "match" and alone[rid]["decision"] != "match"
    ]
    assert crossed == []


def test_below_the_minimum_size_outputs_are_those_of_the_shipped_model(tmp_path: Path) -> None:
    world = _world(2_600)
    requests = _targets(world) + _padding(world, "all_agree")[: FileEm().min_rows - 301]
    assert len(requests) == FileEm().min_rows - 1
    on = _run(tmp_path / "on", world, requests)
    off = _run(tmp_path / "off", world, requests, match_file_em=False)
    assert (tmp_path / "on" / "out.csv").read_bytes() == (tmp_path / "off" / "out.csv").read_bytes()
    assert on["summary"]["model"] == off["summary"]["model"] == parameters_label(SHIPPED)


def test_a_run_is_reproduced_from_its_saved_parameters(tmp_path: Path) -> None:
    world = _world(2_600)
    requests = _targets(world) + _padding(world, "all_agree")
    master = write_csv(tmp_path / "master.csv", MASTER_COLUMNS, world)
    req = write_csv(tmp_path / "requests.csv", REQUEST_COLUMNS, requests)
    settings = Settings(workspace=tmp_path / "ws")
    first = match_files(master, req, tmp_path / "first.csv", settings=settings)
    assert first.parameters_file is not None
    assert first.parameters_file.is_file()
    assert first.model_version == f"person-v1@{first.parameters_file.stem}"
    assert first.model_version != parameters_label(SHIPPED)
    again = match_files(
        master, req, tmp_path / "again.csv", settings=settings, model=first.parameters_file
    )
    assert again.model_version == first.model_version
    assert (tmp_path / "first.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()
    # Any saved parameters are used as is: the shipped model's, from a small run, stay shipped.
    shipped = tmp_path / "shipped-parameters.json"
    shipped.write_text(json.dumps(model_settings(SHIPPED)), encoding="utf-8")
    other = Settings(workspace=tmp_path / "other")
    as_shipped = match_files(master, req, tmp_path / "shipped.csv", settings=other, model=shipped)
    assert as_shipped.model_version == parameters_label(SHIPPED)
    with session(settings.sqlite_url) as s:
        jobs = [job.outputs for job in s.scalars(select(Job).where(Job.kind == "match"))]
    assert [(j["model"], j["parameters_file"]) for j in jobs] == [
        (first.model_version, str(first.parameters_file))
    ] * 2


def test_the_setting_reads_true_and_false_from_the_environment() -> None:
    assert Settings.from_env({}).match_file_em is True
    assert Settings.from_env({"MATCHGATE_MATCH_FILE_EM": "false"}).match_file_em is False
    assert Settings.from_env({"MATCHGATE_MATCH_FILE_EM": "1"}).match_file_em is True
    with pytest.raises(ConfigurationError):
        Settings.from_env({"MATCHGATE_MATCH_FILE_EM": "maybe"})
