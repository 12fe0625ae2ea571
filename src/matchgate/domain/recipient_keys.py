"""A recipient agency's registered public key as the store hands it back.

A package is sealed only to its recipient agency's ``current`` key; registering another retires
it, and a revoked key is never used again (:class:`~matchgate.domain.lifecycle.RecipientKeyStatus`).
The public key is public: the PEM text is part of the value. Times are as the store hands them
back (SQLite: naive, in UTC).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matchgate.domain.lifecycle import RecipientKeyStatus


@dataclass(frozen=True)
class RecipientKey:
    """One registered key, named by its key id (the fingerprint both agencies confirmed)."""

    key_id: str
    agency: str
    public_key: str
    """The PEM text of the public key."""
    status: RecipientKeyStatus
    registered_at: dt.datetime
    registered_by: str
    retired_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None


__all__ = ["RecipientKey"]
