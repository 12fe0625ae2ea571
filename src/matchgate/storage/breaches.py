"""Stored breach incidents and their steps, and the audit entries a breach is derived from.

Incidents live in the operational store, not the audit store: an incident is a working record
whose status changes (the audit tables are append-only and hold nothing that changes), and its
free-text summary must not become a Merkle leaf that can never be redacted. Every step is also
an audit entry (``breach.opened``, ...), recorded before the row changes; ``breach_steps`` keeps
each step's audit sequence so the timeline can be proved against the log.

Rows hold ids, codes, times and counts, never personal values. The repository hands back
:class:`matchgate.domain.breach.Incident` (with its steps), never a row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    String,
    Text,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchgate.domain.audit import Entry
from matchgate.domain.breach import Incident, Scope, Step, aware_utc, parse_category, parse_status
from matchgate.storage.audit import AuditEntryRow, entry_of
from matchgate.storage.models import Base


class BreachIncident(Base):
    """One incident: what, when discovered and opened, its scope, and where it stands."""

    __tablename__ = "breach_incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    reported_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    discovered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reported_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cisa_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contained_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    affected_people: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class BreachStep(Base):
    """One step of an incident (opened, reported, contained, closed, assessed), in order."""

    __tablename__ = "breach_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    audit_sequence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


def _maybe(moment: datetime | None) -> datetime | None:
    return None if moment is None else aware_utc(moment)


def _incident(row: BreachIncident, steps: Sequence[BreachStep]) -> Incident:
    return Incident(
        id=row.id,
        category=parse_category(row.category),
        summary=row.summary,
        reported_by=row.reported_by,
        opened_at=aware_utc(row.opened_at),
        discovered_at=aware_utc(row.discovered_at),
        due_at=aware_utc(row.due_at),
        scope=Scope.from_json(row.scope),
        status=parse_status(row.status),
        reported_at=_maybe(row.reported_at),
        reported_to=row.reported_to,
        cisa_reference=row.cisa_reference,
        contained_at=_maybe(row.contained_at),
        closed_at=_maybe(row.closed_at),
        assessed_at=_maybe(row.assessed_at),
        affected_people=row.affected_people,
        steps=tuple(Step(s.step, aware_utc(s.at), s.by, s.note, s.audit_sequence) for s in steps),
    )


def _step_row(incident_id: str, step: Step) -> BreachStep:
    return BreachStep(
        incident_id=incident_id,
        step=step.step,
        at=step.at,
        by=step.by,
        note=step.note,
        audit_sequence=step.audit_sequence,
    )


def add_incident(s: Session, incident: Incident) -> None:
    """Store a newly opened incident and its steps (the opening one)."""
    s.add(
        BreachIncident(
            id=incident.id,
            category=str(incident.category),
            summary=incident.summary,
            reported_by=incident.reported_by,
            opened_at=incident.opened_at,
            discovered_at=incident.discovered_at,
            due_at=incident.due_at,
            scope=incident.scope.to_json(),
            status=str(incident.status),
        )
    )
    for step in incident.steps:
        s.add(_step_row(incident.id, step))
    s.flush()


def _steps_of(s: Session, incident_id: str) -> Sequence[BreachStep]:
    query = select(BreachStep).where(BreachStep.incident_id == incident_id)
    return s.scalars(query.order_by(BreachStep.id)).all()


def get_incident(s: Session, incident_id: str) -> Incident | None:
    """One incident with its steps in order, or None."""
    row = s.get(BreachIncident, incident_id)
    return None if row is None else _incident(row, _steps_of(s, incident_id))


def list_incidents(s: Session, *, status: str | None = None) -> list[Incident]:
    """Incidents with their steps, latest opened first (of one status, or all)."""
    query = select(BreachIncident).order_by(BreachIncident.opened_at.desc())
    if status is not None:
        query = query.where(BreachIncident.status == status)
    rows = s.scalars(query).all()
    return [_incident(row, _steps_of(s, row.id)) for row in rows]


def advance(
    s: Session, incident_id: str, *, current: str, values: dict[str, Any], step: Step
) -> bool:
    """Move the incident on only if it is still ``current``; whether it was (one writer wins)."""
    changed = s.execute(
        update(BreachIncident)
        .where(BreachIncident.id == incident_id, BreachIncident.status == current)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(changed, "rowcount", 0) != 1:
        return False
    s.add(_step_row(incident_id, step))
    s.flush()
    return True


def record_assessment(s: Session, incident_id: str, *, values: dict[str, Any], step: Step) -> None:
    s.execute(
        update(BreachIncident)
        .where(BreachIncident.id == incident_id)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    s.add(_step_row(incident_id, step))
    s.flush()


# --- the audit entries a breach is derived from (read-only) -------------------------------------


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def audit_size(s: Session) -> int:
    """Entries in the audit log now (the derivation reads below this)."""
    from matchgate.storage.audit import head

    row = head(s, lock=False)
    return 0 if row is None else int(row.size)


def disclosure_entries(
    s: Session,
    *,
    kinds: Collection[str],
    stop: int,
    since: str | None = None,
    until: str | None = None,
    references: Sequence[tuple[str, str]] = (),
) -> Iterator[Entry]:
    """Entries of ``kinds`` below ``stop``, recorded in ``[since, until)`` (text times), whose
    details mention one of ``references`` (detail key, id) if any are given; each entry once.

    The reference test is a prefilter on the canonical details text (``"key":"id"``); callers
    check the parsed details, which are the truth.
    """
    base = select(AuditEntryRow).where(
        AuditEntryRow.kind.in_(list(kinds)), AuditEntryRow.sequence < stop
    )
    if since is not None:
        base = base.where(AuditEntryRow.recorded_at >= since)
    if until is not None:
        base = base.where(AuditEntryRow.recorded_at < until)
    if not references:
        for row in s.scalars(_ordered(base)):
            yield entry_of(row)
        return
    seen: set[int] = set()
    for i in range(0, len(references), _CHUNK):
        chunk = references[i : i + _CHUNK]
        likes = [
            AuditEntryRow.details.like(_like(f'"{key}":"{value}"'), escape="\\")
            for key, value in chunk
        ]
        for row in s.scalars(_ordered(base.where(or_(*likes)))):
            if row.sequence not in seen:
                seen.add(row.sequence)
                yield entry_of(row)


_CHUNK = 100


def _ordered(query: Any) -> Any:
    return query.order_by(AuditEntryRow.sequence).execution_options(yield_per=200)


def entries_of_kinds_from(
    s: Session, kinds: Collection[str], start: int, stop: int
) -> Iterator[Entry]:
    """Entries of ``kinds`` with ``start <= sequence < stop``."""
    query = select(AuditEntryRow).where(
        AuditEntryRow.kind.in_(list(kinds)),
        AuditEntryRow.sequence >= start,
        AuditEntryRow.sequence < stop,
    )
    for row in s.scalars(_ordered(query)):
        yield entry_of(row)
