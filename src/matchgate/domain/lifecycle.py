"""The lifecycles of the things matchgate keeps, as one vocabulary of statuses.

Each status is a :class:`~enum.StrEnum` whose value is exactly the string stored in the database
or written in a report, so a row, an audit entry and a shell all speak the same words::

    SubmissionStatus   received, then rejected | needs_consultation | validated | processed
                       | disclosed (docs/submissions.md)    (the ``submissions`` table)
    PackageStatus      disclosed | withdrawn | prepared, release failed
                                                             (a package line in the accounting)
    IncidentStatus     open -> reported -> contained -> closed   (the ``breach_incidents`` table)
    ReviewStatus       pending                               (the ``review_items`` table)
    NoticeStatus       pending -> approved | denied          (the ``onward_use_notices`` table)
    JobStatus          running -> finished | failed          (the ``jobs`` table)
    UserStatus         active -> revoked                     (the ``users`` table)
    RecipientKeyStatus current -> retired | revoked; retired -> revoked
                                                             (the ``recipient_keys`` table)

Storage columns stay plain strings; these enums are what code compares them with and writes.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "IncidentStatus",
    "JobStatus",
    "NoticeStatus",
    "PackageStatus",
    "RecipientKeyStatus",
    "ReviewStatus",
    "SubmissionStatus",
    "UserStatus",
]


class SubmissionStatus(StrEnum):
    """Where a submission stands; a submission only moves forward through these."""

    RECEIVED = "received"
    REJECTED = "rejected"
    NEEDS_CONSULTATION = "needs_consultation"
    VALIDATED = "validated"
    PROCESSED = "processed"
    DISCLOSED = "disclosed"


class PackageStatus(StrEnum):
    """What became of a package (or verification answer), as the accounting of disclosures
    derives it from the audit log: released, released and later withdrawn, or prepared but never
    released (its release failed after the entry was written)."""

    DISCLOSED = "disclosed"
    WITHDRAWN = "withdrawn"
    RELEASE_FAILED = "prepared, release failed"


class IncidentStatus(StrEnum):
    """Where a breach incident stands; it moves forward one step at a time (audit.breach)."""

    OPEN = "open"
    REPORTED = "reported"
    """Reported to US-CERT/CISA (the one-hour clock stops)."""
    CONTAINED = "contained"
    CLOSED = "closed"


class ReviewStatus(StrEnum):
    """Where a withheld ``possible`` row in the review queue stands."""

    PENDING = "pending"
    """Awaiting a reviewer (the only status the queue writes today)."""


class NoticeStatus(StrEnum):
    """Where a notice of a proposed new use or disclosure stands (governance.onward decides
    what each allows)."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class JobStatus(StrEnum):
    """Where a tracked job (a match, a master load or update) stands: written running first, so a
    poller sees it, then finished or failed with the error's code."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class UserStatus(StrEnum):
    """Whether a user may act: a revoked user's tokens all stop working; it is never undone."""

    ACTIVE = "active"
    REVOKED = "revoked"


class RecipientKeyStatus(StrEnum):
    """Whether a recipient agency's registered key is sealed to: only its ``current`` key is;
    registering another retires it (what was sealed to it still opens with its private key);
    a revoked key is never used again."""

    CURRENT = "current"
    RETIRED = "retired"
    REVOKED = "revoked"
