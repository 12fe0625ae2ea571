"""How a message names a column of a user's file without quoting what could be a value.

A "header" is text from the file: when the header row is missing, the first record's cells take
its place (a CSV without its header row); a JSON Lines object's keys and a Parquet file's column
names may be values too (``{"Olive": "1961-04-12"}``). Nothing tells a header from data, so
messages name a column by its **position** (1-based, in header order; for JSON Lines, the order in
which keys first appear) and quote a name only when it is one of the **known field names** below:
the data contract's request and master columns and the fixed-width layout's fields, which are
this program's own words, not the file's.

A pattern such as ``^[a-z][a-z0-9_]{0,40}$`` ("looks like an identifier") is not enough: names
are compared lower-cased, and a lower-cased given name or surname (``olive``, ``tremont``) is such
an identifier. A known name that happens to equal a cell (a surname ``State``) reveals no more than
that the cell is that common word.
"""

from __future__ import annotations

from collections.abc import Sequence

from matchgate.domain.contract import MASTER_COLUMNS, REQUEST_COLUMNS

REQUEST_FIELDS: frozenset[str] = frozenset(REQUEST_COLUMNS)
"""The request file's columns (data contract, section 2)."""

KNOWN_FIELDS: frozenset[str] = (
    REQUEST_FIELDS | frozenset(MASTER_COLUMNS) | {"gender", "phone", "email", "as_of", "source"}
)
"""Names a message may quote: the contract's request and master columns, common detail ones."""

LISTED = 20
"""Positions listed one by one in a message; the rest are counted."""


def is_known(name: str) -> bool:
    """Whether ``name`` (as read: trimmed, lower-cased) may be quoted in a message."""
    return name in KNOWN_FIELDS


def column_label(position: int, name: str, noun: str = "column") -> str:
    """``column 3`` or, for a known field name, ``column 3 (city)``."""
    return f"{noun} {position} ({name})" if is_known(name) else f"{noun} {position}"


def positions_text(positions: Sequence[int]) -> str:
    """``1, 2 and 5``; past :data:`LISTED` positions, ``... and 7 more``."""
    shown = [str(p) for p in positions[:LISTED]]
    if len(positions) > LISTED:
        return f"{', '.join(shown)} and {len(positions) - LISTED} more"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def describe_refused(
    header: Sequence[str],
    refused: Sequence[str],
    *,
    noun: str = "column",
    header_row: bool = True,
    order: str = "",
) -> str:
    """What a refusal of the columns ``refused`` (names as in ``header``) says: known names by
    name and position, the others by position only (``order`` says how positions count, when
    not obvious); for a file with a header row, a hint when no name in it is a request field
    (the row is then most likely the first record)."""
    wanted = {name.strip().lower() for name in refused}
    known: list[str] = []
    unnamed: list[int] = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip().lower()
        if name not in wanted:
            continue
        if is_known(name):
            known.append(f"{name} ({noun} {position})")
        else:
            unnamed.append(position)
    parts: list[str] = []
    if known:
        many = "s" if len(known) > 1 else ""
        parts.append(f"the agreement does not allow the request {noun}{many} {', '.join(known)}")
    if unnamed:
        plural = len(unnamed) > 1
        counted = f" ({order})" if order else ""
        parts.append(
            f"{noun}{'s' if plural else ''} {positions_text(unnamed)}{counted} "
            f"{'are' if plural else 'is'} not {'request fields' if plural else 'a request field'}"
            f" (a {noun} name that is not a field name is not shown: it may be data)"
        )
    text = "; ".join(parts) or f"the agreement does not allow some request {noun}s"
    if header_row and not any(raw.strip().lower() in REQUEST_FIELDS for raw in header):
        text += f"; no {noun} has a request field name: is the header row missing?"
    return text
