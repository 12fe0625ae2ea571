"""The audit log's sink: set it up, open it (refusing to start without it), append, checkpoint,
witness a release for its recipients, withdraw and purge. Reading it (verify, prove, account,
show) is :mod:`matchgate.services.oversight.audit_queries`.

The audit stage (``matchgate.audit``) holds the formats and the arithmetic; the store
(``matchgate.storage.audit``) holds the rows; this module joins them, owns the transactions,
and reuses the package key code (``matchgate.disclosure.keys``) for the checkpoint signing key.
See docs/audit.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from matchgate.audit import (
    WITHDRAWAL_REASONS,
    Accounting,
    AuditKeyError,
    ChainHead,
    Checkpoint,
    Entry,
    EventRecord,
    Frontier,
    SubjectKey,
    WithdrawalRefused,
    append_checkpoint,
    build_accounting,
    check_event,
    check_purge,
    format_time,
    generate_subject_key,
    load_subject_key,
    plan_withdrawal,
    read_checkpoints,
    release_after_audit,
    sign_checkpoint,
    subject_key,
    withdrawal_event,
    write_subject_key,
)
from matchgate.audit.witness import WitnessRefused, leave_witness
from matchgate.disclosure import keys as signing_keys
from matchgate.disclosure.errors import PackageError
from matchgate.domain.audit import AuditEvent, AuditReceipt, AuditUnavailable, StoredHead
from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.domain.events import AccountingPurged
from matchgate.settings import Settings
from matchgate.storage import audit as store

T = TypeVar("T")

DEFAULT_CHECKPOINT_EVERY = 256
CHECKPOINT_FILE_NAME = "checkpoints.jsonl"


@dataclass(frozen=True)
class AuditConfig:
    """Where the audit log lives. Defaults sit in the workspace; production moves the checkpoint
    folder to storage the audit store's owners cannot rewrite, and the keys out of both."""

    url: str
    checkpoint_dir: Path
    subject_key_file: Path
    signing_key_file: Path
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY
    witness_dir: Path | None = None
    """Where each recipient agency's witness folder is; None: ``witness`` beside the checkpoint
    folder."""

    @property
    def witness_root(self) -> Path:
        return self.witness_dir or self.checkpoint_dir.parent / "witness"

    @property
    def checkpoint_file(self) -> Path:
        return self.checkpoint_dir / CHECKPOINT_FILE_NAME

    @property
    def signing_public_key_file(self) -> Path:
        return self.signing_key_file.with_suffix(".pub")


def audit_config(
    settings: Settings,
    *,
    url: str | None = None,
    checkpoint_dir: Path | None = None,
    subject_key_file: Path | None = None,
    signing_key_file: Path | None = None,
    checkpoint_every: int | None = None,
    witness_dir: Path | None = None,
) -> AuditConfig:
    """The audit configuration: arguments, else ``Settings.audit_*`` fields once they exist, else
    defaults under the workspace (the audit tables in the operational store)."""

    def setting(name: str) -> Any:
        value = getattr(settings, name, None)
        return None if value is None or str(value) in ("", ".", "0") else value

    workspace = settings.workspace
    every = checkpoint_every or setting("audit_checkpoint_every") or DEFAULT_CHECKPOINT_EVERY
    if int(every) < 1:
        raise ConfigurationError("the audit checkpoint interval must be at least 1 entry")
    return AuditConfig(
        url=url or setting("audit_url") or settings.sqlite_url,
        checkpoint_dir=Path(
            checkpoint_dir or setting("audit_checkpoint_dir") or workspace / "audit-checkpoints"
        ),
        subject_key_file=Path(
            subject_key_file
            or setting("audit_subject_key_file")
            or workspace / "keys" / "audit-subject.hmac"
        ),
        signing_key_file=Path(
            signing_key_file
            or setting("audit_signing_key_file")
            or workspace / "keys" / "audit-checkpoint.key"
        ),
        checkpoint_every=int(every),
        witness_dir=Path(witness_dir or setting("audit_witness_dir") or workspace / "witness"),
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- conversions between the stored head and the audit stage's chain head ---------------------


def chain_head(stored: StoredHead) -> ChainHead:
    hashes = [bytes.fromhex(h) for h in json.loads(stored.frontier)]
    return ChainHead(
        log_id=stored.log_id,
        last_hash=stored.last_hash,
        frontier=Frontier(int(stored.size), hashes),
        checkpointed=int(stored.checkpointed),
    )


def _save_head(s: Any, head: ChainHead) -> None:
    store.save_head(
        s,
        StoredHead(
            log_id=head.log_id,
            size=head.size,
            last_hash=head.last_hash,
            frontier=json.dumps([h.hex() for h in head.frontier.hashes]),
            checkpointed=head.checkpointed,
        ),
    )


# --- keys --------------------------------------------------------------------------------------


def _load_signing_key(path: Path) -> signing_keys.PrivateKey:
    if not path.exists():
        raise AuditKeyError(f"{path}: no checkpoint signing key (run `matchgate audit init`)")
    try:
        return signing_keys.load_private_key(path)
    except PackageError as exc:
        raise AuditKeyError(f"checkpoint signing key: {exc.message}") from None


def trusted_keys(paths: Sequence[Path]) -> dict[str, signing_keys.PublicKey]:
    """Public keys (``.pub`` files) trusted to sign checkpoints, by key id."""
    trusted: dict[str, signing_keys.PublicKey] = {}
    for path in paths:
        try:
            public = signing_keys.load_public_key(path)
        except PackageError as exc:
            raise AuditKeyError(f"trusted checkpoint key: {exc.message}") from None
        trusted[signing_keys.key_id(public)] = public
    return trusted


# --- set up and open ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditInit:
    """What ``init_audit`` found or made."""

    log_id: str
    created_log: bool
    subject_key_id: str
    created_subject_key: bool
    signing_key_id: str
    created_signing_key: bool
    config: AuditConfig


def _prepare_sqlite(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        Path(url[len(prefix) :].split("?", maxsplit=1)[0]).parent.mkdir(parents=True, exist_ok=True)


def init_audit(config: AuditConfig, *, clock: Callable[[], dt.datetime] = utcnow) -> AuditInit:
    """Make what the log needs and is missing: keys, tables, the log and its first checkpoint.

    Safe to run again: existing keys and logs are kept. Refuses to start a new log beside a
    checkpoint file that already vouches for entries (the store was wiped or is the wrong one).
    """
    made_subject = not config.subject_key_file.exists()
    if made_subject:
        write_subject_key(generate_subject_key(), config.subject_key_file)
    subject = load_subject_key(config.subject_key_file)

    made_signing = not config.signing_key_file.exists()
    if made_signing:
        config.signing_key_file.parent.mkdir(parents=True, exist_ok=True)
        signing_keys.write_private_key(signing_keys.generate_keypair(), config.signing_key_file)
    signer = _load_signing_key(config.signing_key_file)
    if not config.signing_public_key_file.exists():
        signing_keys.write_public_key(signer, config.signing_public_key_file)
    config.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    config.witness_root.mkdir(parents=True, exist_ok=True)

    _prepare_sqlite(config.url)
    try:
        store.upgrade_schema(config.url)
    except Exception as exc:
        raise _unreachable(config, exc) from exc
    log = AuditLog(config, subject, signer, clock=clock)
    with store.transaction(config.url, write=True) as s:
        stored = store.head(s, lock=True)
        created = stored is None
        if stored is None:
            _refuse_foreign_checkpoints(config)
            stored = StoredHead(
                log_id=uuid.uuid4().hex, size=0, last_hash="0" * 64, frontier="[]", checkpointed=0
            )
            store.add_head(s, stored)
            head = chain_head(stored)
            log._checkpoint_locked(s, head)  # the empty tree: anchors the log id
            _save_head(s, head)
        log_id = stored.log_id
    return AuditInit(
        log_id=log_id,
        created_log=created,
        subject_key_id=subject.key_id,
        created_subject_key=made_subject,
        signing_key_id=signing_keys.key_id(signer),
        created_signing_key=made_signing,
        config=config,
    )


def _refuse_foreign_checkpoints(config: AuditConfig) -> None:
    if not config.checkpoint_file.exists():
        return
    found = read_checkpoints(config.checkpoint_file)
    if any(cp.size > 0 for cp in found.checkpoints):
        raise ConfigurationError(
            f"{config.checkpoint_file} vouches for entries of a log the audit store does not "
            "hold: restore the store, or give a new log its own checkpoint folder"
        )


def _unreachable(config: AuditConfig, exc: BaseException) -> ConfigurationError:
    return ConfigurationError(
        f"the audit store {store.describe_url(config.url)} cannot be used "
        f"({type(exc).__name__}); nothing can be released without it"
    )


def open_audit(config: AuditConfig, *, clock: Callable[[], dt.datetime] = utcnow) -> AuditLog:
    """The audit log of a starting service; refuses to start (``ConfigurationError``) without
    an initialized store, both keys, a writable checkpoint folder, and a witness folder that is
    writable (or not made yet)."""
    subject = load_subject_key(config.subject_key_file)
    signer = _load_signing_key(config.signing_key_file)
    if not config.checkpoint_dir.is_dir() or not os.access(config.checkpoint_dir, os.W_OK):
        raise ConfigurationError(
            f"{config.checkpoint_dir}: the checkpoint folder is missing or not writable"
        )
    witness = config.witness_root
    if witness.exists() and (not witness.is_dir() or not os.access(witness, os.W_OK)):
        raise ConfigurationError(f"{witness}: the witness folder is not a writable folder")
    try:
        with store.transaction(config.url, write=False) as s:
            ready = store.tables_present(s) and store.head(s, lock=False) is not None
    except ConfigurationError:
        raise
    except Exception as exc:
        raise _unreachable(config, exc) from exc
    if not ready:
        raise ConfigurationError(
            f"the audit store {store.describe_url(config.url)} holds no audit log "
            "(run `matchgate audit init`); nothing can be released without it"
        )
    return AuditLog(config, subject, signer, clock=clock)


# --- the sink ----------------------------------------------------------------------------------


class AuditLog:
    """The audit sink of a running service (implements ``domain.audit.AuditSink``).

    ``append`` returns only after the entry's transaction has committed (SQLite WAL with
    ``synchronous=FULL``, or a PostgreSQL commit); any failure is ``AuditUnavailable`` and
    leaves nothing behind. A checkpoint falls due every ``checkpoint_every`` entries; it is made
    (and written to the checkpoint file, fsynced) before the next append, inside the same
    transaction, so a checkpoint never covers an entry that is not committed, and an append that
    cannot checkpoint records nothing.
    """

    def __init__(
        self,
        config: AuditConfig,
        subject: SubjectKey,
        signer: signing_keys.PrivateKey,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.config = config
        self._subject = subject
        self._signer = signer
        self._signer_id = signing_keys.key_id(signer)
        self._clock = clock

    def subject_key(self, ssn: str) -> str:
        """The keyed HMAC naming the person with this SSN in audit events."""
        return subject_key(self._subject, ssn)

    def append(self, event: AuditEvent) -> AuditReceipt:
        record = check_event(event)  # AuditEventRejected (an AuditUnavailable) names the field
        try:
            with store.transaction(self.config.url, write=True) as s:
                head = self._locked_head(s)
                entry = self._append_locked(s, head, record)
                _save_head(s, head)
        except AuditUnavailable:
            raise
        except Exception as exc:
            raise AuditUnavailable(
                f"the audit log could not record the event ({type(exc).__name__}); "
                "nothing may be released"
            ) from exc
        return AuditReceipt(entry.sequence, entry.entry_hash)

    def release_after_audit(
        self,
        event: AuditEvent | Sequence[AuditEvent],
        release: Callable[[], T],
        *,
        witness_for: Sequence[str] | None = None,
    ) -> T:
        """``matchgate.audit.release_after_audit`` with this log as the sink."""
        return release_after_audit(self, event, release, witness_for=witness_for)

    def witness(self, agencies: Sequence[str], covering: int) -> Checkpoint:
        """Sign a checkpoint now (covering at least the first ``covering`` entries) and write it
        to each agency's witness folder with the consistency proof from the agency's previous
        witnessed checkpoint. Under the head's lock, so witnesses to one agency form one chain.
        Any failure is ``AuditUnavailable``: the caller releases nothing."""
        try:
            with store.transaction(self.config.url, write=True) as s:
                head = self._locked_head(s)
                if head.size < covering:
                    raise WitnessRefused("the log is shorter than the entries to witness")
                checkpoint = self._checkpoint_locked(s, head)
                _save_head(s, head)
                leave_witness(
                    self.config.witness_root,
                    agencies,
                    checkpoint,
                    lambda: [bytes.fromhex(h) for h in store.leaf_hashes(s, checkpoint.size)],
                )
        except AuditUnavailable:
            raise
        except WitnessRefused as exc:
            raise AuditUnavailable(
                f"the release could not be witnessed: {exc}; nothing was released"
            ) from exc
        except Exception as exc:
            raise AuditUnavailable(
                f"the release could not be witnessed ({type(exc).__name__}); nothing was released"
            ) from exc
        return checkpoint

    def checkpoint(self) -> Checkpoint:
        """Sign the current tree head now, append it to the checkpoint file, return it."""
        try:
            with store.transaction(self.config.url, write=True) as s:
                head = self._locked_head(s)
                checkpoint = self._checkpoint_locked(s, head)
                _save_head(s, head)
        except AuditUnavailable:
            raise
        except Exception as exc:
            raise AuditUnavailable(
                f"the checkpoint could not be made ({type(exc).__name__})"
            ) from exc
        return checkpoint

    def _locked_head(self, s: Any) -> ChainHead:
        stored = store.head(s, lock=True)
        if stored is None:
            raise AuditUnavailable("the audit store holds no audit log")
        return chain_head(stored)

    def _append_locked(self, s: Any, head: ChainHead, record: EventRecord) -> Entry:
        if head.checkpoint_due(self.config.checkpoint_every):
            self._checkpoint_locked(s, head)
        entry = head.append(record, self._clock())
        store.add_entry(s, entry, record.subjects)
        return entry

    def _checkpoint_locked(self, s: Any, head: ChainHead) -> Checkpoint:
        checkpoint = sign_checkpoint(
            log_id=head.log_id,
            size=head.size,
            root=head.root(),
            time=format_time(self._clock()),
            key=self._signer,
            key_id=self._signer_id,
        )
        append_checkpoint(self.config.checkpoint_file, checkpoint)
        store.add_checkpoint(s, checkpoint.size, checkpoint.to_line())
        head.checkpointed = head.size
        return checkpoint

    # -- accounting ---------------------------------------------------------------------------

    def accounting(self, ssn: str) -> Accounting:
        """Every disclosure of the record of the person with this SSN (agency view)."""
        return accounting_for_subject(self.config, self.subject_key(ssn))

    def withdraw(
        self, ssn: str, reason: str, *, actor: str, package_id: str | None = None
    ) -> Withdrawal:
        """Record that a disclosed record proved wrong; return whom to notify (552a(c)(4))."""
        if reason not in WITHDRAWAL_REASONS:
            raise InputError(
                f"reason must be one of {', '.join(sorted(WITHDRAWAL_REASONS))}",
                field="reason",
                code="E_AUDIT_WITHDRAW",
            )
        subject = self.subject_key(ssn)
        accounting = accounting_for_subject(self.config, subject)
        withdraws, notify = plan_withdrawal(accounting, package_id)
        if not accounting.lines or (package_id is not None and not withdraws):
            what = "this person" if package_id is None else f"this person in package {package_id}"
            raise WithdrawalRefused(f"no disclosure of {what} is recorded")
        event = withdrawal_event(
            actor=actor,
            subject=subject,
            reason=reason,
            withdraws=withdraws,
            notify=notify,
            package_id=package_id,
        )
        receipt = self.append(event)
        return Withdrawal(receipt.sequence, withdraws, notify)

    def purge_accounting(
        self,
        *,
        before: dt.date,
        today: dt.date,
        still_held: Callable[[str], bool],
        actor: str,
    ) -> PurgeSummary:
        """Drop accounting index rows of entries recorded before ``before`` for people whose
        record is no longer held (``still_held(subject)`` False), and record the purge.

        Refused (``RetentionRefused``) when ``before`` is less than five years before ``today``.
        The entries themselves stay: a Merkle leaf is never removed.
        """
        check_purge(before, today)
        cutoff = format_time(dt.datetime.combine(before, dt.time(), dt.UTC))
        with store.transaction(self.config.url, write=True) as s:
            head = self._locked_head(s)
            stop = store.first_sequence_since(s, cutoff)
            stop = head.size if stop is None else stop
            gone = [x for x in store.index_subjects_before(s, stop) if not still_held(x)]
            rows = store.drop_index_rows(s, stop, gone)
            record = check_event(
                AccountingPurged(
                    actor=actor,
                    before=before.isoformat(),
                    before_sequence=stop,
                    subject_count=len(gone),
                    rows=rows,
                ).audit_event()
            )
            entry = self._append_locked(s, head, record)
            _save_head(s, head)
        return PurgeSummary(entry.sequence, stop, len(gone), rows)


@dataclass(frozen=True)
class Withdrawal:
    """The correction entry, the entries it withdraws, and the agencies to notify."""

    sequence: int
    withdraws: tuple[int, ...]
    notify: tuple[str, ...]


@dataclass(frozen=True)
class PurgeSummary:
    sequence: int
    before_sequence: int
    subjects: int
    rows: int


def accounting_for_subject(config: AuditConfig, subject: str) -> Accounting:
    """The accounting of the person with subject HMAC ``subject`` (agency view)."""
    with store.transaction(config.url, write=False) as s:
        entries = store.entries_at(s, store.sequences_for(s, [subject]))
        return build_accounting(entries, [subject])
