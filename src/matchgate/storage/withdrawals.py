"""Stored withdrawal notices: one per earlier recipient of a record that proved wrong.

A notice names what the recipient already holds (the packages or answers it received, by id) and
the ``disclosure.withdrawn`` entry it follows from, never the person: rows hold ids, codes, times
and audit sequences only. Creating and acknowledging a notice are audit entries too
(``withdrawal.notified``, ``withdrawal.acknowledged``), appended before the row changes.

The repository hands back :class:`matchgate.domain.withdrawals.WithdrawalNotice`, never a row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, DateTime, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.domain.withdrawals import WithdrawalNotice
from matchgate.storage.models import Base


class WithdrawalNoticeRow(Base):
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


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _notice(row: WithdrawalNoticeRow) -> WithdrawalNotice:
    created = _aware(row.created_at)
    assert created is not None
    return WithdrawalNotice(
        id=row.id,
        withdrawal_entry=int(row.withdrawal_entry),
        disclosing=row.disclosing,
        recipient=row.recipient,
        reason=row.reason,
        package_id=row.package_id,
        references=tuple(row.received or ()),
        created_at=created,
        created_entry=int(row.created_entry),
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=_aware(row.acknowledged_at),
    )


def add_notice(s: Session, notice: WithdrawalNotice, *, created_by: str) -> WithdrawalNotice:
    """Store a new notice (not yet acknowledged) made by ``created_by``; the notice as stored."""
    row = WithdrawalNoticeRow(
        id=notice.id,
        withdrawal_entry=notice.withdrawal_entry,
        disclosing=notice.disclosing,
        recipient=notice.recipient,
        reason=notice.reason,
        package_id=notice.package_id,
        received=list(notice.references),
        created_by=created_by,
        created_at=notice.created_at,
        created_entry=notice.created_entry,
    )
    s.add(row)
    s.flush()
    return _notice(row)


def get_notice(s: Session, notice_id: str) -> WithdrawalNotice | None:
    row = s.get(WithdrawalNoticeRow, notice_id)
    return None if row is None else _notice(row)


def notices(s: Session) -> list[WithdrawalNotice]:
    """Every notice, oldest withdrawal first."""
    query = select(WithdrawalNoticeRow).order_by(
        WithdrawalNoticeRow.withdrawal_entry, WithdrawalNoticeRow.recipient
    )
    return [_notice(row) for row in s.scalars(query)]


def acknowledge(s: Session, notice_id: str, *, by: str, at: datetime, entry: int) -> bool:
    """Mark a notice acknowledged only if it was not yet; whether it was marked now."""
    changed = s.execute(
        update(WithdrawalNoticeRow)
        .where(WithdrawalNoticeRow.id == notice_id, WithdrawalNoticeRow.acknowledged_at.is_(None))
        .values(acknowledged_by=by, acknowledged_at=at, acknowledged_entry=entry)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(changed, "rowcount", 0) == 1)
