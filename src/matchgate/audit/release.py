"""Release only after the audit entry is durable: the one helper every release path calls.

``release_after_audit(sink, event, release)`` appends the event(s) and calls ``release`` only
once every append has returned a receipt. If an append fails, ``release`` is never called and
the caller gets :class:`AuditUnavailable`. If ``release`` itself fails after the entries are
written, a ``release.failed`` entry is added (best effort) for each, so the accounting can say
the data may not have been received, and the original error is raised.

The log may therefore say more than happened (an entry whose release then failed, or whose
receipt was lost to a crash between commit and return), never less: no release without an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from matchgate.domain.audit import AuditEvent, AuditReceipt, AuditSink, AuditUnavailable
from matchgate.domain.events import ReleaseFailed

T = TypeVar("T")


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


def append_all(sink: AuditSink, events: Sequence[AuditEvent]) -> list[AuditReceipt]:
    """Append each event in order; raise ``AuditUnavailable`` at the first that is not recorded."""
    recorded: list[tuple[AuditEvent, AuditReceipt]] = []
    for event in events:
        try:
            receipt = sink.append(event)
        except AuditUnavailable as exc:
            _note_failed(sink, recorded, type(exc).__name__)
            raise
        except Exception as exc:
            _note_failed(sink, recorded, type(exc).__name__)
            raise AuditUnavailable(
                f"the audit log failed ({type(exc).__name__}); nothing was released"
            ) from exc
        if not isinstance(receipt, AuditReceipt):
            _note_failed(sink, recorded, "NoReceipt")
            raise AuditUnavailable("the audit log returned no receipt; nothing was released")
        recorded.append((event, receipt))
    return [receipt for _, receipt in recorded]


def release_after_audit(
    sink: AuditSink, event: AuditEvent | Sequence[AuditEvent], release: Callable[[], T]
) -> T:
    """Record ``event`` (or each of several, e.g. one per category set), then ``release()``."""
    events = [event] if isinstance(event, AuditEvent) else list(event)
    if not events:
        raise ValueError("release_after_audit needs at least one event")
    receipts = append_all(sink, events)
    try:
        return release()
    except BaseException as exc:
        _note_failed(sink, list(zip(events, receipts, strict=True)), type(exc).__name__)
        raise
