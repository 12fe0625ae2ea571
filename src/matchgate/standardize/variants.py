"""Spelling-variant keys of a name: two names that share a key may be the same name written
another way (a nickname, another romanization, another transliteration).

Three kinds of key, each a short string with a one-letter tag:

* ``N:`` nickname keys (:func:`matchgate.standardize.nicknames.nickname_keys`): BILL and WILLIAM;
* ``R:`` romanization families of East Asian surnames (:data:`ROMANIZATION_FAMILIES`): one
  Chinese, Korean or Vietnamese surname written in Pinyin, Wade-Giles, Cantonese, Revised or
  McCune-Reischauer romanization or a customary American spelling (LEE, YI, RHEE, RI; PARK, PAK,
  BAK; ZHANG, CHANG, CHEUNG). These are written for matchgate from general knowledge of the
  romanization systems; they are not the synthetic generator's table;
* ``S:`` a *consonant skeleton* (:func:`skeleton`): generic rules that fold what transliteration
  from Arabic, Cyrillic, Hangul, Chinese or Devanagari most often changes: vowels (MOHAMMED,
  MUHAMMAD), doubled letters (HUSSEIN, HUSAYN), voiced and unvoiced pairs (B/P, D/T, G/K), the
  many spellings of one affricate or sibilant (ZH, J, CH, Q, TS, Z; X, SH, HS, S), PH/F, KH/K.

A skeleton is coarse on purpose (LI, LEE, LIU and LAU share one): it serves as a weaker
comparison level and a blocking key, never as agreement by itself.
"""

from __future__ import annotations

import functools
import re

from matchgate.standardize.names import compact
from matchgate.standardize.nicknames import nickname_keys

ROMANIZATION_FAMILIES: tuple[tuple[str, ...], ...] = (
    # Korean surnames: Revised Romanization, McCune-Reischauer and common American spellings.
    ("LEE", "YI", "RHEE", "RI", "RHIE", "YEE", "REE", "I"),
    ("PARK", "PAK", "BAK", "BAHK", "PAIK", "PACK"),
    ("CHOI", "CHOE", "CHEY", "CHOY", "CHOE"),
    ("JUNG", "JEONG", "CHUNG", "CHEONG", "JOUNG", "CHONG"),
    ("KANG", "GANG", "KAHNG"),
    ("CHO", "JO", "CHOH", "JOH"),
    ("YOON", "YUN", "YOUN"),
    ("JANG", "CHANG"),
    ("LIM", "IM", "RIM", "YIM"),
    ("SHIN", "SIN", "SHEEN"),
    ("SEO", "SUH", "SEOH", "SUR", "SO"),
    ("KWON", "GWON", "KWUN"),
    ("HWANG", "WHANG"),
    ("AHN", "AN"),
    ("YOO", "YU", "RYU", "YOU", "RYOO", "LYU", "YOUH"),
    ("JEON", "CHUN", "JUN", "CHON", "JEUN"),
    ("KO", "GO", "KOH"),
    ("MOON", "MUN"),
    ("SON", "SOHN"),
    ("BAE", "PAE", "BAI"),
    ("BAEK", "PAEK", "BAIK", "PAIK", "BECK"),
    ("HEO", "HUH", "HUR", "HER", "HEH"),
    ("NOH", "ROH", "NO", "RO"),
    ("SHIM", "SIM"),
    ("KWAK", "GWAK"),
    ("SUNG", "SEONG"),
    ("JOO", "JU", "CHU", "CHOO"),
    ("WOO", "U", "OO"),
    ("KOO", "GU", "KU"),
    ("NA", "RA", "LA"),
    ("EOM", "UM", "UHM", "EUM"),
    ("CHAE", "CHAI"),
    ("CHEON", "CHUN", "CHEUN"),
    ("BANG", "PANG"),
    ("GONG", "KONG"),
    ("HYUN", "HYEON"),
    ("BYUN", "BYEON", "PYUN", "PYEON"),
    ("YEOM", "YUM", "YOM"),
    ("YEO", "YUH", "YEOH", "YO"),
    ("DO", "TO", "DOH"),
    ("SEOK", "SUK", "SOK"),
    ("GIL", "KIL"),
    ("GEUM", "KEUM", "KUM"),
    ("YOOK", "YUK"),
    ("KIM", "GIM"),
    # Chinese surnames: Pinyin, Wade-Giles, Cantonese and other customary spellings.
    ("LI", "LEE", "LEI", "LY"),
    ("ZHANG", "CHANG", "CHEUNG", "CHEONG", "TEO", "TEOH"),
    ("WANG", "WONG", "ONG", "HONG"),
    ("CHEN", "CHAN", "CHIN", "TAN", "CHUN"),
    ("LIU", "LAU", "LEW", "LOW", "LAO"),
    ("YANG", "YEUNG", "YOUNG", "YEO", "YONG"),
    ("HUANG", "WONG", "HWANG", "NG", "WEE", "OEI"),
    ("ZHAO", "CHAO", "CHIU", "CHOW", "CHEW"),
    ("WU", "WOO", "NG", "GOH", "GO"),
    ("ZHOU", "CHOU", "CHOW", "CHAU", "CHEW"),
    ("XU", "HSU", "HUI", "TSUI", "CHUI", "KHOO", "HSUI"),
    ("SUN", "SUEN", "SOON", "SON"),
    ("MA", "MAH", "MAR"),
    ("ZHU", "CHU", "CHOO", "CHUE", "GEE"),
    ("HU", "WU", "FOO", "HOO"),
    ("GUO", "KUO", "KWOK", "KOK", "QUACH"),
    ("HE", "HO", "HOR", "HOH"),
    ("GAO", "KAO", "KO", "KOH", "GO"),
    ("LIN", "LAM", "LIM", "LING", "LUM"),
    ("LUO", "LO", "LAW", "LOH", "LOR", "LOK"),
    ("ZHENG", "CHENG", "CHANG", "CHEANG", "TAY", "TEE"),
    ("LIANG", "LEUNG", "NEO"),
    ("XIE", "HSIEH", "TSE", "CHEA", "CHEAH", "SEAH", "SIA"),
    ("SONG", "SUNG", "SOONG"),
    ("TANG", "TONG"),
    ("HAN", "HON"),
    ("FENG", "FUNG", "FONG"),
    ("DENG", "TENG", "TANG", "DANG"),
    ("CAO", "TSAO", "CHO", "TSO", "CHAO"),
    ("PENG", "PANG", "PHANG"),
    ("ZENG", "TSENG", "TSANG", "CHAN", "TSENG"),
    ("XIAO", "HSIAO", "SIU", "SIEW"),
    ("TIAN", "TIEN", "TIN"),
    ("DONG", "TUNG", "TONG"),
    ("PAN", "POON", "PUN", "PHUA"),
    ("YUAN", "YUEN", "YUEN", "NGUYEN"),
    ("CAI", "TSAI", "CHOI", "CHOY", "TSOI", "CHUA", "CHUAH"),
    ("JIANG", "CHIANG", "KONG", "KEONG", "KIANG"),
    ("YU", "YUE", "YEE", "YI", "U"),
    ("DU", "TU", "TO", "TOH"),
    ("YE", "YEH", "YIP", "IP"),
    ("WEI", "WAI", "NGAI", "WEE"),
    ("SU", "SOO", "SO", "SOH"),
    ("LU", "LO", "LOO", "LUK", "LOKE", "LUI", "LUY"),
    ("DING", "TING", "TENG"),
    ("REN", "JEN", "YAN", "YAM"),
    ("SHEN", "SHUM", "SHAM", "SIM", "SUM"),
    ("YAO", "YIU", "YEO"),
    ("CUI", "TSUI", "CHUI", "TSUEI"),
    ("ZHONG", "CHUNG", "CHONG"),
    ("TAN", "TAM", "TANN"),
    ("JIN", "CHIN", "KAM", "KUM", "GAN"),
    ("SHI", "SHIH", "SZE", "SEE", "SEK"),
    ("FANG", "FONG"),
    ("KONG", "HUNG", "KUNG"),
    ("BAI", "PAI", "PAK", "BAK"),
    ("QIAN", "CHIEN", "CHIN"),
    ("QIU", "CHIU", "YAU", "KHOO", "HIEW"),
    ("QIN", "CHIN", "CHUN", "CHING"),
    ("MO", "MOK", "MOH"),
    ("XIONG", "HSIUNG", "HUNG"),
    ("GU", "KU", "KOO"),
    ("MAO", "MO", "MAU"),
    ("LIAO", "LIU", "LIEW"),
    ("YAN", "YEN", "NGAN", "GAN"),
    # Vietnamese surnames: northern and southern forms and customary spellings.
    ("HUYNH", "HOANG", "HUINH"),
    ("VU", "VO", "VOO"),
    ("DANG", "DAN"),
    ("DUONG", "DOUNG", "ZUONG"),
    ("NGO", "NGHO"),
    ("TRINH", "TRIN"),
    ("DINH", "DIN"),
    ("LUONG", "LUANG"),
)
"""Families of spellings of one East Asian surname; a spelling may belong to several."""

_TAGGED_FAMILIES: dict[str, tuple[str, ...]] = {}
for _index, _family in enumerate(ROMANIZATION_FAMILIES):
    for _spelling in _family:
        _TAGGED_FAMILIES.setdefault(_spelling, ())
        _TAGGED_FAMILIES[_spelling] += (f"R:{_index}",)

# Rewrites applied in order to the compact name before vowels are dropped. The targets are
# lower-case class letters so later rules do not match them again.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("TCH", "c"),
    ("SCH", "s"),
    ("ZH", "c"),
    ("CH", "c"),
    ("TS", "c"),
    ("TZ", "c"),
    ("DZ", "c"),
    ("DJ", "c"),
    ("SH", "s"),
    ("HS", "s"),
    ("SZ", "s"),
    ("CZ", "c"),
    ("PH", "f"),
    ("KH", "k"),
    ("GH", "k"),
    ("TH", "t"),
    ("DH", "t"),
    ("CK", "k"),
    ("KS", "x"),
    ("NG", "n"),
)
_SOFT_C = re.compile("C(?=[EIY])")
_CLASSES = str.maketrans(
    {
        "B": "p",
        "P": "p",
        "D": "t",
        "T": "t",
        "G": "k",
        "K": "k",
        "C": "k",
        "Q": "k",
        "J": "c",
        "Z": "s",
        "S": "s",
        "X": "x",
        "F": "f",
        "V": "f",
        "L": "l",
        "R": "r",
        "M": "m",
        "N": "n",
    }
)
MIN_SKELETON = 2
"""Shortest skeleton used as a key (one consonant, as in LI or SEO, says too little)."""
_VOWEL_LIKE = frozenset("AEIOUYWH")
_CLASSES_DROPPING_VOWELS = {**_CLASSES, **{ord(ch): None for ch in _VOWEL_LIKE}}


@functools.lru_cache(maxsize=262144)
def skeleton(standardized: str) -> str:
    """The consonant skeleton of a standardized name (``""`` for an empty name).

    A leading vowel (or Y, W, H) is kept as ``_``; every later vowel, Y, W and H is dropped; the
    consonants are folded into classes; repeats collapse.
    """
    text = compact(standardized)
    if not text:
        return ""
    head = "_" if text[0] in _VOWEL_LIKE and not text.startswith(("WH", "HW")) else ""
    if "C" in text:
        text = _SOFT_C.sub("S", text)
    for old, new in _DIGRAPHS:
        if old in text:
            text = text.replace(old, new)
    body = text.translate(_CLASSES_DROPPING_VOWELS)
    # Collapse runs of one letter (a loop: faster than a back-referencing regex on short text).
    kept = [head] if head else []
    last = head
    for ch in body:
        if ch != last:
            kept.append(ch)
            last = ch
    return "".join(kept).upper()


@functools.lru_cache(maxsize=262144)
def variant_keys(standardized: str) -> tuple[str, ...]:
    """Every variant key of a standardized name (nickname, romanization family, skeleton)."""
    name = compact(standardized)
    if not name:
        return ()
    keys = [f"N:{key}" for key in sorted(nickname_keys().get(name, ()))]
    keys += _TAGGED_FAMILIES.get(name, ())
    shape = skeleton(standardized)
    if len(shape) >= MIN_SKELETON:
        keys.append(f"S:{shape}")
    return tuple(keys)


@functools.lru_cache(maxsize=262144)
def dictionary_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The nickname and romanization keys among ``keys`` (the curated, stronger ones)."""
    return tuple(k for k in keys if not k.startswith("S:"))
