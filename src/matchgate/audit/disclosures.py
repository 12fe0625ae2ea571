"""Disclosure events: what a disclosure or a verification answer must say to be accounted for.

The accounting of disclosures (5 U.S.C. 552a(c)(1)) needs, for each disclosure of a person's
record, its date, nature, purpose, and the agency it went to. A ``disclosure.made`` or
``verification.answered`` event carries them in its details, and the log refuses one that does
not, so the accounting can never be missing a line the log has:

==================  ========  =============================================================
key                 required  meaning
==================  ========  =============================================================
recipient           yes       agency code the records went to, e.g. ``DHS-USCIS``
categories          yes       categories disclosed, comma-separated: ``address,identity``
purpose             yes       the agreement's purpose code
routine_use         yes       routine use(s) relied on, comma-separated, e.g. ``RU-31``
package_id          (1)       the response package that held the records
answer_id           (2)       the verification answer
agreement_version   no        version of the agreement (the event's ``agreement`` is its id)
recipient_key_id    no        the recipient agency's registered key the package was sealed to
recipient_name      no        the recipient agency's name
purpose_text        no        the purpose in the agreement's words
legal_authority     no        statute(s) authorizing the disclosure
law_enforcement     no        true for a disclosure under 552a(b)(7)
exempt_basis        (3)       why the line is withheld from the person, e.g. ``552a(c)(3)``
==================  ========  =============================================================

(1) for ``disclosure.made``; (2) for ``verification.answered``; (3) required when
``law_enforcement`` is true (a default is filled in by the builders), or alone for a system
exempted under 552a(j)/(k). The event's ``agreement`` (the legal basis) and ``subjects`` (the
keyed HMACs of the people whose records went out) are required too.

One event lists the people who received exactly its ``categories``: a package whose rows hold
different sets of categories is recorded as one event per set (:meth:`Disclosure.events`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from matchgate.audit import kinds
from matchgate.audit.errors import AuditEventRejected
from matchgate.domain.audit import AuditEvent, AuditValue
from matchgate.domain.events import (
    Disclosing,
    DisclosureMade,
    DisclosureWithdrawn,
    VerificationAnswered,
)

LAW_ENFORCEMENT_BASIS = "5 U.S.C. 552a(c)(3): disclosure under 552a(b)(7)"
"""Why a disclosure to a law enforcement agency is withheld from the person's accounting."""

REFERENCE_KEY = {kinds.DISCLOSURE_MADE: "package_id", kinds.VERIFICATION_ANSWERED: "answer_id"}
"""The detail naming what the recipient received, by disclosing kind."""

WITHDRAWAL_REASONS = frozenset({"wrong_match", "record_corrected", "dispute_noted"})
"""Why a disclosed record is withdrawn: it was another person's, it was wrong, or disputed."""

_AGENCY = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*$")
_ROUTINE_USE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_ID = re.compile(r"^[\x21-\x7e]{1,200}$")


def join(items: Iterable[str]) -> str:
    """Sorted, unique, comma-separated: the one spelling of a set in a detail value."""
    return ",".join(sorted(set(items)))


def split(text: str) -> tuple[str, ...]:
    """The items of a comma-separated detail value."""
    return tuple(item for item in text.split(",") if item)


def _need_str(details: Mapping[str, AuditValue], key: str, pattern: re.Pattern[str]) -> str:
    value = details.get(key)
    if not isinstance(value, str) or not value:
        raise AuditEventRejected(f"details[{key!r}]", "is required (a non-empty string)")
    if not pattern.match(value):
        raise AuditEventRejected(f"details[{key!r}]", "is not in the expected form")
    return value


def _need_list(details: Mapping[str, AuditValue], key: str, pattern: re.Pattern[str]) -> None:
    value = details.get(key)
    if not isinstance(value, str) or not split(value):
        raise AuditEventRejected(f"details[{key!r}]", "is required (comma-separated, non-empty)")
    items = split(value)
    if value != join(items) or not all(pattern.match(item) for item in items):
        raise AuditEventRejected(f"details[{key!r}]", "must be sorted, unique, comma-separated")


def _optional(details: Mapping[str, AuditValue], key: str, kind: type) -> None:
    value = details.get(key)
    if value is not None and not isinstance(value, kind):
        raise AuditEventRejected(f"details[{key!r}]", f"must be a {kind.__name__}")


def check_disclosure(
    kind: str,
    agreement: str | None,
    subjects: tuple[str, ...],
    details: Mapping[str, AuditValue],
) -> None:
    """Refuse a disclosing event that lacks what its accounting line needs."""
    if agreement is None:
        raise AuditEventRejected("agreement", "is required for a disclosure (its legal basis)")
    if not subjects:
        raise AuditEventRejected("subjects", "must name who was disclosed about")
    _need_str(details, "recipient", _AGENCY)
    _need_list(details, "categories", _CATEGORY)
    _need_str(details, "purpose", _SLUG)
    _need_list(details, "routine_use", _ROUTINE_USE)
    _need_str(details, REFERENCE_KEY[kind], _ID)
    for key in (
        "recipient_name",
        "purpose_text",
        "legal_authority",
        "exempt_basis",
        "recipient_key_id",
    ):
        _optional(details, key, str)
    _optional(details, "law_enforcement", bool)
    _optional(details, "agreement_version", int)
    if details.get("law_enforcement") is True and not details.get("exempt_basis"):
        raise AuditEventRejected(
            "details['exempt_basis']", "is required for a disclosure to law enforcement"
        )


def check_withdrawal(subjects: tuple[str, ...], details: Mapping[str, AuditValue]) -> None:
    """Refuse a withdrawal that does not say whose record, why, and whom to notify."""
    if len(subjects) != 1:
        raise AuditEventRejected("subjects", "must name exactly one person for a withdrawal")
    reason = details.get("reason")
    if reason not in WITHDRAWAL_REASONS:
        raise AuditEventRejected(
            "details['reason']", f"must be one of {sorted(WITHDRAWAL_REASONS)}"
        )
    for key in ("withdraws", "notify"):
        if not isinstance(details.get(key), str):
            raise AuditEventRejected(f"details[{key!r}]", "is required (comma-separated)")
    _optional(details, "package_id", str)


def check_release_failed(details: Mapping[str, AuditValue]) -> None:
    entry = details.get("entry")
    if not isinstance(entry, int) or isinstance(entry, bool) or entry < 0:
        raise AuditEventRejected("details['entry']", "must be the sequence of the audited entry")
    _optional(details, "error", str)


@dataclass(frozen=True)
class Disclosure:
    """What one package or verification answer discloses, common to all its people.

    ``package_id`` for a package (``disclosure.made``) or ``answer_id`` for a verification answer
    (``verification.answered``), not both. ``event``/``events`` turn it into audit events; the
    events are checked when appended, not here.
    """

    actor: str
    agreement: str
    recipient: str
    purpose: str
    routine_uses: tuple[str, ...]
    package_id: str | None = None
    answer_id: str | None = None
    agreement_version: int | None = None
    recipient_name: str | None = None
    purpose_text: str | None = None
    legal_authority: str | None = None
    law_enforcement: bool = False
    exempt_basis: str | None = None
    extra: Mapping[str, AuditValue] = field(default_factory=dict)
    recipient_key_id: str | None = None

    def __post_init__(self) -> None:
        if (self.package_id is None) == (self.answer_id is None):
            raise ValueError("give package_id (a package) or answer_id (a verification), not both")

    @property
    def kind(self) -> str:
        return kinds.DISCLOSURE_MADE if self.package_id is not None else kinds.VERIFICATION_ANSWERED

    def event(self, categories: Iterable[str], subjects: Iterable[str]) -> AuditEvent:
        """The event for ``subjects`` (``subject_key`` HMACs), who all received ``categories``."""
        exempt = self.exempt_basis
        if exempt is None and self.law_enforcement and "exempt_basis" not in self.extra:
            exempt = LAW_ENFORCEMENT_BASIS
        kind: type[Disclosing] = (
            DisclosureMade if self.package_id is not None else VerificationAnswered
        )
        return kind(
            actor=self.actor,
            agency=self.recipient,
            agreement=self.agreement,
            subjects=tuple(sorted(set(subjects))),
            recipient=self.recipient,
            categories=join(categories),
            purpose=self.purpose,
            routine_use=join(self.routine_uses),
            package_id=self.package_id,
            answer_id=self.answer_id,
            agreement_version=self.agreement_version,
            recipient_name=self.recipient_name,
            purpose_text=self.purpose_text,
            legal_authority=self.legal_authority,
            exempt_basis=exempt,
            law_enforcement=True if self.law_enforcement else None,
            recipient_key_id=self.recipient_key_id,
            extra=self.extra,
        ).audit_event()

    def events(self, categories_by_subject: Mapping[str, Iterable[str]]) -> list[AuditEvent]:
        """One event per distinct set of categories, in a stable order; people given no
        category are left out (nothing of theirs was disclosed)."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for subject, categories in categories_by_subject.items():
            groups.setdefault(tuple(sorted(set(categories))), []).append(subject)
        return [self.event(cats, subjects) for cats, subjects in sorted(groups.items()) if cats]


def withdrawal_event(
    *,
    actor: str,
    subject: str,
    reason: str,
    withdraws: Sequence[int],
    notify: Iterable[str],
    package_id: str | None = None,
) -> AuditEvent:
    """A ``disclosure.withdrawn`` event: ``withdraws`` lists the entry sequences it corrects."""
    return DisclosureWithdrawn(
        actor=actor,
        subjects=(subject,),
        reason=reason,
        withdraws=",".join(str(seq) for seq in sorted(set(withdraws))),
        notify=join(notify),
        package_id=package_id,
    ).audit_event()
