"""Event kinds: dotted names, stable once written (an entry is never rewritten).

A kind is a string so that a new path can record a new kind without a release of this stage;
the ones below are those the issue names and those the accounting reads. ``DISCLOSING`` kinds
are disclosures under 5 U.S.C. 552a(b) and go in the accounting of disclosures; they must carry
the details listed in :mod:`matchgate.audit.accounting`.
"""

from __future__ import annotations

SUBMISSION_RECEIVED = "submission.received"
SUBMISSION_REJECTED = "submission.rejected"
MATCH_RUN = "match.run"
DISCLOSURE_MADE = "disclosure.made"
"""Records left for a recipient agency in a package (details: package_id, categories, ...)."""
DISCLOSURE_WITHDRAWN = "disclosure.withdrawn"
"""A disclosed record proved wrong; its recipients are to be notified (552a(c)(4))."""
PACKAGE_DELIVERED = "package.delivered"
PACKAGE_OPENED = "package.opened"
VERIFICATION_ANSWERED = "verification.answered"
"""A status answer about a person given to an agency: a disclosure like any other."""
REVIEW_DECIDED = "review.decided"
CASE_CHANGED = "case.changed"
AGREEMENT_CHANGED = "agreement.changed"
USER_CHANGED = "user.changed"
ROLE_CHANGED = "role.changed"
AGENCY_ADDED = "agency.added"
TOKEN_ISSUED = "token.issued"  # noqa: S105 - an event kind
TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an event kind
ACCESS_DENIED = "access.denied"
"""A caller was refused (details: user_id, token_id, action, reason, object_id). The access kinds
are also named in ``matchgate.access.policy`` (the two stages are independent); a test keeps
them equal."""
PURGE_DONE = "purge.done"
"""Records deleted when an agreement's retention ended (details: job_id, purged, files, bytes,
rows), appended before the deletion (``services.retention``)."""
BREACH_OPENED = "breach.opened"
"""A breach incident was opened; the one-hour US-CERT/CISA clock runs (OMB M-17-12)."""
BREACH_REPORTED = "breach.reported"
BREACH_CONTAINED = "breach.contained"
BREACH_ASSESSED = "breach.assessed"
"""The affected people and categories of an incident were derived and its report written."""
BREACH_CLOSED = "breach.closed"
RELEASE_FAILED = "release.failed"
"""The release after an audited disclosure failed; the disclosure may not have been received."""
ACCOUNTING_PURGED = "accounting.purged"
"""Old entries of the accounting index were dropped after their retention period."""

DISCLOSING = frozenset({DISCLOSURE_MADE, VERIFICATION_ANSWERED})
"""Kinds that are disclosures of a person's record and so go in the accounting."""

KNOWN = frozenset(
    {
        SUBMISSION_RECEIVED,
        SUBMISSION_REJECTED,
        MATCH_RUN,
        DISCLOSURE_MADE,
        DISCLOSURE_WITHDRAWN,
        PACKAGE_DELIVERED,
        PACKAGE_OPENED,
        VERIFICATION_ANSWERED,
        REVIEW_DECIDED,
        CASE_CHANGED,
        AGREEMENT_CHANGED,
        USER_CHANGED,
        ROLE_CHANGED,
        AGENCY_ADDED,
        TOKEN_ISSUED,
        TOKEN_REVOKED,
        ACCESS_DENIED,
        PURGE_DONE,
        BREACH_OPENED,
        BREACH_REPORTED,
        BREACH_CONTAINED,
        BREACH_ASSESSED,
        BREACH_CLOSED,
        RELEASE_FAILED,
        ACCOUNTING_PURGED,
    }
)
