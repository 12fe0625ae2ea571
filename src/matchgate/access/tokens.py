"""API tokens: 256 random bits, shown once, kept only as a SHA-256.

A token reads ``mgt_<id>_<secret>``: ``id`` (16 hex digits) is public and finds the row; the
secret is 32 random bytes (base64url). The store keeps the id and SHA-256 of the whole token,
never the token: a copy of the database cannot be replayed as a credential. A plain hash (not a
slow one) is the right tool here: the secret has 256 bits of entropy, nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "mgt"  # noqa: S105 - the public prefix
_TOKEN = re.compile(r"^mgt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` goes to the user once; ``token_id`` and ``sha256`` are stored."""

    token_id: str
    token: str
    sha256: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"IssuedToken(token_id={self.token_id!r})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_token() -> IssuedToken:
    token_id = secrets.token_hex(8)
    token = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
    return IssuedToken(token_id, token, hash_token(token))


def parse_token(token: str) -> str | None:
    """The token's public id, or None when it is not shaped like a token."""
    found = _TOKEN.match(token.strip())
    return None if found is None else found.group(1)


def token_matches(token: str, stored_sha256: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token.strip()), stored_sha256)
