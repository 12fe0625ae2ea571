"""Who is calling, and may they: the check every governed service makes first.

Who may do what is :mod:`matchgate.access` (pure rules); this module loads the caller from the
store on every call (nothing is cached: revoking a user or a token, or changing a user's roles,
counts from the very next request) and records each refusal as ``access.denied`` in the audit
log (user id, token id, action, reason; never a token or a personal value). Users, agencies and
tokens are managed in :mod:`matchgate.services.administration.users`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from matchgate.access import (
    Action,
    Denial,
    Parties,
    Principal,
    check_action,
    check_object,
    parse_roles,
    parse_token,
    token_matches,
)
from matchgate.domain.audit import AuditSink
from matchgate.domain.errors import AccessDenied, MatchgateError
from matchgate.domain.events import AccessDeniedEvent
from matchgate.settings import Settings
from matchgate.storage import access as store
from matchgate.storage.db import session, store_url

NOT_AUTHENTICATED = (
    "no valid token: set MATCHGATE_TOKEN (or MATCHGATE_TOKEN_FILE) to an active token of an "
    "active user"
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes for what was stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# --- who is calling ---------------------------------------------------------------------------


def _principal(settings: Settings, token_id: str, token: str | None) -> Principal:
    """The caller behind ``token_id`` as the store says now; AccessDenied when it is not valid.

    ``token`` is checked against the stored hash when given (authentication); a Principal being
    re-checked carries only the id, which was proven when it was made.
    """
    with session(store_url(settings)) as s:
        row = store.get_token(s, token_id)
        if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now():
            raise AccessDenied(NOT_AUTHENTICATED)
        if token is not None and not token_matches(token, row.sha256):
            raise AccessDenied(NOT_AUTHENTICATED)
        user = store.get_user(s, row.user_id)
        if user is None or user.status != store.ACTIVE:
            raise AccessDenied(NOT_AUTHENTICATED)
        host = store.host_agency(s)
        return Principal(
            user_id=user.id,
            agency=user.agency,
            roles=parse_roles(list(user.roles or [])),
            token_id=row.id,
            host=host is not None and host.code == user.agency,
        )


def authenticate(settings: Settings, token: str | None) -> Principal:
    """The caller presenting ``token``: looked up by its public id, compared by hash."""
    token_id = parse_token(token or "")
    if token is None or token_id is None:
        raise AccessDenied(NOT_AUTHENTICATED)
    return _principal(settings, token_id, token)


def current(settings: Settings, caller: Principal) -> Principal:
    """The caller as the store says now (revoked user or token: AccessDenied)."""
    return _principal(settings, caller.token_id, None)


def record_denial(
    settings: Settings,
    caller: Principal,
    denial: Denial | str,
    action: Action,
    object_id: str | None,
    audit: AuditSink | None,
) -> None:
    """Append ``access.denied``; a denial stands whether or not the log can record it."""
    reason = denial if isinstance(denial, str) else denial.reason
    event = AccessDeniedEvent(
        actor=caller.user_id,
        user_id=caller.user_id,
        token_id=caller.token_id,
        action=action.value,
        reason=reason,
        object_id=None if object_id is None else object_id[:64],
    ).audit_event()
    try:
        sink = audit if audit is not None else _configured_log(settings)
        if sink is not None:
            sink.append(event)
    except MatchgateError:
        pass


def _configured_log(settings: Settings) -> AuditSink | None:
    from matchgate.app.audit import audit_config, open_audit

    try:
        return open_audit(audit_config(settings))
    except MatchgateError:
        return None


def require(
    settings: Settings,
    caller: Principal,
    action: Action,
    *,
    audit: AuditSink | None = None,
) -> Principal:
    """The caller, re-read from the store, if some role of theirs allows ``action`` at all.

    Lists call this, then keep only what :func:`matchgate.access.readable` allows.
    """
    fresh = current(settings, caller)
    denial = check_action(fresh, action)
    if denial is not None:
        record_denial(settings, fresh, denial, action, None, audit)
        raise AccessDenied(f"your roles do not allow {action.value}")
    return fresh


def require_object(
    settings: Settings,
    caller: Principal,
    action: Action,
    parties: Parties | None,
    *,
    missing: Callable[[], Exception],
    object_id: str | None,
    audit: AuditSink | None = None,
) -> Principal:
    """The caller, re-read, if they may do ``action`` on an object of ``parties``.

    ``parties`` is None for an object that does not exist. That case and an object of other
    agencies raise the same ``missing()`` error; only the audit log tells them apart.
    """
    fresh = current(settings, caller)
    denial = check_action(fresh, action)
    if denial is not None:
        record_denial(settings, fresh, denial, action, object_id, audit)
        raise AccessDenied(f"your roles do not allow {action.value}")
    if parties is None:
        record_denial(settings, fresh, "not_found", action, object_id, audit)
        raise missing()
    denial = check_object(fresh, action, parties)
    if denial is not None:
        record_denial(settings, fresh, denial, action, object_id, audit)
        if denial.hidden:
            raise missing()
        raise AccessDenied(f"your roles do not allow {action.value} on the side of {fresh.agency}")
    return fresh


# --- the host agency's own records ------------------------------------------------------------


def host_parties(settings: Settings) -> Parties | None:
    """The host agency as the owner of its own records (breach incidents, retention runs);
    None before the bootstrap."""
    with session(store_url(settings)) as s:
        host = store.host_agency(s)
        return None if host is None else Parties.of_agency(host.code)


def require_host(
    settings: Settings,
    caller: Principal,
    action: Action,
    *,
    audit: AuditSink | None = None,
) -> Principal:
    """The caller, re-read, if a role of theirs allows ``action`` and they are of the host
    agency. For an action that makes or sweeps the host's records, there is nothing to hide:
    another agency's caller is told it is not allowed (AccessDenied)."""
    refused = AccessDenied(f"only the host agency's users may do {action.value}")
    return require_object(
        settings,
        caller,
        action,
        host_parties(settings),
        missing=lambda: refused,
        object_id=None,
        audit=audit,
    )
