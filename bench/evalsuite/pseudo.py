"""pseudopeople's packaged sample population in the data contract.

The master is pseudopeople's simulated SSA records (``generate_social_security``, default
noise): one row per simulant, person_id = simulant_id, with SSN, names, DOB, sex and the death
date from a ``death`` event; a share of simulants (``holdout``, default 10%, chosen by ``seed``) is
left out of the master, so their requests are absent people beside those the SSA data never had.

Request files, one per source, each at pseudopeople's default noise (``noise="default"``) or with
every column-noise cell probability doubled (``noise="2x"``; row noise unchanged):

- ``census``: the decennial census and the ACS (name, middle initial, DOB, address; no SSN);
- ``w2``: W-2 and 1099 forms (SSN, name, middle initial, mailing address; no DOB);
- ``1040``: the primary filer of each 1040 (SSN, name, middle initial, mailing address; no DOB).

A person appears once per file (the first of their rows). Truth comes from the simulant ids.
``origin`` is the simulant's race/ethnicity in the census (pseudopeople draws names by it), the
nearest thing to a name origin pseudopeople carries; ``unknown`` when the census lacks them.
"""

from __future__ import annotations

import functools
import os
import random
from pathlib import Path
from typing import Any

from evalsuite.contract import iso_date, text, write_dataset

SOURCES = ("census", "w2", "1040")
NOISES = ("default", "2x")
_SEX = {"Male": "M", "Female": "F"}


def doubled_config(dataset: str) -> dict[str, Any]:
    """pseudopeople's default configuration for ``dataset`` with column noise doubled."""
    import pseudopeople as psp

    config = psp.get_config()[dataset]
    column_noise: dict[str, Any] = {}
    for column, noises in config["column_noise"].items():
        column_noise[column] = {}
        for noise, params in noises.items():
            if "cell_probability" in params:
                column_noise[column][noise] = {
                    "cell_probability": min(1.0, 2 * float(params["cell_probability"]))
                }
    return {dataset: {"column_noise": column_noise}}


def _generate(name: str, noise: str, seed: int) -> Any:
    # pseudopeople shows progress bars even when not verbose
    os.environ.setdefault("TQDM_DISABLE", "1")
    import pseudopeople as psp
    from loguru import logger

    logger.disable(
        "pseudopeople"
    )  # it warns when a doubled probability exceeds what a column allows
    dataset = {
        "ssa": "social_security",
        "census": "decennial_census",
        "acs": "american_community_survey",
        "w2": "taxes_w2_and_1099",
        "1040": "taxes_1040",
    }[name]
    config = doubled_config(dataset) if noise == "2x" else None
    return getattr(psp, f"generate_{dataset}")(seed=seed, config=config, verbose=False)


@functools.cache
def _master(seed: int) -> list[dict[str, str]]:
    ssa = _generate("ssa", "default", seed)
    people: dict[str, dict[str, str]] = {}
    deaths: dict[str, str] = {}
    for rec in ssa.itertuples(index=False):
        sid = text(rec.simulant_id)
        if text(rec.event_type) == "death":
            deaths[sid] = iso_date(text(rec.event_date), "%Y%m%d")
        if sid in people and text(rec.event_type) != "creation":
            continue
        people[sid] = {
            "person_id": sid,
            "ssn": text(rec.ssn),
            "first_name": text(rec.first_name),
            "middle_name": text(rec.middle_name),
            "last_name": text(rec.last_name),
            "dob": iso_date(text(rec.date_of_birth), "%Y%m%d"),
            "sex": _SEX.get(text(rec.sex), "U"),
        }
    for sid, day in deaths.items():
        if sid in people:
            people[sid]["death_date"] = day
    return list(people.values())


def _address(rec: Any, prefix: str) -> dict[str, str]:
    street = " ".join(
        text(getattr(rec, f"{prefix}{part}")) for part in ("street_number", "street_name")
    ).strip()
    unit = text(getattr(rec, f"{prefix}unit_number"))
    po_box = text(getattr(rec, f"{prefix}po_box", None))
    line = f"{street} {unit}".strip() if street else (f"PO BOX {po_box}" if po_box else "")
    zip_field = "zipcode" if prefix == "" else f"{prefix}zipcode"
    return {
        "address_line": line,
        "city": text(getattr(rec, f"{prefix}city")),
        "state": text(getattr(rec, f"{prefix}state")),
        "zip": text(getattr(rec, zip_field)),
    }


def _request(source: str, rec: Any) -> dict[str, str]:
    row = {
        "first_name": text(rec.first_name),
        "middle_name": text(rec.middle_initial),
        "last_name": text(rec.last_name),
    }
    if source == "census":
        row["dob"] = iso_date(text(rec.date_of_birth), "%m/%d/%Y")
        row.update(_address(rec, ""))
    else:
        row["ssn"] = text(rec.ssn)
        row.update(_address(rec, "mailing_address_"))
    return row


@functools.cache
def _origins(seed: int) -> dict[str, str]:
    origins: dict[str, str] = {}
    for name in ("census", "acs"):
        for rec in _generate(name, "default", seed).itertuples(index=False):
            race = text(rec.race_ethnicity)
            if race:
                origins.setdefault(text(rec.simulant_id), race.lower().replace(" ", "_"))
    return origins


def build_pseudopeople(
    source: str,
    noise: str,
    out: Path,
    *,
    limit: int | None = None,
    holdout: float = 0.1,
    seed: int = 16,
) -> dict[str, int]:
    """Write the ``source`` request file at ``noise`` against the SSA master into ``out``.

    ``limit`` keeps a random ``limit`` requests (chosen by ``seed``).
    """
    if source not in SOURCES or noise not in NOISES:
        raise ValueError(f"unknown pseudopeople dataset {source!r} at noise {noise!r}")
    master = [dict(m) for m in _master(seed)]
    rnd = random.Random(seed)
    held = set(rnd.sample(sorted(m["person_id"] for m in master), round(holdout * len(master))))
    master = [m for m in master if m["person_id"] not in held]
    frames = [_generate("census", noise, seed), _generate("acs", noise, seed)]
    if source != "census":
        frames = [_generate(source, noise, seed)]
    seen: set[str] = set()
    requests: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    origin_by_sim = _origins(seed)
    origin: dict[str, str] = {}
    present = {m["person_id"] for m in master}
    for frame in frames:
        for rec in frame.itertuples(index=False):
            sid = text(rec.simulant_id)
            if sid in seen:
                continue
            seen.add(sid)
            rid = f"{source}-{len(requests) + 1}"
            requests.append({"request_id": rid, **_request(source, rec)})
            if sid in present:
                truth[rid] = sid
            if sid in origin_by_sim:
                origin[rid] = origin_by_sim[sid]
    if limit is not None and limit < len(requests):
        keep = set(rnd.sample(range(len(requests)), limit))
        requests = [r for i, r in enumerate(requests) if i in keep]
    return write_dataset(out, master, requests, truth, origin)
