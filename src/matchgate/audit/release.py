"""Release only after the audit entry is durable: the one helper every release path calls.

``release_after_audit(sink, event, release)`` appends the event(s) and calls ``release`` only
once every append has returned a receipt. If an append fails, ``release`` is never called and
the caller gets :class:`AuditUnavailable`. If ``release`` itself fails after the entries are
written, a ``release.failed`` entry is added (best effort) for each, so the accounting can say
the data may not have been received, and the original error is raised.

A disclosure (``disclosure.made``, ``verification.answered``, ``package.released``) is also
witnessed before it is released, when the sink can (a :class:`Witnessing` sink, such as the
running service's ``AuditLog``): the sink signs a checkpoint covering the entries and writes it to
the witness folder of each recipient agency (:mod:`matchgate.audit.witness`). If that fails,
nothing is released, as when an append fails.

The log may therefore say more than happened (an entry whose release then failed, or whose
receipt was lost to a crash between commit and return), never less: no release without an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol, TypeVar, runtime_checkable

from matchgate.audit.kinds import DISCLOSING, PACKAGE_RELEASED
from matchgate.audit.witness import witness_agencies
from matchgate.domain.audit import AuditEvent, AuditReceipt, AuditSink, AuditUnavailable
from matchgate.domain.events import ReleaseFailed

T = TypeVar("T")
WITNESSED_KINDS = DISCLOSING | {PACKAGE_RELEASED}
"""Kinds whose release is witnessed: whatever leaves for a recipient agency."""


@runtime_checkable
class Witnessing(Protocol):
    """A sink that can sign a checkpoint covering its first ``covering`` entries and leave it in
    each agency's witness folder before a release."""

    def witness(self, agencies: Sequence[str], covering: int) -> object: ...


def recipients(events: Sequence[AuditEvent]) -> tuple[str, ...]:
    """The agencies the disclosures among ``events`` go to (their ``recipient``, else agency)."""
    named: list[str | None] = []
    for event in events:
        if event.kind in WITNESSED_KINDS:
            recipient = event.details.get("recipient")
            named.append(recipient if isinstance(recipient, str) else event.agency)
    return witness_agencies(named)


def _note_failed(
    sink: AuditSink, recorded: Sequence[tuple[AuditEvent, AuditReceipt]], error: str
) -> None:
    for event, receipt in recorded:
        note = ReleaseFailed(
            actor=event.actor,
            agency=event.agency,
            agreement=event.agreement,
            subjects=event.subjects,
            entry=receipt.sequence,
            error=error,
        ).audit_event()
        try:
            sink.append(note)
        except Exception:  # noqa: S112 - best effort: the original error is what matters
            continue


@contextmanager
def _nothing_released(
    sink: AuditSink, recorded: Sequence[tuple[AuditEvent, AuditReceipt]], failure: str
) -> Iterator[None]:
    """Run an audit step; if it fails, note the events ``recorded`` so far as not released and
    raise ``AuditUnavailable`` (``failure`` says what failed, before the error's type)."""
    try:
        yield
    except AuditUnavailable as exc:
        _note_failed(sink, recorded, type(exc).__name__)
        raise
    except Exception as exc:
        _note_failed(sink, recorded, type(exc).__name__)
        raise AuditUnavailable(f"{failure} ({type(exc).__name__}); nothing was released") from exc


def append_all(sink: AuditSink, events: Sequence[AuditEvent]) -> list[AuditReceipt]:
    """Append each event in order; raise ``AuditUnavailable`` at the first that is not recorded."""
    recorded: list[tuple[AuditEvent, AuditReceipt]] = []
    for event in events:
        with _nothing_released(sink, recorded, "the audit log failed"):
            receipt = sink.append(event)
        if not isinstance(receipt, AuditReceipt):
            _note_failed(sink, recorded, "NoReceipt")
            raise AuditUnavailable("the audit log returned no receipt; nothing was released")
        recorded.append((event, receipt))
    return [receipt for _, receipt in recorded]


def release_after_audit(
    sink: AuditSink,
    event: AuditEvent | Sequence[AuditEvent],
    release: Callable[[], T],
    *,
    witness_for: Sequence[str] | None = None,
) -> T:
    """Record ``event`` (or each of several, e.g. one per category set), witness the release
    (to ``witness_for``, default the recipients of the disclosures among the events), then
    ``release()``."""
    events = [event] if isinstance(event, AuditEvent) else list(event)
    if not events:
        raise ValueError("release_after_audit needs at least one event")
    receipts = append_all(sink, events)
    agencies = recipients(events) if witness_for is None else witness_agencies(witness_for)
    if agencies and isinstance(sink, Witnessing):
        recorded = list(zip(events, receipts, strict=True))
        with _nothing_released(sink, recorded, "the release could not be witnessed"):
            sink.witness(agencies, max(r.sequence for r in receipts) + 1)
    try:
        return release()
    except BaseException as exc:
        _note_failed(sink, list(zip(events, receipts, strict=True)), type(exc).__name__)
        raise
