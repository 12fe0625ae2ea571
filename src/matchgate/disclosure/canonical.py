"""Canonical JSON: the one byte form of the header and manifest that signatures and hashes see.

UTF-8 JSON with object keys sorted by code point, no insignificant whitespace, non-ASCII
characters escaped as ``\\uXXXX``, integers only (no floats, no NaN). The reader refuses a
header or manifest that is not in this form, has a repeated key, or is not a JSON object.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError


class NotCanonical(ValueError):
    """Bytes that are not canonical JSON of an object; the message quotes no content."""


def canonical_json(value: object) -> bytes:
    """Serialize ``value`` (dicts, lists, str, int, bool, None) to canonical JSON bytes."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def model_bytes(model: BaseModel) -> bytes:
    """Canonical JSON of a pydantic model (all fields, by alias-free name)."""
    return canonical_json(model.model_dump(mode="json"))


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotCanonical("a key appears twice")
        result[key] = value
    return result


def _no_float(_: str) -> Any:
    raise NotCanonical("holds a number that is not an integer")


def parse_canonical(data: bytes) -> dict[str, Any]:
    """The object in canonical JSON ``data``; raises ``NotCanonical`` for anything else."""
    try:
        value = json.loads(
            data.decode("ascii"),
            object_pairs_hook=_pairs,
            parse_float=_no_float,
            parse_constant=_no_float,
        )
    except UnicodeDecodeError:
        raise NotCanonical("holds bytes that are not ASCII") from None
    except NotCanonical:
        raise
    except ValueError:  # json.JSONDecodeError, int too long, ...
        raise NotCanonical("is not JSON") from None
    if not isinstance(value, dict):
        raise NotCanonical("is not a JSON object")
    if canonical_json(value) != data:
        raise NotCanonical("is not in canonical form")
    return value


def describe_validation_error(exc: ValidationError) -> str:
    """Where and how a model failed, without the offending values (they may be personal)."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        parts.append(f"{where} ({error['type']})")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
