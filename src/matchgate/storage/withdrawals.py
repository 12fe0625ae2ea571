"""Stored withdrawal notices: one per earlier recipient of a record that proved wrong.

A notice names what the recipient already holds (the packages or answers it received, by id) and
the ``disclosure.withdrawn`` entry it follows from, never the person: rows hold ids, codes, times
and audit sequences only. Creating and acknowledging a notice are audit entries too
(``withdrawal.notified``, ``withdrawal.acknowledged``), appended before the row changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.storage.models import Base


class WithdrawalNotice(Base):
    """A notice to one recipient agency that a record it received was withdrawn (552a(c)(4))."""

    __tablename__ = "withdrawal_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    withdrawal_entry: Mapped[int] = mapped_column(BigInteger, index=True)
    disclosing: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    package_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The ids of the packages or answers the recipient received of the record."""
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_entry: Mapped[int] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    acknowledged_entry: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


def add_notice(s: Session, row: WithdrawalNotice) -> None:
    s.add(row)
    s.flush()


def get_notice(s: Session, notice_id: str) -> WithdrawalNotice | None:
    return s.get(WithdrawalNotice, notice_id)


def notices(s: Session) -> Sequence[WithdrawalNotice]:
    """Every notice, oldest withdrawal first."""
    query = select(WithdrawalNotice).order_by(
        WithdrawalNotice.withdrawal_entry, WithdrawalNotice.recipient
    )
    return s.scalars(query).all()


def acknowledge(s: Session, notice_id: str, *, by: str, at: datetime, entry: int) -> bool:
    """Mark a notice acknowledged only if it was not yet; whether it was marked now."""
    changed = s.execute(
        update(WithdrawalNotice)
        .where(WithdrawalNotice.id == notice_id, WithdrawalNotice.acknowledged_at.is_(None))
        .values(acknowledged_by=by, acknowledged_at=at, acknowledged_entry=entry)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(changed, "rowcount", 0) == 1)
