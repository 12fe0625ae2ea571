"""Canonical JSON: the one text form that hashes and signatures see, for every stage.

The audit log (entry hashes, Merkle leaves, checkpoint signatures) and the response package
(header and manifest signatures) both hash and sign this form; there is one writer:

* object keys sorted by code point, no insignificant whitespace;
* non-ASCII characters escaped as ``\\uXXXX`` (the text is pure ASCII, so its bytes are its
  ASCII encoding: :func:`canonical_bytes`);
* no NaN or infinity. Python writes a float as the shortest text that reads back to the same
  value, so re-encoding a parsed value reproduces it byte for byte; a verifier in another
  language hashes the stored bytes as given and never needs to re-encode them.

Reading (:func:`parse_canonical`) accepts only text that the writer would produce, with no key
repeated. The two users read under different rules, and the rules are parameters, not copies:

* the audit log reads any JSON value (an entry's ``subjects`` is a list) and allows floats
  (event details may hold them): the defaults;
* the package format carries integers only and its header and manifest are objects, so the
  package reader passes ``integers_only=True, object_only=True`` (``disclosure.canonical``).

The writer is the same for both, so the same value always gives the same bytes. Error messages
name what is wrong with the text, never its content.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["NotCanonical", "canonical_bytes", "canonical_json", "parse_canonical"]


class NotCanonical(ValueError):
    """Text that is not canonical JSON (of the kind asked for); the message quotes no content.

    A ``ValueError``, not a ``MatchgateError``: each reader turns it into its own error (a
    malformed audit entry, a corrupt package) with the file or entry it was reading.
    """


def canonical_json(value: object) -> str:
    """Serialize ``value`` (dicts, lists, str, int, finite float, bool, None) canonically."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def canonical_bytes(value: object) -> bytes:
    """:func:`canonical_json` as the ASCII bytes that are hashed and signed."""
    return canonical_json(value).encode("ascii")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotCanonical("a key appears twice")
        result[key] = value
    return result


def _no_constant(_: str) -> Any:
    raise NotCanonical("holds NaN or infinity")


def _no_float(_: str) -> Any:
    raise NotCanonical("holds a number that is not an integer")


def parse_canonical(
    text: str | bytes, *, integers_only: bool = False, object_only: bool = False
) -> Any:
    """The value of canonical JSON ``text``; raises :class:`NotCanonical` for any other text.

    ``text`` may be bytes, which must be ASCII. ``integers_only`` also refuses every number that
    is not an integer (floats, NaN, infinity); ``object_only`` refuses a value that is not a
    JSON object (checked before the canonical form).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise NotCanonical("holds bytes that are not ASCII") from None
    try:
        if integers_only:
            value = json.loads(
                text, object_pairs_hook=_pairs, parse_float=_no_float, parse_constant=_no_float
            )
        else:
            value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except NotCanonical:
        raise
    except (ValueError, RecursionError):  # json.JSONDecodeError, int too long, nesting too deep
        raise NotCanonical("is not JSON") from None
    if object_only and not isinstance(value, dict):
        raise NotCanonical("is not a JSON object")
    if canonical_json(value) != text:
        raise NotCanonical("is not in canonical form")
    return value
