"""Use cases of account management: bootstrap, agencies, users, roles and tokens.

Each change is recorded in the audit log before it is acknowledged: ``user.changed`` (created,
revoked), ``role.changed``, ``token.issued``, ``token.revoked`` and ``agency.added``, with user
ids, agency codes and token ids only. A token is shown once, when issued, and stored only as its
SHA-256 (:mod:`matchgate.access.tokens`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from matchgate.access import (
    Action,
    IssuedToken,
    Parties,
    Principal,
    Role,
    check_agency,
    new_token,
    parse_roles,
)
from matchgate.access.refusals import BOOTSTRAP
from matchgate.app.access import (
    count_token_less,
    current,
    now,
    record_denial,
    require,
    require_object,
)
from matchgate.app.core import App
from matchgate.audit.breach import looks_personal
from matchgate.domain.accounts import AgencyView, TokenView, UserView
from matchgate.domain.audit import AuditEvent, AuditSink
from matchgate.domain.errors import AccessDenied, InputError, NotFound
from matchgate.domain.events import AgencyAdded, RoleChanged, TokenIssued, TokenRevoked, UserChanged
from matchgate.storage import access as store
from matchgate.storage.db import UnitOfWork, upgrade_schema

E_USER = "E_USER"
E_AGENCY = "E_AGENCY"
E_TOKEN = "E_TOKEN"  # noqa: S105 - an error code
TOKEN_ISSUE = "token.issue"  # noqa: S105 - action names for refusals of one's own tokens
TOKEN_LIST = "token.list"  # noqa: S105
TOKEN_REVOKE = "token.revoke"  # noqa: S105
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
_USER_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_AGENCY = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
_LABEL = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$")


class UserNotFound(InputError, NotFound):
    """No such user, or one the caller may not manage or read: the same answer (``E_USER``).

    An :class:`InputError` as the command line has always reported it (same message, same exit
    code) and a :class:`NotFound`, so the HTTP API answers 404 as for any object of another
    agency."""

    code = E_USER


class TokenNotFound(InputError, NotFound):
    """No such token, or one the caller may not revoke: the same answer (``E_TOKEN``)."""

    code = E_TOKEN


@dataclass(frozen=True)
class NewToken:
    """A token just issued: ``token`` is shown once and stored nowhere."""

    user_id: str
    token_id: str
    token: str
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"NewToken(user_id={self.user_id!r}, token_id={self.token_id!r})"


def _check_user_id(user_id: str) -> str:
    if not _USER_ID.match(user_id):
        raise InputError(
            "a user id is 1 to 64 lower-case letters, digits, '.', '_', '@' or '-'",
            field="user",
            code=E_USER,
        )
    if looks_personal(user_id):  # it names the actor of audit entries, which refuse such shapes
        raise InputError(
            "a user id must not look like an SSN or an A-number", field="user", code=E_USER
        )
    return user_id


def _check_agency_code(code: str) -> str:
    if not (2 <= len(code) <= 16 and _AGENCY.match(code)):
        raise InputError(
            "an agency code is 2 to 16 upper-case letters and digits, e.g. SSA or DHS-USCIS",
            field="agency",
            code=E_AGENCY,
        )
    return code


def _check_label(label: str, what: str) -> str:
    if not _LABEL.match(label):
        raise InputError(f"the {what} must be 1 to 64 printable ASCII characters", field=what)
    return label


def _roles(names: list[str] | tuple[str, ...]) -> list[str]:
    return sorted(role.value for role in parse_roles(list(names)))


def _store_token(
    s: UnitOfWork, user_id: str, *, by: str, days: int, label: str, issued: IssuedToken
) -> NewToken:
    made = now()
    expires = made + dt.timedelta(days=days)
    store.add_token(
        s,
        issued.token_id,
        user_id,
        sha256=issued.sha256,
        label=label,
        when=made,
        expires=expires,
        by=by,
    )
    return NewToken(user_id, issued.token_id, issued.token, expires)


def _check_days(days: int) -> int:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InputError(f"a token lives 1 to {MAX_TOKEN_DAYS} days", field="days", code=E_TOKEN)
    return days


def bootstrap(
    app: App,
    *,
    agency: str,
    agency_name: str,
    user_id: str,
    days: int = DEFAULT_TOKEN_DAYS,
) -> NewToken:
    """The first administrator, of the host agency, and their token (shown once).

    Refused once any user exists: after that, administrators create users. Audited before the
    token is returned; two bootstraps racing cannot both win (one host agency only).
    """
    audit = app.audit
    _check_agency_code(agency)
    _check_label(agency_name, "agency name")
    _check_user_id(user_id)
    _check_days(days)
    upgrade_schema(app.store_url)
    with app.unit_of_work() as s:
        closed = store.any_user(s) or store.host_agency(s) is not None
    if closed:
        count_token_less(app.settings, BOOTSTRAP, audit=audit)
        raise AccessDenied("users exist already: an administrator creates the next ones")
    issued = new_token()
    roles = [Role.ADMINISTRATOR.value]
    audit.append(
        AgencyAdded(
            actor=user_id, agency=agency, code=agency, host=True, bootstrap=True
        ).audit_event()
    )
    audit.append(
        UserChanged(
            actor=user_id,
            agency=agency,
            user_id=user_id,
            change="created",
            roles=",".join(roles),
        ).audit_event()
    )
    audit.append(_token_event(TokenIssued, user_id, agency, user_id, issued.token_id))
    made = now()
    try:
        with app.unit_of_work() as s:
            store.add_agency(s, agency, agency_name, host=True, when=made, by=user_id)
            store.add_user(s, user_id, agency, roles, when=made, by=user_id)
            new = _store_token(s, user_id, by=user_id, days=days, label="bootstrap", issued=issued)
            return new
    except store.AlreadyExists:
        count_token_less(app.settings, BOOTSTRAP, audit=audit)
        raise AccessDenied("users exist already: an administrator creates the next ones") from None


def _token_event(
    kind: type[TokenIssued | TokenRevoked], actor: str, agency: str, user_id: str, token_id: str
) -> AuditEvent:
    return kind(actor=actor, agency=agency, user_id=user_id, token_id=token_id).audit_event()


def add_agency(app: App, code: str, name: str, *, caller: Principal) -> AgencyView:
    """Register a partner agency (host administrators only)."""
    audit = app.audit
    fresh = require(app.settings, caller, Action.AGENCY_MANAGE, audit=audit)
    denial = check_agency(fresh, Action.AGENCY_MANAGE, code)
    if denial is not None:
        record_denial(app.settings, fresh, denial, Action.AGENCY_MANAGE, code, audit)
        raise AccessDenied("only the host agency's administrators register agencies")
    _check_agency_code(code)
    _check_label(name, "agency name")
    with app.unit_of_work() as s:
        if store.get_agency(s, code) is not None:
            raise InputError(f"agency {code} is already registered", field="agency", code=E_AGENCY)
    audit.append(AgencyAdded(actor=fresh.user_id, agency=code, code=code).audit_event())
    try:
        with app.unit_of_work() as s:
            store.add_agency(s, code, name, host=False, when=now(), by=fresh.user_id)
    except store.AlreadyExists:
        raise InputError(
            f"agency {code} is already registered", field="agency", code=E_AGENCY
        ) from None
    return AgencyView(code, name, host=False)


def list_agencies(app: App, *, caller: Principal) -> list[AgencyView]:
    """Agencies the caller's administrator or auditor role covers (the host's: all)."""
    fresh = require(app.settings, caller, Action.USER_READ)
    with app.unit_of_work() as s:
        return [
            row
            for row in store.agencies(s)
            if check_agency(fresh, Action.USER_READ, row.code) is None
        ]


def _user_missing(user_id: str) -> Callable[[], Exception]:
    return lambda: UserNotFound(
        f"no user {user_id[:64]!r} you may manage", field="user", code=E_USER
    )


def _target(app: App, user_id: str) -> tuple[str | None, UserView | None]:
    with app.unit_of_work() as s:
        row = store.get_user(s, user_id)
        return (None if row is None else row.agency), row


def add_user(
    app: App,
    user_id: str,
    *,
    agency: str,
    roles: list[str],
    caller: Principal,
) -> UserView:
    """Create an active user of a registered agency with ``roles`` (audited first)."""
    audit = app.audit
    fresh = require_object(
        app.settings,
        caller,
        Action.USER_MANAGE,
        Parties.of_agency(agency),
        missing=lambda: InputError(f"no agency {agency[:16]!r} you may manage", code=E_AGENCY),
        object_id=user_id,
        audit=audit,
    )
    _check_user_id(user_id)
    names = _roles(roles)
    with app.unit_of_work() as s:
        if store.get_agency(s, agency) is None:
            raise InputError(
                f"agency {agency} is not registered (`matchgate agencies add`)",
                field="agency",
                code=E_AGENCY,
            )
        if store.get_user(s, user_id) is not None:
            raise InputError(f"user {user_id} exists already", field="user", code=E_USER)
    audit.append(
        UserChanged(
            actor=fresh.user_id,
            agency=agency,
            user_id=user_id,
            change="created",
            roles=",".join(names),
        ).audit_event()
    )
    try:
        with app.unit_of_work() as s:
            return store.add_user(s, user_id, agency, names, when=now(), by=fresh.user_id)
    except store.AlreadyExists:
        raise InputError(f"user {user_id} exists already", field="user", code=E_USER) from None


def list_users(app: App, *, caller: Principal, agency: str | None = None) -> list[UserView]:
    """Users of the agencies the caller may see (administrators and auditors)."""
    fresh = require(app.settings, caller, Action.USER_READ)
    with app.unit_of_work() as s:
        return [
            row
            for row in store.users(s, agency)
            if check_agency(fresh, Action.USER_READ, row.agency) is None
        ]


def _manage(
    app: App, caller: Principal, user_id: str, audit: AuditSink
) -> tuple[Principal, UserView]:
    agency, row = _target(app, user_id)
    parties = None if agency is None else Parties.of_agency(agency)
    fresh = require_object(
        app.settings,
        caller,
        Action.USER_MANAGE,
        parties,
        missing=_user_missing(user_id),
        object_id=user_id,
        audit=audit,
    )
    assert row is not None
    return fresh, row


def _last_host_admin(app: App, user_id: str) -> bool:
    """Whether ``user_id`` is the host agency's only active administrator (no lock-out)."""
    with app.unit_of_work() as s:
        host = store.host_agency(s)
        if host is None:
            return False
        admins = [
            u.id
            for u in store.users(s, host.code)
            if u.status == store.ACTIVE and Role.ADMINISTRATOR.value in u.roles
        ]
    return admins == [user_id]


def set_roles(
    app: App,
    user_id: str,
    roles: list[str],
    *,
    caller: Principal,
) -> UserView:
    """Replace a user's roles (audited as ``role.changed`` first); counts from the next call."""
    audit = app.audit
    fresh, row = _manage(app, caller, user_id, audit)
    names = _roles(roles)
    if Role.ADMINISTRATOR.value not in names and _last_host_admin(app, user_id):
        raise InputError(
            "this is the host agency's last administrator; make another one first",
            field="role",
            code=E_USER,
        )
    if row.status != store.ACTIVE:
        raise InputError(f"user {user_id} is revoked", field="user", code=E_USER)
    audit.append(
        RoleChanged(
            actor=fresh.user_id,
            agency=row.agency,
            user_id=user_id,
            roles=",".join(names),
            previous=",".join(row.roles),
        ).audit_event()
    )
    with app.unit_of_work() as s:
        return store.set_roles(s, user_id, names)


def revoke_user(app: App, user_id: str, *, caller: Principal) -> UserView:
    """Revoke a user and every token of theirs; refused from the next request on."""
    audit = app.audit
    fresh, row = _manage(app, caller, user_id, audit)
    if row.status != store.ACTIVE:
        raise InputError(f"user {user_id} is already revoked", field="user", code=E_USER)
    if _last_host_admin(app, user_id):
        raise InputError(
            "this is the host agency's last administrator; make another one first",
            field="user",
            code=E_USER,
        )
    audit.append(
        UserChanged(
            actor=fresh.user_id, agency=row.agency, user_id=user_id, change="revoked"
        ).audit_event()
    )
    with app.unit_of_work() as s:
        return store.revoke_user(s, user_id, when=now(), by=fresh.user_id)


def issue_token(
    app: App,
    *,
    caller: Principal,
    user_id: str | None = None,
    days: int = DEFAULT_TOKEN_DAYS,
    label: str = "cli",
) -> NewToken:
    """A new token for the caller, or (administrators) for a user they manage; shown once."""
    audit = app.audit
    _check_days(days)
    _check_label(label, "label")
    target = user_id or caller.user_id
    if target == caller.user_id:
        fresh = current(app.settings, caller, action=TOKEN_ISSUE, audit=audit)
        agency = fresh.agency
    else:
        fresh, row = _manage(app, caller, target, audit)
        if row.status != store.ACTIVE:
            raise InputError(f"user {target} is revoked", field="user", code=E_USER)
        agency = row.agency
    issued = new_token()
    audit.append(_token_event(TokenIssued, fresh.user_id, agency, target, issued.token_id))
    with app.unit_of_work() as s:
        return _store_token(s, target, by=fresh.user_id, days=days, label=label, issued=issued)


def list_tokens(app: App, *, caller: Principal, user_id: str | None = None) -> list[TokenView]:
    """The caller's tokens, or (administrators, auditors) a user's: ids and dates only."""
    target = user_id or caller.user_id
    if target != caller.user_id:
        agency, _ = _target(app, target)
        parties = None if agency is None else Parties.of_agency(agency)
        require_object(
            app.settings,
            caller,
            Action.USER_READ,
            parties,
            missing=_user_missing(target),
            object_id=target,
        )
    else:
        current(app.settings, caller, action=TOKEN_LIST)
    with app.unit_of_work() as s:
        return store.tokens_of(s, target)


def revoke_token(app: App, token_id: str, *, caller: Principal) -> TokenView:
    """Revoke one token (the caller's own, or one of a user they manage)."""
    audit = app.audit
    with app.unit_of_work() as s:
        row = store.get_token(s, token_id)
        owner = None if row is None else row.user_id

    def missing() -> Exception:
        return TokenNotFound(
            f"no token {token_id[:16]!r} you may revoke", field="token", code=E_TOKEN
        )

    if owner is None:
        fresh = current(app.settings, caller, action=TOKEN_REVOKE, audit=audit)
        record_denial(app.settings, fresh, "not_found", Action.USER_MANAGE, token_id, audit)
        raise missing()
    if owner == caller.user_id:
        fresh = current(app.settings, caller, action=TOKEN_REVOKE, audit=audit)
        agency = fresh.agency
    else:
        agency_of, _ = _target(app, owner)
        parties = None if agency_of is None else Parties.of_agency(agency_of)
        fresh = require_object(
            app.settings,
            caller,
            Action.USER_MANAGE,
            parties,
            missing=missing,
            object_id=token_id,
            audit=audit,
        )
        agency = agency_of or fresh.agency
    audit.append(_token_event(TokenRevoked, fresh.user_id, agency, owner, token_id))
    with app.unit_of_work() as s:
        return store.revoke_token(s, token_id, when=now(), by=fresh.user_id)
