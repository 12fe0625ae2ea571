"""Stored agreement versions: the exact YAML text as added, its SHA-256, and columns to list by.

The text is the record; everything else is derived from it and kept only to query without
parsing. Rows are never updated or deleted: a change to an agreement is a new version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.storage.models import Base


class AgreementVersion(Base):
    """One version of one agreement."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "sha256", name="uq_agreement_text"),)

    agreement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(2000))
    disclosing: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(16), index=True)
    effective: Mapped[date] = mapped_column(Date)
    expires: Mapped[date] = mapped_column(Date)
    source_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def parties_of(s: Session, agreement_id: str) -> tuple[str, str] | None:
    """The disclosing and recipient agencies of the highest version, or None: two columns, not
    the row with its text (every governed read of an object under an agreement asks this)."""
    query = (
        select(AgreementVersion.disclosing, AgreementVersion.recipient)
        .where(AgreementVersion.agreement_id == agreement_id)
        .order_by(AgreementVersion.version.desc())
        .limit(1)
    )
    row = s.execute(query).first()
    return None if row is None else (row.disclosing, row.recipient)


def versions_of(s: Session, agreement_id: str) -> Sequence[AgreementVersion]:
    """Every stored version of one agreement, lowest first."""
    query = (
        select(AgreementVersion)
        .where(AgreementVersion.agreement_id == agreement_id)
        .order_by(AgreementVersion.version)
    )
    return s.scalars(query).all()


def version_of(s: Session, agreement_id: str, version: int | None) -> AgreementVersion | None:
    """One version (the highest when ``version`` is None), or None."""
    if version is not None:
        return s.get(AgreementVersion, (agreement_id, version))
    query = (
        select(AgreementVersion)
        .where(AgreementVersion.agreement_id == agreement_id)
        .order_by(AgreementVersion.version.desc())
        .limit(1)
    )
    return s.scalars(query).first()


def latest_versions(s: Session) -> Sequence[AgreementVersion]:
    """The highest version of every agreement, by id."""
    highest = (
        select(
            AgreementVersion.agreement_id,
            func.max(AgreementVersion.version).label("version"),
        )
        .group_by(AgreementVersion.agreement_id)
        .subquery()
    )
    query = (
        select(AgreementVersion)
        .join(
            highest,
            (AgreementVersion.agreement_id == highest.c.agreement_id)
            & (AgreementVersion.version == highest.c.version),
        )
        .order_by(AgreementVersion.agreement_id)
    )
    return s.scalars(query).all()


class VersionTaken(Exception):
    """Another writer stored the same version (or the same text) first."""


def add_version(s: Session, row: AgreementVersion) -> None:
    """Add a version; the caller's transaction commits it (or rolls it back on error)."""
    s.add(row)
    try:
        s.flush()
    except IntegrityError:
        raise VersionTaken(f"{row.agreement_id} v{row.version}") from None
