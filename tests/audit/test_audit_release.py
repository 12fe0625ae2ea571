"""release_after_audit: nothing is released unless every entry came back with a receipt."""

from __future__ import annotations

import pytest

from matchgate.audit import AuditEvent, AuditReceipt, AuditUnavailable, kinds, release_after_audit

EVENT = AuditEvent(kind="match.run", actor="svc", subjects=("a" * 64,), details={"rows": 1})


class Sink:
    """Records events; fails on the appends whose numbers are listed."""

    def __init__(self, fail_on: set[int] | None = None, exc: Exception | None = None) -> None:
        self.events: list[AuditEvent] = []
        self.calls = 0
        self.fail_on = fail_on or set()
        self.exc = exc or AuditUnavailable("down")

    def append(self, event: AuditEvent) -> AuditReceipt:
        self.calls += 1
        if self.calls in self.fail_on:
            raise self.exc
        self.events.append(event)
        return AuditReceipt(len(self.events) - 1, "0" * 64)


def test_release_happens_after_the_receipt() -> None:
    sink = Sink()
    order: list[str] = []

    def release() -> str:
        order.append(f"released after {len(sink.events)} entries")
        return "data"

    assert release_after_audit(sink, EVENT, release) == "data"
    assert order == ["released after 1 entries"]


@pytest.mark.parametrize("exc", [AuditUnavailable("down"), OSError("disk"), RuntimeError("bug")])
def test_a_failing_sink_releases_nothing(exc: Exception) -> None:
    released = []
    with pytest.raises(AuditUnavailable):
        release_after_audit(Sink({1}, exc), EVENT, lambda: released.append(1))
    assert released == []


def test_a_sink_without_a_receipt_releases_nothing() -> None:
    class Silent:
        def append(self, event: AuditEvent) -> AuditReceipt:
            return None  # type: ignore[return-value]

    released = []
    with pytest.raises(AuditUnavailable, match="no receipt"):
        release_after_audit(Silent(), EVENT, lambda: released.append(1))
    assert released == []


def test_several_events_all_before_release_and_a_partial_failure_is_noted() -> None:
    sink = Sink({2})
    released = []
    with pytest.raises(AuditUnavailable):
        release_after_audit(sink, [EVENT, EVENT], lambda: released.append(1))
    assert released == []
    assert [e.kind for e in sink.events] == ["match.run", kinds.RELEASE_FAILED]
    assert sink.events[1].details == {"entry": 0, "error": "AuditUnavailable"}
    assert sink.events[1].subjects == EVENT.subjects


def test_a_failed_release_is_recorded_and_re_raised() -> None:
    sink = Sink()

    def release() -> None:
        raise OSError("outbox full")

    with pytest.raises(OSError, match="outbox full"):
        release_after_audit(sink, EVENT, release)
    assert [e.kind for e in sink.events] == ["match.run", kinds.RELEASE_FAILED]
    assert sink.events[1].details["error"] == "OSError"


def test_no_events_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        release_after_audit(Sink(), [], lambda: None)
