"""Agencies, users and API tokens as the store hands them back, and what checking a token reads.

None holds a token or its hash, except :class:`CallerRecord`, which the token check compares
with the token shown and which never leaves ``matchgate.app.access``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AgencyView:
    """An agency: its code, its name, and whether it is the host (the disclosing agency)."""

    code: str
    name: str
    host: bool


@dataclass(frozen=True)
class UserView:
    """A user as listed: id, agency, roles, status and dates; never a token."""

    id: str
    agency: str
    roles: tuple[str, ...]
    status: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class TokenView:
    """A token as listed: its public id and dates, never the token or its hash."""

    id: str
    user_id: str
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class CallerRecord:
    """What checking a token reads: its row, its user's (None when the user is not stored)
    and the host agency's code (None before the bootstrap)."""

    token_id: str
    user_id: str
    sha256: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    user_status: str | None
    user_agency: str | None
    user_roles: tuple[str, ...] | None
    host: str | None

    def __repr__(self) -> str:  # the hash stays out of logs and tracebacks
        return f"CallerRecord(token_id={self.token_id!r}, user_id={self.user_id!r})"


__all__ = ["AgencyView", "CallerRecord", "TokenView", "UserView"]
