"""Recipient agencies' registered public keys: the only keys a package is sealed to.

A row per key, named by its key id (the fingerprint the two agencies confirm out of band,
docs/package-format.md). An agency has at most one ``current`` key: registering another retires
it (``retired``: packages sealed to it stay openable with it, nothing new is sealed to it);
``revoked`` keys are never used again. Rows are never deleted: which key a package was sealed
to, and when that key was registered, is itself a record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.storage.models import Base

CURRENT = "current"
RETIRED = "retired"
REVOKED = "revoked"


class RecipientKey(Base):
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


def get_key(s: Session, key_id: str) -> RecipientKey | None:
    return s.get(RecipientKey, key_id)


def current_key(s: Session, agency: str) -> RecipientKey | None:
    """The agency's current key (the newest, should two registrations have raced)."""
    query = (
        select(RecipientKey)
        .where(RecipientKey.agency == agency, RecipientKey.status == CURRENT)
        .order_by(RecipientKey.registered_at.desc())
    )
    return s.scalars(query).first()


def keys_of(s: Session, agency: str | None = None) -> Sequence[RecipientKey]:
    """Keys by agency, newest first within one."""
    query = select(RecipientKey).order_by(RecipientKey.agency, RecipientKey.registered_at.desc())
    if agency is not None:
        query = query.where(RecipientKey.agency == agency)
    return s.scalars(query).all()
