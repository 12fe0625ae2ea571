"""Agencies, users, API tokens and agreement suspensions.

Tokens are stored as their public id and SHA-256 only. Users and tokens are never deleted: a
revoked user or token keeps its row (who had access, and when, is itself a record). Every read
here goes to the database; nothing is cached, so a revocation counts from the next request.
Agencies, users and tokens are handed back as ``matchgate.domain.accounts`` values, and changed
through the functions here (``set_roles``, ``revoke_user``, ``revoke_token``), not by editing
rows above storage.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.domain.accounts import AgencyView, CallerRecord, TokenView, UserView
from matchgate.domain.agreements import Suspension
from matchgate.domain.lifecycle import UserStatus
from matchgate.storage.models import Base

ACTIVE = UserStatus.ACTIVE.value
REVOKED = UserStatus.REVOKED.value


class Agency(Base):
    """An agency whose staff use matchgate; ``host_marker`` is 1 for the host agency only."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("host_marker", name="uq_one_host_agency"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    host_marker: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))


class User(Base):
    """A person's account: one agency, some roles, active until revoked."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(16), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiToken(Base):
    """An API token: its public id and the SHA-256 of the whole token, never the token."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AgreementSuspension(Base):
    """A suspension of all disclosures under an agreement, until lifted (``lifted_at``)."""

    __tablename__ = "agreement_suspensions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    suspended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    suspended_by: Mapped[str] = mapped_column(String(64))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


_TABLES = [Agency, User, ApiToken, AgreementSuspension]


class AlreadyExists(Exception):
    """A row with that key (or a second host agency) is already stored."""


def _add(s: Session, row: Agency | User | ApiToken | AgreementSuspension) -> None:
    s.add(row)
    try:
        with s.begin_nested():
            s.flush()
    except IntegrityError:
        raise AlreadyExists(type(row).__name__) from None


def _agency(row: Agency) -> AgencyView:
    return AgencyView(row.code, row.name, row.host_marker == 1)


def _user(row: User) -> UserView:
    return UserView(
        id=row.id,
        agency=row.agency,
        roles=tuple(sorted(row.roles or [])),
        status=row.status,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
    )


def _token(row: ApiToken) -> TokenView:
    return TokenView(row.id, row.user_id, row.label, row.created_at, row.expires_at, row.revoked_at)


def add_agency(
    s: Session, code: str, name: str, *, host: bool, when: datetime, by: str
) -> AgencyView:
    """Store an agency (AlreadyExists when the code is taken, or a second host is added)."""
    row = Agency(
        code=code, name=name, host_marker=1 if host else None, created_at=when, created_by=by
    )
    _add(s, row)
    return _agency(row)


def add_token(
    s: Session,
    token_id: str,
    user_id: str,
    *,
    sha256: str,
    label: str,
    when: datetime,
    expires: datetime,
    by: str,
) -> TokenView:
    """Store a new token by its public id and the SHA-256 of the whole token."""
    row = ApiToken(
        id=token_id,
        user_id=user_id,
        sha256=sha256,
        label=label,
        created_at=when,
        created_by=by,
        expires_at=expires,
    )
    _add(s, row)
    return _token(row)


def get_agency(s: Session, code: str) -> AgencyView | None:
    row = s.get(Agency, code)
    return None if row is None else _agency(row)


def host_agency(s: Session) -> AgencyView | None:
    row = s.scalars(select(Agency).where(Agency.host_marker == 1)).first()
    return None if row is None else _agency(row)


def agencies(s: Session) -> list[AgencyView]:
    return [_agency(row) for row in s.scalars(select(Agency).order_by(Agency.code))]


def get_user(s: Session, user_id: str) -> UserView | None:
    row = s.get(User, user_id)
    return None if row is None else _user(row)


def users(s: Session, agency: str | None = None) -> list[UserView]:
    query = select(User).order_by(User.agency, User.id)
    if agency is not None:
        query = query.where(User.agency == agency)
    return [_user(row) for row in s.scalars(query)]


def any_user(s: Session) -> bool:
    return s.scalars(select(User.id).limit(1)).first() is not None


def add_user(
    s: Session, user_id: str, agency: str, roles: list[str], *, when: datetime, by: str
) -> UserView:
    """Store a new active user (AlreadyExists when the id is taken)."""
    row = User(
        id=user_id, agency=agency, roles=roles, status=ACTIVE, created_at=when, created_by=by
    )
    _add(s, row)
    return _user(row)


def set_roles(s: Session, user_id: str, roles: list[str]) -> UserView:
    """Replace a stored user's roles."""
    row = s.get(User, user_id)
    if row is None:
        raise LookupError("no such user")
    row.roles = roles
    return _user(row)


def revoke_user(s: Session, user_id: str, *, when: datetime, by: str) -> UserView:
    """Revoke a stored user and every token of theirs not yet revoked."""
    row = s.get(User, user_id)
    if row is None:
        raise LookupError("no such user")
    row.status = REVOKED
    row.revoked_at = when
    row.revoked_by = by
    for token in s.scalars(select(ApiToken).where(ApiToken.user_id == user_id)):
        if token.revoked_at is None:
            token.revoked_at = when
            token.revoked_by = by
    return _user(row)


def _caller_query() -> Select[Any]:
    host = select(Agency.code).where(Agency.host_marker == 1).scalar_subquery()
    return (
        select(
            ApiToken.id,
            ApiToken.user_id,
            ApiToken.sha256,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            User.status,
            User.agency,
            User.roles,
            host,
        )
        .outerjoin(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == bindparam("token_id"))
    )


_CALLER = _caller_query()
"""Built once: building a statement and its cache key cost a request more than running it."""


def caller_record(s: Session, token_id: str) -> CallerRecord | None:
    """The token ``token_id`` with its user and the host agency, in one query (every request of
    the HTTP API reads this)."""
    row = s.execute(_CALLER, {"token_id": token_id}).first()
    if row is None:
        return None
    token, user, sha256, expires, revoked, status, agency, roles, host_code = row
    return CallerRecord(
        token_id=token,
        user_id=user,
        sha256=sha256,
        expires_at=expires,
        revoked_at=revoked,
        user_status=status,
        user_agency=agency,
        user_roles=None if roles is None else tuple(roles),
        host=host_code,
    )


def get_token(s: Session, token_id: str) -> TokenView | None:
    row = s.get(ApiToken, token_id)
    return None if row is None else _token(row)


def tokens_of(s: Session, user_id: str) -> list[TokenView]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
    return [_token(row) for row in s.scalars(query)]


def revoke_token(s: Session, token_id: str, *, when: datetime, by: str) -> TokenView:
    """Revoke a stored token (one already revoked keeps its first revocation)."""
    row = s.get(ApiToken, token_id)
    if row is None:
        raise LookupError("no such token")
    if row.revoked_at is None:
        row.revoked_at = when
        row.revoked_by = by
    return _token(row)


def _suspension(row: AgreementSuspension) -> Suspension:
    return Suspension(
        id=row.id,
        agreement_id=row.agreement_id,
        reason=row.reason,
        suspended_at=row.suspended_at,
        suspended_by=row.suspended_by,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        active=bool(row.active),
    )


def add_suspension(s: Session, suspension: Suspension) -> Suspension:
    """Store a suspension (``AlreadyExists`` if its id is taken); the suspension as stored."""
    row = AgreementSuspension(
        id=suspension.id,
        agreement_id=suspension.agreement_id,
        reason=suspension.reason,
        suspended_at=suspension.suspended_at,
        suspended_by=suspension.suspended_by,
        lifted_at=suspension.lifted_at,
        lifted_by=suspension.lifted_by,
        active=suspension.active,
    )
    _add(s, row)
    return _suspension(row)


def active_suspensions(s: Session, agreement_id: str) -> list[Suspension]:
    """The suspensions in effect (normally one; two suspenders racing may leave two)."""
    query = select(AgreementSuspension).where(
        AgreementSuspension.agreement_id == agreement_id, AgreementSuspension.active.is_(True)
    )
    return [_suspension(row) for row in s.scalars(query)]


def lift_suspensions(s: Session, agreement_id: str, *, by: str, at: datetime) -> int:
    """Lift every suspension in effect under an agreement; how many were lifted."""
    changed = s.execute(
        update(AgreementSuspension)
        .where(
            AgreementSuspension.agreement_id == agreement_id,
            AgreementSuspension.active.is_(True),
        )
        .values(active=False, lifted_at=at, lifted_by=by)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(changed, "rowcount", 0))


def suspended_agreements(s: Session) -> set[str]:
    query = select(AgreementSuspension.agreement_id).where(AgreementSuspension.active.is_(True))
    return set(s.scalars(query).all())
