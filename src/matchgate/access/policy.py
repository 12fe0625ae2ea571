"""The checks: a :class:`Principal` against the :data:`~matchgate.access.roles.MATRIX`.

Each check returns ``None`` (allowed) or a :class:`Denial` naming why, for the audit log. The
services turn a denial into an error; when the object belongs to agencies the caller is not one
of (``not_party``), they raise the very error they raise for an object that does not exist, so
a caller cannot learn whether another agency's object exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchgate.access.roles import MATRIX, Action, Role, Side
from matchgate.domain import events

ACCESS_DENIED = events.AccessDeniedEvent.kind
"""Audit event kind: a caller was refused (details: user, action, reason; never the object's
owner, so the entry itself does not tell other agencies who owns what)."""
TOKEN_ISSUED = events.TokenIssued.kind
TOKEN_REVOKED = events.TokenRevoked.kind
AGENCY_ADDED = events.AgencyAdded.kind

NO_ROLE = "no_role"
NOT_PARTY = "not_party"
WRONG_SIDE = "wrong_side"


@dataclass(frozen=True)
class Principal:
    """A caller as the store described it when the request was checked.

    Services never trust a Principal they are handed: each check reloads the user and the token
    (see ``app.access.require``), so a revocation or a role change counts from the next
    request on.
    """

    user_id: str
    agency: str
    roles: frozenset[Role]
    token_id: str
    host: bool = False
    """Whether the caller's agency is the host agency (the one that runs matchgate)."""


@dataclass(frozen=True)
class Parties:
    """The two agencies an object belongs to: its agreement's disclosing and requesting party."""

    disclosing: str
    recipient: str

    @classmethod
    def of_agency(cls, agency: str) -> Parties:
        """An object of one agency only (e.g. an audit entry about its own users)."""
        return cls(agency, agency)


@dataclass(frozen=True)
class Denial:
    """Why a check failed: ``no_role``, ``not_party`` or ``wrong_side``."""

    reason: str
    action: Action

    @property
    def hidden(self) -> bool:
        """Whether the caller must not learn that the object exists."""
        return self.reason == NOT_PARTY


def _cells(principal: Principal, action: Action) -> list[tuple[Role, Side]]:
    """The caller's roles that the matrix gives ``action``, each with its side."""
    cells = MATRIX[action]
    return [(role, cells[role]) for role in sorted(principal.roles) if role in cells]


def _sides(principal: Principal, action: Action) -> set[Side]:
    return {side for _, side in _cells(principal, action)}


def check_action(principal: Principal, action: Action) -> Denial | None:
    """Whether any of the caller's roles allows ``action`` on some object at all."""
    return None if _sides(principal, action) else Denial(NO_ROLE, action)


def _covers(side: Side, role: Role, principal: Principal, parties: Parties) -> bool:
    agency = principal.agency
    if side is Side.RECIPIENT:
        return agency == parties.recipient
    if side is Side.DISCLOSING:
        return agency == parties.disclosing
    if side is Side.PARTY:
        return agency in (parties.disclosing, parties.recipient)
    if side is Side.HOST:
        return principal.host
    # Side.OWN: the caller's own agency; only the host's administrators provision every agency
    # (a host auditor reads the host's users, as any auditor reads its own agency's)
    own = agency in (parties.disclosing, parties.recipient)
    return own or (principal.host and role is Role.ADMINISTRATOR)


def check_object(principal: Principal, action: Action, parties: Parties) -> Denial | None:
    """Whether the caller may do ``action`` on an object belonging to ``parties``."""
    cells = _cells(principal, action)
    if not cells:
        return Denial(NO_ROLE, action)
    if any(_covers(side, role, principal, parties) for role, side in cells):
        return None
    is_party = principal.agency in (parties.disclosing, parties.recipient)
    return Denial(WRONG_SIDE if is_party else NOT_PARTY, action)


def check_agency(principal: Principal, action: Action, agency: str) -> Denial | None:
    """Whether the caller may do ``action`` on an object of one agency (a user, a token)."""
    return check_object(principal, action, Parties.of_agency(agency))


def readable(principal: Principal, action: Action, parties: Parties) -> bool:
    """Whether an object of ``parties`` belongs in the caller's lists."""
    return check_object(principal, action, parties) is None
