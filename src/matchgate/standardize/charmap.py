"""The letter map that folds names to plain A-Z, shared by the Python and the SQL standardizer.

Why a map and not just ``unicodedata.normalize("NFKD", ...)``: the master is standardized in SQL,
and DuckDB's ``strip_accents`` only undoes *canonical* decompositions (é -> e), not compatibility
ones (ligatures, full-width letters, ``Ĳ``), and neither NFKD nor ``strip_accents`` touches letters
that have no decomposition at all (Polish ``Ł``, Danish ``Ø``, German ``ß``, Vietnamese ``Đ``).
So both sides first apply this map, then strip canonical accents and marks, then uppercase. The
map holds:

* :func:`common_map`: letters Unicode does not decompose (:data:`EXPLICIT`, written out by hand)
  and non-ASCII apostrophes, deleted (``O’Brien`` -> ``OBRIEN``);
* :func:`generated_map`: every other letter whose NFKD form (marks stripped, explicit map applied)
  is plain ASCII but whose canonical form is not (``ﬁ`` -> ``FI``, ``Ｊ`` -> ``J``,
  ``ǅ`` -> ``DZ``), generated from :mod:`unicodedata`.

A test sweeps every code point through both implementations and asserts identical output.
"""

# ruff: noqa: RUF001, RUF002  (look-alike letters are the point of this module)

from __future__ import annotations

import functools
import unicodedata
from typing import Literal

EXPLICIT: dict[str, str] = {
    "Ł": "L",
    "ł": "l",
    "Ø": "O",
    "ø": "o",
    "Đ": "D",
    "đ": "d",
    "Ð": "D",
    "ð": "d",
    "ß": "SS",
    "ẞ": "SS",
    "Æ": "AE",
    "æ": "ae",
    "Œ": "OE",
    "œ": "oe",
    "Þ": "TH",
    "þ": "th",
    "ı": "i",
    "Ħ": "H",
    "ħ": "h",
    "Ŧ": "T",
    "ŧ": "t",
    "Ŋ": "N",
    "ŋ": "n",
    "ĸ": "k",
    "ƒ": "f",
    "Ɨ": "I",
    "ɨ": "i",
    "Ƶ": "Z",
    "ƶ": "z",
    "ŉ": "n",
    "ſ": "s",
}
"""Letters without a Unicode decomposition, folded as a person typing in ASCII would."""

APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u00b4\u2032"
"""Non-ASCII apostrophe look-alikes, deleted like the ASCII apostrophe."""

_FIRST_CODE_POINT = 0x80
_LAST_CODE_POINT = 0x2FFFF


def _is_ascii_letters(text: str) -> bool:
    return bool(text) and text.isascii() and text.isalpha()


def is_mark(ch: str) -> bool:
    """Whether ``ch`` is a combining, spacing or enclosing mark (what accent stripping drops)."""
    return unicodedata.category(ch).startswith("M")


def strip_marks(text: str, form: Literal["NFD", "NFKD"] = "NFD") -> str:
    """``text`` decomposed (canonically by default) with every mark removed."""
    return "".join(ch for ch in unicodedata.normalize(form, text) if not is_mark(ch))


def common_map() -> dict[str, str]:
    """The hand-written part: :data:`EXPLICIT` letters and deleted apostrophe look-alikes."""
    mapping = dict.fromkeys(APOSTROPHES, "")
    mapping.update(EXPLICIT)
    return mapping


def _generated(ch: str, common: dict[str, str]) -> str | None:
    """The generated folding of one character, or None when it is not generated."""
    if ch in common or not unicodedata.category(ch).startswith(("L", "Nl")):
        return None
    canonical = strip_marks(ch)
    if len(canonical) == 1 and canonical in EXPLICIT:
        # A decorated form of a hand-mapped letter (e.g. an accented Ø).
        return EXPLICIT[canonical]
    compat = "".join(EXPLICIT.get(c, c) for c in strip_marks(ch, "NFKD"))
    if _is_ascii_letters(compat) and compat != canonical:
        return compat
    return None


@functools.cache
def generated_map() -> dict[str, str]:
    """Compatibility letters (``ﬁ``, ``Ｊ``, ``ǅ``, decorated forms of explicit letters), generated
    from :mod:`unicodedata`; they are rare in names, so SQL applies them only when present."""
    common = common_map()
    mapping: dict[str, str] = {}
    for code in range(_FIRST_CODE_POINT, _LAST_CODE_POINT + 1):
        ch = chr(code)
        folded = _generated(ch, common)
        if folded is not None:
            mapping[ch] = folded
    return mapping


class _Translation(dict[int, str]):
    """The whole map (common and generated) as :meth:`str.translate` reads it, generated lazily
    per character met: the full generated map walks 200,000 code points, which a request file
    of a few thousand distinct characters need not pay for."""

    def __init__(self) -> None:
        self._common = common_map()
        super().__init__({ord(k): v for k, v in self._common.items()})

    def __missing__(self, code: int) -> str:
        folded = None
        if _FIRST_CODE_POINT <= code <= _LAST_CODE_POINT:
            folded = _generated(chr(code), self._common)
        if folded is None:
            folded = chr(code)  # unchanged; remembered so the next meeting is a lookup
        self[code] = folded
        return folded


@functools.cache
def translation_table() -> dict[int, str]:
    """The whole map (common and generated) in the form :meth:`str.translate` takes."""
    return _Translation()
