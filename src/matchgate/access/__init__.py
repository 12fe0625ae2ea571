"""Need-to-know access control, as pure rules: who may do what, to which agency's objects.

* :mod:`.roles` - the five roles, the actions, and the matrix joining them;
* :mod:`.policy` - :class:`Principal` (a caller as the store last described it) and the checks;
* :mod:`.tokens` - API tokens: made once, stored only as a SHA-256, told apart by a public id.

No database, no shell: the services load users and tokens from the store on every call and hand
them here (see docs/access.md).
"""

from __future__ import annotations

from matchgate.access.policy import (
    ACCESS_DENIED,
    AGENCY_ADDED,
    TOKEN_ISSUED,
    TOKEN_REVOKED,
    Denial,
    Parties,
    Principal,
    check_action,
    check_agency,
    check_object,
    readable,
)
from matchgate.access.roles import MATRIX, Action, Role, Side, parse_roles
from matchgate.access.tokens import (
    TOKEN_PREFIX,
    IssuedToken,
    hash_token,
    new_token,
    parse_token,
    token_matches,
)

__all__ = [
    "ACCESS_DENIED",
    "AGENCY_ADDED",
    "MATRIX",
    "TOKEN_ISSUED",
    "TOKEN_PREFIX",
    "TOKEN_REVOKED",
    "Action",
    "Denial",
    "IssuedToken",
    "Parties",
    "Principal",
    "Role",
    "Side",
    "check_action",
    "check_agency",
    "check_object",
    "hash_token",
    "new_token",
    "parse_roles",
    "parse_token",
    "readable",
    "token_matches",
]
