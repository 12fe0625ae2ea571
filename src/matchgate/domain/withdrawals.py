"""A withdrawal notice as the store hands it back (5 U.S.C. 552a(c)(4)).

One notice per earlier recipient of a record that proved wrong. It names only what its recipient
already holds (the ids of the packages or answers it received) and the ``disclosure.withdrawn``
entry it follows from, never the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class WithdrawalNotice:
    """A notice as listed: ids, codes, dates and who acknowledged; no personal value."""

    id: str
    withdrawal_entry: int
    disclosing: str
    recipient: str
    reason: str
    package_id: str | None
    references: tuple[str, ...]
    created_at: dt.datetime
    created_entry: int
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None


__all__ = ["WithdrawalNotice"]
