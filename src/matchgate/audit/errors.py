"""Errors of the audit stage and the codes ``audit verify`` reports.

The classes hang in the one tree drawn in :mod:`matchgate.domain.errors`: AuditEventRejected
under AuditUnavailable, RetentionRefused and WithdrawalRefused under Refused,
SubjectKeyInputError under InputError, AuditKeyError under ConfigurationError.

Messages name fields and codes, never the values: an audit error may be shown to anyone.
"""

from __future__ import annotations

from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import ConfigurationError, InputError, Refused

E_AUDIT_EVENT = "E_AUDIT_EVENT"
E_AUDIT_KEY = "E_AUDIT_KEY"
E_AUDIT_SSN = "E_AUDIT_SSN"


class AuditEventRejected(AuditUnavailable):
    """An event that cannot go in the log as given; nothing was recorded."""

    code = E_AUDIT_EVENT

    def __init__(self, where: str, why: str) -> None:
        self.where = where
        super().__init__(f"audit event not recorded: {where} {why}")


class SubjectKeyInputError(InputError):
    """An SSN handed to ``subject_key`` is not 9 digits in an issuable range."""

    code = E_AUDIT_SSN
    per_instance_code = False


class AuditKeyError(ConfigurationError):
    """A key file of the audit log (subject HMAC key, checkpoint signing key) is unusable."""

    code = E_AUDIT_KEY


class Problem:
    """Codes of what ``verify`` finds; each names where the log stops being trustworthy."""

    ENTRY = "E_AUDIT_ENTRY"
    """A row is malformed: not canonical, a bad hash format, an unknown field value."""
    GAP = "E_AUDIT_GAP"
    """A sequence number is missing or repeated: an entry was deleted, inserted or moved."""
    LINK = "E_AUDIT_LINK"
    """An entry's prev_hash is not the previous entry's hash: entries were reordered or removed."""
    HASH = "E_AUDIT_HASH"
    """An entry's recomputed hash differs from the stored one: its content was changed."""
    ROOT = "E_AUDIT_ROOT"
    """The tree recomputed from the log differs from a signed checkpoint: history was rewritten."""
    TRUNCATED = "E_AUDIT_TRUNCATED"
    """The log holds fewer entries than a signed checkpoint covers: entries were removed."""
    SIGNATURE = "E_AUDIT_SIGNATURE"
    """A checkpoint's signature does not verify: the checkpoint was altered or forged."""
    UNTRUSTED_KEY = "E_AUDIT_UNTRUSTED_KEY"
    """A checkpoint is signed by a key that is not trusted."""
    OTHER_LOG = "E_AUDIT_OTHER_LOG"
    """A checkpoint belongs to another log, or checkpoints disagree on the log."""
    CHECKPOINT_FORMAT = "E_AUDIT_CHECKPOINT_FORMAT"
    """A checkpoint line cannot be read."""
    NO_CHECKPOINT = "E_AUDIT_NO_CHECKPOINT"
    """No trusted checkpoint was found: nothing anchors the log."""
    STORED_CHECKPOINT = "E_AUDIT_STORED_CHECKPOINT"
    """A checkpoint kept in the store differs from the log or is not validly signed."""
    HEAD = "E_AUDIT_HEAD"
    """The store's chain head (size, last hash, frontier) disagrees with the entries."""
    INDEX = "E_AUDIT_INDEX"
    """The accounting index (subject -> entry) disagrees with the entries' subjects."""
    WITNESS = "E_AUDIT_WITNESS"
    """A checkpoint witnessed by a recipient agency is not matched by the log: the log is
    shorter than it, or its root at that size differs (the finding names the witness file)."""


E_AUDIT_RETENTION = "E_AUDIT_RETENTION"
E_AUDIT_WITHDRAW = "E_AUDIT_WITHDRAW"


class RetentionRefused(Refused):
    """A purge would drop accounting entries younger than the retention the law requires."""

    code = E_AUDIT_RETENTION


class WithdrawalRefused(Refused):
    """A withdrawal names no disclosure of the person (nothing to withdraw, no one to notify)."""

    code = E_AUDIT_WITHDRAW
