"""Which tabular format a user's file is in: by extension, else by content."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from matchgate.domain.errors import InputError
from matchgate.intake.codes import Code


class FileFormat(StrEnum):
    """The tabular formats the data contract accepts."""

    CSV = "csv"
    PARQUET = "parquet"
    JSONL = "jsonl"


EXTENSIONS: dict[str, FileFormat] = {
    ".csv": FileFormat.CSV,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".json": FileFormat.JSONL,
}

_PARQUET_MAGIC = b"PAR1"
_SNIFF_BYTES = 4096
_SSNVS_RECORD_LENGTH = 130
_SSNVS_MARK = b"TPV214"


def require_file(path: Path) -> None:
    """Raise ``E_FILE_MISSING`` unless ``path`` is an existing regular file."""
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"file {what}", path=str(path), code=Code.FILE_MISSING)


def _looks_like_ssnvs(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) == _SSNVS_RECORD_LENGTH and first[9:15] == _SSNVS_MARK


def _is_text_header(line: bytes) -> bool:
    """Whether ``line`` reads as a CSV header: printable UTF-8 text with a comma."""
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return False
    return "," in text and text.isprintable()


def detect_format(path: Path) -> FileFormat:
    """The file's format: its extension when known, else what its first bytes look like."""
    require_file(path)
    known = EXTENSIONS.get(path.suffix.lower())
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if _looks_like_ssnvs(head):
        raise InputError(
            "this is a fixed-width SSNVS/EVS submission; match reads CSV, Parquet or JSON Lines",
            path=str(path),
            code=Code.FILE_FORMAT,
        )
    if known is not None:
        return known
    if head.startswith(_PARQUET_MAGIC):
        return FileFormat.PARQUET
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return FileFormat.JSONL
    if _is_text_header(stripped.split(b"\n", 1)[0]):
        return FileFormat.CSV
    raise InputError(
        f"unknown file type ({path.suffix or 'no extension'}): expected .csv, .parquet or "
        ".jsonl, and the content is none of these",
        path=str(path),
        code=Code.FILE_FORMAT,
    )
