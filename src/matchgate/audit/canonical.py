"""Canonical JSON: the one text form of an audit entry that hashes and signatures see.

Object keys sorted by code point, no insignificant whitespace, non-ASCII escaped as ``\\uXXXX``,
no NaN or infinity. Python writes a float as the shortest text that reads back to the same
value, so re-encoding a parsed entry reproduces it byte for byte; a verifier in another language
hashes the stored bytes as given and never needs to re-encode them.
"""

from __future__ import annotations

import json
from typing import Any


class NotCanonical(ValueError):
    """Text that is not canonical JSON; the message quotes no content."""


def canonical_json(value: object) -> str:
    """Serialize ``value`` (dicts, lists, str, int, finite float, bool, None) canonically."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotCanonical("a key appears twice")
        result[key] = value
    return result


def _no_constant(_: str) -> Any:
    raise NotCanonical("holds NaN or infinity")


def parse_canonical(text: str) -> Any:
    """The value of canonical JSON ``text``; raises ``NotCanonical`` for any other text."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except NotCanonical:
        raise
    except (ValueError, RecursionError):
        raise NotCanonical("is not JSON") from None
    if canonical_json(value) != text:
        raise NotCanonical("is not in canonical form")
    return value
