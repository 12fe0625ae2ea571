"""Read a truth file and a match output and pair their rows for grading."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from matchgate.domain.contract import TRUTH_COLUMNS
from matchgate.domain.decision import Decision
from matchgate.domain.errors import InputError
from matchgate.eval.metrics import Graded

RESULT_COLUMNS = ("request_id", "decision", "person_id")
_DECISIONS = {d.value for d in Decision}


def _records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, record) with every value as text; row 1 is the first data row."""
    if not path.is_file():
        raise InputError("file not found", path=str(path), code="E_FILE_NOT_FOUND")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        for i, rec in enumerate(table.to_pylist(), start=1):
            yield i, {k: "" if v is None else str(v) for k, v in rec.items()}
        return
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if suffix in {".jsonl", ".ndjson"}:
                for i, line in enumerate(handle, start=1):
                    if line.strip():
                        try:
                            rec = json.loads(line)
                        except json.JSONDecodeError:
                            raise InputError(
                                "not valid JSON", path=str(path), row=i, code="E_BAD_JSON"
                            ) from None
                        yield i, {k: "" if v is None else str(v) for k, v in rec.items()}
                return
            for i, rec in enumerate(csv.DictReader(handle), start=1):
                yield i, {k: v or "" for k, v in rec.items() if k is not None}
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8 text", path=str(path), code="E_ENCODING") from None


def _read_keyed(path: Path, required: tuple[str, ...]) -> dict[str, tuple[int, dict[str, str]]]:
    keyed: dict[str, tuple[int, dict[str, str]]] = {}
    for row, rec in _records(path):
        missing = [c for c in required if c not in rec]
        if missing:
            raise InputError(
                "required column missing", path=str(path), field=missing[0], code="E_MISSING_COLUMN"
            )
        rid = rec["request_id"]
        if rid in keyed:
            raise InputError(
                f"duplicate request_id (also on row {keyed[rid][0]})",
                path=str(path),
                row=row,
                field="request_id",
                code="E_DUPLICATE_ID",
            )
        keyed[rid] = (row, rec)
    if not keyed:
        raise InputError("file has no rows", path=str(path), code="E_EMPTY_FILE")
    return keyed


def read_graded(truth_path: Path, results_path: Path) -> list[Graded]:
    """Pair every truth row with its result row; both files must cover the same request_ids."""
    truth = _read_keyed(truth_path, TRUTH_COLUMNS)
    results = _read_keyed(results_path, RESULT_COLUMNS)
    for rid, (row, _) in results.items():
        if rid not in truth:
            raise InputError(
                "request_id not in the truth file",
                path=str(results_path),
                row=row,
                field="request_id",
                code="E_UNKNOWN_ID",
            )
    graded = []
    for rid, (row, t) in truth.items():
        if rid not in results:
            raise InputError(
                "request_id has no result row",
                path=str(truth_path),
                row=row,
                field="request_id",
                code="E_MISSING_RESULT",
            )
        r_row, r = results[rid]
        if r["decision"] not in _DECISIONS:
            raise InputError(
                "decision must be match, possible or no_match",
                path=str(results_path),
                row=r_row,
                field="decision",
                code="E_BAD_DECISION",
            )
        graded.append(
            Graded(
                request_id=rid,
                true_person=t["person_id"],
                kinds=tuple(k for k in t["case"].split("+") if k),
                origin=t["origin"],
                decision=r["decision"],
                person=r["person_id"],
            )
        )
    return graded
