"""Roles, actions and the matrix joining them: the whole of who may do what, in one table.

A cell of :data:`MATRIX` says, for one action and one role, whose objects that role may act on:

* ``recipient`` - objects under agreements where the caller's agency is the requesting party;
* ``disclosing`` - objects under agreements where the caller's agency discloses;
* ``party`` - either side of the agreement;
* ``own`` - the caller's own agency (users and tokens); the host agency's administrators
  provision every agency, the way the agency running the system onboards its partners;
* ``host`` - only callers of the host agency (the one that runs matchgate), on its own records:
  breach incidents (the host answers for what it disclosed) and retention runs over its store.

No cell, no access. The administrator role reads no exchange data: separation of duties keeps
account management and data access in different hands.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from matchgate.domain.errors import InputError


class Role(StrEnum):
    SUBMITTER = "submitter"
    """Requesting agency: submits files, follows its own submissions."""
    REVIEWER = "reviewer"
    """Disclosing agency: reads submissions and their reports to resolve what needs review."""
    PRIVACY_OFFICER = "privacy_officer"
    """Adds and suspends agreements, files (recipient) or decides (discloser) onward-use
    notices, keeps the accounting of disclosures."""
    AUDITOR = "auditor"
    """Reads, never changes: agreements, submissions, notices, the audit log, the accounting."""
    ADMINISTRATOR = "administrator"
    """Manages users and tokens (and, at the host agency, agencies); reads no exchange data."""


class Side(StrEnum):
    RECIPIENT = "recipient"
    DISCLOSING = "disclosing"
    PARTY = "party"
    OWN = "own"
    HOST = "host"


class Action(StrEnum):
    AGREEMENT_ADD = "agreement.add"
    AGREEMENT_READ = "agreement.read"
    AGREEMENT_SUSPEND = "agreement.suspend"
    SUBMIT = "submission.submit"
    SUBMISSION_READ = "submission.read"
    SUBMISSION_CONSULT = "submission.consult"
    NOTICE_FILE = "notice.file"
    NOTICE_DECIDE = "notice.decide"
    NOTICE_READ = "notice.read"
    AUDIT_READ = "audit.read"
    ACCOUNTING_READ = "accounting.read"
    ACCOUNTING_WITHDRAW = "accounting.withdraw"
    WITHDRAWAL_READ = "withdrawal.read"
    WITHDRAWAL_ACK = "withdrawal.ack"
    USER_MANAGE = "user.manage"
    USER_READ = "user.read"
    AGENCY_MANAGE = "agency.manage"
    RECIPIENT_KEY_MANAGE = "recipient_key.manage"
    RECIPIENT_KEY_READ = "recipient_key.read"
    BREACH_MANAGE = "breach.manage"
    BREACH_READ = "breach.read"
    RETENTION_RUN = "retention.run"


_S, _R, _P, _A, _ADM = (
    Role.SUBMITTER,
    Role.REVIEWER,
    Role.PRIVACY_OFFICER,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
)

MATRIX: Final[dict[Action, dict[Role, Side]]] = {
    Action.AGREEMENT_ADD: {_P: Side.DISCLOSING},
    Action.AGREEMENT_READ: {
        _S: Side.RECIPIENT,
        _R: Side.DISCLOSING,
        _P: Side.PARTY,
        _A: Side.PARTY,
    },
    Action.AGREEMENT_SUSPEND: {_P: Side.DISCLOSING},
    Action.SUBMIT: {_S: Side.RECIPIENT},
    Action.SUBMISSION_READ: {
        _S: Side.RECIPIENT,
        _R: Side.DISCLOSING,
        _P: Side.PARTY,
        _A: Side.PARTY,
    },
    Action.SUBMISSION_CONSULT: {_P: Side.DISCLOSING},
    Action.NOTICE_FILE: {_P: Side.RECIPIENT},
    Action.NOTICE_DECIDE: {_P: Side.DISCLOSING},
    Action.NOTICE_READ: {_S: Side.RECIPIENT, _R: Side.DISCLOSING, _P: Side.PARTY, _A: Side.PARTY},
    Action.AUDIT_READ: {_P: Side.PARTY, _A: Side.PARTY},
    Action.ACCOUNTING_READ: {_P: Side.DISCLOSING, _A: Side.DISCLOSING},
    Action.ACCOUNTING_WITHDRAW: {_P: Side.DISCLOSING},
    Action.WITHDRAWAL_READ: {_S: Side.RECIPIENT, _P: Side.PARTY, _A: Side.PARTY},
    Action.WITHDRAWAL_ACK: {_S: Side.RECIPIENT, _P: Side.RECIPIENT},
    Action.USER_MANAGE: {_ADM: Side.OWN},
    Action.USER_READ: {_ADM: Side.OWN, _A: Side.OWN},
    Action.AGENCY_MANAGE: {_ADM: Side.HOST},
    Action.RECIPIENT_KEY_MANAGE: {_ADM: Side.HOST},
    Action.RECIPIENT_KEY_READ: {_ADM: Side.HOST, _A: Side.OWN},
    Action.BREACH_MANAGE: {_P: Side.HOST},
    Action.BREACH_READ: {_P: Side.HOST, _A: Side.HOST},
    Action.RETENTION_RUN: {_P: Side.HOST, _ADM: Side.HOST},
}
"""Action -> role -> whose objects. Every action has a row; docs/access.md prints this table."""

E_ROLE = "E_ROLE"


def parse_roles(names: list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Role names as given on a command line or stored; an unknown name is an input error."""
    roles: set[Role] = set()
    for name in names:
        try:
            roles.add(Role(name.strip().lower().replace("-", "_")))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InputError(f"unknown role (known: {known})", field="role", code=E_ROLE) from None
    return frozenset(roles)
