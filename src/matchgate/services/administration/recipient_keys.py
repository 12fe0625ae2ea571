"""Use cases: the host's register of recipient agencies' public keys.

A package is sealed only to the current registered key of its agreement's recipient agency
(never to a key a requester names). The host's administrator registers a key with the
fingerprint (key id) the recipient agency confirmed over a second channel (docs/package-format.md,
"Exchanging keys"): the key file's own key id must equal it, or nothing is stored. Registering a
key for an agency that has one rotates: the new key becomes current, the old one is retired
(packages sealed to it still open with its private key; nothing new is sealed to it). A revoked
key is never used again; an agency whose current key is revoked has none until another is
registered, and its submissions are refused before anything is recorded.

Each registration and revocation is audited (``recipient_key.registered``,
``recipient_key.revoked``) before it counts. Listing is for the host's administrators (every
agency) and an agency's auditors (their own agency's keys only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from matchgate.access import Action, Parties, Principal
from matchgate.access.policy import check_object
from matchgate.app.access import now, require, require_object
from matchgate.app.core import App
from matchgate.disclosure import PublicKey, key_id, parse_public_key, public_key_pem
from matchgate.domain.errors import AccessDenied, ConfigurationError, InputError, NotFound
from matchgate.domain.events import RecipientKeyRegistered, RecipientKeyRevoked
from matchgate.domain.lifecycle import RecipientKeyStatus
from matchgate.domain.recipient_keys import RecipientKey
from matchgate.storage import access as agencies
from matchgate.storage import recipient_keys as store

E_RECIPIENT_KEY = "E_RECIPIENT_KEY"
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")
_MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True)
class RecipientKeyView:
    """A registered key as listed: id, agency, status and dates (the public key is public)."""

    key_id: str
    agency: str
    status: str
    registered_at: datetime
    registered_by: str
    retired_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None


@dataclass(frozen=True)
class RegisteredKey:
    """The key a package for ``agency`` is sealed to."""

    key_id: str
    agency: str
    public_key: PublicKey


def _view(key: RecipientKey) -> RecipientKeyView:
    return RecipientKeyView(
        key.key_id,
        key.agency,
        key.status.value,
        key.registered_at,
        key.registered_by,
        key.retired_at,
        key.revoked_at,
        key.revoked_by,
    )


class RecipientKeyNotFound(InputError, NotFound):
    """No such registered key, or one the caller may not manage: the same answer
    (``E_RECIPIENT_KEY``, as the command line reports it; HTTP 404, as any unknown object)."""

    code = E_RECIPIENT_KEY


def _missing(what: str) -> InputError:
    return RecipientKeyNotFound(
        f"no registered key {what[:64]!r}", field="key", code=E_RECIPIENT_KEY
    )


def _fingerprint(text: str) -> str:
    cleaned = text.strip().lower().replace(":", "").replace(" ", "")
    if not _FINGERPRINT.match(cleaned):
        raise InputError(
            "a fingerprint is the key id: 32 hex digits (`matchgate keys id FILE`)",
            field="fingerprint",
            code=E_RECIPIENT_KEY,
        )
    return cleaned


def _read_key(path: Path) -> PublicKey:
    try:
        if path.stat().st_size > _MAX_KEY_FILE:
            raise InputError("is too large for a key file", path=str(path), code=E_RECIPIENT_KEY)
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"cannot be read ({reason})", path=str(path), code=E_RECIPIENT_KEY
        ) from None
    return parse_public_key(data, source=str(path))


def add_recipient_key(
    app: App,
    agency: str,
    public_key_file: Path,
    fingerprint: str,
    *,
    caller: Principal,
) -> RecipientKeyView:
    """Register ``public_key_file`` as ``agency``'s current key (host administrators only),
    retiring its previous one; refused when ``fingerprint`` is not the key's id."""
    audit = app.audit
    fresh = require_object(
        app.settings,
        caller,
        Action.RECIPIENT_KEY_MANAGE,
        Parties.of_agency(agency),
        missing=lambda: AccessDenied("only the host agency's administrators register keys"),
        object_id=agency,
        audit=audit,
    )
    expected = _fingerprint(fingerprint)
    key = _read_key(public_key_file)
    actual = key_id(key)
    if actual != expected:
        raise InputError(
            "the key's id does not equal the fingerprint confirmed out of band: nothing was "
            "registered (confirm the key with its agency again)",
            path=str(public_key_file),
            code=E_RECIPIENT_KEY,
        )
    with app.unit_of_work() as s:
        if agencies.get_agency(s, agency) is None:
            raise InputError(
                f"agency {agency[:16]} is not registered (`matchgate agencies add`)",
                field="agency",
                code=E_RECIPIENT_KEY,
            )
        if store.get_key(s, actual) is not None:
            raise InputError(
                f"key {actual} is already registered", field="key", code=E_RECIPIENT_KEY
            )
        previous = store.current_key(s, agency)
        retired = None if previous is None else previous.key_id
    audit.append(
        RecipientKeyRegistered(
            actor=fresh.user_id, agency=agency, key_id=actual, retired=retired
        ).audit_event()
    )
    when = now()
    with app.unit_of_work() as s:
        store.retire_current(s, agency, at=when)
        added = store.add_key(
            s,
            RecipientKey(
                key_id=actual,
                agency=agency,
                public_key=public_key_pem(key).decode("ascii"),
                status=RecipientKeyStatus.CURRENT,
                registered_at=when,
                registered_by=fresh.user_id,
            ),
        )
        return _view(added)


def list_recipient_keys(
    app: App, agency: str | None = None, *, caller: Principal
) -> list[RecipientKeyView]:
    """Keys the caller may see: every agency's (the host's administrators), their own agency's
    (an auditor); optionally of one agency."""
    fresh = require(app.settings, caller, Action.RECIPIENT_KEY_READ)
    with app.unit_of_work() as s:
        return [
            _view(stored)
            for stored in store.keys_of(s, agency)
            if check_object(fresh, Action.RECIPIENT_KEY_READ, Parties.of_agency(stored.agency))
            is None
        ]


def revoke_recipient_key(app: App, key: str, *, caller: Principal) -> RecipientKeyView:
    """Revoke a registered key (host administrators only): nothing is sealed to it again."""
    audit = app.audit
    wanted = key.strip().lower()
    with app.unit_of_work() as s:
        found = store.get_key(s, wanted)
        parties = None if found is None else Parties.of_agency(found.agency)
        status = None if found is None else found.status
    fresh = require_object(
        app.settings,
        caller,
        Action.RECIPIENT_KEY_MANAGE,
        parties,
        missing=lambda: _missing(wanted),
        object_id=wanted,
        audit=audit,
    )
    assert parties is not None
    if status is RecipientKeyStatus.REVOKED:
        raise InputError(f"key {wanted} is already revoked", field="key", code=E_RECIPIENT_KEY)
    audit.append(
        RecipientKeyRevoked(
            actor=fresh.user_id, agency=parties.recipient, key_id=wanted
        ).audit_event()
    )
    with app.unit_of_work() as s:
        revoked = store.revoke(s, wanted, by=fresh.user_id, at=now())
        assert revoked is not None
        return _view(revoked)


def recipient_key(app: App, agency: str) -> RegisteredKey:
    """The key a package for ``agency`` is sealed to: its current registered key.

    ConfigurationError when it has none (never registered, or its current key revoked).
    """
    with app.unit_of_work() as s:
        current = store.current_key(s, agency)
        if current is None:
            raise ConfigurationError(
                f"no current key is registered for the recipient agency {agency}: the host's "
                f"administrator registers one (`matchgate agencies keys add {agency} FILE.pub "
                "--fingerprint KEY_ID`) before anything can be disclosed to it"
            )
        return RegisteredKey(
            current.key_id, current.agency, parse_public_key(current.public_key.encode("ascii"))
        )
