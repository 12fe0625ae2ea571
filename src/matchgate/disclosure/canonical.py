"""Canonical JSON of the package format: the byte form of the header and manifest that
signatures and hashes see.

The writer is the one of :mod:`matchgate.domain.canonical` (keys sorted by code point, no
insignificant whitespace, non-ASCII escaped as ``\\uXXXX``), as ASCII bytes. The package format
reads under stricter rules than the audit log: integers only (no floats, no NaN) and a JSON
object at the top. The reader refuses a header or manifest that is not in this form, has a
repeated key, or is not a JSON object.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from matchgate.domain import canonical as _domain
from matchgate.domain.canonical import NotCanonical, canonical_bytes

__all__ = [
    "NotCanonical",
    "canonical_bytes",
    "describe_validation_error",
    "model_bytes",
    "parse_canonical",
]


def model_bytes(model: BaseModel) -> bytes:
    """Canonical JSON of a pydantic model (all fields, by alias-free name)."""
    return canonical_bytes(model.model_dump(mode="json"))


def parse_canonical(data: bytes) -> dict[str, Any]:
    """The object in canonical JSON ``data``; raises ``NotCanonical`` for anything else."""
    value: dict[str, Any] = _domain.parse_canonical(data, integers_only=True, object_only=True)
    return value


def describe_validation_error(exc: ValidationError) -> str:
    """Where and how a model failed, without the offending values (they may be personal)."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        parts.append(f"{where} ({error['type']})")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
