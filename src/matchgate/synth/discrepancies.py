"""The discrepancy kinds a request row may carry, and how each is applied.

Each kind is one way a requesting agency's record of a person differs from the master record
(``KINDS``, in the order they appear in truth.csv's ``case``). Functions here work on one request
row at a time (a dict of request fields) and on the captured master row of the person; the
request builder decides which kinds each row gets. Besides these, every request row carries
untagged formatting noise any matcher must tolerate: letter case, a middle name reduced to its
initial or left out, A-number written with or without 'A' and leading zeros.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from matchgate.synth.dates import REFERENCE_DATE
from matchgate.synth.tables import RefTables

Row = dict[str, str]
Person = Mapping[str, Any]

KINDS: tuple[str, ...] = (
    "typo",
    "nickname",
    "compound_surname_dropped",
    "compound_surname_reordered",
    "name_order_swap",
    "maiden_name",
    "transliteration",
    "diacritics_punct",
    "dob_day_month_swap",
    "dob_year_error",
    "dob_jan1_placeholder",
    "dob_missing",
    "ssn_transposition",
    "ssn_digit_error",
    "ssn_missing",
    "a_number_only",
    "address_missing",
    "old_address",
)
"""Discrepancy kinds of present people."""

TAGS: tuple[str, ...] = ("twin", "parent_child", "name_only")
"""Tags added to a case: the person has a look-alike in the master; no SSN, DOB or A-number."""

ABSENT_KINDS: tuple[str, ...] = (
    "absent",
    "absent_borrowed_ssn",
    "absent_lookalike",
    "absent_relative",
)
"""Cases of people absent from the master (the first kind of their case)."""

CLEAN = "clean"
VOCABULARY: frozenset[str] = frozenset((*KINDS, *TAGS, *ABSENT_KINDS, CLEAN))

GROUPS: Mapping[str, str] = {
    "ssn_transposition": "ssn",
    "ssn_digit_error": "ssn",
    "ssn_missing": "ssn",
    "a_number_only": "ssn",
    "dob_day_month_swap": "dob",
    "dob_year_error": "dob",
    "dob_jan1_placeholder": "dob",
    "dob_missing": "dob",
    "address_missing": "address",
    "old_address": "address",
    "compound_surname_dropped": "surname",
    "compound_surname_reordered": "surname",
    "maiden_name": "surname",
    "nickname": "given",
    "transliteration": "given",
}
"""Kinds in the same group are never applied together (they would overwrite each other)."""

_KEYBOARD = "qwertyuiop asdfghjkl zxcvbnm"
_PREFIX = re.compile(r"^(Mc|Mac|De|Di|Da|Du|Van|Von|Le|La)(?=[A-Z][a-z])")
"""A prefix written joined to the rest of a mixed-case surname (McDonald, DeLuca, LeBlanc)."""


def compatible(kind: str, kinds: list[str]) -> bool:
    group = GROUPS.get(kind)
    return kind not in kinds and (group is None or all(GROUPS.get(k) != group for k in kinds))


def strip_accents(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _same_case(template: str, value: str) -> str:
    return value.upper() if template.isupper() else value


# Eligibility -----------------------------------------------------------------------------------


def diacritics_options(name: str) -> list[str]:
    """Spellings of ``name`` that differ only in accents, hyphens, apostrophes and spaces."""
    out: list[str] = []
    plain = strip_accents(name)
    if plain != name:
        out.append(plain)
    if "-" in name:
        out += [name.replace("-", " "), name.replace("-", "")]
    if "'" in name:
        out += [name.replace("'", ""), name.replace("'", " ")]
    if " " in name:
        out += [name.replace(" ", ""), name.replace(" ", "-")]
    if "." in name:
        out.append(name.replace(".", ""))
    m = _PREFIX.match(name)
    if m:
        out.append(name[: m.end()] + " " + name[m.end() :])
    return [o for o in dict.fromkeys(out) if o and o != name and ".-" not in o]


def transliteration_options(tables: RefTables, origin: str, name: str) -> list[str]:
    return list(tables.transliterations.get((origin, name.lower()), ()))


def eligible(kind: str, person: Person, tables: RefTables, origin: str) -> bool:
    """Whether ``kind`` can be applied to the person at all."""
    if kind in ("compound_surname_dropped", "compound_surname_reordered"):
        return bool(person["_compound"])
    if kind == "maiden_name":
        return bool(person["_maiden"])
    if kind == "nickname":
        return person["first_name"].lower() in tables.nicknames
    if kind == "transliteration":
        return any(
            transliteration_options(tables, origin, person[f])
            for f in ("first_name", "_surname1", "_surname2")
            if person[f]
        )
    if kind == "a_number_only":
        return int(person["_a_number9"]) >= 0
    if kind == "old_address":
        return int(person["_n_addresses"]) > 1 and bool(person["_prev_address_line"])
    if kind == "dob_day_month_swap":
        month, dd = int(person["dob"][5:7]), int(person["dob"][8:10])
        return dd <= 12 and dd != month
    if kind == "ssn_transposition":
        return len(set(person["ssn"])) > 1
    if kind == "dob_jan1_placeholder":
        return not person["dob"].endswith("-01-01")
    if kind == "diacritics_punct":
        return any(diacritics_options(person[f]) for f in ("first_name", "middle_name", "_surname"))
    return True


# Application -----------------------------------------------------------------------------------


def _typo(rnd: random.Random, name: str) -> str:
    if len(name) < 3:
        return name + name[-1:].lower()
    pos = rnd.randrange(1, len(name))
    op = rnd.choice(("substitute", "delete", "double", "transpose"))
    c = name[pos]
    if op == "substitute" and c.lower() in _KEYBOARD:
        i = _KEYBOARD.index(c.lower())
        near = [k for k in _KEYBOARD[max(0, i - 1) : i + 2] if k not in (" ", c.lower())]
        new = rnd.choice(near) if near else "e"
        return name[:pos] + (new.upper() if c.isupper() else new) + name[pos + 1 :]
    if op == "delete" and len(name) > 3:
        return name[:pos] + name[pos + 1 :]
    if op == "transpose" and pos < len(name) - 1 and name[pos] != name[pos + 1]:
        return name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]
    return name[:pos] + c + name[pos:]


def typo(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    field = "last_name" if rnd.random() < 0.55 else "first_name"
    before = row[field]
    after = before
    for _ in range(5):
        after = _typo(rnd, before)
        if after != before:
            break
    row[field] = after


def nickname(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    options = ctx.tables.nicknames[person["first_name"].lower()]
    row["first_name"] = _same_case(person["first_name"], rnd.choice(options))


def _with_suffix(surname: str, person: Person) -> str:
    return f"{surname} {person['_suffix']}" if person["_suffix"] else surname


def compound_surname_dropped(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    kept = person["_surname1"] if rnd.random() < 0.8 else person["_surname2"]
    row["last_name"] = _with_suffix(kept, person)


def compound_surname_reordered(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    first, second = person["_surname1"], person["_surname2"]
    sep = person["_surname"][len(first) : len(person["_surname"]) - len(second)] or " "
    row["last_name"] = _with_suffix(second + sep + first, person)


def name_order_swap(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    row["first_name"], row["last_name"] = row["last_name"], row["first_name"]


def maiden_name(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    row["last_name"] = person["_maiden"]


def transliteration(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    choices: list[tuple[str, str, str]] = []
    for field in ("first_name", "_surname1", "_surname2"):
        value = person[field]
        if value:
            choices += [
                (field, value, v) for v in transliteration_options(ctx.tables, ctx.origin, value)
            ]
    field, value, variant = rnd.choice(choices)
    variant = _same_case(value, variant)
    if field == "first_name":
        row["first_name"] = variant
    else:
        row["last_name"] = row["last_name"].replace(value, variant, 1)


def diacritics_punct(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    fields = [f for f in ("last_name", "first_name", "middle_name") if diacritics_options(row[f])]
    field = rnd.choice(fields) if fields else "last_name"
    options = diacritics_options(row[field])
    if options:
        row[field] = rnd.choice(options)


def _valid_date(year: int, month: int, dd: int) -> str:
    if month == 2 and dd == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        dd = 28
    return f"{year:04d}-{month:02d}-{dd:02d}"


def dob_day_month_swap(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    dob = person["dob"]
    row["dob"] = f"{dob[:4]}-{dob[8:10]}-{dob[5:7]}"


def dob_year_error(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    dob = person["dob"]
    year, month, dd = int(dob[:4]), int(dob[5:7]), int(dob[8:10])
    r = rnd.random()
    swapped = int(dob[:2] + dob[3] + dob[2])
    if r < 0.2 and swapped != year:
        new = swapped
    elif r < 0.35:
        new = year + rnd.choice((-10, 10))
    else:
        new = year + rnd.choice((-1, 1))
    # A year-of-birth error never puts the birth in the future.
    text = _valid_date(new, month, dd)
    if new == year or text > REFERENCE_DATE:
        text = _valid_date(year - 1, month, dd)
    row["dob"] = text


def dob_jan1_placeholder(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    row["dob"] = person["dob"][:4] + "-01-01"


def dob_missing(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    row["dob"] = ""


def ssn_transposition(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    ssn = person["ssn"]
    spots = [i for i in range(8) if ssn[i] != ssn[i + 1]] or [0]
    i = rnd.choice(spots)
    row["ssn"] = ssn[:i] + ssn[i + 1] + ssn[i] + ssn[i + 2 :]


def ssn_digit_error(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    ssn = person["ssn"]
    i = rnd.randrange(9)
    digit = rnd.choice([d for d in "0123456789" if d != ssn[i]])
    row["ssn"] = ssn[:i] + digit + ssn[i + 1 :]


def ssn_missing(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    row["ssn"] = ""
    row["a_number"] = ""


def a_number_only(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    row["ssn"] = ""
    row["a_number"] = format_a_number(rnd, int(person["_a_number9"]))


def address_missing(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    for f in ("address_line", "city", "state", "zip"):
        row[f] = ""


def old_address(rnd: random.Random, row: Row, person: Person, ctx: Context) -> None:
    for f in ("address_line", "city", "state", "zip"):
        row[f] = person[f"_prev_{f}"]


def format_a_number(rnd: random.Random, value: int) -> str:
    """An A-number as a requester might write it."""
    text = f"{value:09d}"
    if value < 100_000_000 and rnd.random() < 0.5:
        text = text[1:]
    return "A" + text if rnd.random() < 0.3 else text


class Context:
    """What the kind functions need besides the row: tables and the person's origin."""

    def __init__(self, tables: RefTables, origin: str) -> None:
        self.tables = tables
        self.origin = origin


Apply = Callable[[random.Random, Row, Person, Context], None]

APPLY: Mapping[str, Apply] = {
    "typo": typo,
    "nickname": nickname,
    "compound_surname_dropped": compound_surname_dropped,
    "compound_surname_reordered": compound_surname_reordered,
    "name_order_swap": name_order_swap,
    "maiden_name": maiden_name,
    "transliteration": transliteration,
    "diacritics_punct": diacritics_punct,
    "dob_day_month_swap": dob_day_month_swap,
    "dob_year_error": dob_year_error,
    "dob_jan1_placeholder": dob_jan1_placeholder,
    "dob_missing": dob_missing,
    "ssn_transposition": ssn_transposition,
    "ssn_digit_error": ssn_digit_error,
    "ssn_missing": ssn_missing,
    "a_number_only": a_number_only,
    "address_missing": address_missing,
    "old_address": old_address,
}

APPLY_ORDER: tuple[str, ...] = (
    "maiden_name",
    "compound_surname_dropped",
    "compound_surname_reordered",
    "transliteration",
    "nickname",
    "diacritics_punct",
    "typo",
    "name_order_swap",
    *(k for k in KINDS if k.startswith(("dob", "ssn", "a_number", "address", "old"))),
)
"""Surname substitutions first, then spelling changes, then the swap of given and family names."""


def apply_kinds(
    rnd: random.Random, row: Row, person: Person, kinds: list[str], ctx: Context
) -> None:
    for kind in APPLY_ORDER:
        if kind in kinds:
            APPLY[kind](rnd, row, person, ctx)
