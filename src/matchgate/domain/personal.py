"""A net for personal values in text meant to hold ids and codes only.

Strings that look like an SSN or an A-number are refused wherever text is recorded (audit
events, breach scopes, notes): a net under the callers' own care, not a proof that no personal
value can pass (a name is just a word, and a count is just a number).
"""

from __future__ import annotations

import re

_SSN_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{3}[-_ .]?[0-9]{2}[-_ .]?[0-9]{4}(?![0-9A-Za-z])")
_A_NUMBER_LIKE = re.compile(r"(?<![0-9A-Za-z])[Aa]-?[0-9]{7,9}(?![0-9A-Za-z])")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""Random identifiers (package ids): one beginning ``a`` and seven digits is not an A-number."""


def looks_personal(text: str) -> bool:
    """Whether ``text`` holds something shaped like an SSN or an A-number."""
    text = _UUID.sub("-", text)
    return bool(_SSN_LIKE.search(text) or _A_NUMBER_LIKE.search(text))


__all__ = ["looks_personal"]
