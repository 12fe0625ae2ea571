"""What may be disclosed and processed under an agreement on a given day: pure functions.

These are the questions submission intake and disclosure ask (through the services layer, since
stages do not import each other). Every span is half-open (``start <= day < end``) and every day
is a calendar day in the agency's time zone.

A record category ``c`` is disclosable on ``day`` exactly when all of these hold, and
:func:`refusal_reasons` names each one that does not:

1. the agreement is in force: ``effective <= day < expires``;
2. the disclosure is for the agreement's own purpose;
3. ``c`` is among the agreement's ``allowed_response_categories``;
4. some routine use is in force on ``day`` (``effective <= day < rescinded``) and names the
   agreement's recipient, its purpose and ``c``.

Onward use (issue 5, part 6): every function that decides a disclosure takes ``purpose``
(``None`` means the agreement's purpose) and ``agreed_purposes``: the purposes of onward-use
notices the disclosing agency has approved. Rule 2 then reads "for the agreement's purpose or an
agreed one"; rule 4 still needs a routine use naming that purpose. Any other purpose is refused
(``R_PURPOSE_NOT_AGREED``); :mod:`matchgate.governance.onward` gives pending and denied notices
their own codes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from matchgate.governance.agreement import Agreement, RoutineUse
from matchgate.governance.codes import RefusalCode
from matchgate.governance.vocabulary import REQUEST_ID, Category

_KNOWN_CATEGORIES = frozenset(c.value for c in Category)


@dataclass(frozen=True)
class Refusal:
    """A plain-language reason something may not be disclosed or processed, with a stable code."""

    code: RefusalCode
    reason: str

    def __str__(self) -> str:
        return self.reason


def in_force(agreement: Agreement, on: date) -> bool:
    """Whether the agreement is in force on ``on``: ``effective <= on < expires``."""
    return agreement.effective <= on < agreement.expires


def _purpose(agreement: Agreement, purpose: str | None) -> str:
    return agreement.purpose.code if purpose is None else purpose


def _covering(agreement: Agreement, category: str, purpose: str) -> list[RoutineUse]:
    """Routine uses naming the recipient, the purpose and the category, whatever their dates."""
    return [u for u in agreement.routine_uses if u.covers(agreement.recipient, purpose, category)]


def _agreed(agreement: Agreement, purpose: str, agreed_purposes: Collection[str]) -> bool:
    return purpose == agreement.purpose.code or purpose in agreed_purposes


def disclosable_categories(
    agreement: Agreement,
    on: date,
    *,
    purpose: str | None = None,
    agreed_purposes: Collection[str] = (),
) -> frozenset[Category]:
    """The categories that may be disclosed per match on ``on`` (the module's rules 1-4)."""
    wanted = _purpose(agreement, purpose)
    if not in_force(agreement, on) or not _agreed(agreement, wanted, agreed_purposes):
        return frozenset()
    return frozenset(
        category
        for category in agreement.allowed_response_categories
        if any(use.in_force_on(on) for use in _covering(agreement, category, wanted))
    )


def refusal_reasons(
    agreement: Agreement,
    category: str,
    on: date,
    *,
    purpose: str | None = None,
    agreed_purposes: Collection[str] = (),
) -> tuple[Refusal, ...]:
    """Every reason ``category`` may not be disclosed on ``on``; empty when it may be.

    ``category in disclosable_categories(a, on)`` exactly when this returns nothing.
    """
    reasons: list[Refusal] = []
    if on < agreement.effective:
        reasons.append(
            Refusal(
                RefusalCode.AGREEMENT_NOT_YET_EFFECTIVE,
                f"agreement {agreement.id} v{agreement.version} takes effect on "
                f"{agreement.effective.isoformat()}",
            )
        )
    elif on >= agreement.expires:
        reasons.append(
            Refusal(
                RefusalCode.AGREEMENT_EXPIRED,
                f"agreement {agreement.id} v{agreement.version} expired on "
                f"{agreement.expires.isoformat()}",
            )
        )
    wanted = _purpose(agreement, purpose)
    if not _agreed(agreement, wanted, agreed_purposes):
        reasons.append(
            Refusal(
                RefusalCode.PURPOSE_NOT_AGREED,
                f"purpose {wanted!r} is not the agreement's purpose "
                f"({agreement.purpose.code!r}); a new use needs an onward-use notice and the "
                "disclosing agency's decision",
            )
        )
    if category not in _KNOWN_CATEGORIES:
        reasons.append(
            Refusal(RefusalCode.CATEGORY_UNKNOWN, f"{category!r} is not a known record category")
        )
        return tuple(reasons)
    if category not in agreement.allowed_response_categories:
        reasons.append(
            Refusal(
                RefusalCode.CATEGORY_NOT_AGREED,
                f"the agreement does not allow disclosing {category}",
            )
        )
    covering = _covering(agreement, category, wanted)
    if not any(use.in_force_on(on) for use in covering):
        reasons.append(
            Refusal(RefusalCode.NO_ROUTINE_USE, _no_routine_use(agreement, category, wanted, on))
        )
    return tuple(reasons)


def routine_uses_relied_on(
    agreement: Agreement,
    category: str,
    on: date,
    *,
    purpose: str | None = None,
    agreed_purposes: Collection[str] = (),
) -> tuple[str, ...]:
    """Ids of the routine uses in force on ``on`` that cover disclosing ``category`` (empty
    when the category may not be disclosed that day)."""
    wanted = _purpose(agreement, purpose)
    if category not in disclosable_categories(
        agreement, on, purpose=wanted, agreed_purposes=agreed_purposes
    ):
        return ()
    return tuple(u.id for u in _covering(agreement, category, wanted) if u.in_force_on(on))


def _no_routine_use(agreement: Agreement, category: str, purpose: str, on: date) -> str:
    day = on.isoformat()
    base = (
        f"no routine use in force on {day} covers disclosing {category} to "
        f"{agreement.recipient} for {purpose!r}"
    )
    covering = _covering(agreement, category, purpose)
    later = sorted((u.effective, u.id) for u in covering if u.effective > on)
    ended = sorted(
        (u.rescinded, u.id) for u in covering if u.rescinded is not None and u.rescinded <= on
    )
    if later:
        return f"{base} ({later[0][1]} takes effect on {later[0][0].isoformat()})"
    if ended:
        return f"{base} ({ended[-1][1]} was rescinded on {ended[-1][0].isoformat()})"
    return base


def disallowed_request_fields(agreement: Agreement, columns: Iterable[str]) -> list[str]:
    """Request columns the agreement does not allow, as given, in order, each once.

    Names are compared trimmed and lower-cased, as intake reads them; ``request_id`` is always
    allowed. Any column not allowed counts, even one matchgate would otherwise ignore.
    """
    allowed = {REQUEST_ID, *agreement.allowed_request_fields}
    refused: list[str] = []
    seen: set[str] = set()
    for column in columns:
        name = column.strip().lower()
        if name not in allowed and name not in seen:
            refused.append(column)
            seen.add(name)
    return refused


def volume_exceeded(agreement: Agreement, records: int, files_this_month: int) -> Refusal | None:
    """Why a file of ``records`` rows may not be processed without consultation, or None.

    ``files_this_month`` counts the files already accepted in the file's calendar month, not this
    one: the file is within the cap when ``files_this_month + 1 <= max_files_per_month``.
    """
    if records < 0 or files_this_month < 0:
        raise ValueError("records and files_this_month must not be negative")
    over: list[str] = []
    if records > agreement.max_records_per_file:
        over.append(
            f"the file has {records:,} records; the agreement allows "
            f"{agreement.max_records_per_file:,} per file"
        )
    if files_this_month >= agreement.max_files_per_month:
        over.append(
            f"{files_this_month:,} files were already accepted this month; the agreement allows "
            f"{agreement.max_files_per_month:,} per month"
        )
    if not over:
        return None
    return Refusal(
        RefusalCode.VOLUME_EXCEEDED,
        "; ".join(over) + ": held for consultation with the disclosing agency",
    )


class Versioned(Protocol):
    """What :func:`governing_version` needs of a version (an agreement, or a stored summary)."""

    @property
    def version(self) -> int: ...
    @property
    def effective(self) -> date: ...
    @property
    def expires(self) -> date: ...


V = TypeVar("V", bound=Versioned)


def governing_version(versions: Iterable[V], on: date) -> V | None:
    """Of the versions of one agreement, the one that governs ``on``, or None if none is in force.

    A later version supersedes earlier ones from its own effective date: the governing version is
    the highest-numbered one that has taken effect by ``on``, and only if it is still in force
    that day (an expired amendment does not revive the version it replaced).
    """
    started = [v for v in versions if v.effective <= on]
    if not started:
        return None
    latest = max(started, key=lambda v: v.version)
    return latest if on < latest.expires else None
