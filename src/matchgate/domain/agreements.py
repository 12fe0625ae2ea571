"""An agreement version and a suspension as the store hands them back.

An :class:`AgreementVersion` is the exact text an agreement was added with, its SHA-256 and the
columns kept to list and order by without parsing the text (the rules that read the text are in
``matchgate.governance``). A :class:`Suspension` stops every disclosure under an agreement until it
is lifted; it is a record beside the agreement, never a new version of it.

Times are as the store hands them back (SQLite: naive, in UTC; the shells that print them
already treat them so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AgreementVersion:
    """One version of one agreement: the text is the record, the rest is derived from it."""

    agreement_id: str
    version: int
    title: str
    disclosing: str
    recipient: str
    effective: dt.date
    expires: dt.date
    source_name: str
    sha256: str
    text: str
    added_at: dt.datetime


@dataclass(frozen=True)
class Suspension:
    """A suspension of all disclosures under an agreement, in effect while ``active``."""

    id: str
    agreement_id: str
    reason: str
    suspended_at: dt.datetime
    suspended_by: str
    lifted_at: dt.datetime | None = None
    lifted_by: str | None = None
    active: bool = True


__all__ = ["AgreementVersion", "Suspension"]
