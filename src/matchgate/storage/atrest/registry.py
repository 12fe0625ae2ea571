"""Which data key ring the operational store's sealed values and files are under.

One row per ring id. ``services.atrest`` refuses to create a new ring when the store already
names one (the key file is missing or another ring's): starting a fresh ring beside data sealed
under a lost one would hide the loss until someone needs that data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.storage.models import Base


class DataKeyRingRecord(Base):
    __tablename__ = "data_key_rings"

    ring_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def registered_rings(s: Session) -> list[str]:
    return list(s.scalars(select(DataKeyRingRecord.ring_id)).all())


def register_ring(s: Session, ring_id: str, now: datetime) -> None:
    if s.get(DataKeyRingRecord, ring_id) is None:
        s.add(DataKeyRingRecord(ring_id=ring_id, registered_at=now))
        s.flush()
