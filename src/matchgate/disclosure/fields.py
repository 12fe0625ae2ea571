"""Constrained field types shared by the header and the manifest (they shape the JSON Schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

#: Printable ASCII, 1 to 200 characters, no leading or trailing space: safe in any terminal.
Text = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]([\x20-\x7e]{0,198}[\x21-\x7e])?$")]
KeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
PackageId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]


def _is_utc_timestamp(value: str) -> str:
    datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")  # raises ValueError for 2025-02-30 etc.
    return value


#: RFC 3339 UTC to the second, e.g. ``2025-08-01T14:03:00Z``.
Timestamp = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"),
    AfterValidator(_is_utc_timestamp),
]


def hex_bytes(size: int) -> object:
    """Lowercase hex of exactly ``size`` bytes."""
    return StringConstraints(pattern=rf"^[0-9a-f]{{{2 * size}}}$")
