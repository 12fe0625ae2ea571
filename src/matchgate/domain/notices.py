"""An onward-use notice as the store hands it back, with the disclosing agency's decision.

The recipient files a notice of a proposed new use or disclosure under an agreement (a purpose
code and its own description); the disclosing agency approves or denies it. A notice holds
codes, the recipient's text, who filed and decided it and when: no personal value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matchgate.domain.lifecycle import NoticeStatus


@dataclass(frozen=True)
class OnwardNotice:
    """A notice as listed: no personal values, only codes, text the recipient wrote and dates."""

    id: str
    agreement_id: str
    purpose: str
    description: str
    filed_by: str
    filed_at: dt.datetime
    status: NoticeStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


__all__ = ["OnwardNotice"]
