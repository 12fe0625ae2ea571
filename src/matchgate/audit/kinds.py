"""Event kinds: dotted names, stable once written (an entry is never rewritten).

Each kind is declared once, by its typed event class in :mod:`matchgate.domain.events`; the
names below are read from those classes, and ``KNOWN`` is the registry itself. A sink refuses
to append a kind that is not registered. ``DISCLOSING`` kinds are disclosures under 5 U.S.C.
552a(b) and go in the accounting of disclosures; they must carry the details listed in
:mod:`matchgate.audit.accounting`. ``docs/audit.md`` lists every kind (a test keeps it so).
"""

from __future__ import annotations

from matchgate.domain import events as ev

SUBMISSION_RECEIVED = ev.SubmissionReceived.kind
SUBMISSION_REJECTED = ev.SubmissionRejected.kind
SUBMISSION_VALIDATED = ev.SubmissionValidated.kind
SUBMISSION_HELD = ev.SubmissionHeld.kind
SUBMISSION_ACCEPTED = ev.SubmissionAccepted.kind
MATCH_RUN = ev.MatchRun.kind
DISCLOSURE_MADE = ev.DisclosureMade.kind
"""Records left for a recipient agency in a package (details: package_id, categories, ...)."""
DISCLOSURE_WITHDRAWN = ev.DisclosureWithdrawn.kind
"""A disclosed record proved wrong; its recipients are to be notified (552a(c)(4))."""
WITHDRAWAL_NOTIFIED = ev.WithdrawalNotified.kind
"""A recipient was given notice of a withdrawal (details: notice_id, withdrawal_entry, ...)."""
WITHDRAWAL_ACKNOWLEDGED = ev.WithdrawalAcknowledged.kind
"""The recipient acknowledged a withdrawal notice (the actor is who)."""
PACKAGE_RELEASED = ev.PackageReleased.kind
PACKAGE_DELIVERED = ev.PackageDelivered.kind
PACKAGE_OPENED = ev.PackageOpened.kind
VERIFICATION_ANSWERED = ev.VerificationAnswered.kind
"""A status answer about a person given to an agency: a disclosure like any other."""
REVIEW_DECIDED = ev.ReviewDecided.kind
CASE_CHANGED = ev.CaseChanged.kind
AGREEMENT_CHANGED = ev.AgreementChanged.kind
NOTICE_FILED = ev.OnwardUseFiled.kind
NOTICE_DECIDED = ev.OnwardUseDecided.kind
USER_CHANGED = ev.UserChanged.kind
ROLE_CHANGED = ev.RoleChanged.kind
AGENCY_ADDED = ev.AgencyAdded.kind
TOKEN_ISSUED = ev.TokenIssued.kind
TOKEN_REVOKED = ev.TokenRevoked.kind
ACCESS_DENIED = ev.AccessDeniedEvent.kind
"""A caller was refused (details: user_id, token_id, action, reason, object_id)."""
PURGE_DONE = ev.PurgeDone.kind
"""Records deleted when an agreement's retention ended (details: job_id, purged, files, bytes,
rows), appended before the deletion (``services.oversight.retention``)."""
BREACH_OPENED = ev.BreachOpened.kind
"""A breach incident was opened; the one-hour US-CERT/CISA clock runs (OMB M-17-12)."""
BREACH_REPORTED = ev.BreachReported.kind
BREACH_CONTAINED = ev.BreachContained.kind
BREACH_ASSESSED = ev.BreachAssessed.kind
"""The affected people and categories of an incident were derived and its report written."""
BREACH_CLOSED = ev.BreachClosed.kind
RELEASE_FAILED = ev.ReleaseFailed.kind
"""The release after an audited disclosure failed; the disclosure may not have been received."""
ACCOUNTING_PURGED = ev.AccountingPurged.kind
"""Old entries of the accounting index were dropped after their retention period."""

DISCLOSING = frozenset({DISCLOSURE_MADE, VERIFICATION_ANSWERED})
"""Kinds that are disclosures of a person's record and so go in the accounting."""

KNOWN = ev.known_kinds()
"""Every registered kind: what a sink accepts (``matchgate.domain.events``)."""
