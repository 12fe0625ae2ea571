"""Recipient agencies' registered public keys: the only keys a package is sealed to.

A row per key, named by its key id (the fingerprint the two agencies confirm out of band,
docs/package-format.md). An agency has at most one ``current`` key: registering another retires
it (``retired``: packages sealed to it stay openable with it, nothing new is sealed to it);
``revoked`` keys are never used again. Rows are never deleted: which key a package was sealed
to, and when that key was registered, is itself a record.

The repository hands back :class:`matchgate.domain.recipient_keys.RecipientKey`, never a row;
a status changes by an UPDATE here (``retire_current``, ``revoke``), not on a row a caller holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.domain.lifecycle import RecipientKeyStatus
from matchgate.domain.recipient_keys import RecipientKey
from matchgate.storage.models import Base


class RecipientKeyRow(Base):
    """A recipient agency's public key (PEM), as registered by the host's administrator."""

    __tablename__ = "recipient_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency: Mapped[str] = mapped_column(String(16), index=True)
    public_key: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


def _key(row: RecipientKeyRow) -> RecipientKey:
    return RecipientKey(
        key_id=row.key_id,
        agency=row.agency,
        public_key=row.public_key,
        status=RecipientKeyStatus(row.status),
        registered_at=row.registered_at,
        registered_by=row.registered_by,
        retired_at=row.retired_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


def get_key(s: Session, key_id: str) -> RecipientKey | None:
    row = s.get(RecipientKeyRow, key_id)
    return None if row is None else _key(row)


def current_key(s: Session, agency: str) -> RecipientKey | None:
    """The agency's current key (the newest, should two registrations have raced)."""
    query = (
        select(RecipientKeyRow)
        .where(
            RecipientKeyRow.agency == agency,
            RecipientKeyRow.status == RecipientKeyStatus.CURRENT.value,
        )
        .order_by(RecipientKeyRow.registered_at.desc())
    )
    row = s.scalars(query).first()
    return None if row is None else _key(row)


def keys_of(s: Session, agency: str | None = None) -> list[RecipientKey]:
    """Keys by agency, newest first within one."""
    query = select(RecipientKeyRow).order_by(
        RecipientKeyRow.agency, RecipientKeyRow.registered_at.desc()
    )
    if agency is not None:
        query = query.where(RecipientKeyRow.agency == agency)
    return [_key(row) for row in s.scalars(query)]


def retire_current(s: Session, agency: str, *, at: datetime) -> int:
    """Retire the agency's current key (every one, should registrations have raced); how many."""
    changed = s.execute(
        update(RecipientKeyRow)
        .where(
            RecipientKeyRow.agency == agency,
            RecipientKeyRow.status == RecipientKeyStatus.CURRENT.value,
        )
        .values(status=RecipientKeyStatus.RETIRED.value, retired_at=at)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(changed, "rowcount", 0))


def add_key(s: Session, key: RecipientKey) -> RecipientKey:
    """Store a newly registered key; the key as stored."""
    row = RecipientKeyRow(
        key_id=key.key_id,
        agency=key.agency,
        public_key=key.public_key,
        status=key.status.value,
        registered_at=key.registered_at,
        registered_by=key.registered_by,
        retired_at=key.retired_at,
        revoked_at=key.revoked_at,
        revoked_by=key.revoked_by,
    )
    s.add(row)
    s.flush()
    return _key(row)


def revoke(s: Session, key_id: str, *, by: str, at: datetime) -> RecipientKey | None:
    """Mark a key revoked by ``by`` at ``at``; the key as stored now (None: no such key)."""
    s.execute(
        update(RecipientKeyRow)
        .where(RecipientKeyRow.key_id == key_id)
        .values(status=RecipientKeyStatus.REVOKED.value, revoked_at=at, revoked_by=by)
        .execution_options(synchronize_session="fetch")
    )
    return get_key(s, key_id)
