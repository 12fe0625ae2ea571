"""Tamper-evident audit log and the accounting of disclosures (docs/audit.md).

Entries are hash-chained and leaves of an RFC 6962 Merkle tree whose signed checkpoints live
outside the store; ``verify`` recomputes everything against them. Events name people only by
keyed HMAC (``subject_key``). ``release_after_audit`` is how every disclosure and verification
answer is released: only after its entry is durable. The accounting of disclosures is derived
from the log's own entries.

This stage holds formats and arithmetic only: the store is ``matchgate.storage.audit``, the use
cases (and the ``AuditLog`` sink) are in ``matchgate.app.audit``.
"""

from matchgate.audit import kinds
from matchgate.audit.accounting import (
    ACCOUNTING_FORMAT,
    RETENTION_YEARS,
    Accounting,
    AccountingLine,
    Correction,
    build_accounting,
    check_purge,
    earliest_purge_cutoff,
    plan_withdrawal,
    render_text,
)
from matchgate.audit.chain import ChainHead
from matchgate.audit.checkpoint import (
    SIGNING_CONTEXT,
    Checkpoint,
    CheckpointFile,
    CheckpointFormatError,
    append_checkpoint,
    read_checkpoints,
    sign_checkpoint,
    signature_valid,
)
from matchgate.audit.disclosures import (
    LAW_ENFORCEMENT_BASIS,
    WITHDRAWAL_REASONS,
    Disclosure,
    withdrawal_event,
)
from matchgate.audit.entry import (
    GENESIS_HASH,
    MalformedEntry,
    chain_hash,
    entry_bytes,
    format_time,
    new_entry,
    parse_time,
)
from matchgate.audit.errors import (
    AuditEventRejected,
    AuditKeyError,
    Problem,
    RetentionRefused,
    SubjectKeyInputError,
    WithdrawalRefused,
)
from matchgate.audit.events import EventRecord, check_event
from matchgate.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from matchgate.audit.proofs import (
    ConsistencyProof,
    InclusionProof,
    ProofFormatError,
    check_consistency,
    check_inclusion,
    parse_proof,
)
from matchgate.audit.release import (
    WITNESSED_KINDS,
    Witnessing,
    append_all,
    recipients,
    release_after_audit,
)
from matchgate.audit.subjects import (
    SubjectKey,
    generate_subject_key,
    load_subject_key,
    subject_key,
    write_subject_key,
)
from matchgate.audit.verify import Finding, LogVerifier, VerifyReport
from matchgate.audit.witness import (
    WITNESS_TYPE,
    FetchReport,
    Witnessed,
    WitnessFile,
    WitnessFormatError,
    agency_folder,
    fetch_witness,
    is_file_name,
    not_kept,
    read_witness_files,
)
from matchgate.domain.audit import (
    AuditEvent,
    AuditReceipt,
    AuditSink,
    AuditUnavailable,
    AuditValue,
    Entry,
)
from matchgate.domain.canonical import NotCanonical, canonical_json, parse_canonical

__all__ = [
    "ACCOUNTING_FORMAT",
    "EMPTY_ROOT",
    "GENESIS_HASH",
    "LAW_ENFORCEMENT_BASIS",
    "RETENTION_YEARS",
    "SIGNING_CONTEXT",
    "WITHDRAWAL_REASONS",
    "WITNESSED_KINDS",
    "WITNESS_TYPE",
    "Accounting",
    "AccountingLine",
    "AuditEvent",
    "AuditEventRejected",
    "AuditKeyError",
    "AuditReceipt",
    "AuditSink",
    "AuditUnavailable",
    "AuditValue",
    "ChainHead",
    "Checkpoint",
    "CheckpointFile",
    "CheckpointFormatError",
    "ConsistencyProof",
    "Correction",
    "Disclosure",
    "Entry",
    "EventRecord",
    "FetchReport",
    "Finding",
    "Frontier",
    "InclusionProof",
    "LogVerifier",
    "MalformedEntry",
    "NotCanonical",
    "Problem",
    "ProofFormatError",
    "RetentionRefused",
    "SubjectKey",
    "SubjectKeyInputError",
    "VerifyReport",
    "WithdrawalRefused",
    "WitnessFile",
    "WitnessFormatError",
    "Witnessed",
    "Witnessing",
    "agency_folder",
    "append_all",
    "append_checkpoint",
    "build_accounting",
    "canonical_json",
    "chain_hash",
    "check_consistency",
    "check_event",
    "check_inclusion",
    "check_purge",
    "consistency_proof",
    "earliest_purge_cutoff",
    "entry_bytes",
    "fetch_witness",
    "format_time",
    "generate_subject_key",
    "inclusion_proof",
    "is_file_name",
    "kinds",
    "leaf_hash",
    "load_subject_key",
    "new_entry",
    "node_hash",
    "not_kept",
    "parse_canonical",
    "parse_proof",
    "parse_time",
    "plan_withdrawal",
    "read_checkpoints",
    "read_witness_files",
    "recipients",
    "release_after_audit",
    "render_text",
    "root_hash",
    "sign_checkpoint",
    "signature_valid",
    "subject_key",
    "verify_consistency",
    "verify_inclusion",
    "withdrawal_event",
    "write_subject_key",
]
