"""The accounting of disclosures (5 U.S.C. 552a(c)), derived from the audit log itself.

A person's accounting is read from the log's own entries (found through the subject index the
store writes in the same transaction as each entry), never from a second record that could
disagree with it. Each ``disclosure.made`` / ``verification.answered`` entry naming the person
is one line: date, nature (categories), purpose, recipient, legal basis (agreement, routine
use, statute) and what was sent (package or answer id).

* **Exempt lines.** A disclosure to a law enforcement agency under 552a(b)(7) is withheld from
  the person (552a(c)(3)), as is one from a system exempted under 552a(j) or (k) (its event says
  ``exempt_basis``). :meth:`Accounting.for_person` drops those lines, says nothing of them, and
  leaves their recipients out of correction notices shown to the person.
* **Corrections.** When a disclosed record proves wrong, a ``disclosure.withdrawn`` entry names
  the lines it withdraws and every earlier recipient of the person's record, who must be told
  (552a(c)(4)); the accounting shows the correction under each line it withdraws. Each
  recipient's notice is a ``withdrawal.notified`` entry and its acknowledgement a
  ``withdrawal.acknowledged`` entry (both name the person's subject key): the accounting shows,
  per recipient, when it was notified and when and by whom it acknowledged, from those entries
  only; a recipient with no notice entry is shown as still to be notified.
* **Release failures.** A ``release.failed`` entry marks a line whose data may never have been
  received; the line stays (the record was prepared for release) and says so.
* **Retention.** Lines are kept at least five years after the disclosure or the life of the
  record, whichever is longer (552a(c)(2)); :func:`check_purge` refuses any earlier cutoff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from matchgate.audit import kinds
from matchgate.audit.disclosures import REFERENCE_KEY, split
from matchgate.audit.entry import parse_time
from matchgate.audit.errors import RetentionRefused
from matchgate.domain.audit import AuditValue, Entry
from matchgate.domain.lifecycle import PackageStatus

RETENTION_YEARS = 5
ACCOUNTING_FORMAT = "matchgate-accounting-v1"


@dataclass(frozen=True)
class NoticeState:
    """One recipient's notice of a correction, as the log records it."""

    recipient: str
    notice_id: str
    notified_at: str
    acknowledged_at: str | None = None
    acknowledged_by: str | None = None


@dataclass(frozen=True)
class Correction:
    """A ``disclosure.withdrawn`` entry about the person."""

    sequence: int
    recorded_at: str
    reason: str
    withdraws: tuple[int, ...]
    notify: tuple[str, ...]
    package_id: str | None
    notices: tuple[NoticeState, ...] = ()

    def notice_of(self, recipient: str) -> NoticeState | None:
        return next((n for n in self.notices if n.recipient == recipient), None)


@dataclass(frozen=True)
class AccountingLine:
    """One disclosure of the person's record."""

    sequence: int
    recorded_at: str
    kind: str
    reference: str
    recipient: str
    recipient_name: str | None
    categories: tuple[str, ...]
    purpose: str
    purpose_text: str | None
    agreement: str
    agreement_version: int | None
    routine_uses: tuple[str, ...]
    legal_authority: str | None
    law_enforcement: bool
    exempt_basis: str | None
    released: bool = True
    withdrawn_by: tuple[int, ...] = ()
    recipient_key_id: str | None = None
    """The recipient's registered key the package was sealed to (entries that name it)."""

    @property
    def exempt(self) -> bool:
        """Withheld from the person's copy (552a(c)(3), (j), (k))."""
        return self.law_enforcement or self.exempt_basis is not None

    @property
    def date(self) -> dt.date:
        """The UTC date of the entry; an accounting shows ``local_date`` in its zone."""
        return parse_time(self.recorded_at).date()


def local_date(recorded_at: str, zone: dt.tzinfo) -> dt.date:
    """The calendar date in ``zone`` (the agency's) of an entry's stored UTC time."""
    return parse_time(recorded_at).astimezone(zone).date()


def _text(details: dict[str, AuditValue], key: str) -> str | None:
    value = details.get(key)
    return value if isinstance(value, str) else None


def _line(entry: Entry, details: dict[str, AuditValue]) -> AccountingLine:
    version = details.get("agreement_version")
    return AccountingLine(
        sequence=entry.sequence,
        recorded_at=entry.recorded_at,
        kind=entry.kind,
        reference=str(details.get(REFERENCE_KEY[entry.kind], "")),
        recipient=str(details.get("recipient", "")),
        recipient_name=_text(details, "recipient_name"),
        categories=split(str(details.get("categories", ""))),
        purpose=str(details.get("purpose", "")),
        purpose_text=_text(details, "purpose_text"),
        agreement=entry.agreement or "",
        agreement_version=version if isinstance(version, int) else None,
        routine_uses=split(str(details.get("routine_use", ""))),
        legal_authority=_text(details, "legal_authority"),
        law_enforcement=details.get("law_enforcement") is True,
        exempt_basis=_text(details, "exempt_basis"),
        recipient_key_id=_text(details, "recipient_key_id"),
    )


def _correction(entry: Entry, details: dict[str, AuditValue]) -> Correction:
    withdraws = tuple(int(s) for s in split(str(details.get("withdraws", ""))) if s.isdigit())
    return Correction(
        sequence=entry.sequence,
        recorded_at=entry.recorded_at,
        reason=str(details.get("reason", "")),
        withdraws=withdraws,
        notify=split(str(details.get("notify", ""))),
        package_id=_text(details, "package_id"),
    )


@dataclass(frozen=True)
class Accounting:
    """Every disclosure of one person's record, with its corrections, oldest first."""

    lines: tuple[AccountingLine, ...]
    corrections: tuple[Correction, ...]
    zone: dt.tzinfo = dt.UTC
    """The time zone of the dates shown (the agency's: ``Settings.zone``); the stored times
    stay UTC."""

    def in_zone(self, zone: dt.tzinfo) -> Accounting:
        """The same accounting, its dates shown in ``zone``."""
        return replace(self, zone=zone)

    def day(self, recorded_at: str) -> dt.date:
        return local_date(recorded_at, self.zone)

    def for_person(self) -> Accounting:
        """The copy the person receives: exempt lines removed without a trace."""
        shown = tuple(line for line in self.lines if not line.exempt)
        visible = {line.sequence for line in shown}
        recipients = {line.recipient for line in shown}
        corrections = []
        for c in self.corrections:
            withdraws = tuple(s for s in c.withdraws if s in visible)
            if c.withdraws and not withdraws:
                continue  # it corrected only withheld lines
            notify = tuple(r for r in c.notify if r in recipients)
            notices = tuple(n for n in c.notices if n.recipient in recipients)
            corrections.append(replace(c, withdraws=withdraws, notify=notify, notices=notices))
        return Accounting(shown, tuple(corrections), self.zone)

    def recipients(self) -> tuple[str, ...]:
        """Every agency the person's record went to (whom a correction must reach)."""
        return tuple(sorted({line.recipient for line in self.lines}))

    def to_json(self, *, generated_at: str) -> dict[str, Any]:
        corrections = {c.sequence: c for c in self.corrections}
        return {
            "format": ACCOUNTING_FORMAT,
            "generated_at": generated_at,
            "disclosures": [_line_json(line, corrections, self.day) for line in self.lines],
            "corrections": [_correction_json(c, self.day) for c in self.corrections],
        }


def _status(line: AccountingLine) -> str:
    if line.withdrawn_by:
        return PackageStatus.WITHDRAWN.value
    return PackageStatus.DISCLOSED.value if line.released else PackageStatus.RELEASE_FAILED.value


def _line_json(
    line: AccountingLine, corrections: dict[int, Correction], day: Callable[[str], dt.date]
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "entry": line.sequence,
        "date": day(line.recorded_at).isoformat(),
        "time": line.recorded_at,
        "kind": "verification answer" if line.kind == kinds.VERIFICATION_ANSWERED else "package",
        "reference": line.reference,
        "recipient": {
            "agency": line.recipient,
            "name": line.recipient_name,
            "key_id": line.recipient_key_id,
        },
        "nature": {"categories": list(line.categories)},
        "purpose": {"code": line.purpose, "text": line.purpose_text},
        "legal_basis": {
            "agreement": line.agreement,
            "agreement_version": line.agreement_version,
            "routine_uses": list(line.routine_uses),
            "legal_authority": line.legal_authority,
        },
        "status": _status(line),
        "corrections": [corrections[s].sequence for s in line.withdrawn_by if s in corrections],
    }
    if line.exempt:
        item["withheld_from_person"] = line.exempt_basis or "law enforcement (552a(c)(3))"
    return item


def to_notify(recipients: Sequence[str]) -> str:
    """Who a correction is to be told to (552a(c)(4)), and no claim that they were."""
    if not recipients:
        return "no recipient to notify"
    return f"recipients to notify: {', '.join(recipients)}"


def notice_text(c: Correction, day: Callable[[str], dt.date]) -> str:
    """Per recipient: notified (date) and acknowledged (date, by whom), or still to be."""
    if not c.notify:
        return "no recipient to notify"
    parts = []
    for recipient in c.notify:
        n = c.notice_of(recipient)
        if n is None:
            parts.append(f"{recipient} not yet notified")
        elif n.acknowledged_at is None:
            parts.append(f"{recipient} notified {day(n.notified_at)}, not yet acknowledged")
        else:
            parts.append(
                f"{recipient} notified {day(n.notified_at)}, acknowledged"
                f" {day(n.acknowledged_at)} by {n.acknowledged_by}"
            )
    return "; ".join(parts)


def _correction_json(c: Correction, day: Callable[[str], dt.date]) -> dict[str, Any]:
    def one(recipient: str) -> dict[str, Any]:
        n = c.notice_of(recipient)
        return {
            "agency": recipient,
            "notice": None if n is None else n.notice_id,
            "notified": None if n is None else day(n.notified_at).isoformat(),
            "acknowledged": None
            if n is None or n.acknowledged_at is None
            else day(n.acknowledged_at).isoformat(),
            "acknowledged_by": None if n is None else n.acknowledged_by,
        }

    return {
        "entry": c.sequence,
        "date": day(c.recorded_at).isoformat(),
        "reason": c.reason,
        "withdraws": list(c.withdraws),
        "package_id": c.package_id,
        "recipients_to_notify": list(c.notify),
        "recipients": [one(r) for r in c.notify],
    }


def build_accounting(entries: Iterable[Entry], subjects: Collection[str]) -> Accounting:
    """The accounting of the person known by ``subjects`` from the entries naming them."""
    wanted = set(subjects)
    lines: dict[int, AccountingLine] = {}
    corrections: list[Correction] = []
    failed: set[int] = set()
    notices: dict[str, NoticeState] = {}
    notice_of: dict[str, int] = {}  # notice id -> the withdrawal entry it follows
    for entry in sorted(entries, key=lambda e: e.sequence):
        if not wanted.intersection(entry.subject_list()):
            continue
        details = entry.detail_map()
        if entry.kind in kinds.DISCLOSING:
            lines[entry.sequence] = _line(entry, details)
        elif entry.kind == kinds.DISCLOSURE_WITHDRAWN:
            corrections.append(_correction(entry, details))
        elif entry.kind == kinds.RELEASE_FAILED:
            target = details.get("entry")
            if isinstance(target, int):
                failed.add(target)
        elif entry.kind in (kinds.WITHDRAWAL_NOTIFIED, kinds.WITHDRAWAL_ACKNOWLEDGED):
            _notice_step(entry, details, notices, notice_of)
    by_withdrawal: dict[int, list[NoticeState]] = {}
    for notice_id, state in notices.items():
        by_withdrawal.setdefault(notice_of[notice_id], []).append(state)
    corrections = [
        replace(c, notices=tuple(by_withdrawal.get(c.sequence, ()))) for c in corrections
    ]
    withdrawn: dict[int, list[int]] = {}
    for c in corrections:
        for seq in c.withdraws:
            withdrawn.setdefault(seq, []).append(c.sequence)
    result = tuple(
        replace(
            line,
            released=seq not in failed,
            withdrawn_by=tuple(withdrawn.get(seq, ())),
        )
        for seq, line in sorted(lines.items())
    )
    return Accounting(result, tuple(corrections))


def _notice_step(
    entry: Entry,
    details: dict[str, AuditValue],
    notices: dict[str, NoticeState],
    notice_of: dict[str, int],
) -> None:
    notice_id, withdrawal = details.get("notice_id"), details.get("withdrawal_entry")
    if not isinstance(notice_id, str) or not isinstance(withdrawal, int):
        return  # a malformed entry: the verifier reports it
    if entry.kind == kinds.WITHDRAWAL_NOTIFIED:
        notices[notice_id] = NoticeState(
            recipient=str(details.get("recipient", "")),
            notice_id=notice_id,
            notified_at=entry.recorded_at,
        )
        notice_of[notice_id] = withdrawal
    elif notice_id in notices and notices[notice_id].acknowledged_at is None:
        notices[notice_id] = replace(
            notices[notice_id], acknowledged_at=entry.recorded_at, acknowledged_by=entry.actor
        )


def plan_withdrawal(
    accounting: Accounting, package_id: str | None
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(entries withdrawn, agencies to notify) for a correction of the person's record.

    With ``package_id``, the lines of that package are withdrawn (a wrong match); without, every
    line is (the record itself was wrong). Every earlier recipient of the record is notified,
    as 552a(c)(4) requires, exempt recipients included (only the person's copy hides them).
    """
    if package_id is None:
        withdraws = tuple(line.sequence for line in accounting.lines)
    else:
        withdraws = tuple(
            line.sequence for line in accounting.lines if line.reference == package_id
        )
    return withdraws, accounting.recipients()


def earliest_purge_cutoff(today: dt.date) -> dt.date:
    """The latest cutoff a purge may use: entries on or after it are younger than five years."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - RETENTION_YEARS, day=28)


def check_purge(cutoff: dt.date, today: dt.date) -> None:
    """Refuse a purge of accounting entries that would reach entries younger than five years."""
    limit = earliest_purge_cutoff(today)
    if cutoff > limit:
        raise RetentionRefused(
            f"the accounting of disclosures is kept {RETENTION_YEARS} years (5 U.S.C. "
            f"552a(c)(2)): a purge may drop entries before {limit.isoformat()} at the latest, "
            f"not before {cutoff.isoformat()}"
        )


def render_text(accounting: Accounting, *, generated_at: str, title: str) -> str:
    """The accounting as a plain-text letter (give it ``for_person()`` to send to the person)."""
    prepared = accounting.day(generated_at)
    out = [title, "=" * len(title), f"Prepared {prepared.isoformat()}.", ""]
    if not accounting.lines:
        out.append("No disclosures of this record are recorded.")
    corrections = {c.sequence: c for c in accounting.corrections}
    for number, line in enumerate(accounting.lines, start=1):
        recipient = line.recipient + (f" ({line.recipient_name})" if line.recipient_name else "")
        what = "verification answer" if line.kind == kinds.VERIFICATION_ANSWERED else "package"
        purpose = line.purpose + (f": {line.purpose_text}" if line.purpose_text else "")
        basis = f"agreement {line.agreement}"
        if line.agreement_version is not None:
            basis += f" version {line.agreement_version}"
        basis += f"; routine use {', '.join(line.routine_uses)}"
        if line.legal_authority:
            basis += f"; {line.legal_authority}"
        out += [
            f"{number}. {accounting.day(line.recorded_at).isoformat()}  disclosed to {recipient}",
            f"   Nature:      {', '.join(line.categories)}",
            f"   Purpose:     {purpose}",
            f"   Legal basis: {basis}",
            f"   Reference:   {what} {line.reference}",
        ]
        if line.recipient_key_id:
            out.append(f"   Sealed to:   {line.recipient} key {line.recipient_key_id}")
        if line.exempt:
            out.append(f"   Withheld from the person: {line.exempt_basis}")
        if not line.released:
            out.append("   Note: the release failed; the recipient may not have received it.")
        for seq in line.withdrawn_by:
            c = corrections.get(seq)
            if c is not None:
                reason = c.reason.replace("_", " ")
                out.append(
                    f"   CORRECTED {accounting.day(c.recorded_at)}: withdrawn ({reason});"
                    f" {notice_text(c, accounting.day)}"
                )
        out.append("")
    general = [c for c in accounting.corrections if not c.withdraws]
    for c in general:
        reason = c.reason.replace("_", " ")
        notices = notice_text(c, accounting.day)
        out.append(f"Correction {accounting.day(c.recorded_at)} ({reason}); {notices}")
    return "\n".join(out).rstrip() + "\n"
