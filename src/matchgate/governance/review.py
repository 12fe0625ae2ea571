"""Warnings about a valid agreement: things a privacy officer should see before relying on it."""

from __future__ import annotations

from datetime import date

from matchgate.governance.agreement import Agreement


def coverage_gaps(agreement: Agreement, category: str) -> list[tuple[date, date]]:
    """Spans ``[start, end)`` of the agreement's term on which no routine use covers ``category``
    for the recipient and purpose (so the policy functions will refuse it on those days)."""
    spans = sorted(
        (max(use.effective, agreement.effective), min(use.rescinded or date.max, agreement.expires))
        for use in agreement.routine_uses
        if use.covers(agreement.recipient, agreement.purpose.code, category)
        and use.overlaps(agreement.effective, agreement.expires)
    )
    gaps: list[tuple[date, date]] = []
    cursor = agreement.effective
    for start, end in spans:
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < agreement.expires:
        gaps.append((cursor, agreement.expires))
    return gaps


def coverage_warnings(agreement: Agreement) -> tuple[str, ...]:
    """One line per allowed category that some routine use covers for only part of the term."""
    warnings: list[str] = []
    for category in agreement.allowed_response_categories:
        for start, end in coverage_gaps(agreement, category):
            warnings.append(
                f"{category} is covered by no routine use from {start.isoformat()} until "
                f"{end.isoformat()} (exclusive); it will be refused on those days"
            )
    return tuple(warnings)
