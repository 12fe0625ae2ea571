"""Who is calling, and may they: the check every governed service makes first.

Who may do what is :mod:`matchgate.access` (pure rules); this module loads the caller from the
store on every call (nothing is cached: revoking a user or a token, or changing a user's roles,
counts from the very next request) and records each refusal as ``access.denied`` in the audit
log (user id, token id, action, reason; never a token or a personal value). Users, agencies and
tokens are managed in :mod:`matchgate.services.administration.users`.

Which refusals are appended, and how (docs/access.md, "Refusals"):

* a token naming a stored token, but wrong, expired or revoked, or whose user is revoked: one
  ``access.denied`` per refusal, with the token's user and id and the reason (``bad_token``,
  ``token_expired``, ``token_revoked``, ``user_revoked``); the action is ``authenticate`` when
  the token is first checked, or the action asked for when a held Principal is re-checked;
* a role that does not allow the action, an object of other agencies or none, a suspended
  agreement: one ``access.denied`` (``no_role``, ``wrong_side``, ``not_party``, ``not_found``,
  ``suspended``);
* no token, or one naming no stored token: nobody to name, and as many as junk requests make,
  so they are counted per source and minute (:mod:`matchgate.access.refusals`) and appended as
  ``access.unauthenticated`` (the first of a source's minute at once, the rest in one summary
  once the minute has closed). The counts are kept in ``<workspace>/access/refusals.json``
  under a file lock, which serves the CLI's one process per command; a long-running shell (the
  HTTP API) uses the same :class:`~matchgate.access.refusals.Tally`, passing the client's
  address as ``source``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

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
from matchgate.access.refusals import NO_TOKEN, UNKNOWN_TOKEN, RefusalCount, Tally, minute_of
from matchgate.app.core import App
from matchgate.audit.breach import looks_personal
from matchgate.domain.audit import AuditEvent, AuditSink
from matchgate.domain.errors import AccessDenied, MatchgateError
from matchgate.domain.events import AccessDeniedEvent, AccessUnauthenticated
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

AUTHENTICATE = "authenticate"
"""The action an ``access.denied`` entry names when a token is refused as it is first shown."""
BAD_TOKEN = "bad_token"  # noqa: S105 - reason codes, not secrets
TOKEN_EXPIRED = "token_expired"  # noqa: S105
TOKEN_REVOKED = "token_revoked"  # noqa: S105
USER_REVOKED = "user_revoked"
SUSPENDED = "suspended"


def _principal(
    settings: Settings,
    token_id: str,
    token: str | None,
    *,
    action: str,
    audit: AuditSink | None,
    source: str | None = None,
) -> Principal:
    """The caller behind ``token_id`` as the store says now; AccessDenied when it is not valid.

    ``token`` is checked against the stored hash when given (authentication); a Principal being
    re-checked carries only the id, which was proven when it was made. Every refusal is
    recorded (one message for all of them, so the caller learns nothing from it).
    """
    with session(store_url(settings)) as s:
        row = store.caller_record(s, token_id)  # the token, its user, the host: one query
    if row is None:
        reason = UNKNOWN_TOKEN
    elif token is not None and not token_matches(token, row.sha256):
        reason = BAD_TOKEN
    elif row.user_status != store.ACTIVE or row.user_agency is None:
        reason = USER_REVOKED
    elif row.revoked_at is not None:
        reason = TOKEN_REVOKED
    elif _aware(row.expires_at) <= now():
        reason = TOKEN_EXPIRED
    else:
        return Principal(
            user_id=row.user_id,
            agency=row.user_agency,
            roles=parse_roles(list(row.user_roles or [])),
            token_id=row.token_id,
            host=row.host is not None and row.host == row.user_agency,
        )
    owner = None if row is None else row.user_id
    if owner is None:  # a token of nobody: counted, not appended one by one
        count_token_less(settings, UNKNOWN_TOKEN, source=source, audit=audit)
    else:
        _append_denial(settings, owner, token_id, action, reason, None, audit)
    raise AccessDenied(NOT_AUTHENTICATED)


def authenticate(
    app: App,
    token: str | None,
    *,
    source: str | None = None,
    audit: AuditSink | None = None,
) -> Principal:
    """The caller presenting ``token``: looked up by its public id, compared by hash.

    ``source`` says where the request came from (default: this OS user, ``cli:<name>``); it is
    recorded only for token-less refusals, which are counted per source and minute.
    """
    settings = app.settings
    token_id = parse_token(token or "")
    if token is None or token_id is None:
        reason = NO_TOKEN if not token else UNKNOWN_TOKEN
        count_token_less(settings, reason, source=source, audit=audit)
        raise AccessDenied(NOT_AUTHENTICATED)
    caller = _principal(settings, token_id, token, action=AUTHENTICATE, audit=audit, source=source)
    flush_refusals(settings, audit)  # summaries of minutes closed since the last refusal
    return caller


_CHECKED: ContextVar[Principal | None] = ContextVar("matchgate_checked_caller", default=None)


@contextmanager
def checked(caller: Principal) -> Iterator[Principal]:
    """Within the block, a re-check of ``caller`` (``current``, ``require``, ``require_object``)
    takes it as it is instead of reading the store again.

    For a caller authenticated at the start of the same request, whose use case runs in the
    block: an HTTP route that authenticates and calls its use case in one worker thread. It
    was read from the store moments before, so a revoked token or user is still refused from
    the next request on. Only this Principal object, only in this block and in this context (a
    thread or task started from the block does not inherit it): every other re-check reads the
    store, as a long job's must.
    """
    reset = _CHECKED.set(caller)
    try:
        yield caller
    finally:
        _CHECKED.reset(reset)


def current(
    settings: Settings,
    caller: Principal,
    *,
    action: Action | str = AUTHENTICATE,
    audit: AuditSink | None = None,
) -> Principal:
    """The caller as the store says now (revoked user or token: AccessDenied, recorded with
    ``action``, the action the caller asked for)."""
    if _CHECKED.get() is caller:
        return caller
    name = action.value if isinstance(action, Action) else action
    return _principal(settings, caller.token_id, None, action=name, audit=audit)


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
    _append_denial(
        settings, caller.user_id, caller.token_id, action.value, reason, object_id, audit
    )


def _append_denial(
    settings: Settings,
    user_id: str,
    token_id: str,
    action: str,
    reason: str,
    object_id: str | None,
    audit: AuditSink | None,
) -> None:
    event = AccessDeniedEvent(
        actor=user_id,
        user_id=user_id,
        token_id=token_id,
        action=action,
        reason=reason,
        object_id=None if object_id is None else object_id[:64],
    ).audit_event()
    _append(settings, event, audit)


def _append(settings: Settings, event: AuditEvent, audit: AuditSink | None) -> bool:
    """Append one refusal's entry; False when the log cannot take it (the refusal stands)."""
    try:
        sink = audit if audit is not None else _configured_log(settings)
        if sink is None:
            return False
        sink.append(event)
    except MatchgateError:
        return False
    return True


# --- token-less refusals: counted per source and minute ---------------------------------------

_SOURCE_CHARS = re.compile(r"[^A-Za-z0-9._:@-]")
DEFAULT_SOURCE = "cli"


def refusal_source(source: str | None = None) -> str:
    """``source`` as recorded: at most 64 of ``[A-Za-z0-9._:@-]``; by default ``cli:<OS user>``
    (``cli`` when the OS user cannot be told or its name looks like an identifier of a person)."""
    if source is None:
        try:
            source = f"{DEFAULT_SOURCE}:{getpass.getuser()}"
        except (OSError, KeyError):
            source = DEFAULT_SOURCE
    cleaned = _SOURCE_CHARS.sub("", source)[:64]
    if not cleaned or looks_personal(cleaned):
        return DEFAULT_SOURCE
    return cleaned


def _tally_file(settings: Settings) -> Path:
    return settings.workspace / "access" / "refusals.json"


@contextmanager
def _locked_tally(settings: Settings) -> Iterator[Tally]:
    """The counts kept between CLI runs, locked for the block and written back after it."""
    path = _tally_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = path.with_suffix(".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            counts = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):
            counts = {}  # a torn file: its counts are lost, the refusals stood
        tally = Tally(counts if isinstance(counts, dict) else {})
        yield tally
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(tally.counts, sort_keys=True), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    finally:
        os.close(fd)


def _unauthenticated(count: RefusalCount) -> AuditEvent:
    return AccessUnauthenticated(
        actor=f"svc:{AUTHENTICATE}",
        source=count.source,
        minute=count.minute,
        no_token=count.no_token,
        unknown_token=count.unknown_token,
        bootstrap=count.bootstrap,
        summary=count.summary,
    ).audit_event()


def _append_closed(settings: Settings, tally: Tally, minute: str, audit: AuditSink | None) -> None:
    for summary in tally.close(minute):
        if not _append(settings, _unauthenticated(summary), audit):
            tally.reopen(summary)


def count_token_less(
    settings: Settings, reason: str, *, source: str | None = None, audit: AuditSink | None = None
) -> None:
    """Count a refusal with no token of anyone (``no_token``, ``unknown_token``,
    ``bootstrap``): append it when it is its source's first this minute, and the summaries of
    minutes that have closed."""
    minute = minute_of(now())
    sink = audit if audit is not None else _configured_log(settings)
    if sink is None:  # no log set up: nothing to count into (and no file is made)
        return
    try:
        with _locked_tally(settings) as tally:
            _append_closed(settings, tally, minute, sink)
            first = tally.count(refusal_source(source), minute, reason)
            if first is not None and not _append(settings, _unauthenticated(first), sink):
                tally.unrecorded(first)
    except OSError:
        pass  # the counts cannot be kept: the refusal stands unrecorded, as when the log is down


def flush_refusals(settings: Settings, audit: AuditSink | None = None) -> None:
    """Append the summaries of every minute that has closed (nothing when none is pending)."""
    minute = minute_of(now())
    path = _tally_file(settings)
    try:
        if not path.exists():
            return
        with _locked_tally(settings) as tally:
            if tally.has_closed(minute):
                _append_closed(settings, tally, minute, audit)
    except OSError:
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
    fresh = current(settings, caller, action=action, audit=audit)
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
    fresh = current(settings, caller, action=action, audit=audit)
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
