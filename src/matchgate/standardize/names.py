"""Names -> comparable forms (the Python half; :mod:`matchgate.standardize.sql` is the SQL half).

The standardized form of a name:

1. fold letters to A-Z: the :mod:`~matchgate.standardize.charmap` map, then canonical accent
   stripping (``Nguyễn`` -> ``NGUYEN``, ``Łukasz`` -> ``LUKASZ``, ``Straße`` -> ``STRASSE``);
2. uppercase;
3. delete apostrophes, dots and backticks, which join (``O'Brien`` -> ``OBRIEN``);
4. every other run of non-letters (hyphens, spaces, digits) becomes one space
   (``García-López`` -> ``GARCIA LOPEZ``);
5. drop trailing generational suffixes ``JR SR II III IV`` (``Smith Jr.`` -> ``SMITH``) unless the
   suffix is the whole name;
6. a placeholder (``FNU``, ``BABY GIRL``, ``UNKNOWN``, ``N/A``: the documented list of
   :mod:`~matchgate.standardize.placeholders`) is no name at all: ``""``, as for an empty field.

Two derived forms serve comparison and blocking: the *compact* form without spaces
(``DE LA CRUZ`` and ``DELACRUZ`` agree) and *keys*, the first four letters of a compact form.
Surname keys also include the keys of each substantial token of a compound surname, so a request
for ``Garcia`` meets a master ``García López`` and ``Cruz`` meets ``De La Cruz``.
"""

from __future__ import annotations

import functools
import re
import string

from matchgate.standardize.charmap import strip_marks, translation_table
from matchgate.standardize.placeholders import is_placeholder

SUFFIXES = ("JR", "SR", "II", "III", "IV")
"""Generational suffixes removed from the end of a name."""

PARTICLES = ("DEL", "DER", "DEN", "DOS", "DAS", "LOS", "LAS", "VAN", "VON", "BIN", "BEN")
"""Surname particles of three letters that make poor blocking keys (shorter tokens never key)."""

KEY_LENGTH = 4
"""Characters of a compact name used as a blocking key."""

MIN_TOKEN_KEY_LENGTH = 3
"""Shortest compound-surname token that gets its own key."""

JOINING_PATTERN = r"['.`]"
NON_LETTERS_PATTERN = r"[^A-Z]+"
SUFFIX_PATTERN = r"( (" + "|".join(SUFFIXES) + r"))+$"

_JOINING = re.compile(JOINING_PATTERN)
_NON_LETTERS = re.compile(NON_LETTERS_PATTERN)
_SUFFIX = re.compile(SUFFIX_PATTERN)
# Only ASCII letters survive standardization; str.upper() would also apply Unicode's special
# casing (e.g. "ﬀ" -> "FF"), which SQL engines do not, so uppercase ASCII alone.
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def fold(text: str) -> str:
    """Fold letters to uppercase A-Z where a reader would (accents, ligatures, Ł, ß, Ø)."""
    return strip_marks(text.translate(translation_table())).translate(_ASCII_UPPER)


@functools.lru_cache(maxsize=65536)
def standardize_name(raw: str | None) -> str:
    """The standardized form of a name; ``""`` when nothing usable is left (a placeholder)."""
    text = spelled_name(raw)
    return "" if is_placeholder(text) else text


def spelled_name(raw: str | None) -> str:
    """Steps 1-5 of standardization: the name as spelled, placeholders kept."""
    if not raw:
        return ""
    text = _JOINING.sub("", fold(raw))
    text = _NON_LETTERS.sub(" ", text).strip()
    return _SUFFIX.sub("", text)


def name_placeholder(raw: str | None) -> bool:
    """Whether a name field was given as a placeholder (it then standardizes to ``""``)."""
    return is_placeholder(spelled_name(raw))


def compact(standardized: str) -> str:
    """The standardized name without spaces, for compound names written either way."""
    return standardized.replace(" ", "")


def name_key(standardized: str) -> str:
    """The blocking key of a standardized name: its first letters, spaces ignored."""
    return compact(standardized)[:KEY_LENGTH]


def surname_keys(standardized: str) -> list[str]:
    """Blocking keys of a standardized surname: the whole name's key and each token's key."""
    if not standardized:
        return []
    keys = [name_key(standardized)]
    tokens = standardized.split(" ")
    if len(tokens) > 1:
        for token in tokens:
            if len(token) >= MIN_TOKEN_KEY_LENGTH and token not in PARTICLES:
                key = token[:KEY_LENGTH]
                if key not in keys:
                    keys.append(key)
    return keys
