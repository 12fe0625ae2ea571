"""Scrub stored submission messages of values.

Before this revision a submission refused for columns its agreement does not allow stored the
column names, quoted, in ``submissions.message`` and again in its report's ``error.message``;
when the file had no header row, those "names" were the first record's name, SSN and date of
birth. Every stored message (and the report's copy of it) now goes through the store's one rule,
:func:`matchgate.storage.submissions.safe_message`: a message that could carry values is replaced
by a value-free text naming its code. Nothing else in a row changes; a row whose message passes
is not written at all. The rule is imported, not copied: a later, stricter rule only withholds
more.

No downgrade: the values are gone, which is the point.

Revision ID: operational_0002
Revises: operational_0001
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from matchgate.storage.submissions import safe_message

revision: str = "operational_0002"
down_revision: str | Sequence[str] | None = "operational_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 200
_submissions = sa.table(
    "submissions",
    sa.column("job_id", sa.String),
    sa.column("code", sa.String),
    sa.column("message", sa.Text),
    sa.column("report", sa.JSON),
)


def _scrubbed_report(code: str | None, report: Any) -> dict[str, Any] | None:
    """The report with its error message scrubbed, or None when it needs no change."""
    if not isinstance(report, dict):
        return None
    error = report.get("error")
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return None
    kept = safe_message(str(error.get("code") or code or ""), error["message"])
    if kept == error["message"]:
        return None
    return {**report, "error": {**error, "message": kept}}


def upgrade() -> None:
    bind = op.get_bind()
    last = ""
    while True:
        rows = bind.execute(
            sa.select(
                _submissions.c.job_id,
                _submissions.c.code,
                _submissions.c.message,
                _submissions.c.report,
            )
            .where(_submissions.c.job_id > last)
            .order_by(_submissions.c.job_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for job_id, code, message, report in rows:
            values: dict[str, Any] = {}
            kept = safe_message(code, message)
            if kept != message:
                values["message"] = kept
            new_report = _scrubbed_report(code, report)
            if new_report is not None:
                values["report"] = new_report
            if values:
                bind.execute(
                    sa.update(_submissions).where(_submissions.c.job_id == job_id).values(values)
                )
        last = rows[-1].job_id


def downgrade() -> None:
    """Nothing to undo: the scrubbed values are not kept anywhere."""
