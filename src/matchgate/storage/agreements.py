"""Stored agreement versions: the exact YAML text as added, its SHA-256, and columns to list by.

The text is the record; everything else is derived from it and kept only to query without
parsing. Rows are never updated or deleted: a change to an agreement is a new version.

The repository hands back :class:`matchgate.domain.agreements.AgreementVersion`, never a row.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.domain.agreements import AgreementVersion
from matchgate.storage.models import Base


class AgreementVersionRow(Base):
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
        select(AgreementVersionRow.disclosing, AgreementVersionRow.recipient)
        .where(AgreementVersionRow.agreement_id == agreement_id)
        .order_by(AgreementVersionRow.version.desc())
        .limit(1)
    )
    row = s.execute(query).first()
    return None if row is None else (row.disclosing, row.recipient)


def _version(row: AgreementVersionRow) -> AgreementVersion:
    return AgreementVersion(
        agreement_id=row.agreement_id,
        version=row.version,
        title=row.title,
        disclosing=row.disclosing,
        recipient=row.recipient,
        effective=row.effective,
        expires=row.expires,
        source_name=row.source_name,
        sha256=row.sha256,
        text=row.text,
        added_at=row.added_at,
    )


def versions_of(s: Session, agreement_id: str) -> list[AgreementVersion]:
    """Every stored version of one agreement, lowest first."""
    query = (
        select(AgreementVersionRow)
        .where(AgreementVersionRow.agreement_id == agreement_id)
        .order_by(AgreementVersionRow.version)
    )
    return [_version(row) for row in s.scalars(query)]


def version_of(s: Session, agreement_id: str, version: int | None) -> AgreementVersion | None:
    """One version (the highest when ``version`` is None), or None."""
    if version is not None:
        row = s.get(AgreementVersionRow, (agreement_id, version))
    else:
        query = (
            select(AgreementVersionRow)
            .where(AgreementVersionRow.agreement_id == agreement_id)
            .order_by(AgreementVersionRow.version.desc())
            .limit(1)
        )
        row = s.scalars(query).first()
    return None if row is None else _version(row)


def latest_versions(s: Session) -> list[AgreementVersion]:
    """The highest version of every agreement, by id."""
    highest = (
        select(
            AgreementVersionRow.agreement_id,
            func.max(AgreementVersionRow.version).label("version"),
        )
        .group_by(AgreementVersionRow.agreement_id)
        .subquery()
    )
    query = (
        select(AgreementVersionRow)
        .join(
            highest,
            (AgreementVersionRow.agreement_id == highest.c.agreement_id)
            & (AgreementVersionRow.version == highest.c.version),
        )
        .order_by(AgreementVersionRow.agreement_id)
    )
    return [_version(row) for row in s.scalars(query)]


class VersionTaken(Exception):
    """Another writer stored the same version (or the same text) first."""


def add_version(s: Session, version: AgreementVersion) -> None:
    """Add a version; the caller's transaction commits it (or rolls it back on error)."""
    s.add(AgreementVersionRow(**dataclasses.asdict(version)))
    try:
        s.flush()
    except IntegrityError:
        raise VersionTaken(f"{version.agreement_id} v{version.version}") from None
