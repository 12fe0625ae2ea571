"""The audit store: append-only entries, the subject index, the chain head, stored checkpoints.

Tables (rows hold identifiers, hashes, counts and keyed HMACs, never personal values):

* ``audit_entries``: one row per entry, never updated or deleted; triggers (made by the
  migration ``audit_0001``) refuse UPDATE, DELETE (and, on PostgreSQL, TRUNCATE), so only
  someone who drops them can rewrite history, and the hashes catch that.
* ``audit_subjects``: (subject HMAC, sequence) for each person an entry names, written in the
  same transaction as the entry: the accounting of disclosures reads the log through it.
* ``audit_head``: one row (id 1): log id, size, last entry hash, Merkle frontier, size of the
  last checkpoint. Appends lock it, which serializes writers.
* ``audit_checkpoints``: copies of the signed checkpoints (the trusted ones live outside).

Entries go in and come back as :class:`matchgate.domain.audit.Entry` (:func:`entry_of`), and
the head as :class:`matchgate.domain.audit.StoredHead`, never as rows: the kernel's append
(``matchgate.app.audit``) reads the head locked and writes it back (:func:`save_head`) in the
transaction of the entries it appends.

Durability: on SQLite every connection runs in WAL mode with ``synchronous=FULL`` (a commit is
on disk when it returns) and write transactions start with ``BEGIN IMMEDIATE``; on PostgreSQL
a commit is durable when it returns (``synchronous_commit`` on, the default).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Engine,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from matchgate.domain.audit import Entry, StoredHead
from matchgate.domain.errors import ConfigurationError
from matchgate.storage.models import Base


class AuditEntryRow(Base):
    """One audit entry, exactly as hashed (see ``matchgate.audit.entry``)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_kind", "kind", "sequence"),)

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agreement: Mapped[str | None] = mapped_column(String(200), nullable=True)
    subjects: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    leaf_hash: Mapped[str] = mapped_column(String(64))


class AuditSubjectRow(Base):
    """The accounting index: entry ``sequence`` names the person with HMAC ``subject``."""

    __tablename__ = "audit_subjects"
    __table_args__ = (Index("ix_audit_subjects_sequence", "sequence"),)

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AuditHeadRow(Base):
    """The chain head: the single row appends lock and advance."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    log_id: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[str] = mapped_column(Text)
    checkpointed: Mapped[int] = mapped_column(BigInteger)


class AuditCheckpointRow(Base):
    """A copy of a signed checkpoint line, in the order made."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    line: Mapped[str] = mapped_column(Text)


TABLE_NAMES = ("audit_entries", "audit_subjects", "audit_head", "audit_checkpoints")
HEAD_ID = 1


def _sqlite_durable(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=16)
def audit_engine(url: str, *, write: bool) -> Engine:
    """The engine for writing (serialized, durable) or reading (a consistent snapshot); refuses
    a store whose schema is absent or behind (see ``storage.migrate``), creating no table, and
    a SQLite file that does not exist, creating no file (only ``audit init`` and ``db upgrade``
    create the store, through ``upgrade_schema``)."""
    if missing_sqlite_file(url):
        raise ConfigurationError(
            f"the audit store {describe_url(url)} does not exist (check MATCHGATE_AUDIT_URL): "
            "run `matchgate db upgrade` (or `matchgate audit init`) to create it"
        )
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        extra: dict[str, Any] = {"poolclass": StaticPool} if memory else {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **extra)
        _sqlite_durable(engine, immediate=write)
    else:
        options: dict[str, Any] = {} if write else {"isolation_level": "REPEATABLE READ"}
        engine = create_engine(url, pool_pre_ping=True, **options)
    from matchgate.storage.db import track
    from matchgate.storage.migrate import require_current

    try:
        require_current(engine, "audit")
    except BaseException:
        engine.dispose()
        raise
    return track(engine)


@contextmanager
def transaction(url: str, *, write: bool) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    factory = sessionmaker(audit_engine(url, write=write), expire_on_commit=False)
    with factory() as s, s.begin():
        yield s


def upgrade_schema(url: str) -> str:
    """Create or upgrade the audit tables (migrations); the revision the store is now at."""
    from matchgate.storage.migrate import upgrade

    return upgrade(url, "audit").after


def tables_present(s: Session) -> bool:
    names = set(inspect(s.connection()).get_table_names())
    return set(TABLE_NAMES) <= names


_FIELDS = {kind: tuple(field.name for field in fields(kind)) for kind in (Entry, StoredHead)}
"""An entry's and the head's fields are their row's columns, by the same names."""


def _columns(source: object, value_type: type[Entry] | type[StoredHead]) -> dict[str, Any]:
    """``source``'s values of the fields of ``value_type`` (a row's, or a value's)."""
    return {name: getattr(source, name) for name in _FIELDS[value_type]}


def head(s: Session, *, lock: bool) -> StoredHead | None:
    """The head; ``lock`` holds its row until the transaction ends (one writer at a time).

    The values are handed back as stored (a head edited outside the log is ``verify``'s
    finding)."""
    query = select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)
    if lock:
        query = query.with_for_update()
    row = s.scalars(query).first()
    return None if row is None else StoredHead(**_columns(row, StoredHead))


def add_head(s: Session, head: StoredHead) -> None:
    """Insert the head of a new log."""
    s.add(AuditHeadRow(id=HEAD_ID, **_columns(head, StoredHead)))
    s.flush()


def save_head(s: Session, head: StoredHead) -> None:
    """Write the advanced head back (its log id never changes); the caller holds its lock."""
    s.execute(
        update(AuditHeadRow)
        .where(AuditHeadRow.id == HEAD_ID)
        .values(
            size=head.size,
            last_hash=head.last_hash,
            frontier=head.frontier,
            checkpointed=head.checkpointed,
        )
        .execution_options(synchronize_session=False)
    )


def entry_of(row: AuditEntryRow) -> Entry:
    """The audit entry a stored row holds (field by field: ``verify`` maps every row)."""
    return Entry(
        sequence=int(row.sequence),
        recorded_at=row.recorded_at,
        kind=row.kind,
        actor=row.actor,
        agency=row.agency,
        agreement=row.agreement,
        subjects=row.subjects,
        details=row.details,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        leaf_hash=row.leaf_hash,
    )


def add_entry(s: Session, entry: Entry, subjects: Sequence[str]) -> None:
    """Insert an entry and its index rows (the caller's transaction commits both or neither)."""
    s.add(AuditEntryRow(**_columns(entry, Entry)))
    s.flush()
    if subjects:
        s.execute(
            insert(AuditSubjectRow),
            [{"subject": subject, "sequence": entry.sequence} for subject in subjects],
        )


def add_checkpoint(s: Session, size: int, line: str) -> None:
    s.add(AuditCheckpointRow(size=size, line=line))
    s.flush()


def checkpoint_lines(s: Session) -> list[str]:
    return list(s.scalars(select(AuditCheckpointRow.line).order_by(AuditCheckpointRow.id)))


def entries(s: Session, start: int = 0, stop: int | None = None) -> Iterator[Entry]:
    """Entries with ``start <= sequence < stop`` in sequence order, fetched in batches."""
    query = select(AuditEntryRow).where(AuditEntryRow.sequence >= start)
    if stop is not None:
        query = query.where(AuditEntryRow.sequence < stop)
    query = query.order_by(AuditEntryRow.sequence).execution_options(yield_per=500)
    for row in s.scalars(query):
        yield entry_of(row)


def entries_at(s: Session, sequences: Collection[int]) -> list[Entry]:
    if not sequences:
        return []
    found: list[Entry] = []
    ordered = sorted(set(sequences))
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        query = select(AuditEntryRow).where(AuditEntryRow.sequence.in_(chunk))
        found.extend(entry_of(row) for row in s.scalars(query))
    return sorted(found, key=lambda e: e.sequence)


def last_entries(s: Session, count: int) -> list[Entry]:
    query = select(AuditEntryRow).order_by(AuditEntryRow.sequence.desc()).limit(count)
    return [entry_of(row) for row in reversed(s.scalars(query).all())]


def entries_of_kind(s: Session, kind: str) -> list[Entry]:
    query = select(AuditEntryRow).where(AuditEntryRow.kind == kind)
    return [entry_of(row) for row in s.scalars(query.order_by(AuditEntryRow.sequence))]


def index_rows(s: Session, start: int, stop: int) -> dict[int, set[str]]:
    """Subjects the index lists for each sequence in ``[start, stop)``."""
    query = select(AuditSubjectRow.sequence, AuditSubjectRow.subject).where(
        AuditSubjectRow.sequence >= start, AuditSubjectRow.sequence < stop
    )
    listed: dict[int, set[str]] = {}
    for sequence, subject in s.execute(query):
        listed.setdefault(sequence, set()).add(subject)
    return listed


def index_rows_from(s: Session, start: int) -> int:
    """How many index rows name a sequence at or after ``start``."""
    query = select(func.count()).select_from(AuditSubjectRow)
    return int(s.scalar(query.where(AuditSubjectRow.sequence >= start)) or 0)


def sequences_for(s: Session, subjects: Collection[str]) -> list[int]:
    """Every entry the index lists for any of ``subjects``."""
    query = select(AuditSubjectRow.sequence).where(AuditSubjectRow.subject.in_(list(subjects)))
    return sorted(set(s.scalars(query)))


def leaf_hashes(s: Session, size: int) -> list[str]:
    """The stored leaf hashes of entries ``0 .. size-1``, in order."""
    query = (
        select(AuditEntryRow.leaf_hash)
        .where(AuditEntryRow.sequence < size)
        .order_by(AuditEntryRow.sequence)
        .execution_options(yield_per=10_000)
    )
    return list(s.scalars(query))


def first_sequence_since(s: Session, recorded_at: str) -> int | None:
    """The first entry recorded at or after ``recorded_at`` (same text form), if any."""
    query = select(func.min(AuditEntryRow.sequence)).where(AuditEntryRow.recorded_at >= recorded_at)
    value = s.scalar(query)
    return None if value is None else int(value)


def index_subjects_before(s: Session, stop: int) -> list[str]:
    query = select(AuditSubjectRow.subject).where(AuditSubjectRow.sequence < stop).distinct()
    return list(s.scalars(query))


def drop_index_rows(s: Session, stop: int, subjects: Collection[str]) -> int:
    """Delete the index rows of ``subjects`` for entries before ``stop``; return how many."""
    dropped = 0
    ordered = sorted(subjects)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        result = s.execute(
            delete(AuditSubjectRow).where(
                AuditSubjectRow.sequence < stop, AuditSubjectRow.subject.in_(chunk)
            )
        )
        dropped += int(getattr(result, "rowcount", 0) or 0)
    return dropped


def missing_sqlite_file(url: str) -> bool:
    """Whether ``url`` names a SQLite database file that does not exist (opening it would
    create an empty one)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return False
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return False
    if "uri" in parsed.query or database.startswith("file:"):
        return False  # a SQLite URI names its own mode; left to SQLite
    return not Path(database).exists()


def describe_url(url: str) -> str:
    """The store's URL for messages, with any password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"
