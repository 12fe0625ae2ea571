"""The review queue of withheld ``possible`` rows, with the request's identifiers sealed.

A ``possible`` answer discloses no records; a person resolves it later. To do that they need the
identifiers the requester sent (SSN, A-number), so the queue keeps them, and it is the first place
personal identifiers sit in the operational store: each is AES-256-GCM sealed with AAD binding
``review_items``, its column and the row id, next to a lookup HMAC for finding a person's items
(``storage.atrest.fields``). ``key_version`` is the ring key the row's values are under; the
re-encryption pass moves rows to the current key one row at a time (compare-and-set on the old
ciphertext, so a concurrent change is never overwritten).

Everything else in a row is an id, a score or a status. The repository takes
:class:`matchgate.domain.review.NewItem` and hands back
:class:`matchgate.domain.review.QueuedItem` (identifiers still sealed), never a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from matchgate.domain.lifecycle import ReviewStatus
from matchgate.domain.review import NewItem, QueuedItem
from matchgate.storage.atrest import DataKeyRing, lookups, open_value, seal_value
from matchgate.storage.atrest import lookup as lookup_hmac
from matchgate.storage.models import Base

TABLE = "review_items"
SEALED_COLUMNS = {"ssn": "ssn", "a_number": "a_number"}
"""Sealed column base name -> identifier kind (the lookup HMAC's domain)."""


class ReviewItem(Base):
    """One withheld ``possible`` row awaiting a reviewer."""

    __tablename__ = TABLE

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    agreement_id: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_version: Mapped[int] = mapped_column(Integer, index=True)
    ssn_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    ssn_lookup: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    a_number_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    a_number_lookup: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


def _item(row: ReviewItem) -> QueuedItem:
    return QueuedItem(
        id=row.id,
        job_id=row.job_id,
        agreement_id=row.agreement_id,
        request_id=row.request_id,
        person_id=row.person_id,
        score=row.score,
        status=ReviewStatus(row.status),
        created_at=row.created_at,
        key_version=int(row.key_version),
        ssn_sealed=row.ssn_sealed,
        a_number_sealed=row.a_number_sealed,
    )


def _seal(ring: DataKeyRing, row: ReviewItem, values: dict[str, str | None], version: int) -> None:
    for column, kind in SEALED_COLUMNS.items():
        value = values.get(column)
        sealed = (
            None
            if value is None
            else seal_value(
                ring, value, table=TABLE, column=f"{column}_sealed", row_id=row.id, version=version
            )
        )
        hmac = None if value is None else lookup_hmac(ring, kind, value, version=version)
        setattr(row, f"{column}_sealed", sealed)
        setattr(row, f"{column}_lookup", hmac)
    row.key_version = version


def add_items(s: Session, ring: DataKeyRing, items: Sequence[NewItem], now: datetime) -> int:
    """Queue ``items``, sealing their identifiers under the ring's current key."""
    for item in items:
        row = ReviewItem(
            id=item.id,
            job_id=item.job_id,
            agreement_id=item.agreement_id,
            request_id=item.request_id,
            person_id=item.person_id,
            score=item.score,
            status=ReviewStatus.PENDING.value,
            created_at=now,
        )
        _seal(ring, row, {"ssn": item.ssn, "a_number": item.a_number}, ring.current)
        s.add(row)
    s.flush()
    return len(items)


def reveal(ring: DataKeyRing, item: QueuedItem) -> dict[str, str | None]:
    """The item's identifiers in the clear (for a reviewer); ``SealedDataError`` if tampered."""
    sealed = {"ssn": item.ssn_sealed, "a_number": item.a_number_sealed}
    out: dict[str, str | None] = {}
    for column in SEALED_COLUMNS:
        value = sealed[column]
        out[column] = (
            None
            if value is None
            else open_value(ring, value, table=TABLE, column=f"{column}_sealed", row_id=item.id)
        )
    return out


def items_of_job(s: Session, job_id: str) -> list[QueuedItem]:
    return [_item(row) for row in s.scalars(select(ReviewItem).where(ReviewItem.job_id == job_id))]


def find_by(s: Session, ring: DataKeyRing, column: str, value: str) -> list[QueuedItem]:
    """Items whose ``column`` (``ssn`` or ``a_number``) equals ``value``, by lookup HMAC under
    every live key (rows not yet moved to the current key are found too)."""
    kind = SEALED_COLUMNS[column]
    wanted = lookups(ring, kind, value)
    where = getattr(ReviewItem, f"{column}_lookup").in_(wanted)
    query = select(ReviewItem).where(where).order_by(ReviewItem.created_at)
    return [_item(row) for row in s.scalars(query)]


def count_by_key(s: Session) -> dict[int, int]:
    """Rows per key version."""
    query = select(ReviewItem.key_version, func.count()).group_by(ReviewItem.key_version)
    return {int(v): int(n) for v, n in s.execute(query).all()}


def ids_not_under(s: Session, version: int, limit: int) -> list[str]:
    """Ids of up to ``limit`` rows under a key other than ``version``."""
    query = select(ReviewItem.id).where(ReviewItem.key_version != version).limit(limit)
    return list(s.scalars(query).all())


def move_to_key(s: Session, ring: DataKeyRing, item_id: str, version: int) -> bool:
    """Re-encrypt one row under key ``version``; False if it vanished or changed meanwhile."""
    row = s.get(ReviewItem, item_id)
    if row is None or row.key_version == version:
        return False
    old_ssn, old_a = row.ssn_sealed, row.a_number_sealed
    values = reveal(ring, _item(row))
    s.expunge(row)
    fresh = ReviewItem(id=row.id)
    _seal(ring, fresh, values, version)
    changed = s.execute(
        update(ReviewItem)
        .where(
            ReviewItem.id == item_id,
            ReviewItem.key_version == row.key_version,
            _same(ReviewItem.ssn_sealed, old_ssn),
            _same(ReviewItem.a_number_sealed, old_a),
        )
        .values(
            key_version=version,
            ssn_sealed=fresh.ssn_sealed,
            ssn_lookup=fresh.ssn_lookup,
            a_number_sealed=fresh.a_number_sealed,
            a_number_lookup=fresh.a_number_lookup,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(changed, "rowcount", 0) == 1)


def _same(column: InstrumentedAttribute[bytes | None], value: bytes | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def delete_job_items(s: Session, job_id: str) -> int:
    """Delete a job's items (retention); how many there were."""
    result = s.execute(
        delete(ReviewItem)
        .where(ReviewItem.job_id == job_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def count_job_items(s: Session, job_id: str) -> int:
    query = select(func.count()).where(ReviewItem.job_id == job_id)
    return int(s.scalar(query) or 0)


__all__ = [
    "TABLE",
    "NewItem",
    "QueuedItem",
    "ReviewItem",
    "add_items",
    "count_by_key",
    "count_job_items",
    "delete_job_items",
    "find_by",
    "ids_not_under",
    "items_of_job",
    "move_to_key",
    "reveal",
]
