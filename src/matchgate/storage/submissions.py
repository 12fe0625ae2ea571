"""Stored submissions (one row per submitted file) and onward-use notices.

Rows hold ids, hashes, codes and counts, never personal values. A submission's validation
report is JSON of codes, row numbers and request ids. Its ``message`` (and the error the report
repeats) passes :func:`safe_message` on every write: the one rule for what a stored or reported
submission message may hold (migration ``operational_0002`` applies it to older rows).
``active_digest`` is the file's SHA-256 while the submission holds it (accepted, held for
consultation, processed or disclosed) and NULL otherwise; it is unique per agreement, so the
same file cannot be taken for processing twice, even by two submitters racing (NULLs never
collide, in SQLite and PostgreSQL alike).

The repository hands back :class:`matchgate.domain.submissions.StoredSubmission` and
:class:`matchgate.domain.notices.OnwardNotice`, never a row: a use case adds a submission from
its domain value (:func:`add_submission`) and changes one through :func:`change_submission`,
which names the columns it may set (:class:`SubmissionChanges`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any, TypedDict, Unpack

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
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, validates

from matchgate.domain.lifecycle import NoticeStatus, SubmissionStatus
from matchgate.domain.notices import OnwardNotice
from matchgate.domain.submissions import StoredSubmission
from matchgate.storage.models import Base

HOLDING = (
    SubmissionStatus.VALIDATED,
    SubmissionStatus.NEEDS_CONSULTATION,
    SubmissionStatus.PROCESSED,
    SubmissionStatus.DISCLOSED,
)
"""Statuses in which a (non-dry-run) submission keeps its file's digest claimed."""
ACCEPTED = (SubmissionStatus.VALIDATED, SubmissionStatus.PROCESSED, SubmissionStatus.DISCLOSED)
"""Statuses that count as a file accepted in its month (for the files-per-month cap)."""


MAX_MESSAGE = 2000
"""Longest message stored; a longer one is withheld."""
QUOTABLE_IN_FILE_ERRORS = frozenset({"'request_id'"})
"""Quoted text a file error may hold: the field its location names (``field 'request_id'``)."""
_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|[`\u2018\u2019\u201c\u201d]""")
_VALUE_SHAPED = (
    re.compile(r"(?<![\w-])\d{3}-?\d{2}-?\d{4}(?![\w-])"),  # an SSN, with or without hyphens
    re.compile(r"(?<![\w,.])[A-Za-z]?\d{7,}(?![\w,])"),  # a long number, an A-number
)
_DATE_SHAPED = re.compile(
    r"(?<![\w/-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{8})(?![\w/-])"
)


def withheld(code: str | None) -> str:
    """The value-free text stored in place of a message that could carry values."""
    return (
        f"{code or 'the submission'}: the details are withheld because they could quote content "
        "of the file (see the meaning of the code in docs/submissions.md)"
    )


def is_safe_message(code: str | None, message: str) -> bool:
    """Whether ``message`` may be stored and shown as it is: the one rule.

    Every message: printable, at most :data:`MAX_MESSAGE` characters, with no SSN-shaped or long
    number (an A-number included). A file error (an ``E_`` code; governance refusals are ``R_``
    and quote only the agreement's words, and dates, which they need) also holds no quoted text
    but the field of its location, and no date: its text is the program's own words, positions
    and counts, so quotes or a date there mean the file's content came in (the headerless
    file's "unknown columns" did).
    """
    if len(message) > MAX_MESSAGE or not message.isprintable():
        return False
    if any(shape.search(message) for shape in _VALUE_SHAPED):
        return False
    if code is not None and code.startswith("R_"):
        return True
    quoted = _QUOTED.findall(message)
    if any(text not in QUOTABLE_IN_FILE_ERRORS for text in quoted):
        return False
    return _DATE_SHAPED.search(message) is None


def safe_message(code: str | None, message: str | None) -> str | None:
    """``message`` when :func:`is_safe_message`, else :func:`withheld` naming ``code``."""
    if message is None or is_safe_message(code, message):
        return message
    return withheld(code)


class Submission(Base):
    """One submitted file under one agreement."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("agreement_id", "active_digest", name="uq_active_digest"),)

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(64), index=True)
    agreement_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    purpose: Mapped[str] = mapped_column(String(64))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    month: Mapped[str] = mapped_column(String(7), index=True)
    source_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    active_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stored_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    records: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    package_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    package_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    master_snapshot_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recipient_key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    consultation_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    consulted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    consulted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    consultation_record: Mapped[str | None] = mapped_column(Text, nullable=True)
    consultation_version: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @validates("message")
    def _scrub_message(self, _key: str, message: str | None) -> str | None:
        """Every message written passes the one rule (set ``code`` first: it names it)."""
        return safe_message(self.code, message)


class OnwardUseNotice(Base):
    """A recipient's notice of a proposed new use or disclosure, and the discloser's decision."""

    __tablename__ = "onward_use_notices"
    __table_args__ = (UniqueConstraint("agreement_id", "sequence", name="uq_notice_sequence"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    sequence: Mapped[int] = mapped_column(Integer)


class DigestTaken(Exception):
    """Another submission under the agreement holds a file with the same SHA-256."""


def add_submission(s: Session, submission: StoredSubmission, *, month: str) -> None:
    """Add a submission (counted in ``month``, ``YYYY-MM``); :class:`DigestTaken` when its
    active digest is already held."""
    row = Submission(
        job_id=submission.job_id,
        agreement_id=submission.agreement_id,
        agreement_version=submission.agreement_version,
        purpose=submission.purpose,
        dry_run=submission.dry_run,
        status=submission.status,
        received_at=submission.received_at,
        updated_at=submission.updated_at,
        month=month,
        source_name=submission.source_name,
        size_bytes=submission.size_bytes,
        sha256=submission.sha256,
        stored_path=submission.stored_path,
        master_snapshot_id=submission.master_snapshot_id,
        recipient_key_id=submission.recipient_key_id,
        counts=dict(submission.counts),
        report=dict(submission.report),
    )
    s.add(row)
    try:
        s.flush()
    except IntegrityError:
        raise DigestTaken(row.sha256 or "") from None


class SubmissionChanges(TypedDict, total=False):
    """The columns a use case may change on a stored submission, by name."""

    status: str
    code: str | None
    message: str | None
    active_digest: str | None
    duplicate_of: str | None
    report: dict[str, Any]
    format: str | None
    records: int | None
    counts: dict[str, Any]
    package_id: str | None
    package_sha256: str | None
    agreement_version: int | None
    master_snapshot_id: str | None
    recipient_key_id: str | None
    consultation_outcome: str | None
    consulted_by: str | None
    consulted_at: datetime | None
    consultation_record: str | None
    consultation_version: int | None


def change_submission(
    s: Session, job_id: str, *, updated_at: datetime, **changes: Unpack[SubmissionChanges]
) -> None:
    """Set ``changes`` on the submission, in the order given, and its ``updated_at``;
    :class:`LookupError` when there is no such submission.

    A ``message`` passes :func:`safe_message` under the ``code`` set before it (or the stored
    one), as every write of the column does; give ``code`` before ``message``.
    """
    row = s.get(Submission, job_id)
    if row is None:
        raise LookupError(job_id)
    for column, value in changes.items():
        setattr(row, column, value)
    row.updated_at = updated_at
    s.flush()


def claim_digest(s: Session, job_id: str, agreement_id: str, sha256: str) -> None:
    """Set the submission's active digest; :class:`DigestTaken` when another holds it."""
    row = s.get(Submission, job_id)
    if row is None:
        raise LookupError(job_id)
    row.active_digest = sha256
    try:
        with s.begin_nested():
            s.flush()
    except IntegrityError:
        raise DigestTaken(sha256) from None


def holder_of(s: Session, agreement_id: str, sha256: str) -> StoredSubmission | None:
    """The submission holding ``sha256`` under the agreement, if any."""
    query = select(Submission).where(
        Submission.agreement_id == agreement_id, Submission.active_digest == sha256
    )
    row = s.scalars(query).first()
    return None if row is None else _stored(row)


def accepted_in_month(s: Session, agreement_id: str, month: str, *, excluding: str) -> int:
    """Files accepted under the agreement in ``month`` (``YYYY-MM``), other than ``excluding``."""
    query = select(func.count()).where(
        Submission.agreement_id == agreement_id,
        Submission.month == month,
        Submission.dry_run.is_(False),
        Submission.status.in_([status.value for status in ACCEPTED]),
        Submission.job_id != excluding,
    )
    return int(s.scalar(query) or 0)


def _consultation(row: Submission) -> dict[str, Any] | None:
    if row.consultation_outcome is None:
        return None
    return {
        "outcome": row.consultation_outcome,
        "by": row.consulted_by,
        "at": None if row.consulted_at is None else row.consulted_at.isoformat(),
        "record": row.consultation_record,
        "agreement_version": row.consultation_version,
    }


def _stored(row: Submission) -> StoredSubmission:
    return StoredSubmission(
        job_id=row.job_id,
        agreement_id=row.agreement_id,
        agreement_version=row.agreement_version,
        purpose=row.purpose,
        dry_run=row.dry_run,
        status=row.status,
        code=row.code,
        message=row.message,
        received_at=row.received_at,
        updated_at=row.updated_at,
        source_name=row.source_name,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        format=row.format,
        records=row.records,
        duplicate_of=row.duplicate_of,
        package_id=row.package_id,
        counts=dict(row.counts or {}),
        report=dict(row.report or {}),
        master_snapshot_id=row.master_snapshot_id,
        recipient_key_id=row.recipient_key_id,
        consultation=_consultation(row),
        stored_path=row.stored_path,
    )


def stored_submission(s: Session, job_id: str) -> StoredSubmission | None:
    """One submission as stored, or None."""
    row = s.get(Submission, job_id)
    return None if row is None else _stored(row)


def _with_parties() -> Select[Any]:
    from matchgate.storage.agreements import AgreementVersionRow as Version

    def party(column: Any) -> Any:
        return (
            select(column)
            .where(Version.agreement_id == Submission.agreement_id)
            .order_by(Version.version.desc())
            .limit(1)
            .scalar_subquery()
        )

    return select(Submission, party(Version.disclosing), party(Version.recipient)).where(
        Submission.job_id == bindparam("job_id")
    )


_WITH_PARTIES = _with_parties()
"""Built once: building a statement and its cache key cost a request more than running it."""


def stored_submission_with_parties(
    s: Session, job_id: str
) -> tuple[StoredSubmission, tuple[str, str] | None] | None:
    """One submission as stored, with the disclosing and recipient agencies of its agreement's
    highest version (None when the agreement is not stored), in one query; None when there is
    no such submission (every status poll and package download of the HTTP API reads this)."""
    row = s.execute(_WITH_PARTIES, {"job_id": job_id}).first()
    if row is None:
        return None
    submission, disclosing, recipient = row
    parties = None if disclosing is None or recipient is None else (disclosing, recipient)
    return _stored(submission), parties


def list_submissions(
    s: Session,
    *,
    agreement_id: str | None = None,
    limit: int = 100,
    agreement_ids: Collection[str] | None = None,
) -> list[StoredSubmission]:
    """The latest submissions first, optionally of one agreement or of a set of agreements."""
    query = select(Submission).order_by(Submission.received_at.desc()).limit(limit)
    if agreement_id is not None:
        query = query.where(Submission.agreement_id == agreement_id)
    if agreement_ids is not None:
        query = query.where(Submission.agreement_id.in_(sorted(agreement_ids)))
    return [_stored(row) for row in s.scalars(query)]


def _onward(row: OnwardUseNotice) -> OnwardNotice:
    return OnwardNotice(
        id=row.id,
        agreement_id=row.agreement_id,
        purpose=row.purpose,
        description=row.description,
        filed_by=row.filed_by,
        filed_at=row.filed_at,
        status=NoticeStatus(row.status),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


def add_notice(s: Session, notice: OnwardNotice) -> OnwardNotice:
    """Store a new notice, numbered after the agreement's last; the notice as stored."""
    last = s.scalar(
        select(func.max(OnwardUseNotice.sequence)).where(
            OnwardUseNotice.agreement_id == notice.agreement_id
        )
    )
    row = OnwardUseNotice(
        id=notice.id,
        agreement_id=notice.agreement_id,
        purpose=notice.purpose,
        description=notice.description,
        filed_by=notice.filed_by,
        filed_at=notice.filed_at,
        status=notice.status.value,
        decided_by=notice.decided_by,
        decided_at=notice.decided_at,
        decision_note=notice.decision_note,
        sequence=int(last or 0) + 1,
    )
    s.add(row)
    s.flush()
    return _onward(row)


def decide_pending(
    s: Session,
    notice_id: str,
    *,
    status: str,
    decided_by: str,
    decided_at: datetime,
    note: str | None,
) -> bool:
    """Record a decision on a notice only if it is still pending; whether it was."""
    changed = s.execute(
        update(OnwardUseNotice)
        .where(
            OnwardUseNotice.id == notice_id, OnwardUseNotice.status == NoticeStatus.PENDING.value
        )
        .values(status=status, decided_by=decided_by, decided_at=decided_at, decision_note=note)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(changed, "rowcount", 0) == 1)


def get_notice(s: Session, notice_id: str) -> OnwardNotice | None:
    row = s.get(OnwardUseNotice, notice_id)
    return None if row is None else _onward(row)


def notices_of(s: Session, agreement_id: str | None = None) -> list[OnwardNotice]:
    """Notices in the order they were filed (of one agreement, or all)."""
    query = select(OnwardUseNotice).order_by(OnwardUseNotice.agreement_id, OnwardUseNotice.sequence)
    if agreement_id is not None:
        query = query.where(OnwardUseNotice.agreement_id == agreement_id)
    return [_onward(row) for row in s.scalars(query)]
