"""The audit log and the accounting of disclosures, as each caller may see them.

:mod:`matchgate.app.audit` keeps the log whole (an operator with the store and the keys
verifies and checkpoints all of it); this module is what users reach through a token:

* entries (``show``, ``tail``, ``prove``): those about an agreement the caller's agency is a
  party to, or about the caller's own agency (its users, its tokens); entries about nobody in
  particular (a refusal, a purge) only to the host agency. A hidden entry reads as absent;
* the accounting of one person's disclosures: the lines under agreements where the caller's
  agency discloses, and the corrections of those lines;
* a withdrawal: only of a disclosure the caller's agency made; it makes a notice for each
  earlier recipient of the record (:mod:`matchgate.services.oversight.withdrawals`).
"""

from __future__ import annotations

from dataclasses import replace

from matchgate.access import Action, Parties, Principal, readable
from matchgate.app.access import require
from matchgate.app.core import App
from matchgate.audit import Accounting, InclusionProof, WithdrawalRefused
from matchgate.domain.errors import InputError
from matchgate.services.oversight.audit_queries import (
    EntryView,
    accounting_for,
    prove_inclusion,
    show_entries,
    tail_entries,
)
from matchgate.services.oversight.withdrawals import NotifiedWithdrawal, notify_recipients
from matchgate.storage import access as access_store
from matchgate.storage import agreements as agreement_store

_PAGE = 500


class _Scope:
    """Which entries one caller may see, from the agreements' parties as stored now."""

    def __init__(self, app: App, caller: Principal, action: Action) -> None:
        self.caller = caller
        self.action = action
        with app.unit_of_work() as s:
            self.parties = {
                latest.agreement_id: Parties(latest.disclosing, latest.recipient)
                for latest in agreement_store.latest_versions(s)
            }
            host = access_store.host_agency(s)
            self.host = None if host is None else host.code

    def entry(self, view: EntryView) -> bool:
        if view.agreement:
            parties = self.parties.get(view.agreement)
        elif view.agency:
            parties = Parties.of_agency(view.agency)
        else:
            parties = None if self.host is None else Parties.of_agency(self.host)
        return parties is not None and readable(self.caller, self.action, parties)

    def agreement(self, agreement_id: str) -> bool:
        parties = self.parties.get(agreement_id)
        return parties is not None and readable(self.caller, self.action, parties)


def _scope(app: App, caller: Principal, action: Action) -> _Scope:
    """What the caller (re-read; a refusal audited) may see for ``action``."""
    return _Scope(app, require(app.settings, caller, action, audit=app.refusal_audit()), action)


def show_entries_for(app: App, start: int, limit: int, *, caller: Principal) -> list[EntryView]:
    """Entries from ``start`` on (at most ``limit`` looked at) that the caller may see."""
    scope = _scope(app, caller, Action.AUDIT_READ)
    return [view for view in show_entries(app.audit_config, start, limit) if scope.entry(view)]


def tail_entries_for(app: App, count: int, *, caller: Principal) -> list[EntryView]:
    """The caller's last ``count`` visible entries, oldest first."""
    scope = _scope(app, caller, Action.AUDIT_READ)
    config = app.audit_config
    last = tail_entries(config, 1)
    stop = last[0].sequence + 1 if last else 0
    found: list[EntryView] = []
    while stop > 0 and len(found) < count:
        start = max(0, stop - _PAGE)
        page = [v for v in show_entries(config, start, stop - start) if scope.entry(v)]
        found = page + found
        stop = start
    return found[-count:] if count > 0 else []


def prove_for(
    app: App, sequence: int, *, caller: Principal, size: int | None = None
) -> InclusionProof:
    """An inclusion proof of an entry the caller may see (another's reads as no such entry)."""
    scope = _scope(app, caller, Action.AUDIT_READ)
    config = app.audit_config
    views = show_entries(config, sequence, 1) if sequence >= 0 else []
    if not views or not scope.entry(views[0]):
        raise InputError(f"no entry {sequence} in the log", code="E_AUDIT_NO_ENTRY")
    return prove_inclusion(config, sequence, size=size)


def _restricted(accounting: Accounting, scope: _Scope) -> Accounting:
    lines = tuple(line for line in accounting.lines if scope.agreement(line.agreement))
    shown = {line.sequence for line in lines}
    recipients = {line.recipient for line in lines}
    corrections = tuple(
        replace(
            c,
            withdraws=tuple(s for s in c.withdraws if s in shown),
            notify=tuple(r for r in c.notify if r in recipients),
            notices=tuple(n for n in c.notices if n.recipient in recipients),
        )
        for c in accounting.corrections
        if any(s in shown for s in c.withdraws)
    )
    return Accounting(lines, corrections, accounting.zone)


def accounting_for_caller(app: App, ssn: str, *, caller: Principal) -> Accounting:
    """The accounting of one person's record, of the disclosures the caller's agency made,
    dated in the agency's time zone (``settings.zone``) as its packages are."""
    scope = _scope(app, caller, Action.ACCOUNTING_READ)
    accounting = accounting_for(app.audit_config, ssn)
    return _restricted(accounting, scope).in_zone(app.settings.zone)


def withdraw_for_caller(
    app: App,
    ssn: str,
    reason: str,
    *,
    caller: Principal,
    package_id: str | None = None,
) -> NotifiedWithdrawal:
    """Record that a disclosure the caller's agency made proved wrong (552a(c)(4)), and make a
    notice for each earlier recipient of the record.

    A person with no disclosure by the caller's agency (in that package) is refused exactly as
    one with none at all.
    """
    scope = _scope(app, caller, Action.ACCOUNTING_WITHDRAW)
    caller = scope.caller
    log = app.audit_log()
    whole = accounting_for(app.audit_config, ssn)
    mine = _restricted(whole, scope)
    if not any(package_id is None or line.reference == package_id for line in mine.lines):
        what = "this person" if package_id is None else f"this person in package {package_id}"
        raise WithdrawalRefused(f"no disclosure of {what} is recorded")
    done = log.withdraw(ssn, reason, actor=caller.user_id, package_id=package_id)
    return notify_recipients(
        app,
        log,
        done,
        whole,
        subject=log.subject_key(ssn),
        reason=reason,
        package_id=package_id,
        caller=caller,
    )
