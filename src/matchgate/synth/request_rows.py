"""Request rows as a requester holds them, before and after discrepancies.

Every row carries untagged formatting noise a matcher must tolerate (letter case, a middle name
cut to its initial or left out, an A-number written with or without 'A' and leading zeros);
:func:`case_text` writes the truth ``case`` of a row.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from matchgate.synth import discrepancies as dk

Person = dict[str, Any]
"""A captured master row (contract and hidden columns) as a dict."""

ADDRESS: tuple[str, ...] = ("address_line", "city", "state", "zip")


def request_case(rnd: random.Random, row: dict[str, str]) -> None:
    """Requesters write names in any case."""
    r = rnd.random()
    style = "upper" if r < 0.45 else "keep" if r < 0.9 else "lower" if r < 0.95 else "title"
    for f in ("first_name", "middle_name", "last_name", "address_line", "city"):
        value = row[f]
        if style == "upper":
            row[f] = value.upper()
        elif style == "lower":
            row[f] = value.lower()
        elif style == "title":
            row[f] = value.title()
    row["state"] = row["state"].upper()


def base_row(rnd: random.Random, person: Person) -> dict[str, str]:
    """What a requester holds for the person before any discrepancy."""
    middle = person["middle_name"]
    r = rnd.random()
    if r < 0.2:
        middle = middle[:1]
    elif r < 0.45:
        middle = ""
    a_number = ""
    if int(person["_a_number9"]) >= 0 and rnd.random() < 0.35:
        a_number = dk.format_a_number(rnd, int(person["_a_number9"]))
    row = {
        "first_name": person["first_name"],
        "middle_name": middle,
        "last_name": person["last_name"],
        "ssn": person["ssn"],
        "a_number": a_number,
        "dob": person["dob"],
    }
    row.update({f: person[f] for f in ADDRESS})
    return row


def case_text(kinds: Sequence[str], tags: Sequence[str], row: dict[str, str]) -> str:
    parts = list(kinds) + list(tags)
    if not (row["ssn"] or row["dob"] or row["a_number"]):
        parts.append("name_only")
    return "+".join(parts) if parts else dk.CLEAN
