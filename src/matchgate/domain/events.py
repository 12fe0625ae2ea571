"""Typed audit events: one frozen class per kind, each registered once under its kind.

A class names its kind once (``class TokenIssued(Event, kind="token.issued")``) and declares the
details its entry carries as fields; the envelope (``actor``, ``agency``, ``agreement``,
``subjects``) is common to all. ``audit_event()`` gives the :class:`AuditEvent` a sink appends.
The registry is the only list of kinds: ``known_kinds()``, ``event_type(kind)``, and
``matchgate.audit.kinds.KNOWN`` derived from it; a sink refuses a kind that is not in it.

Details are built with the rules the call sites always used, so entries stay byte for byte what
they were (``tests/audit/test_audit_event_types.py`` pins them):

- a field without a default is always written, ``None`` as ``null``;
- a field defaulting to ``None`` is written only when it holds a value;
- a :func:`spread` field is a mapping whose items are written as details (under a prefix), first,
  so that declared fields win; :func:`renamed` gives a field whose detail key is not a usable
  Python name (``from``) or clashes with the envelope (``subjects``, ``agency``).

All the kinds are declared here, so that ``known_kinds()`` is complete once this module is
imported. An entry is never rewritten, so a kind, once written, stays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from matchgate.domain.audit import AuditEvent, AuditValue

_REGISTRY: dict[str, type[Event]] = {}
_ENVELOPE = frozenset({"actor", "agency", "agreement", "subjects"})
_KEY = "audit_key"
_SPREAD = "audit_spread"


def renamed(key: str, default: Any = dataclasses.MISSING) -> Any:
    """A field written under the detail key ``key``."""
    if default is dataclasses.MISSING:
        return field(metadata={_KEY: key})
    return field(default=default, metadata={_KEY: key})


def spread(prefix: str = "") -> Any:
    """A mapping field whose items are written as details, their keys prefixed by ``prefix``."""
    return field(default_factory=dict, metadata={_SPREAD: prefix})


@dataclass(frozen=True, kw_only=True)
class Event:
    """The envelope of every event: who did it, with which agency, under which agreement, about
    whom (keyed HMACs, never identifiers). Subclasses give ``kind=`` and declare their details."""

    kind: ClassVar[str]
    actor: str
    agency: str | None = None
    agreement: str | None = None
    subjects: tuple[str, ...] = ()

    def __init_subclass__(cls, /, kind: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not kind:
            return  # an abstract base shared by several kinds
        if kind in _REGISTRY:
            raise TypeError(f"event kind {kind!r} is declared twice")
        cls.kind = kind
        _REGISTRY[kind] = cls

    def details(self) -> dict[str, AuditValue]:
        """The details as the entry holds them (see the module's rules)."""
        written: dict[str, AuditValue] = {}
        declared: dict[str, AuditValue] = {}
        for f in dataclasses.fields(self):
            if f.name in _ENVELOPE:
                continue
            value = getattr(self, f.name)
            if _SPREAD in f.metadata:
                prefix = f.metadata[_SPREAD]
                written.update({f"{prefix}{k}": v for k, v in value.items()})
            elif value is not None or f.default is dataclasses.MISSING:
                declared[f.metadata.get(_KEY, f.name)] = value
        written.update(declared)
        return written

    def audit_event(self) -> AuditEvent:
        """The event a sink appends."""
        return AuditEvent(
            kind=self.kind,
            actor=self.actor,
            agency=self.agency,
            agreement=self.agreement,
            subjects=self.subjects,
            details=self.details(),
        )

    @classmethod
    def detail_keys(cls) -> frozenset[str]:
        """The detail keys declared by name (spread fields add keys of their own)."""
        return frozenset(
            f.metadata.get(_KEY, f.name)
            for f in dataclasses.fields(cls)
            if f.name not in _ENVELOPE and _SPREAD not in f.metadata
        )


def event_type(kind: str) -> type[Event] | None:
    """The class registered for ``kind``, or ``None`` for a kind nobody declared."""
    return _REGISTRY.get(kind)


def known_kinds() -> frozenset[str]:
    """Every registered kind."""
    return frozenset(_REGISTRY)


def typed_event(
    kind: str,
    *,
    actor: str,
    agency: str | None = None,
    agreement: str | None = None,
    subjects: tuple[str, ...] = (),
    details: Mapping[str, Any],
) -> Event:
    """The typed event of ``kind`` from detail keys (for call sites that gather them as they go).

    ``TypeError`` for an unregistered kind, an undeclared key or a missing required one.
    """
    cls = _REGISTRY.get(kind)
    if cls is None:
        raise TypeError("event kind is not registered")
    by_key = {
        f.metadata.get(_KEY, f.name): f.name
        for f in dataclasses.fields(cls)
        if f.name not in _ENVELOPE and _SPREAD not in f.metadata
    }
    unknown = sorted(k for k in details if k not in by_key)
    if unknown:
        raise TypeError(f"{cls.__name__} declares no detail {unknown[0]!r}")
    values = {by_key[k]: v for k, v in details.items()}
    return cls(actor=actor, agency=agency, agreement=agreement, subjects=subjects, **values)


# --- submissions (services.submission.submit): agency is the recipient, agreement the one invoked


@dataclass(frozen=True, kw_only=True)
class SubmissionReceived(Event, kind="submission.received"):
    """A request file was taken in (its digest and size)."""

    job_id: str
    sha256: str | None = None
    size: int | None = renamed("bytes", None)


@dataclass(frozen=True, kw_only=True)
class SubmissionRejected(Event, kind="submission.rejected"):
    """A submission was refused (its code; the job it duplicates, or the failure's error code)."""

    job_id: str
    code: str | None = None
    duplicate_of: str | None = None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class SubmissionValidated(Event, kind="submission.validated"):
    """A dry run validated the file; nothing was matched or disclosed."""

    job_id: str
    records: int | None = None
    dry_run: bool | None = None


@dataclass(frozen=True, kw_only=True)
class SubmissionHeld(Event, kind="submission.held"):
    """A submission was held before matching (its code)."""

    job_id: str
    code: str | None = None
    records: int | None = None


@dataclass(frozen=True, kw_only=True)
class SubmissionAccepted(Event, kind="submission.accepted"):
    """A submission was accepted for matching."""

    job_id: str
    records: int | None = None


@dataclass(frozen=True, kw_only=True)
class SubmissionConsulted(Event, kind="submission.consulted"):
    """The host's privacy officer released or refused a held submission (``outcome``), under
    ``agreement_version``; ``record_sha256`` is the SHA-256 of the stored consultation text."""

    job_id: str
    outcome: str
    agreement_version: int | None
    record_sha256: str


# --- disclosures and the accounting (audit.disclosures, services.disclosure.respond) --------------


@dataclass(frozen=True, kw_only=True)
class Disclosing(Event):
    """A disclosure under 5 U.S.C. 552a(b): it goes in the accounting of disclosures. What the
    recipient received is ``package_id`` (a package) or ``answer_id`` (a verification answer)."""

    recipient: str
    categories: str
    purpose: str
    routine_use: str
    package_id: str | None = None
    answer_id: str | None = None
    agreement_version: int | None = None
    recipient_name: str | None = None
    purpose_text: str | None = None
    legal_authority: str | None = None
    exempt_basis: str | None = None
    law_enforcement: bool | None = None
    job_id: str | None = None
    recipient_key_id: str | None = None
    """The registered key of the recipient agency the package was sealed to."""
    extra: Mapping[str, AuditValue] = spread()


@dataclass(frozen=True, kw_only=True)
class DisclosureMade(Disclosing, kind="disclosure.made"):
    """Records left for a recipient agency in a package (``package_id``)."""

    def __post_init__(self) -> None:
        if self.package_id is None or self.answer_id is not None:
            raise TypeError("disclosure.made names a package_id and no answer_id")


@dataclass(frozen=True, kw_only=True)
class VerificationAnswered(Disclosing, kind="verification.answered"):
    """A status answer about a person given to an agency (``answer_id``): a disclosure too."""

    def __post_init__(self) -> None:
        if self.answer_id is None or self.package_id is not None:
            raise TypeError("verification.answered names an answer_id and no package_id")


@dataclass(frozen=True, kw_only=True)
class DisclosureWithdrawn(Event, kind="disclosure.withdrawn"):
    """A disclosed record proved wrong; its recipients are to be notified (552a(c)(4))."""

    reason: str
    withdraws: str
    notify: str
    package_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class WithdrawalNotified(Event, kind="withdrawal.notified"):
    """A notice of a withdrawal (entry ``withdrawal_entry``) was made for an earlier recipient,
    naming what it received (``references``: package or answer ids), never the person."""

    notice_id: str
    withdrawal_entry: int
    recipient: str
    references: str


@dataclass(frozen=True, kw_only=True)
class WithdrawalAcknowledged(Event, kind="withdrawal.acknowledged"):
    """The recipient acknowledged a withdrawal notice (``actor``: who)."""

    notice_id: str
    withdrawal_entry: int
    recipient: str


@dataclass(frozen=True, kw_only=True)
class ReleaseFailed(Event, kind="release.failed"):
    """The release after an audited disclosure failed (``entry``: that disclosure's sequence)."""

    entry: int
    error: str


@dataclass(frozen=True, kw_only=True)
class PackageReleased(Event, kind="package.released"):
    """A package left for its recipient (``rows``: its row counts, written as ``rows_<name>``)."""

    package_id: str
    job_id: str
    agreement_version: int | None
    unkeyed_people: int
    rows: Mapping[str, AuditValue] = spread("rows_")
    recipient_key_id: str | None = None
    master_snapshot: str | None = None


@dataclass(frozen=True, kw_only=True)
class AccountingPurged(Event, kind="accounting.purged"):
    """Old rows of the accounting index were dropped after their retention period."""

    before: str
    before_sequence: int
    subject_count: int = renamed("subjects")
    rows: int


# --- agreements, notices, accounts and access (services.administration, disclosure.notices) ---


@dataclass(frozen=True, kw_only=True)
class AgreementChanged(Event, kind="agreement.changed"):
    """An agreement was suspended or resumed."""

    change: str


@dataclass(frozen=True, kw_only=True)
class OnwardUseFiled(Event, kind="onward_use.filed"):
    """A recipient filed notice of an onward use of disclosed records."""

    notice_id: str
    purpose: str


@dataclass(frozen=True, kw_only=True)
class OnwardUseDecided(Event, kind="onward_use.decided"):
    """The disclosing agency approved or denied an onward-use notice."""

    notice_id: str
    purpose: str
    decision: str


@dataclass(frozen=True, kw_only=True)
class AgencyAdded(Event, kind="agency.added"):
    """An agency was registered (``host``, ``bootstrap``: the first one, the host agency)."""

    code: str = renamed("agency")
    host: bool | None = None
    bootstrap: bool | None = None


@dataclass(frozen=True, kw_only=True)
class RecipientKeyRegistered(Event, kind="recipient_key.registered"):
    """A recipient agency's public key was registered as its current key (``agency``), its
    fingerprint confirmed out of band; ``retired`` is the key it replaced, if any."""

    key_id: str
    retired: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecipientKeyRevoked(Event, kind="recipient_key.revoked"):
    """A registered recipient key was revoked: nothing is sealed to it again."""

    key_id: str


@dataclass(frozen=True, kw_only=True)
class UserChanged(Event, kind="user.changed"):
    """A user was created (with roles) or revoked."""

    user_id: str
    change: str
    roles: str | None = None


@dataclass(frozen=True, kw_only=True)
class RoleChanged(Event, kind="role.changed"):
    """A user's roles were replaced (sorted, comma-separated)."""

    user_id: str
    roles: str
    previous: str


@dataclass(frozen=True, kw_only=True)
class TokenIssued(Event, kind="token.issued"):
    """An API token was issued (its public id; the token itself is never recorded)."""

    user_id: str
    token_id: str


@dataclass(frozen=True, kw_only=True)
class TokenRevoked(Event, kind="token.revoked"):
    """An API token was revoked."""

    user_id: str
    token_id: str


@dataclass(frozen=True, kw_only=True)
class AccessUnauthenticated(Event, kind="access.unauthenticated"):
    """Refusals of callers with no valid token of anyone (none given, or one naming no stored
    token; ``users bootstrap`` once users exist), counted per ``source`` (the CLI's OS user, an
    HTTP client's address) and UTC ``minute``: the first of a source's minute as it happens
    (``summary`` false, one counted), the rest of that minute in one entry once it has closed
    (``summary`` true). Junk requests therefore add at most two entries per source and minute
    to the Merkle log."""

    source: str
    minute: str
    no_token: int
    unknown_token: int
    bootstrap: int
    summary: bool


@dataclass(frozen=True, kw_only=True)
class AccessDeniedEvent(Event, kind="access.denied"):
    """A caller was refused (``object_id``: what they asked for, cut to 64 characters)."""

    user_id: str
    token_id: str
    action: str
    reason: str
    object_id: str | None = None


# --- retention and breach response (services.oversight.retention, services.oversight.breach) ------


@dataclass(frozen=True, kw_only=True)
class PurgeDone(Event, kind="purge.done"):
    """Records deleted when an agreement's retention ended, appended before the deletion."""

    job_id: str
    agreement_version: int | None
    retention_days: int | None
    retention_ended: str
    purged: str
    files: int
    size: int = renamed("bytes")
    rows: int
    request_sha256: str | None = None
    package_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class BreachOpened(Event, kind="breach.opened"):
    """A breach incident was opened; the one-hour US-CERT/CISA clock runs (OMB M-17-12)."""

    incident_id: str
    category: str
    discovered_at: str
    due_at: str
    scope: Mapping[str, AuditValue] = spread()


@dataclass(frozen=True, kw_only=True)
class _BreachStep(Event):
    """A step of an incident's lifecycle, from one status to the next."""

    incident_id: str
    from_status: str = renamed("from")
    to: str
    reported_to: str | None = None
    cisa_reference: str | None = None
    due_at: str | None = None
    on_time: bool | None = None
    seconds_after_discovery: int | None = None
    affected_people: int | None = None


@dataclass(frozen=True, kw_only=True)
class BreachReported(_BreachStep, kind="breach.reported"):
    """Reported to US-CERT/CISA (the one-hour clock stops)."""


@dataclass(frozen=True, kw_only=True)
class BreachContained(_BreachStep, kind="breach.contained"):
    """The breach was contained."""


@dataclass(frozen=True, kw_only=True)
class BreachClosed(_BreachStep, kind="breach.closed"):
    """The incident was closed (with the number of people affected)."""


@dataclass(frozen=True, kw_only=True)
class BreachAssessed(Event, kind="breach.assessed"):
    """The affected people and categories of an incident were derived and its report written."""

    incident_id: str
    audit_log_size: int
    affected_people: int
    unkeyed_people: int
    disclosure_entries: int
    packages: int
    answers: int
    categories: str
    recipients: str
    subjects_sha256: str
    report_sha256: str


# --- kinds reserved for paths that record nothing yet: details as given -------------------------


@dataclass(frozen=True, kw_only=True)
class _Reserved(Event):
    """A kind named for a path that does not record it yet; its details are not fixed."""

    extra: Mapping[str, AuditValue] = spread()


@dataclass(frozen=True, kw_only=True)
class MatchRun(_Reserved, kind="match.run"):
    """A match run (reserved)."""


@dataclass(frozen=True, kw_only=True)
class PackageDelivered(_Reserved, kind="package.delivered"):
    """A package was delivered (reserved)."""


@dataclass(frozen=True, kw_only=True)
class PackageOpened(_Reserved, kind="package.opened"):
    """A package was opened by its recipient (reserved)."""


@dataclass(frozen=True, kw_only=True)
class ReviewDecided(_Reserved, kind="review.decided"):
    """A reviewer decided a possible match (reserved)."""


@dataclass(frozen=True, kw_only=True)
class CaseChanged(_Reserved, kind="case.changed"):
    """A verification case changed (reserved)."""
