"""Check a master file (data contract, section 1) before matching builds anything from it.

The master can hold hundreds of millions of rows, so it is never read into Python: the engine
describes its columns (reading at most a sample), and matching later standardizes it in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matchgate.domain.errors import InputError
from matchgate.engines.base import Engine, EngineError, EngineFailure
from matchgate.intake.codes import Code
from matchgate.intake.formats import detect_format

REQUIRED = ("first_name", "last_name", "dob")
"""Columns every master needs, besides ``person_id`` or ``ssn`` (at least one)."""
IDENTIFIERS = ("person_id", "ssn")
REQUEST_MARKER = "request_id"
"""A column of every request file (data contract, section 2) and of no master."""


@dataclass(frozen=True)
class MasterSource:
    """A master file the engine can read: its relation SQL and its columns.

    ``columns`` maps each lower-cased column name to ``(name as in the file, engine type)``.
    """

    path: Path
    relation: str
    columns: dict[str, tuple[str, str]]


def inspect_master(engine: Engine, path: Path) -> MasterSource:
    """Check that ``path`` is a readable master file with the required columns."""
    fmt = detect_format(path)
    relation = engine.file_relation(path, fmt.value)
    try:
        # The relation is built by the engine from the path, quoted; no user text is spliced.
        described = engine.query(f"DESCRIBE SELECT * FROM {relation}")  # noqa: S608
    except EngineError as exc:
        raise master_input_error(path, exc, reading=True) from None
    columns = {
        str(name).strip().lower(): (str(name), str(kind))
        for name, kind in zip(
            described["column_name"].to_pylist(), described["column_type"].to_pylist(), strict=True
        )
    }
    if REQUEST_MARKER in columns:
        raise InputError(
            f"this is a request file (it has a {REQUEST_MARKER} column), not a master file of "
            "SSN holders",
            path=str(path),
            code=Code.MASTER_IS_REQUEST,
        )
    missing = [name for name in REQUIRED if name not in columns]
    if not any(name in columns for name in IDENTIFIERS):
        missing.insert(0, " or ".join(IDENTIFIERS))
    if missing:
        raise InputError(
            f"the master file lacks required column(s): {', '.join(missing)}",
            path=str(path),
            code=Code.MASTER_COLUMNS_MISSING,
        )
    return MasterSource(path, relation, columns)


def master_input_error(
    path: Path, exc: EngineError, *, reading: bool = False
) -> InputError | EngineError:
    """The :class:`InputError` for an engine failure while reading the master file (a lack of
    memory or disk, or any failure not about reading the file, stays an :class:`EngineError`).

    ``reading``: the failure came from describing the file itself, so anything but a lack of
    resources is the file's fault (a Parquet file without its magic bytes is ``OTHER`` to the
    engine). The engine's own text is never repeated: it can quote the file's content.
    """
    if exc.failure is EngineFailure.RESOURCES or (
        exc.failure is EngineFailure.OTHER and not reading
    ):
        return exc
    code = {
        EngineFailure.MISSING_FILE: Code.FILE_MISSING,
        EngineFailure.ENCODING: Code.FILE_ENCODING,
    }.get(exc.failure, Code.FILE_MALFORMED)
    where = f"line {exc.line}: " if exc.line is not None else ""
    what = {
        Code.FILE_MISSING: "file does not exist",
        Code.FILE_ENCODING: "is not valid UTF-8 (save the file as UTF-8)",
        Code.FILE_MALFORMED: (
            "a record cannot be parsed (a wrong number of fields, or an unclosed quote)"
            if exc.line is not None
            else "not a readable master file (expected CSV with a header row, Parquet or JSON "
            "Lines, data contract section 1)"
        ),
    }[code]
    return InputError(f"{where}{what}", path=str(path), code=code)
