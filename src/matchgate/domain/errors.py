"""The exception hierarchy, drawn once.

Every error matchgate raises on purpose is a :class:`MatchgateError`. Each class has one stable
``code`` (a class attribute) and a ``category`` that a shell maps to its answer (the CLI's exit
codes: ``INPUT`` 3, ``CONFIGURATION`` 4, ``ACCESS`` 7; anything that is not a MatchgateError is an
internal error, 70; the HTTP API's statuses are drawn in api/problems.py). Classes marked
*per instance* carry the code of the particular problem on each instance, from the code list of
the stage that raises it; their class code is the default when none is given. ``str(error)`` is
the message followed by the code, once: ``message [CODE]``.

::

    MatchgateError                 E_MATCHGATE            anything matchgate raises on purpose
    ├── InputError                 E_INPUT   per instance  a file or value given cannot be used
    │   │                                                  (names file, row, field; codes from
    │   │                                                  intake.codes, governance.codes, ...)
    │   ├── PackageError           E_PACKAGE per instance  a package, key file or key ring
    │   │                                                  (disclosure.errors.CODES)
    │   ├── SubjectKeyInputError   E_AUDIT_SSN            an SSN to key is not a valid SSN (audit)
    │   ├── UserNotFound           E_USER    per instance  no such user, or not the caller's;
    │   │                                                  also not-found: HTTP 404
    │   │                                                  (services.administration.users)
    │   ├── TokenNotFound          E_TOKEN   per instance  no such token, or not the caller's;
    │   │                                                  also not-found: HTTP 404
    │   └── RecipientKeyNotFound   E_RECIPIENT_KEY per instance  no such registered key, or
    │                                                  not the caller's; also not-found
    │                                                  (services.administration.recipient_keys)
    ├── ConfigurationError         E_CONFIG     exit 4    a setting or workspace is unusable
    │   ├── NoSnapshot             E_NO_SNAPSHOT          no master loaded, or no such snapshot
    │   ├── AuditKeyError          E_AUDIT_KEY            a key file of the audit log (audit)
    │   └── DataKeyError           E_DATA_KEY             the data key ring (storage.atrest)
    ├── AccessDenied               E_ACCESS_DENIED exit 7 no valid token, or roles do not allow it
    ├── NotFound                   E_NOT_FOUND            no such object, or another agency's
    │   ├── AgreementNotFound      E_AGREEMENT_NOT_FOUND  (services.administration.agreements)
    │   ├── SubmissionNotFound     E_SUBMISSION_NOT_FOUND (services.submission.records)
    │   ├── IncidentNotFound       E_BREACH_NOT_FOUND     (services.oversight.breach)
    │   ├── WithdrawalNoticeNotFound E_WITHDRAWAL_NOTICE_NOT_FOUND (services.oversight.withdrawals)
    │   ├── WitnessFileNotFound    E_WITNESS_NOT_FOUND    (services.oversight.witness)
    │   └── PackagePurged          E_PACKAGE_PURGED       purged under retention (HTTP 410,
    │                                                     api.routes.packages)
    ├── Refused                    E_REFUSED              a rule forbids this step, now
    │   ├── IdempotencyConflict    E_IDEMPOTENCY_KEY      an upload key used for other bytes
    │   │                                                 (api.jobs)
    │   ├── NoPackage              E_NO_PACKAGE           a submission without a package
    │   │                                                 (api.routes.packages)
    │   ├── BreachStepRefused      E_BREACH_STEP          an incident step out of order (audit)
    │   ├── RetentionRefused       E_AUDIT_RETENTION      a purge would drop entries kept by law
    │   ├── WithdrawalRefused      E_AUDIT_WITHDRAW       a withdrawal names no disclosure (audit)
    │   └── NoticeAcknowledged     E_WITHDRAWAL_ACKNOWLEDGED a withdrawal notice acknowledged
    │                                                     already (services.oversight.withdrawals)
    ├── NoticeError                E_NOTICE  per instance an onward-use notice cannot be filed or
    │                                                     decided (E_NOTICE_*,
    │                                                     services.disclosure.notices)
    ├── AuditUnavailable           E_AUDIT_UNAVAILABLE    nothing was recorded; release nothing
    │   │                                                 (domain.audit)
    │   └── AuditEventRejected     E_AUDIT_EVENT          the event itself cannot be recorded: a
    │                                                     programming error (audit.errors)
    ├── SealedDataError            E_SEALED_DATA          a sealed value or file does not decrypt
    │                                                     (storage.atrest)
    ├── EngineError                E_ENGINE               a statement failed inside the engine
    │                                                     (engines.base)
    ├── ServerError                E_SERVER               the HTTP API failed, or answered with
    │                                                     no problem document (client.errors)
    └── ModelMismatch              (E_MATCHGATE)          the model file does not fit the code's
                                                          comparisons (matching.model; its own
                                                          code is for the accuracy issue to add)

Every class is in ``INPUT`` (exit 3) unless marked: a request that cannot be done as given, an
object not found, a step refused, and (as today) an audit log that cannot write when no command
says otherwise. Commands that must stop with exit 4 when the audit log fails re-raise it as a
``ConfigurationError``; ``audit verify`` (exit 5) and ``retention run`` (exit 6) set their exit
codes from their reports, not from exceptions.

Not in the tree, on purpose: signals a stage raises for its caller to translate, never shown as
such: ``NotCanonical`` (domain.canonical), ``MalformedEntry``, ``CheckpointFormatError`` and
``ProofFormatError`` (audit), ``ReturnRecordError`` (disclosure.ssnvs), ``UnsupportedSql``
(engines.spark_sql), ``VersionTaken``, ``AlreadyExists`` and ``DigestTaken`` (storage: a unique
key already taken), and the private ``_Refused``, ``_UnsupportedValue`` (governance.loading) and
``_Rejected`` (services.submission.submit). One that escaped would be an internal error (exit 70).

Messages name files, rows, columns and codes, never personal values: they end up in logs and
terminals that are not cleared to hold them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

__all__ = [
    "AccessDenied",
    "ConfigurationError",
    "ErrorCategory",
    "InputError",
    "MatchgateError",
    "NotFound",
    "Refused",
]


class ErrorCategory(StrEnum):
    """What kind of failure an error is, for a shell to answer (the CLI: an exit code)."""

    INPUT = "input"
    """What was asked cannot be done as given (CLI exit 3)."""
    CONFIGURATION = "configuration"
    """A setting, the workspace or the environment is unusable (CLI exit 4)."""
    ACCESS = "access"
    """No valid token, or the caller may not do this (CLI exit 7)."""


class MatchgateError(Exception):
    """Base of every error matchgate raises deliberately.

    ``message`` is the text without the code; ``str(error)`` adds the code once.
    """

    code: str = "E_MATCHGATE"
    """The stable code; a class attribute, set on the instance only by *per instance* classes."""
    category: ClassVar[ErrorCategory] = ErrorCategory.INPUT
    per_instance_code: ClassVar[bool] = False
    """Whether instances carry their own code (from the raising stage's code list)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class InputError(MatchgateError):
    """A user-supplied file or value is unusable; the message says where, never what the value was.

    Per instance: ``code`` is the problem's code from the raising stage's list (intake.codes,
    governance.codes, E_USER, ...), or ``E_INPUT`` when none is given.
    """

    code = "E_INPUT"
    per_instance_code = True

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.field = field
        if code is not None:
            self.code = code
        where = []
        if path is not None:
            where.append(path)
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where) + ": " if where else ""
        super().__init__(f"{prefix}{message}")


class ConfigurationError(MatchgateError):
    """A setting, workspace or environment is unusable (CLI exit 4)."""

    code = "E_CONFIG"
    category = ErrorCategory.CONFIGURATION


class AccessDenied(MatchgateError):
    """The caller is not authenticated, or may not do this (CLI exit 7).

    An object of another agency is never the subject of this error: the services report it
    exactly as an object that does not exist (:class:`NotFound`), so a denial reveals nothing
    about it.
    """

    code = "E_ACCESS_DENIED"
    category = ErrorCategory.ACCESS


class NotFound(MatchgateError):
    """No such object; also what the caller is told of another agency's object."""

    code = "E_NOT_FOUND"


class Refused(MatchgateError):
    """The request is well formed, but a rule forbids this step now (out of order, too early)."""

    code = "E_REFUSED"
